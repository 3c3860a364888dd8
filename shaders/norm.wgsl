// Layer, group and batch normalization over a contiguous input seen as [n, c, s]: channels
// fall into `groups` groups of cpg = c / groups; a statistic ("key") covers one group of one
// sample (per-sample layouts: layer and group norm) or one group over the whole batch
// (batch norm). Sums over a key or a channel take one workgroup of 64 invocations that
// combine through workgroup memory; elementwise parts take one invocation per element.
//
// Placeholders, filled in by rust/webgpu/kernels/norm.rs:
//   BINDINGS  `out` (binding 1) and the kernel's other operands; `T` (see indexed.rs)
//
// Parameters: 0 n, 1 c, 2 s, 3 groups, 4 per-sample flag, 5 key count, 6 elements per key,
// 7 element count, 8 batch statistics flag.

{{BINDINGS}}

var<workgroup> scratch: array<vec2<T>, 64>;

// The sums over the workgroup of every invocation's pair `v`.
fn combine(v: vec2<T>, lid: u32) -> vec2<T> {
    workgroupBarrier();
    scratch[lid] = v;
    workgroupBarrier();
    for (var w = 32u; w > 0u; w /= 2u) {
        if (lid < w) {
            scratch[lid] += scratch[lid + w];
        }
        workgroupBarrier();
    }
    return scratch[0];
}

fn cpg() -> u32 {
    return param(1u) / max(param(3u), 1u);
}

// The statistics key of sample nb, channel ch.
fn key_of(nb: u32, ch: u32) -> u32 {
    let group = ch / max(cpg(), 1u);
    return select(group, nb * param(3u) + group, param(4u) != 0u);
}

// Element j of key k: its index in the input (x) and its channel (y).
fn key_element(k: u32, j: u32) -> vec2<u32> {
    let run = cpg() * param(2u);
    var nb = j / run;
    var group = k;
    if (param(4u) != 0u) {
        nb = k / param(3u);
        group = k % param(3u);
    }
    let r = j % run;
    return vec2<u32>((nb * param(1u) + group * cpg()) * param(2u) + r, group * cpg() + r / param(2u));
}

// @kernel stats
// Mean (`out`) and biased variance (`var_`) of each key, one workgroup per key.
@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let k = workgroup_index(wid, nwg);
    if (k >= param(5u)) {
        return;
    }
    let count = param(6u);
    var sum = T(0);
    for (var j = lid; j < count; j += 64u) {
        sum += x[key_element(k, j).x];
    }
    let mean = combine(vec2<T>(sum, T(0)), lid).x / T(count);
    var squares = T(0);
    for (var j = lid; j < count; j += 64u) {
        let d = x[key_element(k, j).x] - mean;
        squares += d * d;
    }
    let var_total = combine(vec2<T>(squares, T(0)), lid).x;
    if (lid == 0u) {
        out[k] = mean;
        var_[k] = var_total / T(count);
    }
}

// @kernel apply
// out = (x - mean[key]) * rstd[key] * weight[ch] + bias[ch], one invocation per element.
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = workgroup_index(wid, nwg) * 256u + lid;
    if (i >= param(7u)) {
        return;
    }
    let s = param(2u);
    let ch = (i / s) % param(1u);
    let k = key_of(i / (s * param(1u)), ch);
    let scale = rstd[k] * weight[ch];
    out[i] = x[i] * scale + (bias[ch] - mean[k] * scale);
}

// @kernel backward_sums
// Workgroup q < keys: out[q] = sum(g w), out[keys + q] = sum(g xhat w) over key q.
// Workgroup keys + ch: dw[ch] = sum(g xhat), db[ch] = sum(g) over channel ch (the weight's
// and bias's gradients).
@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let q = workgroup_index(wid, nwg);
    let keys = param(5u);
    let c = param(1u);
    let s = param(2u);
    if (q >= keys + c) {
        return;
    }
    var acc = vec2<T>(T(0), T(0));
    if (q < keys) {
        for (var j = lid; j < param(6u); j += 64u) {
            let at = key_element(q, j);
            let gw = g[at.x] * weight[at.y];
            acc += vec2<T>(gw, gw * (x[at.x] - mean[q]) * rstd[q]);
        }
        acc = combine(acc, lid);
        if (lid == 0u) {
            out[q] = acc.x;
            out[keys + q] = acc.y;
        }
    } else {
        let ch = q - keys;
        for (var j = lid; j < param(0u) * s; j += 64u) {
            let nb = j / s;
            let at = (nb * c + ch) * s + j % s;
            let k = key_of(nb, ch);
            acc += vec2<T>(g[at] * (x[at] - mean[k]) * rstd[k], g[at]);
        }
        acc = combine(acc, lid);
        if (lid == 0u) {
            dw[ch] = acc.x;
            db[ch] = acc.y;
        }
    }
}

// @kernel backward_dx
// dx = g r w + x a + b per element, where with batch statistics a and b carry the
// statistics' dependence on x (from the key sums), and are 0 otherwise.
@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = workgroup_index(wid, nwg) * 256u + lid;
    if (i >= param(7u)) {
        return;
    }
    let s = param(2u);
    let ch = (i / s) % param(1u);
    let k = key_of(i / (s * param(1u)), ch);
    let r = rstd[k];
    var a = T(0);
    var b = T(0);
    if (param(8u) != 0u) {
        let count = T(param(6u));
        let mean_d = sums[k] / count;
        let mean_dx = sums[param(5u) + k] / count;
        a = -r * r * mean_dx;
        b = -r * mean_d + mean[k] * r * r * mean_dx;
    }
    out[i] = g[i] * (r * weight[ch]) + (x[i] * a + b);
}
