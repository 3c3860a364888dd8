//! One-input elementwise ops (`exp`, `log`, `sigmoid`, `relu`, ...) and their derivatives.

use smallvec::{smallvec, SmallVec};

use super::arith::{add_scalar, cast, div, div_scalar, mul, mul_scalar, neg, rsub_scalar};
use super::backend;
use super::kinds::UnaryOp;
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{DType, Scalar, Tensor};

/// The dtype `op(x)` has for an input of `dtype`: float ops turn integers into float32, as in
/// PyTorch; the rest keep the dtype, with PyTorch's errors where a dtype has no kernel.
fn result_dtype(op: UnaryOp, dtype: DType) -> Result<DType> {
    let no_kernel = |kernel: &str| {
        Err(Error::not_implemented(format!(
            "\"{kernel}\" not implemented for '{}'",
            dtype.scalar_type_name()
        )))
    };
    match op {
        UnaryOp::Neg if dtype == DType::Bool => Err(Error::not_implemented(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
        )),
        UnaryOp::Abs if dtype == DType::Bool => no_kernel("abs_cpu"),
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc if dtype == DType::Bool => {
            no_kernel(&format!("{}_vml_cpu", format!("{op:?}").to_lowercase()))
        }
        UnaryOp::Frac if !dtype.is_floating_point() => no_kernel("frac_cpu"),
        UnaryOp::Square if dtype == DType::Bool => Ok(DType::Int64),
        UnaryOp::Neg
        | UnaryOp::Abs
        | UnaryOp::Sign
        | UnaryOp::Relu
        | UnaryOp::Square
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Trunc => Ok(dtype),
        _ => Ok(dtype.to_floating()),
    }
}

/// Which tensor the derivative needs: the input, the output, or neither.
enum Needs {
    Nothing,
    Input,
    Output,
}

fn needs(op: UnaryOp) -> Needs {
    match op {
        UnaryOp::Neg
        | UnaryOp::Sign
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Trunc
        | UnaryOp::Frac => Needs::Nothing,
        UnaryOp::Abs
        | UnaryOp::Log
        | UnaryOp::Sin
        | UnaryOp::Cos
        | UnaryOp::Square
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Log1p
        | UnaryOp::Sinh
        | UnaryOp::Cosh
        | UnaryOp::Asin
        | UnaryOp::Acos
        | UnaryOp::Atan
        | UnaryOp::Erf => Needs::Input,
        UnaryOp::Exp
        | UnaryOp::Sqrt
        | UnaryOp::Rsqrt
        | UnaryOp::Tanh
        | UnaryOp::Sigmoid
        | UnaryOp::Relu
        | UnaryOp::Reciprocal
        | UnaryOp::Exp2
        | UnaryOp::Expm1
        | UnaryOp::Tan
        | UnaryOp::Erfinv => Needs::Output,
    }
}

/// `op(x)`, recorded.
pub fn unary(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    let dtype = result_dtype(op, x.dtype())?;
    let out = backend::unary(op, &cast(x, dtype)?)?;
    if is_recording(&[x]) {
        let saved: SmallVec<[Option<SavedTensor>; 2]> = match needs(op) {
            Needs::Nothing => smallvec![],
            Needs::Input => smallvec![Some(SavedTensor::input(x))],
            Needs::Output => smallvec![Some(SavedTensor::output(&out, 0))],
        };
        record(UnaryBackward { op }, &[Some(x)], saved, &[&out])?;
    }
    Ok(out)
}

macro_rules! unary_fns {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(
            #[doc = concat!("`", stringify!($name), "(x)`, elementwise.")]
            pub fn $name(x: &Tensor) -> Result<Tensor> {
                unary(UnaryOp::$op, x)
            }
        )*
    };
}

unary_fns!(abs => Abs, sign => Sign, exp => Exp, log => Log, sqrt => Sqrt, rsqrt => Rsqrt, sin => Sin, cos => Cos,
    tanh => Tanh, sigmoid => Sigmoid, relu => Relu, reciprocal => Reciprocal, square => Square,
    exp2 => Exp2, expm1 => Expm1, log2 => Log2, log10 => Log10, log1p => Log1p, floor => Floor, ceil => Ceil,
    round => Round, trunc => Trunc, frac => Frac, sinh => Sinh, cosh => Cosh, tan => Tan, asin => Asin,
    acos => Acos, atan => Atan, erf => Erf, erfinv => Erfinv);

