//! Gather and scatter-add along one dim with int64 indices, recorded, so the values `sort`,
//! `topk` and `median(dim)` pick can send their gradients back (to any order).

use smallvec::smallvec;

use super::backend;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::Result;
use crate::tensor::{Dims, Tensor};

/// `out[.., i, ..] = x[.., index[.., i, ..], ..]` along `dim`.
pub fn gather(x: &Tensor, dim: usize, index: &Tensor) -> Result<Tensor> {
    let out = backend::gather(x, dim, index)?;
    if is_recording(&[x]) {
        record(
            AlongDimBackward::Gather {
                dim,
                shape: x.shape_dims(),
            },
            &[Some(x)],
            smallvec![Some(SavedTensor::input(index))],
            &[&out],
        );
    }
    Ok(out)
}

/// Zeros of `shape` with `src` summed in at `index` along `dim`: the adjoint of [`gather`].
pub fn scatter_add(src: &Tensor, dim: usize, index: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let out = backend::scatter_add(src, dim, index, shape)?;
    if is_recording(&[src]) {
        record(
            AlongDimBackward::ScatterAdd { dim },
            &[Some(src)],
            smallvec![Some(SavedTensor::input(index))],
            &[&out],
        );
    }
    Ok(out)
}

enum AlongDimBackward {
    Gather { dim: usize, shape: Dims },
    ScatterAdd { dim: usize },
}

impl Backward for AlongDimBackward {
    fn name(&self) -> &str {
        match self {
            AlongDimBackward::Gather { .. } => "GatherBackward0",
            AlongDimBackward::ScatterAdd { .. } => "ScatterAddBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, index) = (ctx.grad(), ctx.saved(0)?);
        Ok(smallvec![Some(match self {
            AlongDimBackward::Gather { dim, shape } => scatter_add(g, *dim, index, shape)?,
            AlongDimBackward::ScatterAdd { dim } => gather(g, *dim, index)?,
        })])
    }
}
