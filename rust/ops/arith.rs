//! `+ - * / **` between tensors, and with Python numbers on either side, with NumPy
//! broadcasting and PyTorch's type promotion.

use smallvec::smallvec;

use super::backend;
use super::kinds::{BinaryOp, UnaryOp};
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{result_type, DType, Device, Operand, Scalar, Tensor};

/// The right-hand operand of an arithmetic op.
#[derive(Clone, Copy)]
pub enum Rhs<'a> {
    Tensor(&'a Tensor),
    Scalar(Scalar),
}

impl<'a> Rhs<'a> {
    pub fn tensor(&self) -> Option<&'a Tensor> {
        match self {
            Rhs::Tensor(t) => Some(t),
            Rhs::Scalar(_) => None,
        }
    }
    pub fn scalar(&self) -> Option<Scalar> {
        match self {
            Rhs::Tensor(_) => None,
            Rhs::Scalar(s) => Some(*s),
        }
    }
    pub fn operand(&self) -> Operand {
        match self {
            Rhs::Tensor(t) => operand(t),
            Rhs::Scalar(s) => Operand::Scalar(s.category()),
        }
    }
}

/// How a tensor takes part in type promotion.
pub fn operand(t: &Tensor) -> Operand {
    if t.ndim() == 0 {
        Operand::ZeroDim(t.dtype())
    } else {
        Operand::Dimensioned(t.dtype())
    }
}

/// `x`'s values in `dtype` (no copy when it already has it). Data only: no autograd.
pub fn cast(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() == dtype {
        Ok(x.clone())
    } else {
        backend::contiguous_as(x, dtype)
    }
}

/// `b` as a tensor of `dtype` on `device` (a number becomes a 0-d tensor; a 0-d CPU tensor
/// moves there; a tensor on another device is PyTorch's error).
pub(crate) fn rhs_tensor(b: &Rhs, dtype: DType, device: Device) -> Result<Tensor> {
    match b {
        Rhs::Tensor(t) => cast(&super::to_op_device("binary op", t, device)?, dtype),
        Rhs::Scalar(s) => super::creation::full(&[], *s, dtype, device),
    }
}

/// The device `a op b` runs on.
pub(crate) fn device_of(a: &Tensor, b: &Rhs) -> Device {
    match b {
        Rhs::Tensor(t) => super::op_device(a, t),
        Rhs::Scalar(_) => a.device(),
    }
}

/// The dtype `a op b` computes in, with PyTorch's errors for unsupported combinations.
fn compute_dtype(op: BinaryOp, a: &Tensor, b: &Rhs) -> Result<DType> {
    let dtype = result_type(&[operand(a), b.operand()]);
    match op {
        BinaryOp::Sub if dtype == DType::Bool => Err(Error::not_implemented(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
        )),
        BinaryOp::Div => Ok(dtype.to_floating()),
        BinaryOp::Pow if !dtype.is_floating_point() && b.scalar().is_some_and(|s| s.to_f64() < 0.0) => {
            Err(Error::runtime("Integers to negative integer powers are not allowed."))
        }
        _ => Ok(dtype),
    }
}

/// Computes `a op b` (or `b op a` when `reversed`) without recording.
pub(crate) fn forward(
    op: BinaryOp,
    a: &Tensor,
    b: &Rhs,
    dtype: DType,
    reversed: bool,
) -> Result<Tensor> {
    let device = device_of(a, b);
    let a = cast(&super::to_op_device("binary op", a, device)?, dtype)?;
    let b = rhs_tensor(b, dtype, device)?;
    if reversed {
        backend::binary(op, &b, &a)
    } else {
        backend::binary(op, &a, &b)
    }
}

