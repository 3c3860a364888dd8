//! Elementwise math from Python: rounding, hyperbolic and inverse trigonometric functions,
//! `erf`, `clamp`, `atan2`, `fmod`/`remainder` (`%`), `floor_divide` (`//`),
//! `maximum`/`minimum`, NaN tests, and the logical and bitwise ops (`& | ^ ~`).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use super::args::{extract_operand, extract_scalar, operand_arg, tensor_arg, type_error, Operand};
use super::tensor::PyTensor;
use super::tensor_math::{not_implemented, wrap, Out};
use crate::ops::kinds::{BinaryOp, PredicateOp, UnaryOp};
use crate::ops::{self, Rhs};
use crate::tensor::Tensor;

macro_rules! unary_methods {
    ($($name:ident => $op:ident),* $(,)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self) -> PyResult<PyTensor> {
                    Ok(ops::unary::unary(UnaryOp::$op, &self.t)?.into())
                }
            )*
        }
    };
}

unary_methods!(exp2 => Exp2, expm1 => Expm1, log2 => Log2, log10 => Log10, log1p => Log1p,
    floor => Floor, ceil => Ceil, trunc => Trunc, fix => Trunc, frac => Frac, sinh => Sinh,
    cosh => Cosh, tan => Tan, asin => Asin, arcsin => Asin, acos => Acos, arccos => Acos,
    atan => Atan, arctan => Atan, erf => Erf, erfinv => Erfinv);

macro_rules! predicate_methods {
    ($($name:ident => $op:ident),* $(,)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self) -> PyResult<PyTensor> {
                    Ok(ops::nonfinite::predicate(PredicateOp::$op, &self.t)?.into())
                }
            )*
        }
    };
}

predicate_methods!(isnan => IsNan, isinf => IsInf, isposinf => IsPosInf, isneginf => IsNegInf,
    isfinite => IsFinite);

/// `a op b` for a named method: `other` must be a tensor or a number.
fn named(op: BinaryOp, a: &Tensor, other: &Bound<'_, PyAny>, fname: &str) -> PyResult<PyTensor> {
    let b = operand_arg(other, fname, "other")?;
    Ok(ops::arith::binary(op, a, b.as_rhs())?.into())
}

/// `a op b` for an operator slot (NotImplemented for foreign operands).
fn slot(py: Python<'_>, op: BinaryOp, a: &Tensor, other: &Bound<'_, PyAny>) -> Out {
    match extract_operand(other) {
        Some(b) => wrap(py, ops::arith::binary(op, a, b.as_rhs())),
        None => not_implemented(py),
    }
}

/// `other op a` for a reflected operator slot (`2 % x`).
fn reflected(py: Python<'_>, op: BinaryOp, a: &Tensor, other: &Bound<'_, PyAny>) -> Out {
    match extract_operand(other) {
        Some(Operand::Tensor(b)) => wrap(py, ops::arith::binary(op, &b, Rhs::Tensor(a))),
        Some(Operand::Scalar(s)) => wrap(py, ops::binary_math::binary_reflected(op, a, s)),
        None => not_implemented(py),
    }
}

/// `a op= other`, with the op's own checks before anything is written.
fn inplace(a: &Tensor, op: BinaryOp, other: &Bound<'_, PyAny>) -> PyResult<()> {
    let b = operand_arg(other, "inplace operator", "other")?;
    ops::binary_math::check_inplace(op, a, &b.as_rhs())?;
    Ok(ops::inplace::binary_(op, a, b.as_rhs())?)
}

/// A tensor-only `other` (as for `maximum`), with PyTorch's TypeError.
fn tensor_other(other: &Bound<'_, PyAny>, fname: &str) -> PyResult<Tensor> {
    other
        .cast::<PyTensor>()
        .map(|t| t.borrow().t.clone())
        .map_err(|_| {
            let got = other
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            PyTypeError::new_err(format!(
                "{fname}(): argument 'other' (position 1) must be Tensor, not {got}"
            ))
        })
}

/// A clamp bound: `None`, a number or a tensor.
pub(super) fn bound(
    obj: Option<&Bound<'_, PyAny>>,
    fname: &str,
    arg: &str,
) -> PyResult<Option<Operand>> {
    match obj {
        Some(o) if !o.is_none() => {
            Ok(Some(extract_operand(o).ok_or_else(|| {
                type_error(fname, arg, "Tensor or Number", o)
            })?))
        }
        _ => Ok(None),
    }
}

#[pymethods]
impl PyTensor {
    /// `round(decimals=0)`: half to even; with `decimals`, at that many decimal places.
    #[pyo3(signature = (*, decimals=0))]
    fn round(&self, decimals: i64) -> PyResult<PyTensor> {
        Ok(if decimals == 0 {
            ops::unary::round(&self.t)?
        } else {
            ops::unary::round_decimals(&self.t, decimals)?
        }
        .into())
    }

    fn atan2(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = tensor_arg(other, "atan2", "other")?;
        Ok(ops::arith::binary(BinaryOp::Atan2, &self.t, Rhs::Tensor(&b))?.into())
    }
    fn arctan2(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.atan2(other)
    }

