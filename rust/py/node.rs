//! `grad_fn` objects. Each node name (`AddBackward0`, ...) gets its own Python class, derived
//! from `Node`, so `type(y.grad_fn).__name__` and the repr read as in PyTorch.

use std::any::Any;
use std::sync::Arc;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use super::hooks::{python_post_hook, python_pre_hook, RemovableHandle};
use super::tensor::PyTensor;
use crate::autograd::graph::with_node;
use crate::autograd::hooks::next_hook_key;
use crate::autograd::{NodeId, NodeRef};

/// A node of the autograd graph, as seen from Python.
#[pyclass(name = "Node", module = "ferrograd.autograd.graph", subclass, weakref)]
pub struct PyNode {
    /// A `grad_fn` object keeps its node alive.
    node: Option<NodeRef>,
    /// A custom Function's context is owned by its node, so it refers to it weakly.
    weak: Option<NodeId>,
}

static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// The Python object for `node`, of the class named after it (for a custom Function, the
/// context object its forward filled in).
pub fn node_object(py: Python<'_>, node: NodeRef) -> PyResult<Bound<'_, PyAny>> {
    let (name, bound) = node.with(|n| {
        let bound =
            n.op.binding()
                .and_then(|b| b.downcast_ref::<Py<PyAny>>())
                .map(|obj| obj.clone_ref(py));
        (n.op.name().to_string(), bound)
    });
    if let Some(obj) = bound {
        return Ok(obj.into_bound(py));
    }
    let class_name = name.rsplit("::").next().unwrap_or(&name).to_string();
    let classes = CLASSES
        .get_or_init(py, || PyDict::new(py).unbind())
        .bind(py);
    let cls = match classes.get_item(&class_name)? {
        Some(c) => c,
        None => {
            let base = py.get_type::<PyNode>();
            let ns = PyDict::new(py);
            ns.set_item("__module__", "ferrograd.autograd.graph")?;
            let c = py.import("builtins")?.getattr("type")?.call1((
                &class_name,
                PyTuple::new(py, [base])?,
                ns,
            ))?;
            classes.set_item(&class_name, &c)?;
            c
        }
    };
    let obj = cls.call0()?;
    obj.cast::<PyNode>()?.borrow_mut().node = Some(node);
    Ok(obj)
}

impl PyNode {
    /// The node this object stands for (an error once a context's node is gone).
    pub fn node(&self) -> PyResult<NodeRef> {
        self.node
            .clone()
            .or_else(|| self.weak.and_then(NodeRef::upgrade))
            .ok_or_else(|| PyRuntimeError::new_err("this Node is not part of a graph"))
    }

    fn id(&self) -> Option<NodeId> {
        self.node.as_ref().map(NodeRef::id).or(self.weak)
    }

    /// Ties a custom Function's context to the node made for it.
    pub fn refer_weakly(&mut self, id: NodeId) {
        self.weak = Some(id);
    }
}

#[pymethods]
impl PyNode {
    #[new]
    fn new() -> Self {
        PyNode {
            node: None,
            weak: None,
        }
    }

    /// Registers `hook(grad_inputs, grad_outputs) -> tuple | None`, called after the node
    /// computed the gradients of its inputs; a tuple replaces them.
    fn register_hook(&self, hook: Py<PyAny>) -> PyResult<RemovableHandle> {
        let node = self.node()?;
        let key = next_hook_key();
        let hook = python_post_hook(hook);
        node.with(|n| n.extras_mut().post_hooks.push((key, hook)));
        Ok(RemovableHandle::node(key, node.id()))
    }

    /// Registers `hook(grad_outputs) -> tuple | None`, called with the gradients arriving at
    /// the node before it runs; a tuple replaces them.
    fn register_prehook(&self, hook: Py<PyAny>) -> PyResult<RemovableHandle> {
        let node = self.node()?;
        let key = next_hook_key();
        let hook = python_pre_hook(hook);
        node.with(|n| n.extras_mut().pre_hooks.push((key, hook)));
        Ok(RemovableHandle::node(key, node.id()))
    }

    /// A dict kept with the node, for users' own annotations.
    #[getter]
    fn metadata(&self, py: Python<'_>) -> PyResult<Py<PyDict>> {
        let node = self.node()?;
        let stored = match node.with(|n| n.extras.as_ref().and_then(|x| x.binding.clone())) {
            Some(stored) => stored,
            None => {
                let fresh: Arc<dyn Any + Send + Sync> = Arc::new(PyDict::new(py).unbind());
                node.with(|n| n.extras_mut().binding = Some(fresh.clone()));
                fresh
            }
        };
        stored
            .downcast_ref::<Py<PyDict>>()
            .map(|d| d.clone_ref(py))
            .ok_or_else(|| PyRuntimeError::new_err("internal error: node metadata is not a dict"))
    }

    /// PyTorch's name for the node, e.g. `"MulBackward0"`.
    fn name(&self) -> PyResult<String> {
        Ok(self.node()?.with(|n| n.op.name().to_string()))
    }

    /// `((node, input_nr), ...)`: where this node sends each input's gradient (`None` for an
    /// input that does not need one).
    #[getter]
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let edges = self.node()?.next_edges();
        let items = edges
            .into_iter()
            .map(|e| -> PyResult<Bound<'py, PyTuple>> {
                match e {
                    Some(e) => PyTuple::new(
                        py,
                        [
                            node_object(py, e.node)?,
                            e.input_nr.into_pyobject(py)?.into_any(),
                        ],
                    ),
                    None => PyTuple::new(
                        py,
                        [py.None().into_bound(py), 0u32.into_pyobject(py)?.into_any()],
                    ),
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, items)
    }

    /// The leaf tensor of an `AccumulateGrad` node.
    #[getter]
    fn variable(&self) -> PyResult<PyTensor> {
        let id = self.node()?.id();
        with_node(id, |n| n.op.variable().cloned())
            .flatten()
            .map(PyTensor::from)
            .ok_or_else(|| {
                pyo3::exceptions::PyAttributeError::new_err(
                    "'Node' object has no attribute 'variable'",
                )
            })
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(format!(
            "<{} object at {:#x}>",
            slf.get_type().name()?,
            slf.as_ptr() as usize
        ))
    }

    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> bool {
        if slf.is(other) {
            return true;
        }
        match (other.cast::<PyNode>(), slf.borrow().id()) {
            (Ok(o), Some(mine)) => o.borrow().id() == Some(mine),
            _ => false,
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.id().hash(&mut h);
        h.finish()
    }
}
