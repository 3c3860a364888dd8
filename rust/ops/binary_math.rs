//! Two-input elementwise math beyond `+ - * / **`: `atan2`, `fmod`, `remainder` (`%`),
//! `floor_divide` (`//`), `maximum`/`minimum`, and the bitwise ops on integers and bools.

use smallvec::smallvec;

use super::arith::{cast, div, forward, mul, mul_scalar, neg, operand, rhs_tensor, Rhs};
use super::backend;
use super::compare::{compare, eq_scalar};
use super::conditional::{where_, where_scalar};
use super::kinds::{BinaryOp, CompareOp, ReduceOp, UnaryOp};
use super::unary::unary;
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{result_type, DType, Scalar, Tensor};

/// The dtype `op` computes in for operands promoting to `dtype`, with PyTorch's errors
/// (which name its CPU kernels) for dtypes it has no kernel for.
fn compute_dtype(op: BinaryOp, dtype: DType) -> Result<DType> {
    let no_kernel = |kernel: &str| {
        Err(Error::not_implemented(format!(
            "\"{kernel}\" not implemented for '{}'",
            dtype.scalar_type_name()
        )))
    };
    let (bool_input, float_input) = (dtype == DType::Bool, dtype.is_floating_point());
    match op {
        BinaryOp::Atan2 => Ok(dtype.to_floating()),
        BinaryOp::Fmod if bool_input => no_kernel("fmod_cpu"),
        BinaryOp::Remainder if bool_input => no_kernel("remainder_cpu"),
        BinaryOp::FloorDivide if bool_input => no_kernel("div_floor_cpu"),
        BinaryOp::BitAnd if float_input => no_kernel("bitwise_and_cpu"),
        BinaryOp::BitOr if float_input => no_kernel("bitwise_or_cpu"),
        BinaryOp::BitXor if float_input => no_kernel("bitwise_xor_cpu"),
        _ => Ok(dtype),
    }
}

/// PyTorch's error for integer division by zero (the divisor `b`, already in `dtype`).
fn check_divisor(op: BinaryOp, b: &Tensor) -> Result<()> {
    let divides = matches!(
        op,
        BinaryOp::Fmod | BinaryOp::Remainder | BinaryOp::FloorDivide
    );
    if divides && !b.dtype().is_floating_point() && any_zero(b)? {
        return Err(Error::runtime("ZeroDivisionError"));
    }
    Ok(())
}

/// `a op b` (or `b op a` when `reversed`, for `2 % x`), recorded.
fn binary_impl(op: BinaryOp, a: &Tensor, b: Rhs, reversed: bool) -> Result<Tensor> {
    let dtype = compute_dtype(op, result_type(&[operand(a), b.operand()]))?;
    let divisor = if reversed {
        cast(a, dtype)?
    } else {
        rhs_tensor(&b, dtype, a.device())?
    };
    check_divisor(op, &divisor)?;
    let out = forward(op, a, &b, dtype, reversed)?;
    let bt = b.tensor();
    let inputs: Vec<&Tensor> = [Some(a), bt].into_iter().flatten().collect();
    if !is_recording(&inputs) {
        return Ok(out);
    }
    let scalar_other = bt.is_none();
    let node = match op {
        BinaryOp::Atan2 => BinaryMathBackward::Atan2,
        BinaryOp::Maximum => BinaryMathBackward::Extreme { is_max: true },
        BinaryOp::Minimum => BinaryMathBackward::Extreme { is_max: false },
        BinaryOp::Fmod | BinaryOp::Remainder if reversed => BinaryMathBackward::NotImplemented {
            name: "aten::remainder",
        },
        BinaryOp::Fmod | BinaryOp::Remainder => BinaryMathBackward::Remainder {
            floor: op == BinaryOp::Remainder,
            scalar_other,
        },
        BinaryOp::FloorDivide => BinaryMathBackward::NotImplemented {
            name: "aten::floor_divide",
        },
        _ => return Ok(out),
    };
    let needs_values = !matches!(
        node,
        BinaryMathBackward::NotImplemented { .. }
            | BinaryMathBackward::Remainder {
                scalar_other: true,
                ..
            }
    );
    record(
        node,
        &[Some(a), bt],
        smallvec![
            save_if(needs_values, a),
            bt.and_then(|t| save_if(needs_values, t))
        ],
        &[&out],
    )?;
    Ok(out)
}

/// The checks `a op= b` needs before it writes into `a` (a kernel for the dtype, integer
/// division by zero); arithmetic ops pass.
pub fn check_inplace(op: BinaryOp, a: &Tensor, b: &Rhs) -> Result<()> {
    let dtype = compute_dtype(op, result_type(&[operand(a), b.operand()]))?;
    check_divisor(op, &rhs_tensor(b, dtype, a.device())?)
}

/// `a op b` for a tensor or number `b`.
pub fn binary(op: BinaryOp, a: &Tensor, b: Rhs) -> Result<Tensor> {
    binary_impl(op, a, b, false)
}

/// `s op a` for a number `s` (`2 % x`, `2 // x`, `2 & x`).
pub fn binary_reflected(op: BinaryOp, a: &Tensor, s: Scalar) -> Result<Tensor> {
    binary_impl(op, a, Rhs::Scalar(s), true)
}

