//! Softmax and log-softmax along one dim, forward and backward, as fused loops: one read of
//! the input to find each slice's maximum, one to sum the exponentials, one to write.
//!
//! Tensors are contiguous and seen as `[outer, n, inner]` with the softmax dim in the
//! middle. When `inner == 1` (the last dim, the common case) each row is a plain slice and
//! rows run in parallel; otherwise each `[n, inner]` block is walked with the `inner` lanes
//! side by side. The exponential is `vector_math`'s, which vectorizes.

use super::number::Float;
use super::rows::{for_each_row, slice, slice_mut};
use super::simd::multiversion;
use crate::error::Result;
use crate::tensor::{Element, Tensor};
use crate::with_float_dtype;

/// Sizes of the `[outer, n, inner]` view of a tensor around its softmax dim.
#[derive(Copy, Clone, Debug)]
pub struct Slices {
    pub outer: usize,
    pub n: usize,
    pub inner: usize,
}

impl Slices {
    /// The view of `shape` around `dim` (a 0-d tensor is one slice of one element).
    pub fn around(shape: &[usize], dim: usize) -> Slices {
        if shape.is_empty() {
            return Slices {
                outer: 1,
                n: 1,
                inner: 1,
            };
        }
        Slices {
            outer: shape[..dim].iter().product(),
            n: shape[dim],
            inner: shape[dim + 1..].iter().product(),
        }
    }
}

/// `softmax(x)` (or `log_softmax` when `log`) of a contiguous floating tensor.
pub fn forward(x: &Tensor, s: Slices, log: bool) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    with_float_dtype!(x.dtype(), T => {
        // SAFETY: `x` is contiguous (the op layer's contract) and `out` is fresh.
        let (xs, os) = unsafe { (slice::<T>(x), slice_mut::<T>(&out)) };
        let block = s.n * s.inner;
        for_each_row(os, block, block, |o, out_block| {
            let x_block = &xs[o * block..(o + 1) * block];
            if s.inner == 1 {
                // SAFETY: the kernels only touch the slices they are given.
                unsafe { forward_row_fast(x_block, out_block, log) }
            } else {
                // SAFETY: the kernels only touch the slices they are given.
                unsafe { forward_block_fast(x_block, out_block, s.inner, log) }
            }
        });
    });
    Ok(out)
}

/// The gradient of the input from the output's gradient `g` and the output `y` (both
/// contiguous): `y (g - sum(g y))` for softmax, `g - e^y sum(g)` for log_softmax.
pub fn backward(g: &Tensor, y: &Tensor, s: Slices, log: bool) -> Result<Tensor> {
    let out = Tensor::empty(y.shape(), y.dtype(), y.device())?;
    with_float_dtype!(y.dtype(), T => {
        // SAFETY: `g`, `y` contiguous (the op layer's contract); `out` is fresh.
        let (gs, ys, os) = unsafe { (slice::<T>(g), slice::<T>(y), slice_mut::<T>(&out)) };
        let block = s.n * s.inner;
        for_each_row(os, block, 2 * block, |o, out_block| {
            let range = o * block..(o + 1) * block;
            let (g_block, y_block) = (&gs[range.clone()], &ys[range]);
            if s.inner == 1 {
                // SAFETY: the kernels only touch the slices they are given.
                unsafe { backward_row_fast(g_block, y_block, out_block, log) }
            } else {
                // SAFETY: the kernels only touch the slices they are given.
                unsafe { backward_block_fast(g_block, y_block, out_block, s.inner, log) }
            }
        });
    });
    Ok(out)
}

// The row kernels below are `#[inline(always)]`, so each copy of these wrappers compiles
// them for its instruction set.
multiversion! {
    unsafe fn forward_row_fast[T: Float](x: &[T], out: &mut [T], log: bool) {
        forward_row(x, out, log)
    }
}
multiversion! {
    unsafe fn forward_block_fast[T: Float](x: &[T], out: &mut [T], inner: usize, log: bool) {
        forward_block(x, out, inner, log)
    }
}
multiversion! {
    unsafe fn backward_row_fast[T: Float](g: &[T], y: &[T], out: &mut [T], log: bool) {
        backward_row(g, y, out, log)
    }
}
multiversion! {
    unsafe fn backward_block_fast[T: Float](g: &[T], y: &[T], out: &mut [T], inner: usize, log: bool) {
        backward_block(g, y, out, inner, log)
    }
}

