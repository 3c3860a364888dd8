//! Layer, group and batch normalization with one set of loops. The input is contiguous and
//! seen as `[n, c, s]`; statistics are kept per "key" (see [`NormLayout`]) and the affine
//! weight and bias per channel `c`. Sums accumulate in f64.

use rayon::prelude::*;

use super::number::Number;
use super::rows::{for_each_row, slice, slice_mut, PARALLEL_MIN};
use crate::error::Result;
use crate::ops::nn_norm::NormLayout;
use crate::tensor::{Element, Tensor};
use crate::with_float_dtype;

/// Calls `f(key, c, start)` for the `s`-long run of every (sample, channel) of samples
/// `ns`: its statistics key, its channel, and its offset in the tensor.
#[inline(always)]
fn for_each_run(
    l: &NormLayout,
    ns: std::ops::Range<usize>,
    mut f: impl FnMut(usize, usize, usize),
) {
    for n in ns {
        for c in 0..l.c {
            f(l.key(n, c), c, (n * l.c + c) * l.s);
        }
    }
}

/// Samples split into chunks for parallel reductions (one chunk when the job is small).
fn sample_chunks(l: &NormLayout) -> Vec<std::ops::Range<usize>> {
    let total = l.n * l.c * l.s;
    let chunks = if total < PARALLEL_MIN {
        1
    } else {
        rayon::current_num_threads().min(l.n).max(1)
    };
    (0..chunks)
        .map(|i| i * l.n / chunks..(i + 1) * l.n / chunks)
        .collect()
}

