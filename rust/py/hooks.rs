//! Python callables as gradient hooks, and the handles that remove them.

use std::sync::{Arc, Weak};

use pyo3::prelude::*;

use super::errors::park;
use super::tensor::PyTensor;
use crate::autograd::graph::with_node;
use crate::autograd::hooks::Hook;
use crate::autograd::{AutogradMeta, NodeId};
use crate::error::Result;
use crate::tensor::Tensor;

/// Wraps `f(grad) -> Tensor | None` as a core hook.
pub fn python_hook(f: Py<PyAny>) -> Hook {
    Arc::new(move |grad: &Tensor| -> Result<Option<Tensor>> {
        Python::attach(|py| {
            let out = f.call1(py, (PyTensor::from(grad.clone()),)).map_err(park)?;
            if out.is_none(py) {
                return Ok(None);
            }
            let t = out.bind(py).cast::<PyTensor>().map_err(|_| {
                park(pyo3::exceptions::PyRuntimeError::new_err(
                    "hook returned a value that is not a Tensor or None",
                ))
            })?;
            let t = t.borrow().t.clone();
            Ok(Some(t))
        })
    })
}

enum Target {
    Leaf(Weak<AutogradMeta>),
    Node(NodeId),
}

/// What `register_hook` returns: `handle.remove()` takes the hook off again.
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
    fn remove(&self) {
        match &self.target {
            Target::Leaf(meta) => {
                if let Some(m) = meta.upgrade() {
                    m.remove_hook(self.key);
                }
            }
            Target::Node(id) => {
                let removed = with_node(*id, |n| {
                    n.extras.as_mut().map(|x| {
                        let (keep, drop): (Vec<_>, Vec<_>) = std::mem::take(&mut x.tensor_hooks)
                            .into_iter()
                            .partition(|(k, _, _)| *k != self.key);
                        x.tensor_hooks = keep;
                        drop
                    })
                });
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
