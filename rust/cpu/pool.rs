//! 2-D pooling as direct loops over each `[h, w]` plane (planes run in parallel): max
//! pooling with the index of each maximum, average pooling over precomputed windows (which
//! covers adaptive pooling too), and the gather / scatter-add through saved indices that max
//! pooling's gradients are.

use super::number::Number;
use super::rows::{for_each_row, slice, slice_mut, SharedPtr};
use crate::error::Result;
use crate::ops::nn_pool::{AvgPoolWindows, Divisor, MaxPoolGeometry};
use crate::tensor::{DType, Element, Tensor};
use crate::with_dtype;

/// `x` with its last two dims replaced by `hw`.
fn with_plane(shape: &[usize], hw: [usize; 2]) -> Vec<usize> {
    let mut s = shape[..shape.len() - 2].to_vec();
    s.extend(hw);
    s
}

/// Max pooling of contiguous `x` (`[..., h, w]`): the maxima and their flat indices
/// (`ih * w + iw`) within each plane. NaN counts as a maximum, as in PyTorch.
pub fn max_pool2d(x: &Tensor, g: &MaxPoolGeometry) -> Result<(Tensor, Tensor)> {
    let shape = with_plane(x.shape(), g.output);
    let values = Tensor::empty(&shape, x.dtype(), x.device())?;
    let indices = Tensor::empty(&shape, DType::Int64, x.device())?;
    let [h, w] = g.input;
    let [oh, ow] = g.output;
    // Rows of kernel taps that fall inside the input, for each output row / column.
    let taps = |axis: usize, o: usize| -> Vec<usize> {
        // Taps `k` with `start + k * d` inside `0..size`, found by arithmetic (the kernel may
        // be far larger than the input when padded).
        let start = (o * g.stride[axis]) as i64 - g.padding[axis] as i64;
        let (d, size) = (g.dilation[axis] as i64, g.input[axis] as i64);
        let first = if start >= 0 { 0 } else { (-start + d - 1) / d };
        let last = ((size - 1 - start).div_euclid(d) + 1).min(g.kernel[axis] as i64);
        (first..last.max(first))
            .map(|k| (start + k * d) as usize)
            .collect()
    };
    let rows: Vec<Vec<usize>> = (0..oh).map(|o| taps(0, o)).collect();
    let cols: Vec<Vec<usize>> = (0..ow).map(|o| taps(1, o)).collect();
    with_dtype!(x.dtype(), T => {
        // SAFETY: `x` is contiguous (the backend's contract); the outputs are fresh.
        let (xs, vs) = unsafe { (slice::<T>(x), slice_mut::<T>(&values)) };
        let index_base = SharedPtr(indices.cpu_ptr::<i64>());
        let plane_out = oh * ow;
        let window = g.kernel[0] * g.kernel[1];
        for_each_row(vs, plane_out, plane_out * window, |p, vp| {
            let xp = &xs[p * h * w..(p + 1) * h * w];
            // SAFETY: plane `p` of the fresh indices tensor is written by this task only.
            let ip = unsafe {
                std::slice::from_raw_parts_mut(index_base.get().add(p * plane_out), plane_out)
            };
            for (r, ihs) in rows.iter().enumerate() {
                for (c, iws) in cols.iter().enumerate() {
                    let mut best = (T::zero(), -1i64);
                    for &ih in ihs {
                        for &iw in iws {
                            let v = xp[ih * w + iw];
                            if best.1 < 0 || beats(v, best.0) {
                                best = (v, (ih * w + iw) as i64);
                            }
                        }
                    }
                    vp[r * ow + c] = best.0;
                    ip[r * ow + c] = best.1.max(0);
                }
            }
        });
    });
    Ok((values, indices))
}

/// Whether `v` replaces `best` as the maximum: larger, or NaN (NaN propagates, as in
/// PyTorch).
#[inline(always)]
fn beats<T: Element>(v: T, best: T) -> bool {
    #[allow(clippy::eq_op)]
    let nan = v != v;
    v > best || nan
}

/// The divisor of output `(r, c)` of an average pool.
fn divisor(w: &AvgPoolWindows, r: usize, c: usize) -> i64 {
    let (wr, wc) = (&w.rows[r], &w.cols[c]);
    match w.divisor {
        Divisor::Fixed(d) => d,
        Divisor::Padded => (wr.padded * wc.padded) as i64,
        Divisor::Inside => ((wr.hi - wr.lo) * (wc.hi - wc.lo)) as i64,
    }
}