/// Sums `f` over sample chunks in parallel, each into its own zeroed `len`-long buffer,
/// and adds the buffers.
fn reduce_samples(
    l: &NormLayout,
    len: usize,
    f: impl Fn(std::ops::Range<usize>, &mut [f64]) + Sync + Send,
) -> Vec<f64> {
    sample_chunks(l)
        .into_par_iter()
        .map(|ns| {
            let mut acc = vec![0.0; len];
            f(ns, &mut acc);
            acc
        })
        .reduce(
            || vec![0.0; len],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

/// Mean and biased variance of every key's elements (two passes, for accuracy).
pub fn stats(x: &Tensor, l: &NormLayout) -> Result<(Tensor, Tensor)> {
    let keys = l.keys();
    let count = l.count() as f64;
    let mean = Tensor::empty(&[keys], x.dtype(), x.device())?;
    let var = Tensor::empty(&[keys], x.dtype(), x.device())?;
    with_float_dtype!(x.dtype(), T => {
        // SAFETY: `x` contiguous (the backend's contract); the outputs are fresh.
        let xs = unsafe { slice::<T>(x) };
        let sums = reduce_samples(l, keys, |ns, acc| {
            for_each_run(l, ns, |k, _, at| {
                acc[k] += xs[at..at + l.s].iter().map(|v| v.to_f64()).sum::<f64>();
            })
        });
        let means: Vec<f64> = sums.iter().map(|s| s / count).collect();
        let squares = reduce_samples(l, keys, |ns, acc| {
            for_each_run(l, ns, |k, _, at| {
                let m = means[k];
                acc[k] += xs[at..at + l.s].iter().map(|v| (v.to_f64() - m).powi(2)).sum::<f64>();
            })
        });
        let (ms, vs) = unsafe { (slice_mut::<T>(&mean), slice_mut::<T>(&var)) };
        for k in 0..keys {
            ms[k] = T::from_f64(means[k]);
            vs[k] = T::from_f64(squares[k] / count);
        }
    });
    Ok((mean, var))
}

/// `(x - mean[key]) * rstd[key] * weight[c] + bias[c]`.
pub fn apply(
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    l: &NormLayout,
) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    with_float_dtype!(x.dtype(), T => {
        // SAFETY: contiguous operands (the backend's contract); `out` is fresh.
        let (xs, ms, rs, os) = unsafe { (slice::<T>(x), slice::<T>(mean), slice::<T>(rstd), slice_mut::<T>(&out)) };
        let ws = weight.map(|w| unsafe { slice::<T>(w) });
        let bs = bias.map(|b| unsafe { slice::<T>(b) });
        let row = l.c * l.s;
        for_each_row(os, row, row, |n, orow| {
            let xrow = &xs[n * row..(n + 1) * row];
            for c in 0..l.c {
                let k = l.key(n, c);
                // y = x * scale + shift, per channel
                let w = ws.map_or(1.0, |w| w[c].to_f64());
                let scale = rs[k].to_f64() * w;
                let shift = bs.map_or(0.0, |b| b[c].to_f64()) - ms[k].to_f64() * scale;
                let (scale, shift) = (T::from_f64(scale), T::from_f64(shift));
                let range = c * l.s..(c + 1) * l.s;
                for (o, &v) in orow[range.clone()].iter_mut().zip(&xrow[range]) {
                    *o = mul_add(v, scale, shift);
                }
            }
        });
    });
    Ok(out)
}

#[inline(always)]
fn mul_add<T: Number>(v: T, a: T, b: T) -> T {
    v.mul(a).add(b)
}

/// Gradients of [`apply`]: `(dx, dweight, dbias)`, the last two per channel. With
/// `batch_stats` the mean and rstd were computed from `x` itself (training), so `dx`
/// includes their dependence on `x`; without, they were constants (evaluation).
pub fn backward(
    g: &Tensor,
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    l: &NormLayout,
    batch_stats: bool,
) -> Result<(Tensor, Tensor, Tensor)> {
    let keys = l.keys();
    let count = l.count() as f64;
    let dx = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    let dw = Tensor::empty(&[l.c], x.dtype(), x.device())?;
    let db = Tensor::empty(&[l.c], x.dtype(), x.device())?;
    with_float_dtype!(x.dtype(), T => {
        // SAFETY: contiguous operands (the backend's contract); the outputs are fresh.
        let (gs, xs, ms, rs) = unsafe { (slice::<T>(g), slice::<T>(x), slice::<T>(mean), slice::<T>(rstd)) };
        let ws = weight.map(|w| unsafe { slice::<T>(w) });
        let weight_of = |c: usize| ws.map_or(1.0, |w| w[c].to_f64());
        // One pass: per key, sum(dxhat) and sum(dxhat * xhat); per channel, sum(g * xhat)
        // and sum(g). Laid out in one buffer: [keys | keys | c | c].
        let sums = reduce_samples(l, 2 * keys + 2 * l.c, |ns, acc| {
            for_each_run(l, ns, |k, c, at| {
                let (grun, xrun) = (&gs[at..at + l.s], &xs[at..at + l.s]);
                let (m, r, w) = (ms[k].to_f64(), rs[k].to_f64(), weight_of(c));
                let (mut sg, mut sgx) = (0.0, 0.0);
                for (&gv, &xv) in grun.iter().zip(xrun) {
                    let (gv, xhat) = (gv.to_f64(), (xv.to_f64() - m) * r);
                    sg += gv;
                    sgx += gv * xhat;
                }
                acc[k] += sg * w;
                acc[keys + k] += sgx * w;
                acc[2 * keys + c] += sgx;
                acc[2 * keys + l.c + c] += sg;
            })
        });
        let (dws, dbs) = unsafe { (slice_mut::<T>(&dw), slice_mut::<T>(&db)) };
        for c in 0..l.c {
            dws[c] = T::from_f64(sums[2 * keys + c]);
            dbs[c] = T::from_f64(sums[2 * keys + l.c + c]);
        }
        let dxs = unsafe { slice_mut::<T>(&dx) };
        let row = l.c * l.s;
        for_each_row(dxs, row, 2 * row, |n, drow| {
            let (grow, xrow) = (&gs[n * row..(n + 1) * row], &xs[n * row..(n + 1) * row]);
            for c in 0..l.c {
                let k = l.key(n, c);
                let (m, r, w) = (ms[k].to_f64(), rs[k].to_f64(), weight_of(c));
                // dx = r * (w g - mean(dxhat) - xhat * mean(dxhat xhat))
                //    = g * (r w) + x * a + b, per key and channel
                let (a, b) = if batch_stats {
                    let (mean_d, mean_dx) = (sums[k] / count, sums[keys + k] / count);
                    (-r * r * mean_dx, -r * mean_d + m * r * r * mean_dx)
                } else {
                    (0.0, 0.0)
                };
                let (scale, a, b) = (T::from_f64(r * w), T::from_f64(a), T::from_f64(b));
                let range = c * l.s..(c + 1) * l.s;
                for ((d, &gv), &xv) in drow[range.clone()].iter_mut().zip(&grow[range.clone()]).zip(&xrow[range]) {
                    *d = mul_add(gv, scale, mul_add(xv, a, b));
                }
            }
        });
    });
    Ok((dx, dw, db))
}
