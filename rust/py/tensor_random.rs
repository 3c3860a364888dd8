//! Randomness that `nn.init` and data loading need: the in-place fills `uniform_` and
//! `normal_`, `randperm`, and the truncated normal behind `nn.init.trunc_normal_`.

use pyo3::prelude::*;

use super::args::{sizes_from, tensor_arg};
use super::random::{with_generator, PyGenerator};
use super::tensor::{Options, PyTensor};
use crate::ops::{creation, random_fill};
use crate::tensor::DType;

#[pymethods]
impl PyTensor {
    /// Fills the tensor with values drawn uniformly from `[from, to)`.
    #[pyo3(signature = (from=0.0, to=1.0, *, generator=None))]
    fn uniform_<'py>(
        slf: Bound<'py, Self>,
        from: f64,
        to: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.borrow().t.clone();
        with_generator(generator.as_deref(), |g| {
            random_fill::uniform_(&t, from, to, g)
        })?;
        Ok(slf)
    }

    /// Fills the tensor with values drawn from `N(mean, std^2)`.
    #[pyo3(signature = (mean=0.0, std=1.0, *, generator=None))]
    fn normal_<'py>(
        slf: Bound<'py, Self>,
        mean: f64,
        std: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.borrow().t.clone();
        with_generator(generator.as_deref(), |g| {
            random_fill::normal_(&t, mean, std, g)
        })?;
        Ok(slf)
    }
}

/// `randperm(n)`: a random permutation of the integers `0..n` (int64 by default).
#[pyfunction]
#[pyo3(signature = (n, *, generator=None, dtype=None, device=None, requires_grad=false))]
pub fn randperm(
    n: i64,
    generator: Option<PyRef<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<PyTensor> {
    let o = Options::read(dtype, device, requires_grad)?;
    let n = sizes_from(&[n])?[0];
    let t = with_generator(generator.as_deref(), |g| {
        creation::randperm(n, o.dtype.unwrap_or(DType::Int64), o.device, g)
    })?;
    o.finish(t)
}

/// `nn.init.trunc_normal_`'s sampler: fills `tensor` in place with `N(mean, std^2)` values
/// conditioned on lying in `[a, b]`.
#[pyfunction]
#[pyo3(signature = (tensor, mean, std, a, b, generator=None))]
pub fn _trunc_normal_<'py>(
    tensor: &Bound<'py, PyAny>,
    mean: f64,
    std: f64,
    a: f64,
    b: f64,
    generator: Option<PyRef<'py, PyGenerator>>,
) -> PyResult<Bound<'py, PyAny>> {
    let t = tensor_arg(tensor, "trunc_normal_", "tensor")?;
    with_generator(generator.as_deref(), |g| {
        random_fill::trunc_normal_(&t, mean, std, a, b, g)
    })?;
    Ok(tensor.clone())
}
