//! `Tensor.addcmul`, `addcdiv`, `lerp` and their in-place forms (see `ops::fused`).

use pyo3::prelude::*;

use super::args::{extract_operand, extract_scalar, tensor_arg, type_error, Operand};
use super::tensor::PyTensor;
use crate::ops::fused;
use crate::tensor::{Scalar, Tensor};

/// A number argument (`alpha=`, `value=`); `None` when absent.
pub fn multiplier(
    fname: &str,
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Scalar>> {
    match value {
        Some(v) if !v.is_none() => extract_scalar(v)
            .map(Some)
            .ok_or_else(|| type_error(fname, name, "Number", v)),
        _ => Ok(None),
    }
}

/// The tensors and `value` (default 1) of an `addc*` call.
fn addc_args(
    fname: &str,
    tensor1: &Bound<'_, PyAny>,
    tensor2: &Bound<'_, PyAny>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Tensor, Tensor, Scalar)> {
    Ok((
        tensor_arg(tensor1, fname, "tensor1")?,
        tensor_arg(tensor2, fname, "tensor2")?,
        multiplier(fname, "value", value)?.unwrap_or(Scalar::Int(1)),
    ))
}

/// `end` and `weight` (a number or a tensor) of a `lerp` call.
fn lerp_args(
    fname: &str,
    end: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
) -> PyResult<(Tensor, Operand)> {
    let end = tensor_arg(end, fname, "end")?;
    let weight =
        extract_operand(weight).ok_or_else(|| type_error(fname, "weight", "Tensor", weight))?;
    Ok((end, weight))
}

#[pymethods]
impl PyTensor {
    /// `self + value * tensor1 * tensor2`.
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul(
        &self,
        tensor1: &Bound<'_, PyAny>,
        tensor2: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let (t1, t2, v) = addc_args("addcmul", tensor1, tensor2, value)?;
        Ok(fused::addcmul(&self.t, &t1, &t2, v)?.into())
    }

    /// `self + value * tensor1 / tensor2`.
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv(
        &self,
        tensor1: &Bound<'_, PyAny>,
        tensor2: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let (t1, t2, v) = addc_args("addcdiv", tensor1, tensor2, value)?;
        Ok(fused::addcdiv(&self.t, &t1, &t2, v)?.into())
    }

    /// `self += value * tensor1 * tensor2`.
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul_<'py>(
        slf: Bound<'py, Self>,
        tensor1: &Bound<'py, PyAny>,
        tensor2: &Bound<'py, PyAny>,
        value: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let (t1, t2, v) = addc_args("addcmul_", tensor1, tensor2, value)?;
        fused::addcmul_(&slf.borrow().t, &t1, &t2, v)?;
        Ok(slf)
    }

    /// `self += value * tensor1 / tensor2`.
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv_<'py>(
        slf: Bound<'py, Self>,
        tensor1: &Bound<'py, PyAny>,
        tensor2: &Bound<'py, PyAny>,
        value: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let (t1, t2, v) = addc_args("addcdiv_", tensor1, tensor2, value)?;
        fused::addcdiv_(&slf.borrow().t, &t1, &t2, v)?;
        Ok(slf)
    }

    /// `self + weight * (end - self)`; `weight` is a number or a tensor.
    fn lerp(&self, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let (end, weight) = lerp_args("lerp", end, weight)?;
        Ok(fused::lerp(&self.t, &end, weight.as_rhs())?.into())
    }

    /// In-place `lerp`.
    fn lerp_<'py>(
        slf: Bound<'py, Self>,
        end: &Bound<'py, PyAny>,
        weight: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let (end, weight) = lerp_args("lerp_", end, weight)?;
        fused::lerp_(&slf.borrow().t, &end, weight.as_rhs())?;
        Ok(slf)
    }
}
