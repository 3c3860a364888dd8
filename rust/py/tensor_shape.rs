//! Shape methods from Python: `view`, `reshape`, `transpose`, `permute`, `expand`,
//! `squeeze`, `flatten`. Indexing (`x[...]`) is in `tensor_indexing.rs`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{int_list, tensor_arg};
use super::tensor::PyTensor;
use crate::ops::{self, view};

#[pymethods]
impl PyTensor {
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
        Ok(ops::shape_ops::flatten(&self.t, start_dim, end_dim)?.into())
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
