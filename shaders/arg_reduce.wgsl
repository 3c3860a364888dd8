// Max or min along one dim with the index of the first extreme (NaN counts as the extreme,
// as in PyTorch). One workgroup per output element; invocations keep (value, index) pairs
// and the workgroup combines them, preferring NaN, then the extreme, then the lower index.
//
// Placeholders (written in double braces below), filled in by rust/webgpu/kernels/reduce.rs:
//   BINDINGS  `values` (binding 1), `indices` (2, int64), `src` (3)
//   T         the compared type;  LOAD src at offset j as T
//   BETTER    `>` for max, `<` for min
//   STORE     statements storing value `v` and index `idx` at output `w`
//
// Parameters: 0 outputs, 1 length of the dim, 2 stride of the dim, 3 source offset,
// 4 kept dim count, 8..16 kept shape, 16..24 kept strides.

{{BINDINGS}}

const NONE: u32 = 0xffffffffu;
var<workgroup> best_value: array<{{T}}, 256>;
var<workgroup> best_index: array<u32, 256>;

fn load(j: u32) -> {{T}} {
    return {{LOAD}};
}

// Whether (v, i) should be kept over (u, j).
fn wins(v: {{T}}, i: u32, u: {{T}}, j: u32) -> bool {
    if (i == NONE) { return false; }
    if (j == NONE) { return true; }
    let v_nan = is_nan(v);
    let u_nan = is_nan(u);
    if (v_nan || u_nan) {
        return select(v_nan, i < j, v_nan && u_nan);
    }
    if (v == u) { return i < j; }
    return v {{BETTER}} u;
}

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let w = workgroup_index(wid, nwg);
    if (w >= param(0u)) {
        return;
    }
    var rest = w;
    var base = param(3u);
    for (var d = param(4u); d > 0u; d--) {
        let size = param(7u + d);
        base += (rest % size) * param(15u + d);
        rest /= size;
    }
    var v = load(base);
    var idx = NONE;
    for (var k = lid; k < param(1u); k += 256u) {
        let u = load(base + k * param(2u));
        if (wins(u, k, v, idx)) {
            v = u;
            idx = k;
        }
    }
    best_value[lid] = v;
    best_index[lid] = idx;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (lid < s && wins(best_value[lid + s], best_index[lid + s], best_value[lid], best_index[lid])) {
            best_value[lid] = best_value[lid + s];
            best_index[lid] = best_index[lid + s];
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        let v = best_value[0];
        let idx = best_index[0];
        {{STORE}}
    }
}
