//! Shape ops from Python that copy or re-view in less plain ways than `view`: `unflatten`,
//! `movedim`/`moveaxis`, `repeat`, `tile`, `flip`, `roll`, `narrow`, `tril`, `triu`,
//! `diagonal`, `diag`.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{int_list, int_or_list};
use super::tensor::PyTensor;
use crate::ops::shape_ops;

#[pymethods]
impl PyTensor {
    fn unflatten(&self, dim: i64, sizes: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(shape_ops::unflatten(&self.t, dim, &int_or_list(sizes)?)?.into())
    }

    fn movedim(
        &self,
        source: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        let (s, d) = (int_or_list(source)?, int_or_list(destination)?);
        Ok(shape_ops::movedim(&self.t, &s, &d)?.into())
    }

    fn moveaxis(
        &self,
        source: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        self.movedim(source, destination)
    }

    #[pyo3(signature = (*sizes))]
    fn repeat(&self, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        Ok(shape_ops::repeat(&self.t, &int_list(sizes)?)?.into())
    }

    #[pyo3(signature = (*dims))]
    fn tile(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        Ok(shape_ops::tile(&self.t, &int_list(dims)?)?.into())
    }

    #[pyo3(signature = (*dims))]
    fn flip(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        Ok(shape_ops::flip(&self.t, &int_list(dims)?)?.into())
    }

    #[pyo3(signature = (shifts, dims=None))]
    fn roll(
        &self,
        shifts: &Bound<'_, PyAny>,
        dims: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let dims = match dims {
            Some(d) if !d.is_none() => int_or_list(d)?,
            _ => Vec::new(),
        };
        Ok(shape_ops::roll(&self.t, &int_or_list(shifts)?, &dims)?.into())
    }

    fn narrow(&self, dim: i64, start: i64, length: i64) -> PyResult<PyTensor> {
        Ok(shape_ops::narrow(&self.t, dim, start, length)?.into())
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril(&self, diagonal: i64) -> PyResult<PyTensor> {
        Ok(shape_ops::triangle(&self.t, diagonal, true)?.into())
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu(&self, diagonal: i64) -> PyResult<PyTensor> {
        Ok(shape_ops::triangle(&self.t, diagonal, false)?.into())
    }

    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal(&self, offset: i64, dim1: i64, dim2: i64) -> PyResult<PyTensor> {
        Ok(shape_ops::diagonal(&self.t, offset, dim1, dim2)?.into())
    }

    #[pyo3(signature = (diagonal=0))]
    fn diag(&self, diagonal: i64) -> PyResult<PyTensor> {
        Ok(shape_ops::diag(&self.t, diagonal)?.into())
    }
}