/// `round(x, decimals)`: PyTorch scales by `10^decimals` in the tensor's dtype, rounds half
/// to even, and scales back (`RoundBackward1`, a zero gradient).
pub fn round_decimals(x: &Tensor, decimals: i64) -> Result<Tensor> {
    if !x.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"round_cpu\" not implemented for '{}'",
            x.dtype().scalar_type_name()
        )));
    }
    let out = {
        let _plain = GradModeGuard::new(false);
        let scale = Scalar::Float(10f64.powi(decimals.unsigned_abs().min(400) as i32));
        if decimals >= 0 {
            div_scalar(&round(&mul_scalar(x, scale)?)?, scale)?
        } else {
            mul_scalar(&round(&div_scalar(x, scale)?)?, scale)?
        }
    };
    if is_recording(&[x]) {
        record(
            ZeroGradBackward {
                name: "RoundBackward1",
            },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// A node whose input gets a zero gradient (rounding, sign).
struct ZeroGradBackward {
    name: &'static str,
}

impl Backward for ZeroGradBackward {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        Ok(smallvec![Some(super::creation::zeros_like(ctx.grad())?)])
    }
}

struct UnaryBackward {
    op: UnaryOp,
}

impl Backward for UnaryBackward {
    fn name(&self) -> &str {
        match self.op {
            UnaryOp::Neg => "NegBackward0",
            UnaryOp::Abs => "AbsBackward0",
            UnaryOp::Sign => "SignBackward0",
            UnaryOp::Exp => "ExpBackward0",
            UnaryOp::Log => "LogBackward0",
            UnaryOp::Sqrt => "SqrtBackward0",
            UnaryOp::Rsqrt => "RsqrtBackward0",
            UnaryOp::Sin => "SinBackward0",
            UnaryOp::Cos => "CosBackward0",
            UnaryOp::Tanh => "TanhBackward0",
            UnaryOp::Sigmoid => "SigmoidBackward0",
            UnaryOp::Relu => "ReluBackward0",
            UnaryOp::Reciprocal => "ReciprocalBackward0",
            UnaryOp::Square => "PowBackward0",
            UnaryOp::Exp2 => "Exp2Backward0",
            UnaryOp::Expm1 => "Expm1Backward0",
            UnaryOp::Log2 => "Log2Backward0",
            UnaryOp::Log10 => "Log10Backward0",
            UnaryOp::Log1p => "Log1PBackward0",
            UnaryOp::Floor => "FloorBackward0",
            UnaryOp::Ceil => "CeilBackward0",
            UnaryOp::Round => "RoundBackward0",
            UnaryOp::Trunc => "TruncBackward0",
            UnaryOp::Frac => "FracBackward0",
            UnaryOp::Sinh => "SinhBackward0",
            UnaryOp::Cosh => "CoshBackward0",
            UnaryOp::Tan => "TanBackward0",
            UnaryOp::Asin => "AsinBackward0",
            UnaryOp::Acos => "AcosBackward0",
            UnaryOp::Atan => "AtanBackward0",
            UnaryOp::Erf => "ErfBackward0",
            UnaryOp::Erfinv => "ErfinvBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let saved = || ctx.saved(0);
        let grad = match self.op {
            UnaryOp::Neg => neg(g)?,
            UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc => {
                super::creation::zeros_like(g)?
            }
            UnaryOp::Frac => g.clone(),
            UnaryOp::Exp2 => mul(g, &mul_scalar(saved()?, std::f64::consts::LN_2)?)?,
            UnaryOp::Expm1 => mul(g, &add_scalar(saved()?, 1i64)?)?,
            UnaryOp::Log2 => div(g, &mul_scalar(saved()?, std::f64::consts::LN_2)?)?,
            UnaryOp::Log10 => div(g, &mul_scalar(saved()?, std::f64::consts::LN_10)?)?,
            UnaryOp::Log1p => div(g, &add_scalar(saved()?, 1i64)?)?,
            UnaryOp::Sinh => mul(g, &cosh(saved()?)?)?,
            UnaryOp::Cosh => mul(g, &sinh(saved()?)?)?,
            UnaryOp::Tan => {
                let out = saved()?;
                mul(g, &add_scalar(&mul(out, out)?, 1i64)?)?
            }
            // ±1 / sqrt(1 - x^2)
            UnaryOp::Asin | UnaryOp::Acos => {
                let x = saved()?;
                let slope = rsqrt(&rsub_scalar(&mul(x, x)?, Scalar::Int(1))?)?;
                let grad = mul(g, &slope)?;
                if self.op == UnaryOp::Acos {
                    neg(&grad)?
                } else {
                    grad
                }
            }
            UnaryOp::Atan => {
                let x = saved()?;
                div(g, &add_scalar(&mul(x, x)?, 1i64)?)?
            }
            // 2/sqrt(pi) exp(-x^2)
            UnaryOp::Erf => {
                let x = saved()?;
                let slope = exp(&neg(&mul(x, x)?)?)?;
                mul(g, &mul_scalar(&slope, std::f64::consts::FRAC_2_SQRT_PI)?)?
            }
            // sqrt(pi)/2 exp(erfinv(x)^2)
            UnaryOp::Erfinv => {
                let out = saved()?;
                let slope = exp(&mul(out, out)?)?;
                mul(g, &mul_scalar(&slope, 0.5 * std::f64::consts::PI.sqrt())?)?
            }
            UnaryOp::Abs => mul(g, &sign(ctx.saved(0)?)?)?,
            UnaryOp::Log => div(g, ctx.saved(0)?)?,
            UnaryOp::Sin => mul(g, &cos(ctx.saved(0)?)?)?,
            UnaryOp::Cos => neg(&mul(g, &sin(ctx.saved(0)?)?)?)?,
            UnaryOp::Square => mul(g, &mul_scalar(ctx.saved(0)?, 2i64)?)?,
            UnaryOp::Exp => mul(g, ctx.saved(0)?)?,
            UnaryOp::Sqrt => div(g, &mul_scalar(ctx.saved(0)?, 2i64)?)?,
            UnaryOp::Rsqrt => {
                let out = ctx.saved(0)?;
                mul(g, &mul_scalar(&mul(&mul(out, out)?, out)?, -0.5f64)?)?
            }
            UnaryOp::Tanh => {
                let out = ctx.saved(0)?;
                mul(g, &rsub_scalar(&mul(out, out)?, Scalar::Int(1))?)?
            }
            UnaryOp::Sigmoid => {
                let out = ctx.saved(0)?;
                mul(g, &mul(out, &rsub_scalar(out, Scalar::Int(1))?)?)?
            }
            UnaryOp::Relu => {
                let positive = super::compare::gt_scalar(ctx.saved(0)?, Scalar::Int(0))?;
                super::conditional::where_scalar(
                    &super::compare::logical_not(&positive)?,
                    Scalar::Int(0),
                    g,
                )?
            }
            UnaryOp::Reciprocal => {
                let out = ctx.saved(0)?;
                neg(&mul(g, &mul(out, out)?)?)?
            }
        };
        Ok(smallvec![Some(grad)])
    }
}
