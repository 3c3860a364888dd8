//! Joining and splitting from Python: `cat` (`concat`, `concatenate`), `stack`, and the
//! methods `split`, `chunk`, `unbind`, which return tuples of views.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PySequence, PyTuple};

use super::args::int_or_list;
use super::tensor::PyTensor;
use super::tensor_indexing::tensor_tuple;
use crate::ops::join;
use crate::tensor::Tensor;

/// A sequence of tensors (`tensors` of `cat`, `stack`, `einsum`), with PyTorch's errors.
pub fn tensor_seq(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<Vec<Tensor>> {
    let type_name = |o: &Bound<'_, PyAny>| {
        o.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    if obj.cast::<PyTensor>().is_ok() || obj.cast::<PySequence>().is_err() {
        return Err(PyTypeError::new_err(format!(
            "{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            type_name(obj)
        )));
    }
    obj.try_iter()?
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            item.cast::<PyTensor>()
                .map(|t| t.borrow().t.clone())
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "expected Tensor as element {i} in argument 0, but got {}",
                        type_name(&item)
                    ))
                })
        })
        .collect()
}

/// `cat(tensors, dim=0)`: the tensors joined along `dim`.
#[pyfunction]
#[pyo3(signature = (tensors, dim=0))]
pub fn cat(tensors: &Bound<'_, PyAny>, dim: i64) -> PyResult<PyTensor> {
    Ok(join::cat(&tensor_seq(tensors, "cat")?, dim)?.into())
}

/// `concat(tensors, dim=0)`: an alias of `cat`.
#[pyfunction]
#[pyo3(signature = (tensors, dim=0))]
pub fn concat(tensors: &Bound<'_, PyAny>, dim: i64) -> PyResult<PyTensor> {
    Ok(join::cat(&tensor_seq(tensors, "concat")?, dim)?.into())
}

/// `concatenate(tensors, axis=0)`: NumPy's name for `cat`.
#[pyfunction]
#[pyo3(signature = (tensors, axis=0))]
pub fn concatenate(tensors: &Bound<'_, PyAny>, axis: i64) -> PyResult<PyTensor> {
    Ok(join::cat(&tensor_seq(tensors, "concatenate")?, axis)?.into())
}

/// `stack(tensors, dim=0)`: same-shaped tensors joined along a new dim.
#[pyfunction]
#[pyo3(signature = (tensors, dim=0))]
pub fn stack(tensors: &Bound<'_, PyAny>, dim: i64) -> PyResult<PyTensor> {
    Ok(join::stack(&tensor_seq(tensors, "stack")?, dim)?.into())
}

#[pymethods]
impl PyTensor {
    /// `split(size, dim=0)` in pieces of `size`, or `split([sizes], dim=0)`.
    #[pyo3(signature = (split_size, dim=0))]
    fn split<'py>(
        &self,
        py: Python<'py>,
        split_size: &Bound<'py, PyAny>,
        dim: i64,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let pieces = if split_size.cast::<PyList>().is_ok() || split_size.cast::<PyTuple>().is_ok()
        {
            join::split_with_sizes(&self.t, &int_or_list(split_size)?, dim)?
        } else {
            join::split(&self.t, split_size.extract()?, dim)?
        };
        tensor_tuple(py, pieces)
    }

    #[pyo3(signature = (chunks, dim=0))]
    fn chunk<'py>(&self, py: Python<'py>, chunks: i64, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        tensor_tuple(py, join::chunk(&self.t, chunks, dim)?)
    }

    #[pyo3(signature = (dim=0))]
    fn unbind<'py>(&self, py: Python<'py>, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        tensor_tuple(py, join::unbind(&self.t, dim)?)
    }
}
