//! Comparisons (`==`, `<`, ...) and the logical ops built on them. Results are bool tensors
//! and never require grad.

use super::arith::{cast, device_of, operand, rhs_tensor, Rhs};
use super::backend;
use super::kinds::CompareOp;
use crate::error::Result;
use crate::tensor::{result_type, Scalar, Tensor};

/// `a cmp b`, compared in the operands' promoted dtype.
pub fn compare(op: CompareOp, a: &Tensor, b: Rhs) -> Result<Tensor> {
    let dtype = result_type(&[operand(a), b.operand()]);
    let device = device_of(a, &b);
    let a = cast(&super::to_op_device("comparison", a, device)?, dtype)?;
    backend::compare(op, &a, &rhs_tensor(&b, dtype, device)?)
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
