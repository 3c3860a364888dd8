//! Row lookups in a `[rows, dim]` table by int64 indices, and their adjoint (adding rows
//! back into a table), plus `max_norm` renormalization of looked-up rows in place.

use super::number::Number;
use super::rows::{for_each_row, slice, slice_mut};
use crate::error::{Error, Result};
use crate::tensor::{Element, Tensor};
use crate::with_dtype;

/// PyTorch's error for an index outside the table.
fn check_indices(idx: &[i64], rows: usize) -> Result<()> {
    if idx.iter().any(|&i| i < 0 || i as usize >= rows) {
        return Err(Error::index("index out of range in self"));
    }
    Ok(())
}

/// `out[k, :] = table[idx[k], :]` for contiguous `table` (`[rows, dim]`) and `idx`; the
/// result has shape `idx.shape + [dim]`.
pub fn rows_gather(table: &Tensor, idx: &Tensor) -> Result<Tensor> {
    let (rows, dim) = (table.shape()[0], table.shape()[1]);
    let mut shape = idx.shape().to_vec();
    shape.push(dim);
    let out = Tensor::empty(&shape, table.dtype(), table.device())?;
    // SAFETY: contiguous operands (the backend's contract).
    let is = unsafe { slice::<i64>(idx) };
    check_indices(is, rows)?;
    with_dtype!(table.dtype(), T => {
        // SAFETY: as above; `out` is fresh.
        let (ts, os) = unsafe { (slice::<T>(table), slice_mut::<T>(&out)) };
        for_each_row(os, dim, dim, |k, orow| {
            let r = is[k] as usize;
            orow.copy_from_slice(&ts[r * dim..(r + 1) * dim]);
        });
    });
    Ok(out)
}

/// The adjoint of [`rows_gather`]: a zero `[rows, dim]` table with `g[k, :]` added into row
/// `idx[k]`. `g` is contiguous with `idx.numel() * dim` elements.
pub fn rows_scatter_add(g: &Tensor, idx: &Tensor, rows: usize) -> Result<Tensor> {
    let dim = g.shape().last().copied().unwrap_or(1);
    let out = crate::ops::creation::zeros(&[rows, dim], g.dtype(), g.device())?;
    // SAFETY: contiguous operands (the backend's contract); `out` is fresh.
    let is = unsafe { slice::<i64>(idx) };
    check_indices(is, rows)?;
    with_dtype!(g.dtype(), T => {
        let (gs, os) = unsafe { (slice::<T>(g), slice_mut::<T>(&out)) };
        for (k, &r) in is.iter().enumerate() {
            let dst = &mut os[r as usize * dim..(r as usize + 1) * dim];
            for (d, &v) in dst.iter_mut().zip(&gs[k * dim..(k + 1) * dim]) {
                *d = d.add(v);
            }
        }
    });
    Ok(out)
}

/// Scales each row of `table` that `idx` names, whose `p`-norm exceeds `max_norm`, down to
/// `max_norm` (PyTorch's `embedding_renorm_`). `table` is written in place.
pub fn renorm_rows(table: &Tensor, idx: &Tensor, max_norm: f64, p: f64) -> Result<()> {
    let (rows, dim) = (table.shape()[0], table.shape()[1]);
    // SAFETY: contiguous index tensor (the backend's contract).
    let mut is = unsafe { slice::<i64>(idx) }.to_vec();
    check_indices(&is, rows)?;
    is.sort_unstable();
    is.dedup();
    let (stride_r, stride_d) = (table.strides()[0], table.strides()[1]);
    crate::with_float_dtype!(table.dtype(), T => {
        let base = table.cpu_ptr::<T>();
        for &r in &is {
            // SAFETY: `r < rows`; the strides address the table's own elements.
            let at = |d: usize| unsafe { base.add(r as usize * stride_r + d * stride_d) };
            let norm = if p == 1.0 {
                (0..dim).map(|d| unsafe { *at(d) }.to_f64().abs()).sum::<f64>()
            } else if p == 2.0 {
                (0..dim).map(|d| unsafe { *at(d) }.to_f64().powi(2)).sum::<f64>().sqrt()
            } else {
                (0..dim).map(|d| unsafe { *at(d) }.to_f64().abs().powf(p)).sum::<f64>().powf(1.0 / p)
            };
            if norm > max_norm {
                let scale = max_norm / (norm + 1e-7);
                for d in 0..dim {
                    unsafe { *at(d) = T::from_f64((*at(d)).to_f64() * scale) };
                }
            }
        }
    });
    Ok(())
}
