//! In-place math methods (`x.exp_()`, `x.clamp_(0, 1)`, ...): the out-of-place op's result
//! written into the tensor, recorded under the same node name, as PyTorch does.

use pyo3::prelude::*;

use super::args::{operand_arg, Operand};
use super::tensor::PyTensor;
use super::tensor_elementwise::bound;
use crate::ops;
use crate::tensor::Tensor;

/// Writes `f(self)` into `self` and returns `self`.
fn in_place<'py>(
    slf: Bound<'py, PyTensor>,
    f: impl Fn(&Tensor) -> crate::Result<Tensor>,
) -> PyResult<Bound<'py, PyTensor>> {
    ops::inplace::map_(&slf.borrow().t, f)?;
    Ok(slf)
}

/// One `name_(self)` method per unary op.
macro_rules! unary_in_place {
    ($($method:ident => $op:path),* $(,)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("`self.", stringify!($method), "()`: the result written into `self`.")]
                fn $method(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
                    in_place(slf, $op)
                }
            )*
        }
    };
}

unary_in_place!(
    abs_ => ops::unary::abs, neg_ => ops::arith::neg, exp_ => ops::unary::exp,
    log_ => ops::unary::log, sqrt_ => ops::unary::sqrt, rsqrt_ => ops::unary::rsqrt,
    sin_ => ops::unary::sin, cos_ => ops::unary::cos, tanh_ => ops::unary::tanh,
    sigmoid_ => ops::unary::sigmoid, relu_ => ops::unary::relu, reciprocal_ => ops::unary::reciprocal,
    square_ => ops::unary::square, floor_ => ops::unary::floor, ceil_ => ops::unary::ceil,
    trunc_ => ops::unary::trunc, frac_ => ops::unary::frac, sign_ => ops::unary::sign,
);

#[pymethods]
impl PyTensor {
    /// `clamp_(min=None, max=None)`: `clamp` written into `self`.
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(
        slf: Bound<'py, Self>,
        min: Option<&Bound<'py, PyAny>>,
        max: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let (lo, hi) = (bound(min, "clamp_", "min")?, bound(max, "clamp_", "max")?);
        in_place(slf, |t| {
            ops::clamp::clamp(
                t,
                lo.as_ref().map(Operand::as_rhs),
                hi.as_ref().map(Operand::as_rhs),
            )
        })
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clip_<'py>(
        slf: Bound<'py, Self>,
        min: Option<&Bound<'py, PyAny>>,
        max: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        Self::clamp_(slf, min, max)
    }
    fn clamp_min_<'py>(
        slf: Bound<'py, Self>,
        min: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let lo = operand_arg(min, "clamp_min_", "min")?;
        in_place(slf, |t| ops::clamp::clamp_min(t, lo.as_rhs()))
    }
    fn clamp_max_<'py>(
        slf: Bound<'py, Self>,
        max: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let hi = operand_arg(max, "clamp_max_", "max")?;
        in_place(slf, |t| ops::clamp::clamp_max(t, hi.as_rhs()))
    }
}
