// Padding (constant, reflect, replicate, circular) and its adjoint. Per dim, the host gives
// `plan` tables: for `pad`, the input index each output index reads (0xffffffff: the fill
// value); for `pad_grad`, the output indices that read each input index (a start per input
// index, then the lists). The adjoint gathers, one invocation per input element, so no
// atomics are needed.
//
// Placeholders, filled in by rust/webgpu/kernels/pad.rs:
//   BINDINGS  `out` (binding 1), the input (`x` or `g`), `fill` (pad only), `plan`; `T`
//
// Parameters: 0 item count, 1 dims, 2..10 the shape walked (out's for pad, the input's for
// pad_grad), 10..18 strides of the other tensor, 18..26 where each dim's table starts in
// `plan`, 26..34 (pad_grad) where each dim's lists start.

{{BINDINGS}}

// @kernel pad
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = item(wid, nwg, lid);
    if (i >= param(0u)) {
        return;
    }
    var rest = i;
    var at = 0u;
    for (var d = param(1u); d > 0u; d--) {
        let size = param(1u + d);
        let src = plan[param(17u + d) + rest % size];
        rest /= size;
        if (src == 0xffffffffu) {
            out[i] = fill[0];
            return;
        }
        at += src * param(9u + d);
    }
    out[i] = x[at];
}

// @kernel pad_grad
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = item(wid, nwg, lid);
    if (i >= param(0u)) {
        return;
    }
    let dims = param(1u);
    // Per dim: the range of list entries (in `plan`) of this element's index.
    var first: array<u32, 8>;
    var last: array<u32, 8>;
    var pos: array<u32, 8>;
    var rest = i;
    for (var d = dims; d > 0u; d--) {
        let size = param(1u + d);
        let starts = param(17u + d) + rest % size;
        rest /= size;
        first[d - 1u] = param(25u + d) + plan[starts];
        last[d - 1u] = param(25u + d) + plan[starts + 1u];
        pos[d - 1u] = first[d - 1u];
        if (first[d - 1u] == last[d - 1u]) {
            out[i] = T(0);
            return;
        }
    }
    // Every combination of one reader per dim, as an odometer.
    var sum = T(0);
    loop {
        var at = 0u;
        for (var d = 0u; d < dims; d++) {
            at += plan[pos[d]] * param(10u + d);
        }
        sum += g[at];
        var done = true;
        for (var d = dims; d > 0u; d--) {
            pos[d - 1u]++;
            if (pos[d - 1u] < last[d - 1u]) {
                done = false;
                break;
            }
            pos[d - 1u] = first[d - 1u];
        }
        if (done) {
            break;
        }
    }
    out[i] = sum;
}