/// `a op b`, recorded with the matching backward node.
fn arith(op: BinaryOp, a: &Tensor, b: Rhs) -> Result<Tensor> {
    let dtype = compute_dtype(op, a, &b)?;
    let out = forward(op, a, &b, dtype, false)?;
    let bt = b.tensor();
    let inputs: &[&Tensor] = match bt {
        Some(t) => &[a, t],
        None => &[a],
    };
    if !is_recording(inputs) {
        return Ok(out);
    }
    let (need_a, need_b) = (a.requires_grad(), bt.is_some_and(|t| t.requires_grad()));
    let scalar = b.scalar();
    let (node, saved) = match op {
        BinaryOp::Add => (ArithBackward::Add, smallvec![]),
        BinaryOp::Sub => (ArithBackward::Sub, smallvec![]),
        BinaryOp::Mul => (
            ArithBackward::Mul { scalar },
            smallvec![save_if(need_b, a), bt.and_then(|t| save_if(need_a, t))],
        ),
        BinaryOp::Div => (
            ArithBackward::Div { scalar },
            smallvec![save_if(need_b, a), bt.and_then(|t| save_if(true, t))],
        ),
        BinaryOp::Pow => match scalar {
            Some(exponent) => (
                ArithBackward::PowScalarExponent { exponent },
                smallvec![save_if(true, a)],
            ),
            None => (
                ArithBackward::PowTensors,
                smallvec![
                    save_if(true, a),
                    bt.and_then(|t| save_if(true, t)),
                    Some(SavedTensor::output(&out, 0))
                ],
            ),
        },
        _ => return Err(Error::runtime("internal error: not an arithmetic op")),
    };
    let edge_b = if scalar.is_some() && matches!(op, BinaryOp::Pow) {
        None
    } else {
        Some(bt)
    };
    match edge_b {
        Some(bt) => record(node, &[Some(a), bt], saved, &[&out])?,
        None => record(node, &[Some(a)], saved, &[&out])?,
    }
    Ok(out)
}

pub fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    arith(BinaryOp::Add, a, Rhs::Tensor(b))
}
pub fn sub(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    arith(BinaryOp::Sub, a, Rhs::Tensor(b))
}
pub fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    arith(BinaryOp::Mul, a, Rhs::Tensor(b))
}
pub fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    arith(BinaryOp::Div, a, Rhs::Tensor(b))
}
pub fn pow(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    arith(BinaryOp::Pow, a, Rhs::Tensor(b))
}

/// `a op b` for a tensor or number `b` (the binding layer's entry point).
pub fn binary(op: BinaryOp, a: &Tensor, b: Rhs) -> Result<Tensor> {
    match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Pow => {
            arith(op, a, b)
        }
        _ => super::binary_math::binary(op, a, b),
    }
}

pub fn add_scalar(a: &Tensor, s: impl Into<Scalar>) -> Result<Tensor> {
    arith(BinaryOp::Add, a, Rhs::Scalar(s.into()))
}
pub fn mul_scalar(a: &Tensor, s: impl Into<Scalar>) -> Result<Tensor> {
    arith(BinaryOp::Mul, a, Rhs::Scalar(s.into()))
}
pub fn div_scalar(a: &Tensor, s: impl Into<Scalar>) -> Result<Tensor> {
    arith(BinaryOp::Div, a, Rhs::Scalar(s.into()))
}
pub fn pow_scalar(a: &Tensor, s: impl Into<Scalar>) -> Result<Tensor> {
    arith(BinaryOp::Pow, a, Rhs::Scalar(s.into()))
}

/// `s - a` (PyTorch's `rsub`).
pub fn rsub_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    let b = Rhs::Scalar(s);
    let out = forward(
        BinaryOp::Sub,
        a,
        &b,
        compute_dtype(BinaryOp::Sub, a, &b)?,
        true,
    )?;
    if is_recording(&[a]) {
        record(ArithBackward::Rsub, &[Some(a)], smallvec![], &[&out])?;
    }
    Ok(out)
}

