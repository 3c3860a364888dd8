//! One-input elementwise ops (`exp`, `log`, `sigmoid`, `relu`, ...) and their derivatives.

use smallvec::{smallvec, SmallVec};

use super::arith::{cast, div, mul, mul_scalar, neg, rsub_scalar};
use super::backend;
use super::kinds::UnaryOp;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{DType, Scalar, Tensor};

/// Whether the op computes in floating point (integer inputs become float32, as in PyTorch).
fn is_float_op(op: UnaryOp) -> bool {
    !matches!(
        op,
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Relu | UnaryOp::Square
    )
}

/// Which tensor the derivative needs: the input, the output, or neither.
enum Needs {
    Nothing,
    Input,
    Output,
}

fn needs(op: UnaryOp) -> Needs {
    match op {
        UnaryOp::Neg | UnaryOp::Sign => Needs::Nothing,
        UnaryOp::Abs | UnaryOp::Log | UnaryOp::Sin | UnaryOp::Cos | UnaryOp::Square => Needs::Input,
        UnaryOp::Exp
        | UnaryOp::Sqrt
        | UnaryOp::Rsqrt
        | UnaryOp::Tanh
        | UnaryOp::Sigmoid
        | UnaryOp::Relu
        | UnaryOp::Reciprocal => Needs::Output,
    }
}

/// `op(x)`, recorded.
pub fn unary(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    if x.dtype() == DType::Bool && op == UnaryOp::Neg {
        return Err(Error::not_implemented(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
        ));
    }
    let dtype = if is_float_op(op) {
        x.dtype().to_floating()
    } else {
        x.dtype()
    };
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
    tanh => Tanh, sigmoid => Sigmoid, relu => Relu, reciprocal => Reciprocal, square => Square);

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
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let grad = match self.op {
            UnaryOp::Neg => neg(g)?,
            UnaryOp::Sign => super::creation::zeros_like(g)?,
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
