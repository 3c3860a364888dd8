//! Python callables as gradient hooks (with PyTorch's checks of what they return), and the
//! handles that remove them.

use std::sync::{Arc, Weak};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyWeakrefReference};

use super::errors::park;
use super::tensor::PyTensor;
use crate::autograd::graph::with_node;
use crate::autograd::hooks::{Hook, PostAccumulateHook, PostHook, PreHook};
use crate::autograd::{AutogradMeta, NodeId};
use crate::error::Result;
use crate::tensor::Tensor;

/// The name messages use for a hook: its `__name__`, else its repr.
fn hook_name(f: &Bound<'_, PyAny>) -> String {
    f.getattr("__name__")
        .and_then(|n| n.extract::<String>())
        .or_else(|_| f.repr().map(|r| r.to_string()))
        .unwrap_or_default()
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// A value a hook returned in place of `original`: `None` keeps it; a tensor must keep its
/// size, dtype and device.
fn replacement(
    name: &str,
    original: Option<&Tensor>,
    value: &Bound<'_, PyAny>,
) -> PyResult<Option<Tensor>> {
    if value.is_none() {
        return Ok(None);
    }
    let t = value.cast::<PyTensor>().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected Variable, but hook returned '{}'",
            type_name(value)
        ))
    })?;
    let t = t.borrow().t.clone();
    if let Some(original) = original {
        if t.shape() != original.shape() {
            return Err(PyRuntimeError::new_err(format!(
                "hook '{name}' has changed the size of value"
            )));
        }
        if t.dtype() != original.dtype() {
            return Err(PyRuntimeError::new_err(format!(
                "hook '{name}' has changed the type of value (was ferrograd.{} got ferrograd.{})",
                original.dtype().legacy_type_name(),
                t.dtype().legacy_type_name()
            )));
        }
        if t.device() != original.device() {
            return Err(PyRuntimeError::new_err(format!(
                "hook '{name}' has changed the device of value (was {} got {})",
                original.device().type_name(),
                t.device().type_name()
            )));
        }
    }
    Ok(Some(t))
}

/// Wraps `f(grad) -> Tensor | None` as a tensor hook.
pub fn python_hook(f: Py<PyAny>) -> Hook {
    Arc::new(move |grad: &Tensor| -> Result<Option<Tensor>> {
        Python::attach(|py| {
            let f = f.bind(py);
            let out = f.call1((PyTensor::from(grad.clone()),)).map_err(park)?;
            replacement(&hook_name(f), Some(grad), &out).map_err(park)
        })
    })
}

fn grads_tuple<'py>(py: Python<'py>, grads: &[Option<Tensor>]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, grads.iter().map(|g| g.clone().map(PyTensor::from)))
}

/// A node hook's result: `None`, or a tuple with a value per gradient in `originals`.
fn replacements(
    f: &Bound<'_, PyAny>,
    originals: &[Option<Tensor>],
    out: &Bound<'_, PyAny>,
) -> PyResult<Option<Vec<Option<Tensor>>>> {
    if out.is_none() {
        return Ok(None);
    }
    let name = hook_name(f);
    let values = out.cast::<PyTuple>().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected tuple, but hook returned '{}'",
            type_name(out)
        ))
    })?;
    if values.len() != originals.len() {
        return Err(PyRuntimeError::new_err(format!(
            "hook '{name}' has returned an incorrect number of values (got {}, but expected {})",
            values.len(),
            originals.len()
        )));
    }
    values
        .iter()
        .zip(originals)
        .map(|(v, original)| replacement(&name, original.as_ref(), &v))
        .collect::<PyResult<Vec<_>>>()
        .map(Some)
}

/// Wraps `f(grad_outputs) -> tuple | None` as a node pre-hook.
pub fn python_pre_hook(f: Py<PyAny>) -> PreHook {
    Arc::new(move |grads: &[Option<Tensor>]| {
        Python::attach(|py| {
            let f = f.bind(py);
            let out = f.call1((grads_tuple(py, grads)?,))?;
            replacements(f, grads, &out)
        })
        .map_err(park)
    })
}

/// Wraps `f(grad_inputs, grad_outputs) -> tuple | None` as a node post-hook.
pub fn python_post_hook(f: Py<PyAny>) -> PostHook {
    Arc::new(
        move |produced: &[Option<Tensor>], given: &[Option<Tensor>]| {
            Python::attach(|py| {
                let f = f.bind(py);
                let out = f.call1((grads_tuple(py, produced)?, grads_tuple(py, given)?))?;
                replacements(f, produced, &out)
            })
            .map_err(park)
        },
    )
}

/// Wraps `f(tensor) -> None` as a post-accumulate hook on `leaf`. The hook gets the very
/// Python object it was registered on while that object lives (held weakly: the tensor owns
/// the hook).
pub fn python_post_accumulate_hook(
    f: Py<PyAny>,
    leaf: &Bound<'_, PyTensor>,
) -> PyResult<PostAccumulateHook> {
    let object = PyWeakrefReference::new(leaf)?.unbind();
    Ok(Arc::new(move |tensor: &Tensor| {
        Python::attach(|py| {
            let arg = match object.bind(py).upgrade() {
                Some(obj) => obj,
                None => Bound::new(py, PyTensor::from(tensor.clone()))?.into_any(),
            };
            let out = f.call1(py, (arg,))?;
            if !out.is_none(py) {
                return Err(PyTypeError::new_err(format!(
                    "expected Variable, but hook returned '{}'",
                    type_name(out.bind(py))
                )));
            }
            Ok(())
        })
        .map_err(park)
    }))
}

enum Target {
    Leaf(Weak<AutogradMeta>),
    Node(NodeId),
}

/// What `register_hook` and friends return: `handle.remove()` takes the hook off again.
#[pyclass(module = "ferrograd.utils.hooks", name = "RemovableHandle")]
pub struct RemovableHandle {
    key: u64,
    target: Target,
}

impl RemovableHandle {
    pub fn leaf(key: u64, meta: &Arc<AutogradMeta>) -> Self {
        RemovableHandle {
            key,
            target: Target::Leaf(Arc::downgrade(meta)),
        }
    }
    pub fn node(key: u64, node: NodeId) -> Self {
        RemovableHandle {
            key,
            target: Target::Node(node),
        }
    }
}

#[pymethods]
impl RemovableHandle {
    /// A number unique to this hook.
    #[getter]
    fn id(&self) -> u64 {
        self.key
    }

    fn remove(&self) {
        match &self.target {
            Target::Leaf(meta) => {
                if let Some(m) = meta.upgrade() {
                    m.remove_hook(self.key);
                }
            }
            Target::Node(id) => {
                let removed =
                    with_node(*id, |n| n.extras.as_mut().map(|x| x.remove_hook(self.key)));
                drop(removed); // Python callables are released outside the arena lock
            }
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(&self, _a: Py<PyAny>, _b: Py<PyAny>, _c: Py<PyAny>) {
        self.remove();
    }
}
