//! Comparisons (`==`, `<`, ...) and the logical ops built on them. Results are bool tensors
//! and never require grad.

use super::arith::{cast, operand, rhs_tensor, Rhs};
use super::backend;
use super::kinds::CompareOp;
use crate::error::Result;
use crate::tensor::{result_type, Scalar, Tensor};

/// `a cmp b`, compared in the operands' promoted dtype.
pub fn compare(op: CompareOp, a: &Tensor, b: Rhs) -> Result<Tensor> {
    let dtype = result_type(&[operand(a), b.operand()]);
    backend::compare(op, &cast(a, dtype)?, &rhs_tensor(&b, dtype, a)?)
}

pub fn eq_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    compare(CompareOp::Eq, a, Rhs::Scalar(s))
}
pub fn gt_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    compare(CompareOp::Gt, a, Rhs::Scalar(s))
}
pub fn ge_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    compare(CompareOp::Ge, a, Rhs::Scalar(s))
}

/// Elementwise "is zero", as bool.
pub fn logical_not(x: &Tensor) -> Result<Tensor> {
    eq_scalar(x, Scalar::Int(0))
}
