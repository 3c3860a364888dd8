//! `amax`/`amin` over several dims and `argmax`/`argmin`.

use smallvec::smallvec;

use super::arith::{cast, div, Rhs};
use super::backend;
use super::compare::compare;
use super::conditional::where_;
use super::kinds::{CompareOp, PredicateOp, ReduceOp};
use super::reduce::{kept_shape, reduce_dims, reduce_kernel, unreduce};
use crate::autograd::{is_recording, record_saving_input_and_output, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{Dims, Layout, Scalar, Tensor};

/// PyTorch's errors for reducing nothing: the whole of an empty tensor, or an empty dim.
pub(crate) fn check_nonempty(name: &str, x: &Tensor, dims: &[usize], all: bool) -> Result<()> {
    if all && x.numel() == 0 {
        return Err(Error::runtime(format!(
            "{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
        )));
    }
    if let Some(&d) = dims.iter().find(|&&d| x.shape()[d] == 0) {
        return Err(Error::index(format!(
            "{name}(): Expected reduction dim {d} to have non-zero size."
        )));
    }
    Ok(())
}

/// `amax(x, dims, keepdim)` (`is_max`) or `amin`; no dims means all of them.
pub fn amax(x: &Tensor, dims: Option<&[i64]>, keepdim: bool, is_max: bool) -> Result<Tensor> {
    let name = if is_max { "amax" } else { "amin" };
    let rdims = reduce_dims(x, dims)?;
    let all = dims.is_none_or(|d| d.is_empty());
    check_nonempty(name, x, &rdims, all)?;
    let op = if is_max { ReduceOp::Max } else { ReduceOp::Min };
    let out = reduce_kernel(op, x, &rdims, keepdim)?;
    if is_recording(&[x]) {
        record_saving_input_and_output(
            AmaxBackward {
                is_max,
                dims: rdims,
                keepdim,
            },
            x,
            &out,
        )?;
    }
    Ok(out)
}

/// `g` (shaped like a reduction's result over `dims`) shared evenly among the elements of
/// `x` equal to the result `out` (NaN matching NaN); zero elsewhere.
pub(crate) fn share_among_ties(
    g: &Tensor,
    x: &Tensor,
    out: &Tensor,
    dims: &[usize],
    keepdim: bool,
) -> Result<Tensor> {
    let (g, out) = (unreduce(g, dims, keepdim)?, unreduce(out, dims, keepdim)?);
    let equal = compare(CompareOp::Eq, x, Rhs::Tensor(&out))?;
    let both_nan = super::binary_math::logical_and(
        &backend::predicate(PredicateOp::IsNan, x)?,
        &backend::predicate(PredicateOp::IsNan, &out)?,
    )?;
    let hit = super::binary_math::logical(super::kinds::BinaryOp::BitOr, &equal, &both_nan)?;
    let count = reduce_kernel(ReduceOp::Sum, &hit, dims, true)?;
    let share = div(&g, &cast(&count, g.dtype())?)?;
    where_(&hit, Rhs::Tensor(&share), Rhs::Scalar(Scalar::Int(0)))
}

struct AmaxBackward {
    is_max: bool,
    dims: Dims,
    keepdim: bool,
}

impl Backward for AmaxBackward {
    fn name(&self) -> &str {
        if self.is_max {
            "AmaxBackward0"
        } else {
            "AminBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, out) = (ctx.saved(0)?, ctx.saved(1)?);
        Ok(smallvec![Some(share_among_ties(
            ctx.grad(),
            x,
            out,
            &self.dims,
            self.keepdim
        )?)])
    }
}

/// `argmax(x, dim, keepdim)` (`is_max`) or `argmin`: int64 positions of the first extreme
/// (NaN counts as extreme). Without `dim`, positions in the flattened tensor.
pub fn argmax(x: &Tensor, dim: Option<i64>, keepdim: bool, is_max: bool) -> Result<Tensor> {
    let name = if is_max { "argmax" } else { "argmin" };
    if x.dtype() == crate::tensor::DType::Bool {
        return Err(Error::not_implemented(format!(
            "{name}(): does not support bool input"
        )));
    }
    match dim {
        None => {
            if x.numel() == 0 {
                return Err(Error::index(format!(
                    "{name}(): Expected reduction dim to be specified for input.numel() == 0."
                )));
            }
            let flat =
                backend::contiguous_as(x, x.dtype())?.with_layout(Layout::contiguous(&[x.numel()]));
            let (_, index) = backend::arg_reduce(&flat, 0, is_max)?;
            let shape: Dims = if keepdim {
                smallvec![1; x.ndim()]
            } else {
                Dims::new()
            };
            Ok(index.with_layout(Layout::contiguous(&shape)))
        }
        Some(dim) => {
            let d = crate::tensor::wrap_dim(dim, x.ndim())?;
            if x.ndim() == 0 {
                return super::creation::zeros(&[], crate::tensor::DType::Int64, x.device());
            }
            check_nonempty(name, x, &[d], false)?;
            let (_, index) = backend::arg_reduce(x, d, is_max)?;
            Ok(if keepdim {
                index.with_layout(Layout::contiguous(&kept_shape(x, &[d])))
            } else {
                index
            })
        }
    }
}
