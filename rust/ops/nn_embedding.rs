//! `embedding`: rows of a weight table picked by integer indices, with `padding_idx` (its
//! row gets no gradient), `scale_grad_by_freq` and `max_norm` (rows renormalized in place).
//!
//! Picking rows is linear in the table; its gradient adds rows back, and the gradient of
//! that picks rows again.

use smallvec::smallvec;

use super::arith::{cast, div, mul};
use super::backend;
use super::compare::compare;
use super::kinds::CompareOp;
use super::view::reshape;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{DType, Scalar, Tensor};

/// `embedding(indices, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)`.
/// `padding_idx` is already wrapped into `0..rows` (the Python layer checks it).
pub fn embedding(
    indices: &Tensor,
    weight: &Tensor,
    padding_idx: Option<usize>,
    max_norm: Option<f64>,
    norm_type: f64,
    scale_grad_by_freq: bool,
) -> Result<Tensor> {
    if weight.ndim() != 2 {
        return Err(Error::runtime("'weight' must be 2-D"));
    }
    if !matches!(indices.dtype(), DType::Int64 | DType::Int32) {
        return Err(Error::runtime(format!(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ferrograd.{} instead (while checking arguments for embedding)",
            indices.dtype().legacy_type_name()
        )));
    }
    super::check_same_device("embedding", &[weight, indices])?;
    let idx = cast(indices, DType::Int64)?;
    if let Some(max_norm) = max_norm {
        backend::renorm_rows(weight, &idx, max_norm, norm_type)?;
        weight.bump_version();
    }
    let out = backend::rows_gather(weight, &idx)?;
    if is_recording(&[weight]) {
        // What each looked-up row's gradient is scaled by: 0 at padding_idx, 1 / count
        // with scale_grad_by_freq; none when every factor is 1.
        let factor = position_factors(&idx, weight, padding_idx, scale_grad_by_freq)?;
        let node = RowsBackward {
            scatter: false,
            rows: weight.shape()[0],
            name: "EmbeddingBackward0",
        };
        record(
            node,
            &[Some(weight)],
            smallvec![
                Some(SavedTensor::input(&idx)),
                factor.as_ref().map(SavedTensor::input)
            ],
            &[&out],
        )?;
    }
    Ok(out)
}

/// Per-index gradient factors (shaped `idx.shape + [1]`), or `None` when all are 1.
fn position_factors(
    idx: &Tensor,
    weight: &Tensor,
    padding_idx: Option<usize>,
    scale_grad_by_freq: bool,
) -> Result<Option<Tensor>> {
    let _plain = crate::autograd::grad_mode::GradModeGuard::new(false);
    let mut shape = idx.shape().to_vec();
    shape.push(1);
    let mut factor: Option<Tensor> = None;
    if let Some(p) = padding_idx {
        let keep = compare(
            CompareOp::Ne,
            idx,
            super::arith::Rhs::Scalar(Scalar::Int(p as i64)),
        )?;
        factor = Some(reshape(&cast(&keep, weight.dtype())?, &shape)?);
    }
    if scale_grad_by_freq {
        let ones = super::creation::ones(&shape, weight.dtype(), weight.device())?;
        let counts = backend::rows_scatter_add(&ones, idx, weight.shape()[0])?;
        let per_index = backend::rows_gather(&counts, idx)?;
        let per_index = reshape(&per_index, &shape)?;
        factor = Some(match factor {
            Some(f) => div(&f, &per_index)?,
            None => div(
                &super::creation::ones(&shape, weight.dtype(), weight.device())?,
                &per_index,
            )?,
        });
    }
    Ok(factor)
}

/// Rows picked from a table (`scatter: false`) or added back into one, recorded.
fn rows_op(x: &Tensor, idx: &Tensor, scatter: bool, rows: usize) -> Result<Tensor> {
    let out = if scatter {
        backend::rows_scatter_add(x, idx, rows)?
    } else {
        backend::rows_gather(x, idx)?
    };
    if is_recording(&[x]) {
        let name = if scatter {
            "EmbeddingBackwardBackward0"
        } else {
            "EmbeddingBackward0"
        };
        let node = RowsBackward {
            scatter,
            rows,
            name,
        };
        record(
            node,
            &[Some(x)],
            smallvec![Some(SavedTensor::input(idx))],
            &[&out],
        )?;
    }
    Ok(out)
}

struct RowsBackward {
    scatter: bool,
    rows: usize,
    name: &'static str,
}

impl Backward for RowsBackward {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, idx) = (ctx.grad(), ctx.saved(0)?);
        let grad = if self.scatter {
            rows_op(g, idx, false, self.rows)?
        } else {
            let g = match ctx.saved(1) {
                Ok(factor) => mul(g, factor)?,
                Err(_) => g.clone(),
            };
            rows_op(&g, idx, true, self.rows)?
        };
        Ok(smallvec![Some(grad)])
    }
}