/// Average pooling of contiguous `x` (`[..., h, w]`) over the windows `w` describes.
pub fn avg_pool2d(x: &Tensor, w: &AvgPoolWindows) -> Result<Tensor> {
    let (oh, ow) = (w.rows.len(), w.cols.len());
    let [h, wd] = w.input;
    let out = Tensor::empty(&with_plane(x.shape(), [oh, ow]), x.dtype(), x.device())?;
    with_dtype!(x.dtype(), T => {
        // SAFETY: as in `max_pool2d`.
        let (xs, os) = unsafe { (slice::<T>(x), slice_mut::<T>(&out)) };
        for_each_row(os, oh * ow, h * wd, |p, op| {
            let xp = &xs[p * h * wd..(p + 1) * h * wd];
            for (r, wr) in w.rows.iter().enumerate() {
                for (c, wc) in w.cols.iter().enumerate() {
                    let mut sum = T::zero();
                    for ih in wr.lo..wr.hi {
                        for v in &xp[ih * wd + wc.lo..ih * wd + wc.hi] {
                            sum = sum.add(*v);
                        }
                    }
                    let empty = wr.lo >= wr.hi || wc.lo >= wc.hi;
                    op[r * ow + c] = if empty { T::zero() } else { sum.div(T::from_i64(divisor(w, r, c))) };
                }
            }
        });
    });
    Ok(out)
}

/// The input gradient of [`avg_pool2d`]: each output's gradient spread evenly (by the same
/// divisor) over its window. `g` is contiguous, `[..., oh, ow]`.
pub fn avg_pool2d_backward(g: &Tensor, w: &AvgPoolWindows) -> Result<Tensor> {
    let (oh, ow) = (w.rows.len(), w.cols.len());
    let [h, wd] = w.input;
    let out = Tensor::empty(&with_plane(g.shape(), [h, wd]), g.dtype(), g.device())?;
    with_dtype!(g.dtype(), T => {
        // SAFETY: as in `max_pool2d`.
        let (gs, os) = unsafe { (slice::<T>(g), slice_mut::<T>(&out)) };
        for_each_row(os, h * wd, h * wd, |p, op| {
            op.fill(T::zero());
            let gp = &gs[p * oh * ow..(p + 1) * oh * ow];
            for (r, wr) in w.rows.iter().enumerate() {
                for (c, wc) in w.cols.iter().enumerate() {
                    let share = gp[r * ow + c].div(T::from_i64(divisor(w, r, c)));
                    for ih in wr.lo..wr.hi {
                        for v in &mut op[ih * wd + wc.lo..ih * wd + wc.hi] {
                            *v = v.add(share);
                        }
                    }
                }
            }
        });
    });
    Ok(out)
}

/// `out[p, k] = x[p, idx[p, k]]` for planes `p` of contiguous `x` (`[..., h, w]`) and
/// `idx` (`[..., oh, ow]`, flat plane indices).
pub fn plane_gather(x: &Tensor, idx: &Tensor) -> Result<Tensor> {
    let plane_in: usize = x.shape()[x.ndim() - 2..].iter().product();
    let plane_out: usize = idx.shape()[idx.ndim() - 2..].iter().product();
    let out = Tensor::empty(idx.shape(), x.dtype(), x.device())?;
    with_dtype!(x.dtype(), T => {
        // SAFETY: contiguous operands (the backend's contract); `out` is fresh.
        let (xs, is, os) = unsafe { (slice::<T>(x), slice::<i64>(idx), slice_mut::<T>(&out)) };
        for_each_row(os, plane_out, plane_out, |p, op| {
            let xp = &xs[p * plane_in..(p + 1) * plane_in];
            for (o, &i) in op.iter_mut().zip(&is[p * plane_out..]) {
                *o = xp[i as usize];
            }
        });
    });
    Ok(out)
}

/// The adjoint of [`plane_gather`]: `out[p, idx[p, k]] += g[p, k]`, with `out` shaped
/// `[..., plane[0], plane[1]]`.
pub fn plane_scatter_add(g: &Tensor, idx: &Tensor, plane: [usize; 2]) -> Result<Tensor> {
    let plane_in = plane[0] * plane[1];
    let plane_out: usize = idx.shape()[idx.ndim() - 2..].iter().product();
    let out = Tensor::empty(&with_plane(g.shape(), plane), g.dtype(), g.device())?;
    with_dtype!(g.dtype(), T => {
        // SAFETY: as in `plane_gather`.
        let (gs, is, os) = unsafe { (slice::<T>(g), slice::<i64>(idx), slice_mut::<T>(&out)) };
        for_each_row(os, plane_in, plane_out, |p, op| {
            op.fill(T::zero());
            let range = p * plane_out..(p + 1) * plane_out;
            for (&v, &i) in gs[range.clone()].iter().zip(&is[range]) {
                let dst = &mut op[i as usize];
                *dst = dst.add(v);
            }
        });
    });
    Ok(out)
}
