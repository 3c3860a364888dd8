//! Reductions over a set of dims: sum, max, min, 2-norm, and max/min with indices.
//!
//! The input is viewed with the kept dims first and the reduced dims last; each output
//! element folds one block of reduced elements, whose offsets are computed once.

use super::number::Number;
use super::strided::{for_each_run, offsets};
use crate::error::Result;
use crate::ops::kinds::ReduceOp;
use crate::tensor::{DType, Element, Layout, Tensor};
use crate::with_dtype;

/// Splits `x`'s layout into (kept dims, reduced dims) layouts.
fn split(layout: &Layout, dims: &[usize]) -> (Layout, Layout) {
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
    let contiguous_block = reduced
        .view(&[inner_n])
        .is_some_and(|l| inner_n <= 1 || l.strides[0] == 1);
    let inner = (!contiguous_block).then(|| offsets(&reduced.shape, &reduced.strides));
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

/// Reads the `k`-th element of a block.
#[inline(always)]
unsafe fn at<T: Copy>(base: *const T, inner: Option<&[usize]>, k: usize) -> T {
    match inner {
        None => *base.add(k),
        Some(offs) => *base.add(offs[k]),
    }
}

/// Reduces `x` over `dims` (wrapped, distinct). The output drops those dims.
/// Sums of integers and bools are int64; float sums accumulate in f64.
pub fn reduce(op: ReduceOp, x: &Tensor, dims: &[usize]) -> Result<Tensor> {
    let dt = x.dtype();
    match op {
        ReduceOp::Sum if dt.is_floating_point() => {
            with_dtype!(dt, T => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                let mut acc = 0f64;
                for k in 0..n {
                    acc += unsafe { at(b, inner, k) }.to_f64();
                }
                T::from_f64(acc)
            }))
        }
        ReduceOp::Sum => {
            with_dtype!(dt, T => reduce_blocks::<T, i64>(x, dims, DType::Int64, |b, inner, n| {
                let mut acc = 0i64;
                for k in 0..n {
                    acc = acc.wrapping_add(unsafe { at(b, inner, k) }.to_i64());
                }
                acc
            }))
        }
        ReduceOp::Max | ReduceOp::Min => {
            with_dtype!(dt, T => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                let mut acc = unsafe { at(b, inner, 0) };
                for k in 1..n {
                    let v = unsafe { at(b, inner, k) };
                    acc = if op == ReduceOp::Max { pick_max(acc, v) } else { pick_min(acc, v) };
                }
                acc
            }))
        }
        ReduceOp::Norm2 => with_dtype!(dt, T => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
            let mut acc = 0f64;
            for k in 0..n {
                let v = unsafe { at(b, inner, k) }.to_f64();
                acc += v * v;
            }
            T::from_f64(acc.sqrt())
        })),
        ReduceOp::Prod if dt.is_floating_point() => {
            with_dtype!(dt, T => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                let mut acc = 1f64;
                for k in 0..n {
                    acc *= unsafe { at(b, inner, k) }.to_f64();
                }
                T::from_f64(acc)
            }))
        }
        ReduceOp::Prod => {
            with_dtype!(dt, T => reduce_blocks::<T, i64>(x, dims, DType::Int64, |b, inner, n| {
                let mut acc = 1i64;
                for k in 0..n {
                    acc = acc.wrapping_mul(unsafe { at(b, inner, k) }.to_i64());
                }
                acc
            }))
        }
        ReduceOp::All | ReduceOp::Any => {
            let want = op == ReduceOp::Any;
            with_dtype!(dt, T => reduce_blocks::<T, bool>(x, dims, DType::Bool, |b, inner, n| {
                // Stops at the first element that decides the answer.
                (0..n).any(|k| (unsafe { at(b, inner, k) } != T::zero()) == want) == want
            }))
        }
        ReduceOp::LogSumExp => {
            with_dtype!(dt, T => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                let mut top = f64::NEG_INFINITY;
                for k in 0..n {
                    let v = unsafe { at(b, inner, k) }.to_f64();
                    if v > top || v.is_nan() {
                        top = v;
                    }
                }
                if top.is_infinite() || top.is_nan() {
                    // All -inf gives -inf; any +inf gives +inf; NaN stays NaN.
                    return T::from_f64(top);
                }
                let mut acc = 0f64;
                for k in 0..n {
                    acc += (unsafe { at(b, inner, k) }.to_f64() - top).exp();
                }
                T::from_f64(top + acc.ln())
            }))
        }
        ReduceOp::SquaredDeviation => {
            with_dtype!(dt, T => reduce_blocks::<T, T>(x, dims, dt, |b, inner, n| {
                let mut sum = 0f64;
                for k in 0..n {
                    sum += unsafe { at(b, inner, k) }.to_f64();
                }
                let mean = sum / n as f64;
                let mut acc = 0f64;
                for k in 0..n {
                    let d = unsafe { at(b, inner, k) }.to_f64() - mean;
                    acc += d * d;
                }
                T::from_f64(acc)
            }))
        }
    }
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
