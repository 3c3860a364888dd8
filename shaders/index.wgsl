// Gathers and scatters through index tensors (advanced indexing, gather, scatter,
// index_select, ...). The host reads the (small) index tensors, checks them and turns them
// into storage offsets: `plan` holds, for a gather, the offset each grid position picks;
// for a scatter, the distinct destinations, and per destination the grid positions that
// write it (in grid order) with where their values start. So a scatter-add gives each
// destination element one invocation that adds all its sources in order: deterministic,
// and no atomics.
//
// Placeholders, filled in by rust/webgpu/kernels/index.rs:
//   BINDINGS  `out` (binding 1), then `src` or `values`, then `plan` (u32); `T`
//
// Parameters: 0 item count, 1 block size (elements each grid position copies), 2 block
// dims, 3 offset of `out`'s (gather: `src`'s) first element, 4 offset of `values`, 5 the
// destination count, 6..14 block shape, 14..22 block strides of the indexed tensor, 22..30
// block strides of `values`, 30 accumulate, 31 where the per-destination starts begin in
// `plan`, 32 where the member lists begin, 33 where the value offsets begin.

{{BINDINGS}}

// The offset of element r of a block, walking strides from parameter word `strides`.
fn block_offset(r: u32, strides: u32) -> u32 {
    var rest = r;
    var at = 0u;
    for (var d = param(2u); d > 0u; d--) {
        let size = param(5u + d);
        at += (rest % size) * param(strides + d - 1u);
        rest /= size;
    }
    return at;
}

// @kernel gather
// out[g, r] = src[plan[g] + block r], one invocation per element of `out` (contiguous).
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
    let block = param(1u);
    out[i] = src[param(3u) + plan[i / block] + block_offset(i % block, 14u)];
}

// @kernel scatter
// One invocation per (destination u, block element r): the last source's value, or with
// accumulate the destination plus every source.
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
    let block = param(1u);
    let u = i / block;
    let r = i % block;
    let at = param(3u) + plan[u] + block_offset(r, 14u);
    let value_at = param(4u) + block_offset(r, 22u);
    let first = plan[param(31u) + u];
    let last = plan[param(31u) + u + 1u];
    if (param(30u) == 0u) {
        out[at] = values[value_at + plan[param(33u) + plan[param(32u) + last - 1u]]];
        return;
    }
    var acc = out[at];
    for (var m = first; m < last; m++) {
        acc += values[value_at + plan[param(33u) + plan[param(32u) + m]]];
    }
    out[at] = acc;
}
