//! Indexing from Python: `x[...]` and `x[...] = v` with ints, slices, `None`, `...`, lists,
//! index tensors and boolean masks; and the index methods (`gather`, `scatter`,
//! `index_select`, `index_add`, `index_fill`, `index_put`, `masked_fill`, `masked_select`,
//! `take_along_dim`, `nonzero`).

use pyo3::exceptions::{PyIndexError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyEllipsis, PyFloat, PyInt, PySequence, PySlice, PyString, PyTuple};

use super::args::{extract_operand, extract_scalar, operand_arg, tensor_arg, Operand};
use super::tensor::PyTensor;
use crate::ops::indexing::IndexItem;
use crate::ops::{self, Rhs};
use crate::tensor::{DType, Scalar, Tensor};

fn invalid_index(obj: &Bound<'_, PyAny>) -> PyErr {
    let name = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {name})"
    ))
}

/// A list or array used as an index, as an index tensor (an empty list indexes nothing).
fn index_tensor(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let t = super::convert::tensor_from_data(obj, None)?;
    if t.numel() == 0 && t.dtype().is_floating_point() {
        return Ok(ops::creation::zeros(t.shape(), DType::Int64, t.device())?);
    }
    Ok(t)
}

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
        let step = get("step")?.unwrap_or(1);
        if step == 0 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "slice step cannot be zero",
            ));
        }
        return Ok(IndexItem::Slice {
            start: get("start")?,
            stop: get("stop")?,
            step,
        });
    }
    if obj.cast::<PyFloat>().is_ok() {
        return Err(invalid_index(obj));
    }
    let sequence = obj.cast::<PySequence>().is_ok() && obj.cast::<PyString>().is_err();
    let tensor = match obj.cast::<PyTensor>() {
        Ok(t) => Some(t.borrow().t.clone()),
        Err(_) if sequence || super::convert::is_ndarray(obj) => Some(index_tensor(obj)?),
        Err(_) => None,
    };
    if let Some(t) = tensor {
        // A 0-d integer tensor selects, like an int.
        if t.ndim() == 0 && matches!(t.dtype(), DType::Int64 | DType::Int32) {
            return Ok(IndexItem::Int(t.item_f64()? as i64));
        }
        return Ok(IndexItem::Tensor(t));
    }
    match extract_scalar(obj) {
        Some(Scalar::Bool(b)) => Ok(IndexItem::Tensor(Tensor::scalar(b))),
        Some(Scalar::Int(i)) => Ok(IndexItem::Int(i)),
        _ if obj.cast::<PyInt>().is_ok() || obj.hasattr("__index__")? => {
            Ok(IndexItem::Int(obj.call_method0("__index__")?.extract()?))
        }
        _ => Err(invalid_index(obj)),
    }
}

/// PyTorch's (and old NumPy's) rule: a short non-tuple sequence holding a sequence, slice,
/// tensor, `None` or `...` is read as a tuple of indices (with a deprecation warning).
fn sequence_as_tuple<'py>(index: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    if index.cast::<PyTensor>().is_ok() || super::convert::is_ndarray(index) {
        return Ok(None);
    }
    let Ok(seq) = index.cast::<PySequence>() else {
        return Ok(None);
    };
    if index.cast::<PyString>().is_ok() || seq.len()? >= 32 {
        return Ok(None);
    }
    let items: Vec<Bound<'py, PyAny>> = seq.try_iter()?.collect::<PyResult<_>>()?;
    let nested = items.iter().any(|i| {
        i.cast::<PyTensor>().is_ok()
            || i.cast::<PySequence>().is_ok()
            || i.cast::<PySlice>().is_ok()
            || i.is_none()
            || i.cast::<PyEllipsis>().is_ok()
    });
    if !nested {
        return Ok(None);
    }
    PyErr::warn(
        index.py(),
        &index.py().get_type::<PyUserWarning>(),
        c"Using a non-tuple sequence for multidimensional indexing is deprecated; use x[tuple(seq)] instead of x[seq].",
        1,
    )?;
    Ok(Some(items))
}

fn index_items(index: &Bound<'_, PyAny>) -> PyResult<Vec<IndexItem>> {
    if let Ok(t) = index.cast::<PyTuple>() {
        return t.iter().map(|i| index_item(&i)).collect();
    }
    if let Some(items) = sequence_as_tuple(index)? {
        return items.iter().map(index_item).collect();
    }
    Ok(vec![index_item(index)?])
}

