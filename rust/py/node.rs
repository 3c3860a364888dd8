//! `grad_fn` objects. Each node name (`AddBackward0`, ...) gets its own Python class, derived
//! from `Node`, so `type(y.grad_fn).__name__` and the repr read as in PyTorch.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use super::tensor::PyTensor;
use crate::autograd::graph::with_node;
use crate::autograd::NodeRef;

/// A node of the autograd graph, as seen from Python.
#[pyclass(name = "Node", module = "ferrograd.autograd.graph", subclass, weakref)]
pub struct PyNode {
    node: Option<NodeRef>,
}

static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// The Python object for `node`, of the class named after it.
pub fn node_object(py: Python<'_>, node: NodeRef) -> PyResult<Bound<'_, PyAny>> {
    let name = node.with(|n| n.op.name().to_string());
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
    fn node(&self) -> PyResult<&NodeRef> {
        self.node
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("this Node is not part of a graph"))
    }
}

#[pymethods]
impl PyNode {
    #[new]
    fn new() -> Self {
        PyNode { node: None }
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

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match (other.cast::<PyNode>(), &self.node) {
            (Ok(o), Some(mine)) => o
                .borrow()
                .node
                .as_ref()
                .is_some_and(|n| n.id() == mine.id()),
            _ => false,
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.node.as_ref().map(|n| n.id()).hash(&mut h);
        h.finish()
    }
}
