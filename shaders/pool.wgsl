// 2-D pooling over the last two dims of contiguous [planes, h, w] tensors, and the gather /
// scatter-add through flat plane indices that max pooling's gradients are. One invocation
// per output element, except `plane_scatter_add` (one per plane, so no two invocations add
// into one element: no float atomics needed).
//
// Placeholders, filled in by rust/webgpu/kernels/pool.rs:
//   BINDINGS  `out` (binding 1) and the kernel's inputs; `T` the element type, `I` the index
//             type, `is_nan_t`
//
// Parameters: 0 item count, 1 h, 2 w, 3 oh, 4 ow, then per kernel (below).

{{BINDINGS}}

// floor(a / d) for d > 0.
fn floor_div(a: i32, d: i32) -> i32 {
    return select(a / d, (a - d + 1) / d, a < 0);
}

// Kernel taps [first, last) of output position o along an axis whose parameters start at
// word p: input size, kernel, stride, padding, dilation (taps inside the input only).
fn taps(o: u32, size: u32, p: u32) -> vec2<i32> {
    let start = i32(o * param(p + 2u)) - i32(param(p + 4u));
    let d = i32(param(p + 6u));
    let first = select(0, (-start + d - 1) / d, start < 0);
    let last = min(floor_div(i32(size) - 1 - start, d) + 1, i32(param(p)));
    return vec2<i32>(first, max(last, first));
}

// @kernel max_pool
// Parameters 5 kh, 6 kw, 7 sh, 8 sw, 9 ph, 10 pw, 11 dh, 12 dw. Outputs `out` (the maxima,
// NaN winning) and `indices` (flat `ih * w + iw`).
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
    let h = param(1u);
    let w = param(2u);
    let oh = param(3u);
    let ow = param(4u);
    let plane = i / (oh * ow);
    let r = (i / ow) % oh;
    let c = i % ow;
    let rows = taps(r, h, 5u);
    let cols = taps(c, w, 6u);
    let rstart = i32(r * param(7u)) - i32(param(9u));
    let cstart = i32(c * param(8u)) - i32(param(10u));
    var best = T(0);
    var best_at = -1;
    for (var kr = rows.x; kr < rows.y; kr++) {
        let ih = rstart + kr * i32(param(11u));
        for (var kc = cols.x; kc < cols.y; kc++) {
            let at = ih * i32(w) + cstart + kc * i32(param(12u));
            let v = x[plane * h * w + u32(at)];
            if (best_at < 0 || v > best || is_nan_t(v)) {
                best = v;
                best_at = at;
            }
        }
    }
    out[i] = best;
    indices[i] = I(max(best_at, 0));
}

// @kernel avg_divisor
// What output (r, c) of an average pool divides by, from its `windows` entries at wr, wc.
fn divisor(wr: u32, wc: u32) -> T {
    switch param(5u) {
        case 0u: { return T(bitcast<i32>(param(6u))); }
        case 1u: { return T(windows[wr + 2u] * windows[wc + 2u]); }
        default: {
            return T((windows[wr + 1u] - windows[wr]) * (windows[wc + 1u] - windows[wc]));
        }
    }
}

// @kernel avg_pool
// `windows` (u32): per output row lo, hi, padded; then the same per output column.
// Parameters 5 divisor kind (0 fixed, 1 padded window, 2 window inside), 6 fixed divisor.
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
    let h = param(1u);
    let w = param(2u);
    let oh = param(3u);
    let ow = param(4u);
    let plane = i / (oh * ow);
    let r = (i / ow) % oh;
    let c = i % ow;
    let wr = 3u * r;
    let wc = 3u * (oh + c);
    var sum = T(0);
    for (var ih = windows[wr]; ih < windows[wr + 1u]; ih++) {
        for (var iw = windows[wc]; iw < windows[wc + 1u]; iw++) {
            sum += x[(plane * h + ih) * w + iw];
        }
    }
    let empty = windows[wr] >= windows[wr + 1u] || windows[wc] >= windows[wc + 1u];
    out[i] = select(sum / divisor(wr, wc), T(0), empty);
}

// @kernel avg_pool_grad
// `windows` as for avg_pool, then per input row the output rows [first, last) whose windows
// may hold it, then the same per input column. `out` is the input gradient ([planes, h, w]).
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
    let h = param(1u);
    let w = param(2u);
    let oh = param(3u);
    let ow = param(4u);
    let plane = i / (h * w);
    let ih = (i / w) % h;
    let iw = i % w;
    let inverse_rows = 3u * (oh + ow) + 2u * ih;
    let inverse_cols = 3u * (oh + ow) + 2u * (h + iw);
    var sum = T(0);
    for (var r = windows[inverse_rows]; r < windows[inverse_rows + 1u]; r++) {
        let wr = 3u * r;
        if (ih < windows[wr] || ih >= windows[wr + 1u]) {
            continue;
        }
        for (var c = windows[inverse_cols]; c < windows[inverse_cols + 1u]; c++) {
            let wc = 3u * (oh + c);
            if (iw >= windows[wc] && iw < windows[wc + 1u]) {
                sum += g[(plane * oh + r) * ow + c] / divisor(wr, wc);
            }
        }
    }
    out[i] = sum;
}

// @kernel plane_gather
// out[p, k] = x[p, idx[p, k]]; parameter 1 is the input plane's size, 3 the output's.
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
    out[i] = x[(i / param(3u)) * param(1u) + u32(idx[i])];
}

// @kernel plane_scatter_add
// out[p, idx[p, k]] += g[p, k] over zeroed planes, one invocation per plane p; parameter 1
// is the output plane's size, 3 the gradient's.
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let p = item(wid, nwg, lid);
    if (p >= param(0u)) {
        return;
    }
    let plane_out = param(1u);
    let plane_in = param(3u);
    for (var k = 0u; k < plane_out; k++) {
        out[p * plane_out + k] = T(0);
    }
    for (var k = 0u; k < plane_in; k++) {
        let at = p * plane_out + u32(idx[p * plane_in + k]);
        out[at] = out[at] + g[p * plane_in + k];
    }
}
