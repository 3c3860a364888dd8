//! Scans along one dim: `cumsum`, `cumprod` (and their reverse, for backward formulas).
//!
//! The input is made contiguous and viewed as `(outer, n, inner)`; each step along the dim
//! updates a row of `inner` accumulators, so the inner loop runs over contiguous memory.
//! Floats accumulate in f64 and integers in wrapping i64, as PyTorch's CPU kernels do.

use super::elementwise::to_contiguous_dtype;
use crate::error::Result;
use crate::ops::kinds::ScanOp;
use crate::tensor::{Element, Tensor};
use crate::with_dtype;

/// `(outer, n, inner)`: the sizes before, at and after `dim`.
pub fn split_at_dim(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    let outer = shape[..dim].iter().product();
    let inner = shape[dim + 1..].iter().product();
    (outer, shape[dim], inner)
}

/// Inclusive scan of `x` along `dim` in `x`'s dtype (never bool: the op layer promotes).
pub fn scan(op: ScanOp, x: &Tensor, dim: usize, reverse: bool) -> Result<Tensor> {
    let x = to_contiguous_dtype(x, x.dtype())?;
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    if x.numel() == 0 {
        return Ok(out);
    }
    let dims = split_at_dim(x.shape(), dim);
    let float = x.dtype().is_floating_point();
    with_dtype!(x.dtype(), T => {
        // SAFETY: both tensors are contiguous with outer * n * inner elements.
        let src = unsafe { std::slice::from_raw_parts(x.cpu_ptr::<T>(), x.numel()) };
        let dst = unsafe { std::slice::from_raw_parts_mut(out.cpu_ptr::<T>(), x.numel()) };
        match (op, float) {
            (ScanOp::Sum, true) => scan_rows(src, dst, dims, reverse, 0f64, |a, v: T| a + v.to_f64(), T::from_f64),
            (ScanOp::Prod, true) => scan_rows(src, dst, dims, reverse, 1f64, |a, v: T| a * v.to_f64(), T::from_f64),
            (ScanOp::Sum, false) => scan_rows(src, dst, dims, reverse, 0i64, |a: i64, v: T| a.wrapping_add(v.to_i64()), T::from_i64),
            (ScanOp::Prod, false) => scan_rows(src, dst, dims, reverse, 1i64, |a: i64, v: T| a.wrapping_mul(v.to_i64()), T::from_i64),
        }
    });
    Ok(out)
}

/// The scan loop with accumulator type `A`, starting every slice from `init`.
#[inline(always)]
fn scan_rows<T: Element, A: Copy>(
    src: &[T],
    dst: &mut [T],
    (outer, n, inner): (usize, usize, usize),
    reverse: bool,
    init: A,
    combine: impl Fn(A, T) -> A,
    store: impl Fn(A) -> T,
) {
    if inner == 1 {
        // Scanning the last dim: each slice is one contiguous run.
        for (row_in, row_out) in src.chunks_exact(n).zip(dst.chunks_exact_mut(n)) {
            let mut acc = init;
            let mut visit = |i: usize| {
                acc = combine(acc, row_in[i]);
                row_out[i] = store(acc);
            };
            if reverse {
                (0..n).rev().for_each(&mut visit);
            } else {
                (0..n).for_each(&mut visit);
            }
        }
        return;
    }
    let mut acc = vec![init; inner];
    for o in 0..outer {
        acc.iter_mut().for_each(|a| *a = init);
        for step in 0..n {
            let i = if reverse { n - 1 - step } else { step };
            let base = (o * n + i) * inner;
            let (row_in, row_out) = (&src[base..base + inner], &mut dst[base..base + inner]);
            for ((a, &v), r) in acc.iter_mut().zip(row_in).zip(row_out.iter_mut()) {
                *a = combine(*a, v);
                *r = store(*a);
            }
        }
    }
}
