//! Reductions over a set of dims: sum, max, min, 2-norm, and max/min with indices.
//!
//! The input is viewed with the kept dims first and the reduced dims last; each output
//! element folds one block of reduced elements, whose offsets are computed once.

use super::number::{Float, Number};
use super::simd::multiversion;
use super::strided::{for_each_run, offsets};
use crate::error::Result;
use crate::ops::kinds::ReduceOp;
use crate::tensor::{DType, Element, Layout, Tensor};
use crate::{with_dtype, with_float_dtype};

/// Splits `x`'s layout into (kept dims, reduced dims) layouts.
pub fn split(layout: &Layout, dims: &[usize]) -> (Layout, Layout) {
    let pick = |keep: bool| {
        let idx: Vec<usize> = (0..layout.ndim())
            .filter(|d| dims.contains(d) != keep)
            .collect();
        Layout {
            shape: idx.iter().map(|&d| layout.shape[d]).collect(),
            strides: idx.iter().map(|&d| layout.strides[d]).collect(),
            offset: 0,
        }
    };
    (pick(true), pick(false))
}

/// Folds each block of reduced elements with `fold`, writing one output element per block.
/// `fold` gets the input base pointer (already at the block's start) and the block's offsets
/// (`None` when the block is one contiguous run of the given length).
fn reduce_blocks<T: Element, O: Element>(
    x: &Tensor,
    dims: &[usize],
    out_dtype: DType,
    fold: impl Fn(*const T, Option<&[usize]>, usize) -> O,
) -> Result<Tensor> {
    let (kept, reduced) = split(x.layout(), dims);
    let out = Tensor::empty(&kept.shape, out_dtype, x.device())?;
    let inner_n = reduced.numel();
    let inner = (!is_one_run(&reduced)).then(|| offsets(&reduced.shape, &reduced.strides));
    let px = x.cpu_ptr::<T>();
    let po = out.cpu_ptr::<O>();
    let mut i = 0usize;
    for_each_run(&kept.shape, [&kept.strides], |[start], [step], len| {
        for j in 0..len {
            // SAFETY: offsets come from x's layout; out has one element per kept index.
            unsafe { *po.add(i) = fold(px.add(start + j * step), inner.as_deref(), inner_n) };
            i += 1;
        }
    });
    Ok(out)
}

/// Whether a layout's elements are one contiguous run (a block [`fold`] reads directly).
fn is_one_run(layout: &Layout) -> bool {
    let n = layout.numel();
    layout
        .view(&[n])
        .is_some_and(|l| n <= 1 || l.strides[0] == 1)
}

multiversion! {
    /// `acc[j] += row[j]` in f64 for `j < len`.
    unsafe fn add_row[T: Element](acc: *mut f64, row: *const T, len: usize) {
        for j in 0..len {
            *acc.add(j) += (*row.add(j)).to_f64();
        }
    }
}

/// A float sum whose blocks are strided while the kept elements lie side by side, as
/// `x.sum(0)` of a row-major matrix (a bias gradient): whole rows are added into f64
/// accumulators, which vectorizes, instead of walking each column down its stride. Each
/// output adds its elements in the same order as [`reduce_blocks`] does, so the results are
/// the same bits. `None` when the layout is not of that kind.
///
/// # Safety
/// `x` must be a CPU tensor of element type `T`.
unsafe fn sum_rows<T: Element>(x: &Tensor, dims: &[usize]) -> Option<Result<Tensor>> {
    let (kept, reduced) = split(x.layout(), dims);
    let n = kept.numel();
    let run = kept.view(&[n])?;
    if n < 2 || run.strides[0] != 1 || is_one_run(&reduced) {
        return None;
    }
    let out = match Tensor::empty(&kept.shape, x.dtype(), x.device()) {
        Ok(out) => out,
        Err(e) => return Some(Err(e)),
    };
    let mut acc = vec![0f64; n];
    let px = x.cpu_ptr::<T>();
    for at in offsets(&reduced.shape, &reduced.strides) {
        // SAFETY: `at` is a block position of `x`'s layout, and its `n` kept elements
        // follow it contiguously.
        add_row(acc.as_mut_ptr(), px.add(at), n);
    }
    let po = out.cpu_ptr::<T>();
    for (j, &a) in acc.iter().enumerate() {
        // SAFETY: `out` is fresh with `n` elements.
        *po.add(j) = T::from_f64(a);
    }
    Some(Ok(out))
}

