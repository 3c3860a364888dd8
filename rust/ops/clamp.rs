//! `clamp` (alias `clip`), `clamp_min` and `clamp_max`, with number or tensor bounds.

use smallvec::smallvec;

use super::arith::{add, cast, mul, mul_scalar, operand, rhs_tensor, Rhs};
use super::backend;
use super::compare::compare;
use super::conditional::where_scalar;
use super::kinds::{BinaryOp, CompareOp, TernaryOp};
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{result_type, Operand, Scalar, Tensor};

/// Which function was called: it decides the node's name, as in PyTorch.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum ClampFn {
    Clamp,
    ClampMin,
    ClampMax,
}

/// `clamp(x, min, max)`: bounds are both numbers or both tensors (either may be absent).
pub fn clamp(x: &Tensor, min: Option<Rhs>, max: Option<Rhs>) -> Result<Tensor> {
    clamp_as(ClampFn::Clamp, x, min, max)
}

/// `clamp_min(x, min)`.
pub fn clamp_min(x: &Tensor, min: Rhs) -> Result<Tensor> {
    clamp_as(ClampFn::ClampMin, x, Some(min), None)
}

/// `clamp_max(x, max)`.
pub fn clamp_max(x: &Tensor, max: Rhs) -> Result<Tensor> {
    clamp_as(ClampFn::ClampMax, x, None, Some(max))
}

fn clamp_as(f: ClampFn, x: &Tensor, min: Option<Rhs>, max: Option<Rhs>) -> Result<Tensor> {
    let bounds: Vec<Rhs> = [min, max].into_iter().flatten().collect();
    if bounds.is_empty() {
        return Err(Error::runtime(
            "ferrograd.clamp: At least one of 'min' or 'max' must not be None",
        ));
    }
    let tensor_bounds = bounds.iter().any(|b| b.tensor().is_some());
    if tensor_bounds && bounds.iter().any(|b| b.tensor().is_none()) {
        return Err(Error::type_error(
            "clamp() received an invalid combination of arguments - got (Tensor, Number), but expected one of:\n * (Tensor min = None, Tensor max = None)\n * (Number min = None, Number max = None)",
        ));
    }
    let operands: Vec<Operand> = std::iter::once(operand(x))
        .chain(bounds.iter().map(Rhs::operand))
        .collect();
    let dtype = result_type(&operands);
    let xc = cast(x, dtype)?;
    let bound = |b: &Option<Rhs>| {
        b.as_ref()
            .map(|b| rhs_tensor(b, dtype, x.device()))
            .transpose()
    };
    let (lo, hi) = (bound(&min)?, bound(&max)?);
    let out = match (&lo, &hi) {
        (Some(lo), Some(hi)) => backend::ternary(TernaryOp::Clamp, &xc, lo, hi)?,
        (Some(lo), None) => backend::binary(BinaryOp::Maximum, &xc, lo)?,
        (None, Some(hi)) => backend::binary(BinaryOp::Minimum, &xc, hi)?,
        (None, None) => unreachable!("checked above"),
    };
    let (tmin, tmax) = (min.and_then(|b| b.tensor()), max.and_then(|b| b.tensor()));
    let inputs: Vec<&Tensor> = [Some(x), tmin, tmax].into_iter().flatten().collect();
    if is_recording(&inputs) {
        let node = ClampBackward {
            f,
            scalar_min: min.and_then(|b| b.scalar()),
            scalar_max: max.and_then(|b| b.scalar()),
            tensor_bounds,
        };
        record(
            node,
            &[Some(x), tmin, tmax],
            smallvec![
                save_if(true, x),
                tmin.and_then(|t| save_if(true, t)),
                tmax.and_then(|t| save_if(true, t))
            ],
            &[&out],
        )?;
    }
    Ok(out)
}

struct ClampBackward {
    f: ClampFn,
    scalar_min: Option<Scalar>,
    scalar_max: Option<Scalar>,
    tensor_bounds: bool,
}

/// `sum(coefficient * mask)` as a tensor of `like`'s dtype: how much of the gradient each
/// element passes on.
fn weight(terms: &[(Tensor, f64)], like: &Tensor) -> Result<Tensor> {
    let mut acc: Option<Tensor> = None;
    for (mask, c) in terms {
        let term = mul_scalar(&cast(mask, like.dtype())?, Scalar::Float(*c))?;
        acc = Some(match acc {
            None => term,
            Some(a) => add(&a, &term)?,
        });
    }
    acc.ok_or_else(|| Error::runtime("internal error: empty clamp weight"))
}

fn cmp(op: CompareOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(op, a, Rhs::Tensor(b))
}

