//! Module functions behind `ferrograd.autograd` and the grad-mode context managers.

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

/// Gradients per output: `None`, one tensor, or a sequence with `None` entries allowed.
fn optional_tensors(
    seq: Option<&Bound<'_, PyAny>>,
    n: usize,
    fname: &str,
) -> PyResult<Vec<Option<Tensor>>> {
    let Some(seq) = seq.filter(|s| !s.is_none()) else {
        return Ok(vec![None; n]);
    };
    if seq.cast::<PyTensor>().is_ok() {
        return Ok(vec![Some(tensor_arg(seq, fname, "grad_tensors")?)]);
    }
    seq.try_iter()?
        .map(|t| {
            let t = t?;
            if t.is_none() {
                Ok(None)
            } else {
                tensor_arg(&t, fname, "grad_tensors").map(Some)
            }
        })
        .collect()
}

#[pyfunction]
#[pyo3(signature = (tensors_, grad_tensors=None, retain_graph=None, create_graph=false))]
pub fn _backward(
    tensors_: &Bound<'_, PyAny>,
    grad_tensors: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
) -> PyResult<()> {
    let outs = tensors(tensors_, "backward")?;
    let grads = optional_tensors(grad_tensors, outs.len(), "backward")?;
    Ok(autograd::backward(
        &outs,
        &grads,
        retain_graph,
        create_graph,
    )?)
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
    let ins = tensors(inputs, "grad")?;
    let grads = optional_tensors(grad_outputs, outs.len(), "grad")?;
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
