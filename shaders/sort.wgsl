// Sorting along one dim of a contiguous tensor seen as [outer, n, inner], by rank: each
// element counts the elements of its slice that sort before it (ties: the earlier
// position first, so the sort is stable; NaN orders after every number) and writes itself
// at that rank. Every element's work is n comparisons, so this suits slices up to a few
// thousand elements (rust/webgpu/kernels/sort.rs sends longer ones elsewhere).
//
// Placeholders, filled in by rust/webgpu/kernels/sort.rs:
//   BINDINGS  `out` (values, binding 1), `indices`, `x`; `T`, `I`, `is_nan_t`
//
// Parameters: 0 element count, 1 n, 2 inner, 3 descending, 4 how many ranks are kept,
// 5 k-th element mode (keep 1: rank 6, or a slice's first NaN), 6 k.

{{BINDINGS}}

// Whether a sorts strictly before b in ascending order (NaN largest).
fn before(a: T, b: T) -> bool {
    return (!is_nan_t(a) && is_nan_t(b)) || a < b;
}

// @kernel sort
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let e = workgroup_index(wid, nwg) * 256u + lid;
    if (e >= param(0u)) {
        return;
    }
    let n = param(1u);
    let inner = param(2u);
    let descending = param(3u) != 0u;
    let i = (e / inner) % n;
    let outer = e / (n * inner);
    let j = e % inner;
    let start = outer * n * inner + j;
    let v = x[e];
    var rank = 0u;
    var numbers = 0u;
    for (var m = 0u; m < n; m++) {
        let w = x[start + m * inner];
        let first = select(before(w, v), before(v, w), descending);
        let tie = !before(w, v) && !before(v, w) && m < i;
        rank += select(0u, 1u, first || tie);
        numbers += select(1u, 0u, is_nan_t(w));
    }
    let keep = param(4u);
    if (param(5u) != 0u) {
        // Only the element of (ascending) rank k is kept, or a slice's first NaN.
        let wanted = select(param(6u), numbers, numbers < n);
        rank = select(keep, 0u, rank == wanted);
    }
    if (rank < keep) {
        let at = (outer * keep + rank) * inner + j;
        out[at] = v;
        indices[at] = I(i);
    }
}
