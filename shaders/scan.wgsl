// Inclusive scans along one dim (cumsum, cumprod, and from the end for their gradients) of
// a contiguous tensor seen as [outer, n, inner]: one invocation per slice walks its n
// elements in order, in the tensor's type.
//
// Placeholders, filled in by rust/webgpu/kernels/scan.rs:
//   BINDINGS  `out` (binding 1), `x`; `T`
//
// Parameters: 0 slice count, 1 n, 2 inner, 3 from the end, 4 product (else sum).

{{BINDINGS}}

// @kernel scan
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let slice = workgroup_index(wid, nwg) * 256u + lid;
    if (slice >= param(0u)) {
        return;
    }
    let n = param(1u);
    let inner = param(2u);
    let product = param(4u) != 0u;
    let start = (slice / inner) * n * inner + slice % inner;
    var acc = select(T(0), T(1), product);
    for (var step = 0u; step < n; step++) {
        let at = start + select(step, n - 1u - step, param(3u) != 0u) * inner;
        acc = select(acc + x[at], acc * x[at], product);
        out[at] = acc;
    }
}
