//! Reductions from Python: `prod`, `var`/`std` (and `var_mean`/`std_mean`), `amax`/`amin`,
//! `argmax`/`argmin`, `logsumexp`, `cumsum`/`cumprod`, `all`/`any`, `count_nonzero`,
//! `median`, `sort`/`argsort`, `topk`.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyTuple};
use pyo3::IntoPyObjectExt;

use super::args::{int_or_list, tensor_arg};
use super::tensor::PyTensor;
use super::tensor_math::{dims_arg, values_indices, Out};
use crate::ops::moments::{moments, Moment};
use crate::ops::{self};
use crate::tensor::Tensor;

/// `x` in `dtype` first, when a `dtype=` argument is given.
fn with_dtype(x: &Tensor, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
    Ok(match super::dtype::extract_dtype_opt(dtype)? {
        Some(d) => ops::to_dtype(x, d)?,
        None => x.clone(),
    })
}

/// The arguments of `var`/`std`: `(dim, unbiased, keepdim, correction)` with PyTorch's
/// overloads (`var(True)` means `unbiased=True`).
struct MomentArgs {
    dims: Option<Vec<i64>>,
    correction: f64,
    keepdim: bool,
}

impl MomentArgs {
    fn parse(
        dim: Option<&Bound<'_, PyAny>>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<f64>,
    ) -> PyResult<MomentArgs> {
        let (dim, unbiased) = match dim {
            Some(d) if d.cast::<PyBool>().is_ok() => (None, Some(d.extract::<bool>()?)),
            d => (d, unbiased),
        };
        let correction = match (correction, unbiased) {
            (Some(c), _) => c,
            (None, Some(false)) => 0.0,
            _ => 1.0,
        };
        Ok(MomentArgs {
            dims: dims_arg(dim)?,
            correction,
            keepdim,
        })
    }

    fn run(
        &self,
        x: &Tensor,
        moment: Moment,
        with_mean: bool,
    ) -> crate::Result<(Tensor, Option<Tensor>)> {
        moments(
            x,
            moment,
            self.dims.as_deref(),
            self.correction,
            self.keepdim,
            with_mean,
        )
    }
}

#[pymethods]
impl PyTensor {
    /// `prod(dim=None, keepdim=False, *, dtype=None)`.
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn prod(
        &self,
        dim: Option<i64>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let x = with_dtype(&self.t, dtype)?;
        Ok(ops::product::prod(&x, dim, keepdim)?.into())
    }

    /// `var(dim=None, unbiased=True, keepdim=False, *, correction=1)`.
    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn var(
        &self,
        dim: Option<&Bound<'_, PyAny>>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<f64>,
    ) -> PyResult<PyTensor> {
        let args = MomentArgs::parse(dim, unbiased, keepdim, correction)?;
        Ok(args.run(&self.t, Moment::Var, false)?.0.into())
    }

    /// `std(dim=None, unbiased=True, keepdim=False, *, correction=1)`.
    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn std(
        &self,
        dim: Option<&Bound<'_, PyAny>>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<f64>,
    ) -> PyResult<PyTensor> {
        let args = MomentArgs::parse(dim, unbiased, keepdim, correction)?;
        Ok(args.run(&self.t, Moment::Std, false)?.0.into())
    }