fn and(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    super::binary_math::logical_and(a, b)
}

impl ClampBackward {
    /// Gradients for tensor bounds. Ties split evenly, as `maximum`/`minimum` do: where
    /// `x == lo < hi`, `x` and `lo` get half each; where `lo > hi` the result is `hi`.
    fn tensor_weights(
        &self,
        x: &Tensor,
        lo: Option<&Tensor>,
        hi: Option<&Tensor>,
        like: &Tensor,
    ) -> Result<[Option<Tensor>; 3]> {
        use CompareOp::*;
        Ok(match (lo, hi) {
            (Some(lo), None) => [
                Some(weight(
                    &[(cmp(Gt, x, lo)?, 1.0), (cmp(Eq, x, lo)?, 0.5)],
                    like,
                )?),
                Some(weight(
                    &[(cmp(Lt, x, lo)?, 1.0), (cmp(Eq, x, lo)?, 0.5)],
                    like,
                )?),
                None,
            ],
            (None, Some(hi)) => [
                Some(weight(
                    &[(cmp(Lt, x, hi)?, 1.0), (cmp(Eq, x, hi)?, 0.5)],
                    like,
                )?),
                None,
                Some(weight(
                    &[(cmp(Gt, x, hi)?, 1.0), (cmp(Eq, x, hi)?, 0.5)],
                    like,
                )?),
            ],
            (Some(lo), Some(hi)) => {
                let ordered = cmp(Lt, lo, hi)?;
                let x_at_lo = and(&cmp(Eq, x, lo)?, &ordered)?;
                let x_at_hi = and(&cmp(Eq, x, hi)?, &ordered)?;
                let inside = and(&cmp(Gt, x, lo)?, &cmp(Lt, x, hi)?)?;
                let all_equal = and(&cmp(Eq, x, lo)?, &cmp(Eq, lo, hi)?)?;
                let below = and(&cmp(Lt, x, lo)?, &cmp(Le, lo, hi)?)?;
                let above = and(&cmp(Gt, x, hi)?, &cmp(Ge, hi, lo)?)?;
                [
                    Some(weight(
                        &[
                            (inside, 1.0),
                            (x_at_lo.clone(), 0.5),
                            (x_at_hi.clone(), 0.5),
                            (all_equal, 1.0),
                        ],
                        like,
                    )?),
                    Some(weight(&[(below, 1.0), (x_at_lo, 0.5)], like)?),
                    Some(weight(
                        &[(cmp(Lt, hi, lo)?, 1.0), (above, 1.0), (x_at_hi, 0.5)],
                        like,
                    )?),
                ]
            }
            (None, None) => [None, None, None],
        })
    }
}

impl Backward for ClampBackward {
    fn name(&self) -> &str {
        match (self.f, self.tensor_bounds) {
            (ClampFn::Clamp, true) => "ClampBackward0",
            (ClampFn::Clamp, false) => "ClampBackward1",
            (ClampFn::ClampMin, false) => "ClampMinBackward0",
            (ClampFn::ClampMin, true) => "ClampMinBackward1",
            (ClampFn::ClampMax, false) => "ClampMaxBackward0",
            (ClampFn::ClampMax, true) => "ClampMaxBackward1",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, x) = (ctx.grad(), ctx.saved(0)?);
        if !self.tensor_bounds {
            // Number bounds: the gradient passes strictly inside them.
            let mut inside: Option<Tensor> = None;
            let conditions = [
                (self.scalar_min, CompareOp::Gt),
                (self.scalar_max, CompareOp::Lt),
            ];
            for (bound, op) in conditions {
                if let Some(s) = bound {
                    let m = compare(op, x, Rhs::Scalar(s))?;
                    inside = Some(match inside {
                        None => m,
                        Some(prev) => and(&prev, &m)?,
                    });
                }
            }
            let inside = inside.ok_or_else(|| Error::runtime("internal error: no clamp bound"))?;
            let outside = super::compare::logical_not(&inside)?;
            return Ok(smallvec![Some(where_scalar(&outside, Scalar::Int(0), g)?)]);
        }
        // Saved slots 1 and 2 hold the tensor bounds that were given.
        let (lo, hi) = (ctx.saved(1).ok(), ctx.saved(2).ok());
        let weights = self.tensor_weights(x, lo, hi, g)?;
        let mut grads: Grads = smallvec![];
        for (i, w) in weights.into_iter().enumerate() {
            grads.push(match w {
                Some(w) if ctx.needs(i) => Some(mul(g, &w)?),
                _ => None,
            });
        }
        Ok(grads)
    }
}
