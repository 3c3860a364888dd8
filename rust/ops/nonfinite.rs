//! NaN and infinity: `isnan`, `isinf`, `isposinf`, `isneginf`, `isfinite`, `nan_to_num`.

use smallvec::smallvec;

use super::arith::Rhs;
use super::backend;
use super::conditional::where_;
use super::kinds::PredicateOp;
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::Result;
use crate::tensor::{DType, Scalar, Tensor};

/// `test(x)` as a bool tensor (never requires grad).
pub fn predicate(op: PredicateOp, x: &Tensor) -> Result<Tensor> {
    backend::predicate(op, x)
}

/// `nan_to_num(x, nan, posinf, neginf)`: NaN becomes `nan` (default 0), infinities become
/// `posinf`/`neginf` (default: the dtype's largest/smallest finite value). Integers and
/// bools come back as a copy.
pub fn nan_to_num(
    x: &Tensor,
    nan: Option<f64>,
    posinf: Option<f64>,
    neginf: Option<f64>,
) -> Result<Tensor> {
    if !x.dtype().is_floating_point() {
        return super::copy::clone(x);
    }
    let (lowest, highest) = match x.dtype() {
        DType::Float32 => (f32::MIN as f64, f32::MAX as f64),
        _ => (f64::MIN, f64::MAX),
    };
    let out = {
        let _plain = GradModeGuard::new(false);
        let mut out = x.clone();
        let replacements = [
            (PredicateOp::IsNan, nan.unwrap_or(0.0)),
            (PredicateOp::IsPosInf, posinf.unwrap_or(highest)),
            (PredicateOp::IsNegInf, neginf.unwrap_or(lowest)),
        ];
        for (test, value) in replacements {
            let hit = backend::predicate(test, x)?;
            out = where_(&hit, Rhs::Scalar(Scalar::Float(value)), Rhs::Tensor(&out))?;
        }
        out
    };
    if is_recording(&[x]) {
        record(
            NanToNumBackward,
            &[Some(x)],
            smallvec![Some(SavedTensor::input(x))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// The gradient passes where the input was finite.
struct NanToNumBackward;

impl Backward for NanToNumBackward {
    fn name(&self) -> &str {
        "NanToNumBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let finite = backend::predicate(PredicateOp::IsFinite, ctx.saved(0)?)?;
        Ok(smallvec![Some(where_(
            &finite,
            Rhs::Tensor(ctx.grad()),
            Rhs::Scalar(Scalar::Int(0))
        )?)])
    }
}
