//! Gather and scatter-add along one dim with an int64 index tensor: how values picked by
//! `sort`, `topk` or `median` find their way back in backward.
//!
//! Both see their operands as contiguous `(outer, n, inner)` blocks; `index` has the shape
//! of the picked values, which matches the source everywhere but along `dim`.

use super::elementwise::to_contiguous_dtype;
use super::scan::split_at_dim;
use crate::error::{Error, Result};
use crate::tensor::{DType, Tensor};
use crate::with_dtype;

fn out_of_range(i: i64, n: usize) -> Error {
    Error::index(format!(
        "index {i} is out of bounds for dimension with size {n}"
    ))
}

/// `out[o, i, j] = x[o, index[o, i, j], j]`.
pub fn gather(x: &Tensor, dim: usize, index: &Tensor) -> Result<Tensor> {
    let x = to_contiguous_dtype(x, x.dtype())?;
    let index = to_contiguous_dtype(index, DType::Int64)?;
    let out = Tensor::empty(index.shape(), x.dtype(), x.device())?;
    if out.numel() == 0 {
        return Ok(out);
    }
    let (outer, n_x, inner) = split_at_dim(x.shape(), dim);
    let n_i = index.shape()[dim];
    with_dtype!(x.dtype(), T => {
        // SAFETY: contiguous tensors with the element counts below.
        let src = unsafe { std::slice::from_raw_parts(x.cpu_ptr::<T>(), x.numel()) };
        let idx = unsafe { std::slice::from_raw_parts(index.cpu_ptr::<i64>(), index.numel()) };
        let dst = unsafe { std::slice::from_raw_parts_mut(out.cpu_ptr::<T>(), out.numel()) };
        for o in 0..outer {
            for i in 0..n_i {
                for j in 0..inner {
                    let at = (o * n_i + i) * inner + j;
                    let k = idx[at];
                    if k < 0 || k as usize >= n_x {
                        return Err(out_of_range(k, n_x));
                    }
                    dst[at] = src[(o * n_x + k as usize) * inner + j];
                }
            }
        }
    });
    Ok(out)
}

/// Zeros of `shape` with `out[o, index[o, i, j], j] += src[o, i, j]`.
pub fn scatter_add(src: &Tensor, dim: usize, index: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let src = to_contiguous_dtype(src, src.dtype())?;
    let index = to_contiguous_dtype(index, DType::Int64)?;
    let out = crate::ops::creation::zeros(shape, src.dtype(), src.device())?;
    if src.numel() == 0 {
        return Ok(out);
    }
    let (outer, n_out, inner) = split_at_dim(shape, dim);
    let n_i = index.shape()[dim];
    with_dtype!(src.dtype(), T => {
        // SAFETY: contiguous tensors with the element counts below.
        let s = unsafe { std::slice::from_raw_parts(src.cpu_ptr::<T>(), src.numel()) };
        let idx = unsafe { std::slice::from_raw_parts(index.cpu_ptr::<i64>(), index.numel()) };
        let dst = unsafe { std::slice::from_raw_parts_mut(out.cpu_ptr::<T>(), out.numel()) };
        for o in 0..outer {
            for i in 0..n_i {
                for j in 0..inner {
                    let at = (o * n_i + i) * inner + j;
                    let k = idx[at];
                    if k < 0 || k as usize >= n_out {
                        return Err(out_of_range(k, n_out));
                    }
                    let d = &mut dst[(o * n_out + k as usize) * inner + j];
                    *d = super::number::Number::add(*d, s[at]);
                }
            }
        }
    });
    Ok(out)
}
