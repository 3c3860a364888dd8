// Lookups by int64 indices: rows of a [rows, dim] table (embedding) and their adjoint, and
// the negative log-likelihood loss's pick of one class per element and its adjoint. The
// indices were checked on the host. Adjoints either gather (nll) or give each invocation
// whole columns (rows_scatter_add), so no float atomics are needed.
//
// Placeholders, filled in by rust/webgpu/kernels/lookup.rs:
//   BINDINGS  `out` (binding 1), the kernel's other operands; `T`, `I` (see indexed.rs)
//
// Parameter 0 is the item count.

{{BINDINGS}}

// @kernel rows_gather
// out[k, d] = table[idx[k], d]; parameter 1 is dim.
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
    let dim = param(1u);
    out[i] = table[u32(idx[i / dim]) * dim + i % dim];
}

// @kernel rows_scatter_add
// out[idx[k], d] += g[k, d] into a zeroed [rows, dim] table, one invocation per column d;
// parameters 1 rows, 2 the index count.
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let d = item(wid, nwg, lid);
    let dim = param(0u);
    if (d >= dim) {
        return;
    }
    for (var r = 0u; r < param(1u); r++) {
        out[r * dim + d] = T(0);
    }
    for (var k = 0u; k < param(2u); k++) {
        let at = u32(idx[k]) * dim + d;
        out[at] = out[at] + g[k * dim + d];
    }
}

// @kernel nll_ignore
// Whether target class t is the ignored index (parameters 3 has one, 4..6 its words).
fn ignored(t: I) -> bool {
    return param(3u) != 0u && t == index_param(4u);
}

// @kernel nll_loss
// Per element e = (n, s) of x seen as [n, c, s]: counted[e] = weight[t] (0 when ignored)
// and out[e] = -counted[e] x[n, t, s]; parameters 1 c, 2 s.
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let e = item(wid, nwg, lid);
    if (e >= param(0u)) {
        return;
    }
    let c = param(1u);
    let s = param(2u);
    let t = targets[e];
    if (ignored(t)) {
        out[e] = T(0);
        counted[e] = T(0);
        return;
    }
    let w = weight[u32(t)];
    out[e] = -w * x[((e / s) * c + u32(t)) * s + e % s];
    counted[e] = w;
}

// @kernel nll_loss_grad
// out[n, k, s] = -weight[t] g[n, s] where k is the target t, else 0; parameters 1 c, 2 s.
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
    let c = param(1u);
    let s = param(2u);
    let e = (i / (c * s)) * s + i % s;
    let t = targets[e];
    let hit = !ignored(t) && u32(t) == (i / s) % c;
    out[i] = select(T(0), -weight[select(0u, u32(t), hit)] * g[e], hit);
}

// @kernel renorm_rows
// Scales each listed row (`rows`, distinct) of the table `out` (any strides) whose p-norm
// exceeds max_norm down to it, in place, one invocation per listed row; the norm is taken
// in f32. Parameters 1 dim, 2 the table's offset, 3 row stride, 4 column stride, 5 max_norm
// and 6 p (f32 bits).
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let k = item(wid, nwg, lid);
    if (k >= param(0u)) {
        return;
    }
    let start = param(2u) + u32(idx[k]) * param(3u);
    let p = bitcast<f32>(param(6u));
    var total = 0.0;
    for (var d = 0u; d < param(1u); d++) {
        let v = abs(f32(out[start + d * param(4u)]));
        if (p == 1.0) {
            total += v;
        } else if (p == 2.0) {
            total += v * v;
        } else {
            total += pow(v, p);
        }
    }
    let norm = select(pow(total, 1.0 / p), select(sqrt(total), total, p == 1.0), p == 1.0 || p == 2.0);
    let max_norm = bitcast<f32>(param(5u));
    if (norm > max_norm) {
        let scale = T(max_norm / (norm + 1e-7));
        for (var d = 0u; d < param(1u); d++) {
            let at = start + d * param(4u);
            out[at] = out[at] * scale;
        }
    }
}
