//! Module functions behind `ferrograd.autograd` and the grad-mode context managers.

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::args::tensor_arg;
use super::tensor::PyTensor;
use crate::autograd::{self, grad_mode};
use crate::tensor::Tensor;

#[pyfunction]
pub fn is_grad_enabled() -> bool {
    grad_mode::is_enabled()
}

/// Sets grad mode for this thread and returns the previous mode.
#[pyfunction]
pub fn _set_grad_enabled(mode: bool) -> bool {
    grad_mode::set_enabled(mode)
}

fn tensors(seq: &Bound<'_, PyAny>, fname: &str) -> PyResult<Vec<Tensor>> {
    if seq.cast::<PyTensor>().is_ok() {
        return Ok(vec![tensor_arg(seq, fname, "tensors")?]);
    }
    seq.try_iter()?
        .map(|t| tensor_arg(&t?, fname, "tensors"))
        .collect()
}

/// The tensors gradients are wanted for (`inputs=`): one tensor or a sequence of them.
fn inputs_of(seq: &Bound<'_, PyAny>) -> PyResult<Vec<Tensor>> {
    if let Ok(t) = seq.cast::<PyTensor>() {
        return Ok(vec![t.borrow().t.clone()]);
    }
    seq.try_iter()?
        .map(|t| {
            let t = t?;
            t.cast::<PyTensor>()
                .map(|t| t.borrow().t.clone())
                .map_err(|_| {
                    PyRuntimeError::new_err(format!(
                        "all inputs have to be Tensors or GradientEdges, but got {}",
                        t.get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    ))
                })
        })
        .collect()
}

/// Gradients per output: `None`, one tensor, or a sequence with `None` entries allowed.
fn optional_tensors(seq: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<Option<Tensor>>> {
    let Some(seq) = seq.filter(|s| !s.is_none()) else {
        return Ok(vec![None; n]);
    };
    if let Ok(t) = seq.cast::<PyTensor>() {
        return Ok(vec![Some(t.borrow().t.clone())]);
    }
    seq.try_iter()?
        .map(|t| {
            let t = t?;
            if t.is_none() {
                return Ok(None);
            }
            t.cast::<PyTensor>()
                .map(|t| Some(t.borrow().t.clone()))
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "gradients can be either Tensors or None, but got {}",
                        t.get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    ))
                })
        })
        .collect()
}

static CYCLE_WARNED: AtomicBool = AtomicBool::new(false);

/// PyTorch's one-time warning for `backward(create_graph=True)`.
fn warn_create_graph_cycle(py: Python<'_>) -> PyResult<()> {
    if CYCLE_WARNED.swap(true, Ordering::Relaxed) {
        return Ok(());
    }
    PyErr::warn(
        py,
        &py.get_type::<PyUserWarning>(),
        c"Using backward() with create_graph=True will create a reference cycle between the parameter and its gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters to None after use to break the cycle and avoid the leak.",
        1,
    )
}

/// `backward()` for a tensor or sequence of tensors (`Tensor.backward` and
/// `autograd.backward`).
pub fn run_backward(
    py: Python<'_>,
    outputs: &[Tensor],
    gradients: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let grads = optional_tensors(gradients, outputs.len())?;
    let inputs = inputs.filter(|i| !i.is_none()).map(inputs_of).transpose()?;
    if create_graph {
        warn_create_graph_cycle(py)?;
    }
    Ok(autograd::backward(
        outputs,
        &grads,
        retain_graph,
        create_graph,
        inputs.as_deref(),
    )?)
}

#[pyfunction]
#[pyo3(signature = (tensors_, grad_tensors=None, retain_graph=None, create_graph=false, inputs=None))]
pub fn _backward(
    py: Python<'_>,
    tensors_: &Bound<'_, PyAny>,
    grad_tensors: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let outs = tensors(tensors_, "backward")?;
    run_backward(py, &outs, grad_tensors, retain_graph, create_graph, inputs)
}

#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=false, allow_unused=false))]
pub fn _grad<'py>(
    py: Python<'py>,
    outputs: &Bound<'py, PyAny>,
    inputs: &Bound<'py, PyAny>,
    grad_outputs: Option<&Bound<'py, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
) -> PyResult<Bound<'py, PyList>> {
    let outs = tensors(outputs, "grad")?;
    let ins = inputs_of(inputs)?;
    let grads = optional_tensors(grad_outputs, outs.len())?;
    let result = autograd::grad(
        &outs,
        &ins,
        &grads,
        retain_graph,
        create_graph,
        allow_unused,
    )?;
    PyList::new(py, result.into_iter().map(|g| g.map(PyTensor::from)))
}

/// Live autograd nodes in the process (for memory tests).
#[pyfunction]
pub fn _live_nodes() -> usize {
    autograd::graph::live_nodes()
}
