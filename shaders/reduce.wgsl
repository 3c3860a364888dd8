// Reductions over a set of dims (sum, max, min, 2-norm). Each workgroup folds one chunk of
// one output element's reduced elements: 256 invocations stride through the chunk, then
// combine their partial results in workgroup memory. Large reductions with few outputs run
// in two passes: many chunks per output into partials, then one chunk over the partials.
//
// Placeholders (written in double braces below), filled in by rust/webgpu/kernels/reduce.rs:
//   BINDINGS  `out` (binding 1, contiguous, one element per workgroup) and `src` (2)
//   ACC       the accumulator type;  INIT its starting value
//   LOAD      the value of src[j] as an accumulator (j is the element offset)
//   COMBINE   combine(a, b) for two accumulators;  ACCUMULATE for a loaded value
//   FINISH    the stored value made from accumulator `acc`, as a store statement
//
// Parameters: 0 outputs, 1 reduced elements per output, 2 chunks per output, 3 chunk length,
// 4 kept dim count, 5 reduced dim count, 6 source offset,
// 8..16 kept shape, 16..24 kept strides, 24..32 reduced shape, 32..40 reduced strides.

{{BINDINGS}}

var<workgroup> partial: array<{{ACC}}, 256>;

fn combine(a: {{ACC}}, b: {{ACC}}) -> {{ACC}} {
    {{COMBINE}}
}

fn accumulate(acc: {{ACC}}, j: u32) -> {{ACC}} {
    {{ACCUMULATE}}
}

// Offset of entry `i` of the dims described at parameter words `shape` and `strides`.
fn offset_of(i: u32, ndim: u32, shape: u32, strides: u32) -> u32 {
    var rest = i;
    var offset = 0u;
    for (var d = ndim; d > 0u; d--) {
        let size = param(shape + d - 1u);
        offset += (rest % size) * param(strides + d - 1u);
        rest /= size;
    }
    return offset;
}

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let w = workgroup_index(wid, nwg);
    let chunks = param(2u);
    if (w >= param(0u) * chunks) {
        return;
    }
    let base = param(6u) + offset_of(w / chunks, param(4u), 8u, 16u);
    let start = (w % chunks) * param(3u);
    let end = min(start + param(3u), param(1u));
    var acc: {{ACC}} = {{INIT}};
    for (var k = start + lid; k < end; k += 256u) {
        acc = accumulate(acc, base + offset_of(k, param(5u), 24u, 32u));
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (lid < s) {
            partial[lid] = combine(partial[lid], partial[lid + s]);
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        let acc = partial[0];
        {{FINISH}}
    }
}