/// Reads the `k`-th element of a block.
#[inline(always)]
unsafe fn at<T: Copy>(base: *const T, inner: Option<&[usize]>, k: usize) -> T {
    match inner {
        None => *base.add(k),
        Some(offs) => *base.add(offs[k]),
    }
}

/// How many interleaved accumulators a contiguous block is folded with.
const LANES: usize = 8;

/// Folds the `n` elements of a block: `step` takes each element into an accumulator and
/// `merge` joins two accumulators. A contiguous block is folded into `LANES` interleaved
/// accumulators, which the compiler keeps in vector registers; a strided one element by
/// element.
///
/// # Safety
/// `base` with `inner` (or `0..n` when `None`) must address readable elements.
#[inline(always)]
unsafe fn fold<T: Copy, A: Copy>(
    base: *const T,
    inner: Option<&[usize]>,
    n: usize,
    init: A,
    step: impl Fn(A, T) -> A,
    merge: impl Fn(A, A) -> A,
) -> A {
    match inner {
        Some(offs) => offs.iter().fold(init, |a, &o| step(a, *base.add(o))),
        None => {
            let xs = std::slice::from_raw_parts(base, n);
            let mut lanes = [init; LANES];
            let mut chunks = xs.chunks_exact(LANES);
            for chunk in &mut chunks {
                for j in 0..LANES {
                    lanes[j] = step(lanes[j], chunk[j]);
                }
            }
            let tail = chunks.remainder().iter().fold(init, |a, &v| step(a, v));
            lanes.into_iter().fold(tail, merge)
        }
    }
}

/// Reduces `x` over `dims` (wrapped, distinct). The output drops those dims.
/// Sums and products of integers and bools are int64; floats accumulate in f64.
/// Max and min need non-empty blocks (the op layer rejects empty ones).
pub fn reduce(op: ReduceOp, x: &Tensor, dims: &[usize]) -> Result<Tensor> {
    let dt = x.dtype();
    let float = dt.is_floating_point();
    let int_out = if float { dt } else { DType::Int64 };
    with_dtype!(dt, T => unsafe {
        let f64_of = |v: T| v.to_f64();
        match op {
            ReduceOp::Sum if float => match sum_rows::<T>(x, dims) {
                Some(summed) => summed,
                None => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                    T::from_f64(fold(b, inner, n, 0f64, |a, v| a + f64_of(v), |a, c| a + c))
                }),
            },
            ReduceOp::Sum => reduce_blocks::<T, i64>(x, dims, int_out, |b, inner, n| {
                fold(b, inner, n, 0i64, |a, v: T| a.wrapping_add(v.to_i64()), i64::wrapping_add)
            }),
            ReduceOp::Prod if float => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                T::from_f64(fold(b, inner, n, 1f64, |a, v| a * f64_of(v), |a, c| a * c))
            }),
            ReduceOp::Prod => reduce_blocks::<T, i64>(x, dims, int_out, |b, inner, n| {
                fold(b, inner, n, 1i64, |a, v: T| a.wrapping_mul(v.to_i64()), i64::wrapping_mul)
            }),
            ReduceOp::Max => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                fold(b, inner, n, at(b, inner, 0), pick_max, pick_max)
            }),
            ReduceOp::Min => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                fold(b, inner, n, at(b, inner, 0), pick_min, pick_min)
            }),
            ReduceOp::Norm2 => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                let squares = fold(b, inner, n, 0f64, |a, v| a + f64_of(v) * f64_of(v), |a, c| a + c);
                T::from_f64(squares.sqrt())
            }),
            ReduceOp::All => reduce_blocks::<T, bool>(x, dims, DType::Bool, |b, inner, n| {
                fold(b, inner, n, true, |a, v: T| a & (v != T::zero()), |a, c| a & c)
            }),
            ReduceOp::Any => reduce_blocks::<T, bool>(x, dims, DType::Bool, |b, inner, n| {
                fold(b, inner, n, false, |a, v: T| a | (v != T::zero()), |a, c| a | c)
            }),
            // Exponentials in the input's precision (they vectorize), summed in f64.
            ReduceOp::LogSumExp => with_float_dtype!(dt, F => reduce_blocks::<F, F>(x, dims, dt, |b, inner, n| {
                let top = fold(b, inner, n, f64::NEG_INFINITY, |a, v: F| pick_max(a, v.to_f64()), pick_max);
                if !top.is_finite() {
                    // All -inf gives -inf; any +inf gives +inf; NaN stays NaN.
                    return F::from_f64(top);
                }
                let shift = F::of(top);
                let sum = fold(b, inner, n, 0f64, |a, v: F| a + Float::exp(v - shift).to_f64(), |a, c| a + c);
                F::from_f64(top + sum.ln())
            })),
            ReduceOp::SquaredDeviation => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                let mean = fold(b, inner, n, 0f64, |a, v| a + f64_of(v), |a, c| a + c) / n as f64;
                let deviation = |a: f64, v: T| a + (f64_of(v) - mean) * (f64_of(v) - mean);
                T::from_f64(fold(b, inner, n, 0f64, deviation, |a, c| a + c))
            }),
        }
    })
}

