//! `copy.deepcopy` and `pickle` for tensors, subclasses (`nn.Parameter`) included: a deep
//! copy owns new memory and keeps `requires_grad`, `.grad` and instance attributes; a pickle
//! stores the values as a NumPy array.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::IntoPyObjectExt;

use super::convert;
use super::tensor::PyTensor;
use crate::ops::backend;
use crate::tensor::Tensor;

/// A new instance of `cls` (`Tensor` or a subclass) around `t`, made the way
/// `Tensor.__new__(cls, _data=t)` makes it: without running the subclass's `__init__`.
fn instantiate<'py>(cls: &Bound<'py, PyType>, t: Tensor) -> PyResult<Bound<'py, PyAny>> {
    let py = cls.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("_data", PyTensor::from(t))?;
    py.get_type::<PyTensor>()
        .getattr("__new__")?
        .call((cls,), Some(&kwargs))
}

/// Sets `requires_grad` on a freshly made copy (which has no history, so this cannot fail on
/// a non-leaf).
fn set_requires_grad(obj: &Bound<'_, PyAny>, flag: bool) -> PyResult<()> {
    if flag {
        obj.cast::<PyTensor>()?.borrow().t.set_requires_grad(true)?;
    }
    Ok(())
}

#[pymethods]
impl PyTensor {
    fn __deepcopy__<'py>(
        slf: &Bound<'py, Self>,
        memo: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = slf.borrow().t.clone();
        if !t.is_leaf() {
            return Err(PyRuntimeError::new_err(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001",
            ));
        }
        let id = slf.as_ptr() as usize;
        if let Some(done) = memo.get_item(id)? {
            return Ok(done);
        }
        let copy = instantiate(&slf.get_type(), backend::copy(&t)?)?;
        set_requires_grad(&copy, t.requires_grad())?;
        if let Some(g) = t.grad() {
            copy.cast::<PyTensor>()?
                .borrow()
                .t
                .set_grad(Some(backend::copy(&g)?));
        }
        let deepcopy = py.import("copy")?.getattr("deepcopy")?;
        let attrs = slf.getattr("__dict__")?;
        copy.setattr("__dict__", deepcopy.call1((attrs, memo))?)?;
        memo.set_item(id, &copy)?;
        Ok(copy)
    }

    /// Pickles as `_rebuild_tensor(values, requires_grad, cls, attributes)`.
    fn __reduce_ex__<'py>(slf: &Bound<'py, Self>, protocol: i64) -> PyResult<Bound<'py, PyTuple>> {
        let _ = protocol;
        let py = slf.py();
        let t = slf.borrow().t.clone();
        let rebuild = py.import("ferrograd._core")?.getattr("_rebuild_tensor")?;
        let args = (
            convert::to_numpy(py, &t)?,
            t.requires_grad(),
            slf.get_type(),
            slf.getattr("__dict__")?,
        );
        PyTuple::new(py, [rebuild, args.into_bound_py_any(py)?])
    }
}

/// Unpickles a tensor written by `Tensor.__reduce_ex__`.
#[pyfunction]
#[pyo3(signature = (values, requires_grad, cls=None, attributes=None))]
pub fn _rebuild_tensor<'py>(
    values: &Bound<'py, PyAny>,
    requires_grad: bool,
    cls: Option<&Bound<'py, PyType>>,
    attributes: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = values.py();
    let t = convert::tensor_from_data(values, None)?;
    let obj = instantiate(cls.unwrap_or(&py.get_type::<PyTensor>()), t)?;
    set_requires_grad(&obj, requires_grad)?;
    if let Some(attrs) = attributes {
        obj.getattr("__dict__")?.call_method1("update", (attrs,))?;
    }
    Ok(obj)
}