/// `indices` of `index_put`: a tuple or list of tensors.
fn index_list(indices: &Bound<'_, PyAny>, fname: &str) -> PyResult<Vec<Option<Tensor>>> {
    let seq = indices
        .cast::<PySequence>()
        .map_err(|_| super::args::type_error(fname, "indices", "tuple of Tensors", indices))?;
    seq.try_iter()?
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            item.cast::<PyTensor>()
                .map(|t| Some(t.borrow().t.clone()))
                .map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(format!(
                        "expected Tensor as element {i} in argument 0, but got {}",
                        item.get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    ))
                })
        })
        .collect()
}

/// `(t0, t1, ...)` as a Python tuple of tensors.
pub fn tensor_tuple(py: Python<'_>, tensors: Vec<Tensor>) -> PyResult<Bound<'_, PyTuple>> {
    PyTuple::new(py, tensors.into_iter().map(PyTensor::from))
}

/// The value of a fill: a number, or a tensor.
fn fill_operand(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<Operand> {
    operand_arg(obj, fname, "value")
}

#[pymethods]
impl PyTensor {
    fn __getitem__(&self, index: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        // A lone slice is always applied (`x[:]` is a slice view), as in PyTorch.
        let skip_whole = index.cast::<PySlice>().is_err();
        Ok(ops::indexing::index(&self.t, &index_items(index)?, skip_whole)?.into())
    }

    fn __setitem__(&self, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let items = index_items(index)?;
        let owned;
        let rhs = match extract_operand(value) {
            Some(Operand::Tensor(t)) => {
                owned = t;
                Rhs::Tensor(&owned)
            }
            Some(Operand::Scalar(s)) => Rhs::Scalar(s),
            None => {
                let ty = value.get_type();
                let module = ty.module()?.to_string();
                let name = ty.name()?.to_string();
                let name = if module == "builtins" {
                    name
                } else {
                    format!("{module}.{name}")
                };
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "can't assign a {name} to a ferrograd.{}",
                    self.t.dtype().legacy_type_name()
                )));
            }
        };
        Ok(ops::indexing::index_put(&self.t, &items, rhs)?)
    }

    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather(&self, dim: i64, index: &Bound<'_, PyAny>, sparse_grad: bool) -> PyResult<PyTensor> {
        let _ = sparse_grad;
        let index = tensor_arg(index, "gather", "index")?;
        Ok(ops::gather::gather(&self.t, dim, &index)?.into())
    }

    #[pyo3(signature = (indices, dim=None))]
    fn take_along_dim(&self, indices: &Bound<'_, PyAny>, dim: Option<i64>) -> PyResult<PyTensor> {
        let indices = tensor_arg(indices, "take_along_dim", "indices")?;
        Ok(ops::gather::take_along_dim(&self.t, &indices, dim)?.into())
    }

    fn index_select(&self, dim: i64, index: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let index = tensor_arg(index, "index_select", "index")?;
        Ok(ops::gather::index_select(&self.t, dim, &index)?.into())
    }

    /// `scatter(dim, index, src)` or `scatter(dim, index, value)` (a number).
    #[pyo3(signature = (dim, index, src=None, *, value=None))]
    fn scatter(
        &self,
        dim: i64,
        index: &Bound<'_, PyAny>,
        src: Option<&Bound<'_, PyAny>>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let index = tensor_arg(index, "scatter", "index")?;
        let src = scatter_source(src, value)?;
        Ok(ops::scatter::scatter(&self.t, dim, &index, src.as_rhs())?.into())
    }

    #[pyo3(signature = (dim, index, src=None, *, value=None))]
    fn scatter_<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        src: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let index = tensor_arg(index, "scatter_", "index")?;
        let src = scatter_source(src, value)?;
        ops::scatter::scatter_(&slf.borrow().t, dim, &index, src.as_rhs(), false)?;
        Ok(slf)
    }

    fn scatter_add(
        &self,
        dim: i64,
        index: &Bound<'_, PyAny>,
        src: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        let index = tensor_arg(index, "scatter_add", "index")?;
        let src = tensor_arg(src, "scatter_add", "src")?;
        Ok(ops::scatter::scatter_add(&self.t, dim, &index, &src)?.into())
    }

    fn scatter_add_<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        src: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let index = tensor_arg(index, "scatter_add_", "index")?;
        let src = tensor_arg(src, "scatter_add_", "src")?;
        ops::scatter::scatter_(&slf.borrow().t, dim, &index, Rhs::Tensor(&src), true)?;
        Ok(slf)
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add(
        &self,
        dim: i64,
        index: &Bound<'_, PyAny>,
        source: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let (index, source, alpha) = index_add_args(index, source, alpha)?;
        Ok(ops::scatter::index_add(&self.t, dim, &index, &source, alpha)?.into())
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add_<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        source: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let (index, source, alpha) = index_add_args(index, source, alpha)?;
        ops::scatter::index_add_(&slf.borrow().t, dim, &index, &source, alpha)?;
        Ok(slf)
    }

    fn index_fill(
        &self,
        dim: i64,
        index: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        let index = tensor_arg(index, "index_fill", "index")?;
        let value = fill_operand(value, "index_fill")?;
        Ok(ops::scatter::index_fill(&self.t, dim, &index, value.as_rhs())?.into())
    }

    fn index_fill_<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let index = tensor_arg(index, "index_fill_", "index")?;
        let value = fill_operand(value, "index_fill_")?;
        ops::scatter::index_fill_(&slf.borrow().t, dim, &index, value.as_rhs())?;
        Ok(slf)
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put(
        &self,
        indices: &Bound<'_, PyAny>,
        values: &Bound<'_, PyAny>,
        accumulate: bool,
    ) -> PyResult<PyTensor> {
        let indices = index_list(indices, "index_put")?;
        let values = tensor_arg(values, "index_put", "values")?;
        Ok(ops::advanced_index::index_put(&self.t, &indices, &values, accumulate)?.into())
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_<'py>(
        slf: Bound<'py, Self>,
        indices: &Bound<'py, PyAny>,
        values: &Bound<'py, PyAny>,
        accumulate: bool,
    ) -> PyResult<Bound<'py, Self>> {
        let indices = index_list(indices, "index_put_")?;
        let values = tensor_arg(values, "index_put_", "values")?;
        ops::advanced_index::index_put_(&slf.borrow().t, &indices, &values, accumulate)?;
        Ok(slf)
    }

    fn masked_fill(&self, mask: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let mask = tensor_arg(mask, "masked_fill", "mask")?;
        let value = fill_operand(value, "masked_fill")?;
        Ok(ops::mask::masked_fill(&self.t, &mask, value.as_rhs())?.into())
    }

    fn masked_fill_<'py>(
        slf: Bound<'py, Self>,
        mask: &Bound<'py, PyAny>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let mask = tensor_arg(mask, "masked_fill_", "mask")?;
        let value = fill_operand(value, "masked_fill_")?;
        ops::mask::masked_fill_(&slf.borrow().t, &mask, value.as_rhs())?;
        Ok(slf)
    }

    fn masked_select(&self, mask: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let mask = tensor_arg(mask, "masked_select", "mask")?;
        Ok(ops::mask::masked_select(&self.t, &mask)?.into())
    }

    /// `nonzero()` -> `[n, ndim]` coordinates; `nonzero(as_tuple=True)` -> one vector per dim.
    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero<'py>(&self, py: Python<'py>, as_tuple: bool) -> PyResult<Bound<'py, PyAny>> {
        if as_tuple {
            return Ok(tensor_tuple(py, ops::mask::nonzero_tuple(&self.t)?)?.into_any());
        }
        Ok(Bound::new(py, PyTensor::from(ops::mask::nonzero(&self.t)?))?.into_any())
    }
}

/// The `src` tensor or `value` number of `scatter`.
fn scatter_source(
    src: Option<&Bound<'_, PyAny>>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Operand> {
    match (src, value) {
        (Some(s), None) => operand_arg(s, "scatter", "src"),
        (None, Some(v)) => match extract_scalar(v) {
            Some(s) => Ok(Operand::Scalar(s)),
            None => Err(super::args::type_error("scatter", "value", "Number", v)),
        },
        _ => Err(pyo3::exceptions::PyTypeError::new_err(
            "scatter() received an invalid combination of arguments: give either src or value",
        )),
    }
}

fn index_add_args(
    index: &Bound<'_, PyAny>,
    source: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Tensor, Tensor, Scalar)> {
    let index = tensor_arg(index, "index_add", "index")?;
    let source = tensor_arg(source, "index_add", "source")?;
    let alpha = match alpha.filter(|a| !a.is_none()) {
        None => Scalar::Int(1),
        Some(a) => extract_scalar(a)
            .ok_or_else(|| super::args::type_error("index_add", "alpha", "Number", a))?,
    };
    Ok((index, source, alpha))
}
