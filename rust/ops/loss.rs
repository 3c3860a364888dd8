//! Loss functions with fused, numerically stable formulas.

use smallvec::smallvec;

use super::arith::neg;
use super::arith::{add, add_scalar, mul, mul_scalar, rsub_scalar, sub};
use super::kinds::UnaryOp;
use super::reduce::{mean, sum};
use super::unary::{exp, log, relu, sigmoid, unary};
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, shape_str, Scalar, Tensor};

/// How a per-element loss becomes the result.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Reduction {
    None,
    Mean,
    Sum,
}

impl Reduction {
    pub fn parse(s: &str) -> Result<Reduction> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            other => Err(Error::value(format!(
                "{other} is not a valid value for reduction"
            ))),
        }
    }

    pub(crate) fn apply(self, x: &Tensor) -> Result<Tensor> {
        match self {
            Reduction::None => Ok(x.clone()),
            Reduction::Mean => mean(x),
            Reduction::Sum => sum(x),
        }
    }
}

/// `binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)`:
/// `-w [p t log σ(x) + (1 - t) log(1 - σ(x))]`, computed as
/// `(1 - t) x + (1 + (p - 1) t) (log(1 + e^-|x|) + max(-x, 0))` so it never overflows.
pub fn binary_cross_entropy_with_logits(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    pos_weight: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Tensor> {
    if target.shape() != input.shape() {
        return Err(Error::value(format!(
            "Target size (ferrograd.Size({})) must be the same as input size (ferrograd.Size({}))",
            shape_str(target.shape()),
            shape_str(input.shape())
        )));
    }
    for w in weight.iter().chain(pos_weight.iter()) {
        broadcast_shapes(w.shape(), input.shape())?;
    }
    let per_element = {
        let _plain = GradModeGuard::new(false);
        let softplus_neg = softplus_of_negative(input)?;
        let log_weight = match pos_weight {
            Some(p) => add_scalar(
                &mul(&add_scalar(p, Scalar::Int(-1))?, target)?,
                Scalar::Int(1),
            )?,
            None => crate::ops::creation::ones(&[], input.dtype(), input.device())?,
        };
        let loss = add(
            &mul(&rsub_scalar(target, Scalar::Int(1))?, input)?,
            &mul(&log_weight, &softplus_neg)?,
        )?;
        match weight {
            Some(w) => mul(&loss, w)?,
            None => loss,
        }
    };
    let out = {
        let _plain = GradModeGuard::new(false);
        reduction.apply(&per_element)?
    };
    let inputs: Vec<&Tensor> = [Some(input), Some(target), weight, pos_weight]
        .into_iter()
        .flatten()
        .collect();
    if is_recording(&inputs) {
        let saved = smallvec![
            Some(SavedTensor::input(input)),
            Some(SavedTensor::input(target)),
            weight.map(SavedTensor::input),
            pos_weight.map(SavedTensor::input),
        ];
        let node = BceWithLogitsBackward {
            reduction,
            numel: input.numel(),
            has_weight: weight.is_some(),
            has_pos_weight: pos_weight.is_some(),
        };
        record(node, &[Some(input), Some(target)], saved, &[&out])?;
    }
    Ok(out)
}

/// `log(1 + e^-x)`, stable for any `x`: `log(1 + e^-|x|) + max(-x, 0)`.
fn softplus_of_negative(x: &Tensor) -> Result<Tensor> {
    add(
        &log(&add_scalar(
            &exp(&neg(&unary(UnaryOp::Abs, x)?)?)?,
            Scalar::Int(1),
        )?)?,
        &relu(&neg(x)?)?,
    )
}

struct BceWithLogitsBackward {
    reduction: Reduction,
    numel: usize,
    has_weight: bool,
    has_pos_weight: bool,
}

impl Backward for BceWithLogitsBackward {
    fn name(&self) -> &str {
        "BinaryCrossEntropyWithLogitsBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, t) = (ctx.saved(0)?, ctx.saved(1)?);
        let mut g = ctx.grad().clone();
        if self.reduction == Reduction::Mean {
            g = mul_scalar(&g, Scalar::Float(1.0 / self.numel as f64))?;
        }
        if self.has_weight {
            g = mul(&g, ctx.saved(2)?)?;
        }
        let s = sigmoid(x)?;
        let grad_input = if ctx.needs(0) {
            // d/dx = (1 + (p-1) t) σ(x) - p t   (p = 1 without pos_weight: σ(x) - t)
            let d = if self.has_pos_weight {
                let p = ctx.saved(3)?;
                let pt = mul(p, t)?;
                sub(&mul(&add_scalar(&sub(&pt, t)?, Scalar::Int(1))?, &s)?, &pt)?
            } else {
                sub(&s, t)?
            };
            Some(mul(&d, &g)?)
        } else {
            None
        };
        let grad_target = if ctx.needs(1) {
            // d/dt = -x + (p - 1) softplus(-x)   (-x without pos_weight)
            let d = if self.has_pos_weight {
                let p = ctx.saved(3)?;
                add(
                    &neg(x)?,
                    &mul(&add_scalar(p, Scalar::Int(-1))?, &softplus_of_negative(x)?)?,
                )?
            } else {
                neg(x)?
            };
            Some(mul(&d, &g)?)
        } else {
            None
        };
        Ok(smallvec![grad_input, grad_target])
    }
}