    /// `clamp(min=None, max=None)`: both bounds numbers, or both tensors.
    #[pyo3(signature = (min=None, max=None))]
    fn clamp(
        &self,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let (lo, hi) = (bound(min, "clamp", "min")?, bound(max, "clamp", "max")?);
        Ok(ops::clamp::clamp(
            &self.t,
            lo.as_ref().map(Operand::as_rhs),
            hi.as_ref().map(Operand::as_rhs),
        )?
        .into())
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clip(
        &self,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        self.clamp(min, max)
    }
    fn clamp_min(&self, min: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let lo = operand_arg(min, "clamp_min", "min")?;
        Ok(ops::clamp::clamp_min(&self.t, lo.as_rhs())?.into())
    }
    fn clamp_max(&self, max: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let hi = operand_arg(max, "clamp_max", "max")?;
        Ok(ops::clamp::clamp_max(&self.t, hi.as_rhs())?.into())
    }

    fn maximum(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = tensor_other(other, "maximum")?;
        Ok(ops::arith::binary(BinaryOp::Maximum, &self.t, Rhs::Tensor(&b))?.into())
    }
    fn minimum(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = tensor_other(other, "minimum")?;
        Ok(ops::arith::binary(BinaryOp::Minimum, &self.t, Rhs::Tensor(&b))?.into())
    }

    fn fmod(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        named(BinaryOp::Fmod, &self.t, other, "fmod")
    }
    fn remainder(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        named(BinaryOp::Remainder, &self.t, other, "remainder")
    }
    fn floor_divide(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        named(BinaryOp::FloorDivide, &self.t, other, "floor_divide")
    }
    fn __mod__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        slot(py, BinaryOp::Remainder, &self.t, other)
    }
    fn __rmod__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::Remainder, &self.t, other)
    }
    fn __imod__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::Remainder, other)
    }
    fn __floordiv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        slot(py, BinaryOp::FloorDivide, &self.t, other)
    }
    fn __rfloordiv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::FloorDivide, &self.t, other)
    }
    fn __ifloordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::FloorDivide, other)
    }

    /// `nan_to_num(nan=0.0, posinf=None, neginf=None)`.
    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num(
        &self,
        nan: Option<f64>,
        posinf: Option<f64>,
        neginf: Option<f64>,
    ) -> PyResult<PyTensor> {
        Ok(ops::nonfinite::nan_to_num(&self.t, nan, posinf, neginf)?.into())
    }

    fn logical_not(&self) -> PyResult<PyTensor> {
        Ok(ops::compare::logical_not(&self.t)?.into())
    }
    fn logical_and(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = tensor_arg(other, "logical_and", "other")?;
        Ok(ops::binary_math::logical(BinaryOp::BitAnd, &self.t, &b)?.into())
    }
    fn logical_or(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = tensor_arg(other, "logical_or", "other")?;
        Ok(ops::binary_math::logical(BinaryOp::BitOr, &self.t, &b)?.into())
    }
    fn logical_xor(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = tensor_arg(other, "logical_xor", "other")?;
        Ok(ops::binary_math::logical(BinaryOp::BitXor, &self.t, &b)?.into())
    }

    fn bitwise_not(&self) -> PyResult<PyTensor> {
        Ok(ops::binary_math::bitwise_not(&self.t)?.into())
    }
    fn __invert__(&self) -> PyResult<PyTensor> {
        if self.t.dtype().is_floating_point() {
            return Err(PyTypeError::new_err(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
            ));
        }
        self.bitwise_not()
    }
    fn bitwise_and(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        named(BinaryOp::BitAnd, &self.t, other, "bitwise_and")
    }
    fn bitwise_or(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        named(BinaryOp::BitOr, &self.t, other, "bitwise_or")
    }
    fn bitwise_xor(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        named(BinaryOp::BitXor, &self.t, other, "bitwise_xor")
    }
    fn __and__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        slot(py, BinaryOp::BitAnd, &self.t, other)
    }
    fn __rand__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::BitAnd, &self.t, other)
    }
    fn __iand__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::BitAnd, other)
    }
    fn __or__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        slot(py, BinaryOp::BitOr, &self.t, other)
    }
    fn __ror__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::BitOr, &self.t, other)
    }
    fn __ior__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::BitOr, other)
    }
    fn __xor__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        slot(py, BinaryOp::BitXor, &self.t, other)
    }
    fn __rxor__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::BitXor, &self.t, other)
    }
    fn __ixor__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::BitXor, other)
    }
}

/// `ferrograd.remainder(input, other)`: `input` may be a number when `other` is a tensor.
#[pyfunction]
pub fn remainder(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> Out {
    if let Ok(t) = input.cast::<PyTensor>() {
        let b = operand_arg(other, "remainder", "other")?;
        return wrap(
            py,
            ops::arith::binary(BinaryOp::Remainder, &t.borrow().t, b.as_rhs()),
        );
    }
    let s =
        extract_scalar(input).ok_or_else(|| type_error("remainder", "input", "Tensor", input))?;
    let b = tensor_arg(other, "remainder", "other")?;
    wrap(
        py,
        ops::binary_math::binary_reflected(BinaryOp::Remainder, &b, s),
    )
}