    /// `amax(dim=(), keepdim=False)`: the maximum over `dim` (all dims when empty).
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amax(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<PyTensor> {
        let dims = dims_arg(dim)?;
        Ok(ops::extrema::amax(&self.t, dims.as_deref(), keepdim, true)?.into())
    }

    /// `amin(dim=(), keepdim=False)`.
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amin(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<PyTensor> {
        let dims = dims_arg(dim)?;
        Ok(ops::extrema::amax(&self.t, dims.as_deref(), keepdim, false)?.into())
    }

    /// `argmax(dim=None, keepdim=False)`: positions in the flattened tensor without `dim`.
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmax(&self, dim: Option<i64>, keepdim: bool) -> PyResult<PyTensor> {
        Ok(ops::extrema::argmax(&self.t, dim, keepdim, true)?.into())
    }

    /// `argmin(dim=None, keepdim=False)`.
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmin(&self, dim: Option<i64>, keepdim: bool) -> PyResult<PyTensor> {
        Ok(ops::extrema::argmax(&self.t, dim, keepdim, false)?.into())
    }

    /// `logsumexp(dim, keepdim=False)`.
    #[pyo3(signature = (dim, keepdim=false))]
    fn logsumexp(&self, dim: &Bound<'_, PyAny>, keepdim: bool) -> PyResult<PyTensor> {
        Ok(ops::logsumexp::logsumexp(&self.t, &int_or_list(dim)?, keepdim)?.into())
    }

    /// `cumsum(dim, *, dtype=None)`.
    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumsum(&self, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        Ok(ops::scan::cumsum(&with_dtype(&self.t, dtype)?, dim)?.into())
    }

    /// `cumprod(dim, *, dtype=None)`.
    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumprod(&self, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        Ok(ops::scan::cumprod(&with_dtype(&self.t, dtype)?, dim)?.into())
    }

    /// `all(dim=None, keepdim=False)`: whether every element (along `dim`) is nonzero.
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn all(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<PyTensor> {
        let dims = dims_arg(dim)?;
        Ok(ops::logical_reduce::all_any(&self.t, dims.as_deref(), keepdim, true)?.into())
    }

    /// `any(dim=None, keepdim=False)`.
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn any(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<PyTensor> {
        let dims = dims_arg(dim)?;
        Ok(ops::logical_reduce::all_any(&self.t, dims.as_deref(), keepdim, false)?.into())
    }

    /// `count_nonzero(dim=None)`.
    #[pyo3(signature = (dim=None))]
    fn count_nonzero(&self, dim: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let dims = dims_arg(dim)?;
        Ok(ops::logical_reduce::count_nonzero(&self.t, dims.as_deref())?.into())
    }

    /// `median()` (the lower median of all elements) or `median(dim, keepdim=False)`
    /// -> (values, indices).
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn median(&self, py: Python<'_>, dim: Option<i64>, keepdim: bool) -> Out {
        match dim {
            None => PyTensor::from(ops::sort::median_all(&self.t)?).into_py_any(py),
            Some(d) => {
                let (v, i) = ops::sort::median_dim(&self.t, d, keepdim)?;
                values_indices(py, "median", v, i)
            }
        }
    }

    /// `sort(dim=-1, descending=False, *, stable=False)` -> (values, indices); always stable.
    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn sort(&self, py: Python<'_>, dim: i64, descending: bool, stable: bool) -> Out {
        let _ = stable;
        let (v, i) = ops::sort::sort(&self.t, dim, descending)?;
        values_indices(py, "sort", v, i)
    }

    /// `argsort(dim=-1, descending=False, *, stable=False)`: the indices of `sort`.
    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn argsort(&self, dim: i64, descending: bool, stable: bool) -> PyResult<PyTensor> {
        let _ = stable;
        Ok(ops::sort::sort(&self.t.detach(), dim, descending)?.1.into())
    }

    /// `topk(k, dim=-1, largest=True, sorted=True)` -> (values, indices), always sorted.
    #[pyo3(signature = (k, dim=-1, largest=true, sorted=true))]
    fn topk(&self, py: Python<'_>, k: i64, dim: i64, largest: bool, sorted: bool) -> Out {
        let _ = sorted;
        let (v, i) = ops::sort::topk(&self.t, k, dim, largest)?;
        values_indices(py, "topk", v, i)
    }
}

/// `(var_or_std, mean)` as a Python tuple.
fn moment_mean(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    fname: &str,
    moment: Moment,
    args: MomentArgs,
) -> Out {
    let x = tensor_arg(input, fname, "input")?;
    let (m, mean) = args.run(&x, moment, true)?;
    let mean = mean.ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("no mean"))?;
    PyTuple::new(py, [PyTensor::from(m), PyTensor::from(mean)])?.into_py_any(py)
}

/// `var_mean(input, dim=None, unbiased=True, keepdim=False, *, correction=1)`.
#[pyfunction]
#[pyo3(signature = (input, dim=None, unbiased=None, keepdim=false, *, correction=None))]
pub fn var_mean(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<f64>,
) -> Out {
    let args = MomentArgs::parse(dim, unbiased, keepdim, correction)?;
    moment_mean(py, input, "var_mean", Moment::Var, args)
}

/// `std_mean(input, dim=None, unbiased=True, keepdim=False, *, correction=1)`.
#[pyfunction]
#[pyo3(signature = (input, dim=None, unbiased=None, keepdim=false, *, correction=None))]
pub fn std_mean(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<f64>,
) -> Out {
    let args = MomentArgs::parse(dim, unbiased, keepdim, correction)?;
    moment_mean(py, input, "std_mean", Moment::Std, args)
}