/// `bitwise_not(x)`: `~x` on integers, `not x` on bools.
pub fn bitwise_not(x: &Tensor) -> Result<Tensor> {
    let ones = match x.dtype() {
        DType::Bool => Scalar::Bool(true),
        d if d.is_floating_point() => {
            return Err(Error::not_implemented(format!(
                "\"bitwise_not_cpu\" not implemented for '{}'",
                d.scalar_type_name()
            )))
        }
        _ => Scalar::Int(-1),
    };
    binary(BinaryOp::BitXor, x, Rhs::Scalar(ones))
}

/// `logical_and/or/xor(a, b)`: the bitwise op on the operands' truth values (bool result).
pub fn logical(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    super::check_same_device("logical op", &[a, b])?;
    backend::binary(op, &cast(a, DType::Bool)?, &cast(b, DType::Bool)?)
}

/// Elementwise "both nonzero", as bool.
pub fn logical_and(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    logical(BinaryOp::BitAnd, a, b)
}

/// Backward formulas of the ops here.
enum BinaryMathBackward {
    Atan2,
    /// `maximum`/`minimum`: ties split the gradient evenly, as in PyTorch.
    Extreme {
        is_max: bool,
    },
    /// `fmod` (truncated quotient) or `remainder` (floored quotient).
    Remainder {
        floor: bool,
        scalar_other: bool,
    },
    /// PyTorch has no derivative for these: backward through them is an error.
    NotImplemented {
        name: &'static str,
    },
}

impl Backward for BinaryMathBackward {
    fn name(&self) -> &str {
        match self {
            BinaryMathBackward::Atan2 => "Atan2Backward0",
            BinaryMathBackward::Extreme { is_max: true } => "MaximumBackward0",
            BinaryMathBackward::Extreme { is_max: false } => "MinimumBackward0",
            BinaryMathBackward::Remainder {
                floor: false,
                scalar_other: true,
            } => "FmodBackward0",
            BinaryMathBackward::Remainder { floor: false, .. } => "FmodBackward1",
            BinaryMathBackward::Remainder {
                floor: true,
                scalar_other: true,
            } => "RemainderBackward0",
            BinaryMathBackward::Remainder { floor: true, .. } => "RemainderBackward1",
            BinaryMathBackward::NotImplemented { .. } => "NotImplemented",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let when = |i: usize, f: &dyn Fn() -> Result<Tensor>| -> Result<Option<Tensor>> {
            if ctx.needs(i) {
                f().map(Some)
            } else {
                Ok(None)
            }
        };
        Ok(match self {
            BinaryMathBackward::NotImplemented { name } => {
                return Err(Error::runtime(format!(
                    "derivative for {name} is not implemented"
                )))
            }
            BinaryMathBackward::Remainder {
                scalar_other: true, ..
            } => smallvec![when(0, &|| Ok(g.clone()))?],
            BinaryMathBackward::Remainder { floor, .. } => {
                let (a, b) = (ctx.saved(0)?, ctx.saved(1)?);
                let round = if *floor {
                    UnaryOp::Floor
                } else {
                    UnaryOp::Trunc
                };
                smallvec![
                    when(0, &|| Ok(g.clone()))?,
                    when(1, &|| neg(&mul(g, &unary(round, &div(a, b)?)?)?))?
                ]
            }
            BinaryMathBackward::Atan2 => {
                // d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
                let (a, b) = (ctx.saved(0)?, ctx.saved(1)?);
                let scaled = div(g, &super::arith::add(&mul(a, a)?, &mul(b, b)?)?)?;
                smallvec![
                    when(0, &|| mul(&scaled, b))?,
                    when(1, &|| neg(&mul(&scaled, a)?))?
                ]
            }
            BinaryMathBackward::Extreme { is_max } => {
                let (a, b) = (ctx.saved(0)?, ctx.saved(1)?);
                let tied = eq_tensor(a, b)?;
                let shared = where_(&tied, Rhs::Tensor(&mul_scalar(g, 0.5f64)?), Rhs::Tensor(g))?;
                // The input that lost gets nothing (NaN never loses).
                let loses = |x: &Tensor, y: &Tensor| {
                    let op = if *is_max {
                        CompareOp::Lt
                    } else {
                        CompareOp::Gt
                    };
                    where_scalar(&compare(op, x, Rhs::Tensor(y))?, Scalar::Int(0), &shared)
                };
                smallvec![when(0, &|| loses(a, b))?, when(1, &|| loses(b, a))?]
            }
        })
    }
}

fn eq_tensor(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(CompareOp::Eq, a, Rhs::Tensor(b))
}

/// Whether `t` holds a zero anywhere (divisors; backward formulas that special-case zeros).
pub fn any_zero(t: &Tensor) -> Result<bool> {
    if t.numel() == 0 {
        return Ok(false);
    }
    let zeros = eq_scalar(t, Scalar::Int(0))?;
    let any = backend::reduce(ReduceOp::Any, &zeros, &(0..t.ndim()).collect::<Vec<_>>())?;
    Ok(any.item_f64()? != 0.0)
}