/// `s ** a`.
pub fn rpow_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    let dtype = result_type(&[operand(a), Operand::Scalar(s.category())]);
    let out = forward(BinaryOp::Pow, a, &Rhs::Scalar(s), dtype, true)?;
    if is_recording(&[a]) {
        record(
            ArithBackward::PowScalarBase { base: s },
            &[Some(a)],
            smallvec![Some(SavedTensor::output(&out, 0))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `s / a`, which PyTorch computes as `a.reciprocal() * s`.
pub fn rdiv_scalar(a: &Tensor, s: Scalar) -> Result<Tensor> {
    mul_scalar(&super::unary::unary(UnaryOp::Reciprocal, a)?, s)
}

pub fn neg(a: &Tensor) -> Result<Tensor> {
    super::unary::unary(UnaryOp::Neg, a)
}

/// Backward formulas of the arithmetic ops.
enum ArithBackward {
    Add,
    Sub,
    Mul { scalar: Option<Scalar> },
    Div { scalar: Option<Scalar> },
    PowScalarExponent { exponent: Scalar },
    PowTensors,
    PowScalarBase { base: Scalar },
    Rsub,
}

impl Backward for ArithBackward {
    fn name(&self) -> &str {
        match self {
            ArithBackward::Add => "AddBackward0",
            ArithBackward::Sub => "SubBackward0",
            ArithBackward::Mul { .. } => "MulBackward0",
            ArithBackward::Div { .. } => "DivBackward0",
            ArithBackward::PowScalarExponent { .. } => "PowBackward0",
            ArithBackward::PowTensors => "PowBackward1",
            ArithBackward::PowScalarBase { .. } => "PowBackward2",
            ArithBackward::Rsub => "RsubBackward1",
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
            ArithBackward::Add => {
                smallvec![when(0, &|| Ok(g.clone()))?, when(1, &|| Ok(g.clone()))?]
            }
            ArithBackward::Sub => smallvec![when(0, &|| Ok(g.clone()))?, when(1, &|| neg(g))?],
            ArithBackward::Rsub => smallvec![when(0, &|| neg(g))?],
            ArithBackward::Mul { scalar: Some(s) } => {
                smallvec![when(0, &|| mul_scalar(g, *s))?, None]
            }
            ArithBackward::Mul { scalar: None } => {
                smallvec![
                    when(0, &|| mul(g, ctx.saved(1)?))?,
                    when(1, &|| mul(g, ctx.saved(0)?))?
                ]
            }
            ArithBackward::Div { scalar: Some(s) } => {
                smallvec![when(0, &|| div_scalar(g, *s))?, None]
            }
            ArithBackward::Div { scalar: None } => {
                let b = ctx.saved(1)?;
                smallvec![
                    when(0, &|| div(g, b))?,
                    // d(a/b)/db = -a / b^2
                    when(1, &|| neg(&div(&mul(g, ctx.saved(0)?)?, &mul(b, b)?)?))?,
                ]
            }
            ArithBackward::PowScalarExponent { exponent } => {
                let a = ctx.saved(0)?;
                smallvec![when(0, &|| {
                    if exponent.is_zero() {
                        return super::creation::zeros_like(g);
                    }
                    let e = exponent.to_f64();
                    mul(
                        g,
                        &mul_scalar(&pow_scalar(a, Scalar::Float(e - 1.0))?, Scalar::Float(e))?,
                    )
                })?]
            }
            ArithBackward::PowTensors => {
                let (a, b, out) = (ctx.saved(0)?, ctx.saved(1)?, ctx.saved(2)?);
                smallvec![
                    // b * a^(b-1), taken as 0 where b == 0 (so 0^0 has slope 0, as in PyTorch)
                    when(0, &|| {
                        let slope = mul(
                            b,
                            &pow(a, &binary(BinaryOp::Sub, b, Rhs::Scalar(Scalar::Int(1)))?)?,
                        )?;
                        let zero_exp = super::compare::eq_scalar(b, Scalar::Int(0))?;
                        mul(
                            g,
                            &super::conditional::where_scalar(&zero_exp, Scalar::Int(0), &slope)?,
                        )
                    })?,
                    // a^b * ln(a), taken as 0 where a == 0 and b >= 0
                    when(1, &|| {
                        let slope = mul(out, &super::unary::unary(UnaryOp::Log, a)?)?;
                        let mask = super::binary_math::logical_and(
                            &super::compare::eq_scalar(a, Scalar::Int(0))?,
                            &super::compare::ge_scalar(b, Scalar::Int(0))?,
                        )?;
                        mul(
                            g,
                            &super::conditional::where_scalar(&mask, Scalar::Int(0), &slope)?,
                        )
                    })?,
                ]
            }
            ArithBackward::PowScalarBase { base } => {
                let out = ctx.saved(0)?;
                let ln = base.to_f64().ln();
                smallvec![when(0, &|| mul(g, &mul_scalar(out, Scalar::Float(ln))?))?]
            }
        })
    }
}
