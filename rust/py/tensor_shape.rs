//! Shape methods from Python: `view`, `reshape`, `transpose`, `permute`, `expand`,
//! `squeeze`, `flatten`, and basic indexing (`x[1, 2:, None, ...]`, also assignment).

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PySequence, PySlice, PyTuple};

use super::args::{extract_operand, int_list, tensor_arg};
use super::tensor::PyTensor;
use crate::ops::indexing::IndexItem;
use crate::ops::{self, view, Rhs};
use crate::tensor::wrap_dim;

/// One Python index entry as an [`IndexItem`].
fn index_item(obj: &Bound<'_, PyAny>) -> PyResult<IndexItem> {
    if obj.is_none() {
        return Ok(IndexItem::NewAxis);
    }
    if obj.cast::<PyEllipsis>().is_ok() {
        return Ok(IndexItem::Ellipsis);
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        let get = |name: &str| -> PyResult<Option<i64>> {
            let v = s.getattr(name)?;
            if v.is_none() {
                Ok(None)
            } else {
                Ok(Some(v.call_method0("__index__")?.extract()?))
            }
        };
        return Ok(IndexItem::Slice {
            start: get("start")?,
            stop: get("stop")?,
            step: get("step")?.unwrap_or(1),
        });
    }
    if obj.cast::<PyInt>().is_ok() && obj.cast::<PyBool>().is_err() {
        return Ok(IndexItem::Int(obj.extract()?));
    }
    if obj.hasattr("__index__")? && obj.cast::<PyTensor>().is_err() && obj.cast::<PyBool>().is_err()
    {
        return Ok(IndexItem::Int(obj.call_method0("__index__")?.extract()?));
    }
    if obj.cast::<PyTensor>().is_ok()
        || obj.cast::<PyBool>().is_ok()
        || obj.cast::<PySequence>().is_ok()
    {
        return Err(PyIndexError::new_err(
            "only integers, slices (`:`), ellipsis (`...`) and None (`newaxis`) are supported as indices so far; tensor and list indices arrive with advanced indexing",
        ));
    }
    Err(PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
        obj.get_type().name()?
    )))
}

fn index_items(index: &Bound<'_, PyAny>) -> PyResult<Vec<IndexItem>> {
    match index.cast::<PyTuple>() {
        Ok(t) => t.iter().map(|i| index_item(&i)).collect(),
        Err(_) => Ok(vec![index_item(index)?]),
    }
}

#[pymethods]
impl PyTensor {
    fn __getitem__(&self, index: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(ops::indexing::index(&self.t, &index_items(index)?)?.into())
    }

    fn __setitem__(&self, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let items = index_items(index)?;
        let owned;
        let rhs = match extract_operand(value) {
            Some(super::args::Operand::Tensor(t)) => {
                owned = t;
                Rhs::Tensor(&owned)
            }
            Some(super::args::Operand::Scalar(s)) => Rhs::Scalar(s),
            None => {
                return Err(PyTypeError::new_err(format!(
                    "can't assign a {} to a ferrograd.{}",
                    value.get_type().name()?,
                    self.t.dtype().legacy_type_name()
                )))
            }
        };
        Ok(ops::indexing::index_put(&self.t, &items, rhs)?)
    }

    #[pyo3(signature = (*shape))]
    fn view(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        if shape.len() == 1 {
            if let Ok(d) = super::dtype::extract_dtype(&shape.get_item(0)?) {
                if d != self.t.dtype() {
                    return Err(PyTypeError::new_err("view(dtype) is not supported"));
                }
                return Ok(self.t.detach().into());
            }
        }
        Ok(view::view_spec(&self.t, &int_list(shape)?)?.into())
    }

    fn view_as(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(other, "view_as", "other")?;
        Ok(view::view(&self.t, o.shape())?.into())
    }

    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        Ok(view::reshape_spec(&self.t, &int_list(shape)?)?.into())
    }

    fn reshape_as(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(other, "reshape_as", "other")?;
        Ok(view::reshape(&self.t, o.shape())?.into())
    }

    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten(&self, start_dim: i64, end_dim: i64) -> PyResult<PyTensor> {
        if self.t.ndim() == 0 {
            return Ok(view::reshape(&self.t, &[1])?.into());
        }
        let (s, e) = (
            wrap_dim(start_dim, self.t.ndim())?,
            wrap_dim(end_dim, self.t.ndim())?,
        );
        if s > e {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "flatten() has invalid args: start_dim cannot come after end_dim",
            ));
        }
        let shape = self.t.shape();
        let mut new_shape: Vec<usize> = shape[..s].to_vec();
        new_shape.push(shape[s..=e].iter().product());
        new_shape.extend_from_slice(&shape[e + 1..]);
        Ok(view::reshape(&self.t, &new_shape)?.into())
    }

    fn t(&self) -> PyResult<PyTensor> {
        Ok(view::t(&self.t)?.into())
    }

    #[getter(T)]
    fn big_t(&self) -> PyResult<PyTensor> {
        let dims: Vec<i64> = (0..self.t.ndim() as i64).rev().collect();
        Ok(view::permute(&self.t, &dims)?.into())
    }

    #[getter(mT)]
    fn matrix_t(&self) -> PyResult<PyTensor> {
        Ok(view::transpose(&self.t, -2, -1)?.into())
    }

    fn transpose(&self, dim0: i64, dim1: i64) -> PyResult<PyTensor> {
        Ok(view::transpose(&self.t, dim0, dim1)?.into())
    }

    #[pyo3(signature = (*dims))]
    fn permute(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        Ok(view::permute(&self.t, &int_list(dims)?)?.into())
    }

    #[pyo3(signature = (*sizes))]
    fn expand(&self, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        Ok(view::expand_spec(&self.t, &int_list(sizes)?)?.into())
    }

    fn expand_as(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(other, "expand_as", "other")?;
        Ok(view::expand(&self.t, o.shape())?.into())
    }

    #[pyo3(signature = (dim=None))]
    fn squeeze(&self, dim: Option<i64>) -> PyResult<PyTensor> {
        Ok(view::squeeze(&self.t, dim)?.into())
    }

    fn unsqueeze(&self, dim: i64) -> PyResult<PyTensor> {
        Ok(view::unsqueeze(&self.t, dim)?.into())
    }

    fn select(&self, dim: i64, index: i64) -> PyResult<PyTensor> {
        Ok(view::select(&self.t, dim, index)?.into())
    }
}