/// Lanes summed separately so the compiler can keep them in one vector register.
const LANES: usize = 8;

#[inline(always)]
fn row_max<T: Element>(x: &[T]) -> T {
    let mut acc = [x[0]; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..LANES {
            if c[l] > acc[l] {
                acc[l] = c[l];
            }
        }
    }
    let mut m = acc[0];
    for &v in acc[1..].iter().chain(tail) {
        if v > m {
            m = v;
        }
    }
    m
}

/// `sum(f(x_i))` with `LANES` partial sums.
#[inline(always)]
fn row_sum<T: Float>(x: &[T], f: impl Fn(T) -> T) -> T {
    let mut acc = [T::zero(); LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..LANES {
            acc[l] = acc[l] + f(c[l]);
        }
    }
    let mut total = tail.iter().fold(T::zero(), |a, &v| a + f(v));
    for a in acc {
        total = total + a;
    }
    total
}

#[inline(always)]
fn forward_row<T: Float>(x: &[T], out: &mut [T], log: bool) {
    let max = row_max(x);
    // The exponentials go through `out` (the row stays in cache) in a plain loop, which the
    // compiler vectorizes (a sum of exponentials in one loop does not). A row of -inf
    // (every entry masked) has no maximum to shift by: it comes out NaN, as in PyTorch.
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v - max).exp();
    }
    let sum = row_sum(out, |v| v);
    if log {
        let shift = max + sum.ln();
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v - shift;
        }
    } else {
        let inv = T::one() / sum;
        for o in out.iter_mut() {
            *o = *o * inv;
        }
    }
}

#[inline(always)]
fn backward_row<T: Float>(g: &[T], y: &[T], out: &mut [T], log: bool) {
    if log {
        let sum = row_sum(g, |v| v);
        for ((o, &gv), &yv) in out.iter_mut().zip(g).zip(y) {
            *o = gv - yv.exp() * sum;
        }
    } else {
        for ((o, &gv), &yv) in out.iter_mut().zip(g).zip(y) {
            *o = gv * yv;
        }
        let dot = row_sum(out, |v| v);
        for ((o, &gv), &yv) in out.iter_mut().zip(g).zip(y) {
            *o = yv * (gv - dot);
        }
    }
}

/// One `[n, inner]` block: the softmax runs down each of the `inner` columns.
#[inline(always)]
fn forward_block<T: Float>(x: &[T], out: &mut [T], inner: usize, log: bool) {
    let mut max = x[..inner].to_vec();
    for row in x.chunks_exact(inner).skip(1) {
        for (m, &v) in max.iter_mut().zip(row) {
            if v > *m {
                *m = v;
            }
        }
    }
    let mut sum = vec![T::zero(); inner];
    for (xr, or) in x.chunks_exact(inner).zip(out.chunks_exact_mut(inner)) {
        for i in 0..inner {
            let e = (xr[i] - max[i]).exp();
            sum[i] = sum[i] + e;
            or[i] = e;
        }
    }
    if log {
        for (s, m) in sum.iter_mut().zip(&max) {
            *s = *m + s.ln();
        }
        for (xr, or) in x.chunks_exact(inner).zip(out.chunks_exact_mut(inner)) {
            for i in 0..inner {
                or[i] = xr[i] - sum[i];
            }
        }
    } else {
        for s in sum.iter_mut() {
            *s = T::one() / *s;
        }
        for or in out.chunks_exact_mut(inner) {
            for i in 0..inner {
                or[i] = or[i] * sum[i];
            }
        }
    }
}

#[inline(always)]
fn backward_block<T: Float>(g: &[T], y: &[T], out: &mut [T], inner: usize, log: bool) {
    let mut sum = vec![T::zero(); inner];
    for (gr, yr) in g.chunks_exact(inner).zip(y.chunks_exact(inner)) {
        for i in 0..inner {
            let term = if log { gr[i] } else { gr[i] * yr[i] };
            sum[i] = sum[i] + term;
        }
    }
    for ((gr, yr), or) in g
        .chunks_exact(inner)
        .zip(y.chunks_exact(inner))
        .zip(out.chunks_exact_mut(inner))
    {
        for i in 0..inner {
            or[i] = if log {
                gr[i] - yr[i].exp() * sum[i]
            } else {
                yr[i] * (gr[i] - sum[i])
            };
        }
    }
}
