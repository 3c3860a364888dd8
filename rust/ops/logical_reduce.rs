//! Reductions of truth values: `all`, `any`, `count_nonzero`.

use super::arith::Rhs;
use super::compare::compare;
use super::kinds::{CompareOp, ReduceOp};
use super::reduce::{reduce_dims, reduce_kernel};
use crate::error::Result;
use crate::tensor::{Scalar, Tensor};

/// `all(x, dims, keepdim)` (`want_all`) or `any`: bool results; all dims when `None`.
pub fn all_any(x: &Tensor, dims: Option<&[i64]>, keepdim: bool, want_all: bool) -> Result<Tensor> {
    let rdims = reduce_dims(x, dims)?;
    let op = if want_all {
        ReduceOp::All
    } else {
        ReduceOp::Any
    };
    reduce_kernel(op, x, &rdims, keepdim)
}

/// `count_nonzero(x, dims)`: int64 counts of nonzero elements.
pub fn count_nonzero(x: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    let rdims = reduce_dims(x, dims)?;
    let nonzero = compare(CompareOp::Ne, x, Rhs::Scalar(Scalar::Int(0)))?;
    reduce_kernel(ReduceOp::Sum, &nonzero, &rdims, false)
}
