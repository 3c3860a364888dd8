// 2-D convolution's data movement: `unfold` writes the patch matrix (im2col) the products
// multiply, and `fold` sums a patch matrix back into an image (col2im), each input element
// gathering the patch entries that read it, so no atomics are needed. The products
// themselves are matmul.wgsl's.
//
// Placeholders, filled in by rust/webgpu/kernels/conv.rs:
//   BINDINGS  `out` (binding 1) and the input (`x` or `cols`); `T` (see indexed.rs)
//
// Parameters: 0 item count, 1 groups, 2 input channels per group, 3 kh, 4 kw, 5 h, 6 w,
// 7 oh, 8 ow, 9 sh, 10 sw, 11 ph, 12 pw, 13 dh, 14 dw, 15..19 the patch matrix's strides
// for (sample, group, patch row, output position), 19 samples.

{{BINDINGS}}

// Where entry (n, g, patch row kk, output position l) sits in the patch matrix.
fn patch_at(n: u32, g: u32, kk: u32, l: u32) -> u32 {
    return n * param(15u) + g * param(16u) + kk * param(17u) + l * param(18u);
}

// @kernel unfold
// One invocation per patch-matrix entry, in (n, g, kk, l) order; out of the image reads 0.
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
    let groups = param(1u);
    let cin_g = param(2u);
    let kh = param(3u);
    let kw = param(4u);
    let h = param(5u);
    let w = param(6u);
    let ow = param(8u);
    let l_count = param(7u) * ow;
    let k_count = cin_g * kh * kw;
    let l = i % l_count;
    let kk = (i / l_count) % k_count;
    let g = (i / (l_count * k_count)) % groups;
    let n = i / (l_count * k_count * groups);
    let ci = kk / (kh * kw);
    let ki = (kk / kw) % kh;
    let kj = kk % kw;
    let y = i32((l / ow) * param(9u) + ki * param(13u)) - i32(param(11u));
    let x_ = i32((l % ow) * param(10u) + kj * param(14u)) - i32(param(12u));
    var v = T(0);
    if (y >= 0 && y < i32(h) && x_ >= 0 && x_ < i32(w)) {
        v = x[((n * groups + g) * cin_g + ci) * h * w + u32(y) * w + u32(x_)];
    }
    out[patch_at(n, g, kk, l)] = v;
}

// @kernel fold
// One invocation per image element (n, channel, y, x): the sum of the patch entries that
// read it.
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
    let groups = param(1u);
    let cin_g = param(2u);
    let kh = param(3u);
    let kw = param(4u);
    let h = param(5u);
    let w = param(6u);
    let oh = param(7u);
    let ow = param(8u);
    let sh = i32(param(9u));
    let sw = i32(param(10u));
    let channels = groups * cin_g;
    let n = i / (channels * h * w);
    let ch = (i / (h * w)) % channels;
    let y = i32((i / w) % h) + i32(param(11u));
    let x_ = i32(i % w) + i32(param(12u));
    let g = ch / cin_g;
    let ci = ch % cin_g;
    var sum = T(0);
    for (var ki = 0u; ki < kh; ki++) {
        let ty = y - i32(ki * param(13u));
        if (ty < 0 || ty % sh != 0 || u32(ty / sh) >= oh) {
            continue;
        }
        for (var kj = 0u; kj < kw; kj++) {
            let tx = x_ - i32(kj * param(14u));
            if (tx < 0 || tx % sw != 0 || u32(tx / sw) >= ow) {
                continue;
            }
            let l = u32(ty / sh) * ow + u32(tx / sw);
            sum += cols[patch_at(n, g, (ci * kh + ki) * kw + kj, l)];
        }
    }
    out[i] = sum;
}
