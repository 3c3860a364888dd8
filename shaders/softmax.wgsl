// Softmax and log-softmax along one dim, forward and backward. Operands are contiguous and
// seen as [outer, n, inner]; one workgroup of 64 invocations takes one slice (an (outer,
// inner) pair), striding over its n elements and combining through workgroup memory.
//
// Placeholders, filled in by rust/webgpu/kernels/softmax.rs:
//   BINDINGS  `out` (binding 1), then `x` (forward) or `g`, `y` (backward); the float-math
//             prelude (type F, f_exp, f_log)
//
// Parameters: 0 n, 1 inner, 2 slice count.

{{BINDINGS}}

var<workgroup> scratch: array<F, 64>;

// The sum (or with `take_max`, the maximum, NaN winning) of every invocation's `v`.
fn combine(v: F, lid: u32, take_max: bool) -> F {
    workgroupBarrier();
    scratch[lid] = v;
    workgroupBarrier();
    for (var w = 32u; w > 0u; w /= 2u) {
        if (lid < w) {
            let a = scratch[lid];
            let b = scratch[lid + w];
            if (!take_max) {
                scratch[lid] = a + b;
            } else if (f_is_nan(b) || b > a) {
                scratch[lid] = b;
            }
        }
        workgroupBarrier();
    }
    return scratch[0];
}

// The first element of slice s, and the step between its elements.
fn slice_start(s: u32) -> u32 {
    let inner = param(1u);
    return (s / inner) * param(0u) * inner + s % inner;
}

// @kernel forward
@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let s = workgroup_index(wid, nwg);
    if (s >= param(2u)) {
        return;
    }
    let n = param(0u);
    let step = param(1u);
    let start = slice_start(s);
    var m = -f_inf();
    for (var k = lid; k < n; k += 64u) {
        let v = x[start + k * step];
        if (f_is_nan(v) || v > m) {
            m = v;
        }
    }
    m = combine(m, lid, true);
    var total = F(0);
    for (var k = lid; k < n; k += 64u) {
        total += f_exp(x[start + k * step] - m);
    }
    total = combine(total, lid, false);
    for (var k = lid; k < n; k += 64u) {
        let at = start + k * step;
        {{STORE}}
    }
}

// @kernel backward
@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let s = workgroup_index(wid, nwg);
    if (s >= param(2u)) {
        return;
    }
    let n = param(0u);
    let step = param(1u);
    let start = slice_start(s);
    var total = F(0);
    for (var k = lid; k < n; k += 64u) {
        total += {{TERM}};
    }
    total = combine(total, lid, false);
    for (var k = lid; k < n; k += 64u) {
        let at = start + k * step;
        {{STORE}}
    }
}
