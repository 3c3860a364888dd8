// Elementwise kernels: out = f(in1, in2, in3) for every element, over strided and broadcast
// operands (a broadcast dim has stride 0). One invocation per output element.
//
// Placeholders (written in double braces below), filled in per op and dtypes by
// rust/webgpu/kernels/elementwise.rs:
//   BINDINGS  `out` (binding 1) and the inputs `in1`.. (bindings 2..)
//   OPERANDS  1 + the number of inputs
//   BODY      loads the inputs at at[1].., computes, and stores into out at at[0]
//
// Parameters: 0 element count, 1 dim count, 2 all-contiguous flag, 4..12 shape,
// 12 + 9k operand k's element offset, then its 8 strides; 56.. op scalars.

{{BINDINGS}}
const OPERANDS: u32 = {{OPERANDS}}u;

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = workgroup_index(wid, nwg) * 256u + lid;
    if (i >= param(0u)) {
        return;
    }
    var at: array<u32, 4>;
    for (var k = 0u; k < OPERANDS; k++) {
        at[k] = param(12u + 9u * k);
    }
    if (param(2u) == 1u) {
        // Fast path: every operand is contiguous, so element i sits at offset + i.
        for (var k = 0u; k < OPERANDS; k++) {
            at[k] += i;
        }
    } else {
        // Unravel i over the shape (innermost dim last) and walk each operand's strides.
        var rest = i;
        for (var d = param(1u); d > 0u; d--) {
            let size = param(3u + d);
            let index = rest % size;
            rest /= size;
            for (var k = 0u; k < OPERANDS; k++) {
                at[k] += index * param(12u + 9u * k + d);
            }
        }
    }
    {{BODY}}
}