#[inline(always)]
fn pick_max<T: Element>(acc: T, v: T) -> T {
    with_nan(acc, v, |a, b| if b > a { b } else { a })
}

#[inline(always)]
fn pick_min<T: Element>(acc: T, v: T) -> T {
    with_nan(acc, v, |a, b| if b < a { b } else { a })
}

/// NaN is sticky in max/min, as in PyTorch.
#[inline(always)]
fn with_nan<T: Element>(acc: T, v: T, f: impl Fn(T, T) -> T) -> T {
    #[allow(clippy::eq_op)]
    let nan = |x: T| x != x;
    if nan(acc) {
        acc
    } else if nan(v) {
        v
    } else {
        f(acc, v)
    }
}

/// Max or min along one dim with the index of the first extreme (NaN counts as extreme).
/// Returns (values, int64 indices), both without the dim.
pub fn arg_reduce(x: &Tensor, dim: usize, is_max: bool) -> Result<(Tensor, Tensor)> {
    let dt = x.dtype();
    let values = with_dtype!(dt, T => reduce_blocks::<T, T>(x, &[dim], dt, |b, inner, n| {
        unsafe { at(b, inner, arg_extreme::<T>(b, inner, n, is_max)) }
    }))?;
    let indices = with_dtype!(dt, T => reduce_blocks::<T, i64>(x, &[dim], DType::Int64, |b, inner, n| {
        arg_extreme::<T>(b, inner, n, is_max) as i64
    }))?;
    Ok((values, indices))
}

fn arg_extreme<T: Element>(b: *const T, inner: Option<&[usize]>, n: usize, is_max: bool) -> usize {
    let mut best = 0;
    let mut best_v = unsafe { at(b, inner, 0) };
    #[allow(clippy::eq_op)]
    let nan = |x: T| x != x;
    if nan(best_v) {
        return 0;
    }
    for k in 1..n {
        let v = unsafe { at(b, inner, k) };
        if nan(v) {
            return k;
        }
        if (is_max && v > best_v) || (!is_max && v < best_v) {
            best = k;
            best_v = v;
        }
    }
    best
}

/// Sum of the products of paired elements (for `dot` on integer tensors).
pub fn dot_int<T: Number>(a: &[T], b: &[T]) -> T {
    a.iter()
        .zip(b)
        .fold(T::zero(), |acc, (&x, &y)| acc.add(x.mul(y)))
}
