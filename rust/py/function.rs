//! Custom `autograd.Function`s: the graph node whose backward calls the Python `backward`,
//! and what `Function.apply` does with forward's results (history on the outputs, saved
//! tensors, dirty and non-differentiable outputs). The Python side is
//! `python/ferrograd/autograd/function.py`.

use std::any::Any;
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use smallvec::SmallVec;

use super::errors::park;
use super::node::PyNode;
use super::tensor::PyTensor;
use crate::autograd::delayed_error::DelayedError;
use crate::autograd::graph::with_node;
use crate::autograd::node::{Node, OutputMeta};
use crate::autograd::record::edge_of;
use crate::autograd::{
    is_recording, record, Backward, BackwardCtx, GradFn, Grads, NodeRef, SavedTensor,
};
use crate::error::{Error, Result};
use crate::ops::inplace::rebase_view;
use crate::tensor::Tensor;

/// The node of one `Function.apply` call.
struct FunctionBackward {
    /// `<ClassName>Backward`.
    name: String,
    /// The context object (`ctx`), which is also the node's Python object.
    ctx: Py<PyAny>,
    /// Whether each forward argument was a tensor: `backward` returns one value per argument,
    /// and only tensor arguments have edges.
    tensor_args: Vec<bool>,
    /// Each forward output's place among the node's outputs (`None` for a non-tensor).
    output_slots: Vec<Option<usize>>,
}

impl Backward for FunctionBackward {
    fn name(&self) -> &str {
        &self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        Python::attach(|py| {
            let result = self.call_backward(py, ctx).map_err(park)?;
            self.gradients(result.bind(py))
        })
    }

    fn runs_without_gradients(&self) -> bool {
        true
    }

    fn binding(&self) -> Option<&(dyn Any + Send + Sync)> {
        Some(&self.ctx)
    }
}

impl FunctionBackward {
    /// `ctx._run_backward(saved, grads)`: a gradient per forward output, `None` for
    /// non-tensors and (unless the Function materializes them) for those that got none.
    fn call_backward(&self, py: Python<'_>, ctx: &BackwardCtx) -> PyResult<Py<PyAny>> {
        let fctx = self.ctx.bind(py);
        let materialize: bool = fctx.getattr("_materialize_grads")?.extract()?;
        let grads = self.output_slots.iter().map(|slot| match slot {
            Some(k) if materialize || ctx.received(*k) => {
                Some(PyTensor::from(ctx.grads[*k].clone()))
            }
            _ => None,
        });
        let saved = ctx
            .saved_all()
            .iter()
            .map(|t| t.clone().map(PyTensor::from));
        let out = fctx.call_method1(
            "_run_backward",
            (PyTuple::new(py, saved)?, PyTuple::new(py, grads)?),
        )?;
        Ok(out.unbind())
    }

    /// Checks what `backward` returned (PyTorch's errors) and keeps the tensor arguments'.
    fn gradients(&self, result: &Bound<'_, PyAny>) -> Result<Grads> {
        let mut values: Vec<Bound<'_, PyAny>> = match result.cast::<PyTuple>() {
            Ok(t) => t.iter().collect(),
            Err(_) => vec![result.clone()],
        };
        let expected = self.tensor_args.len();
        if values.len() > expected && values[expected..].iter().all(|v| v.is_none()) {
            values.truncate(expected);
        }
        if values.len() != expected {
            return Err(Error::runtime(format!(
                "function {} returned an incorrect number of gradients (expected {expected}, got {})",
                self.name,
                values.len()
            )));
        }
        let mut grads = Grads::new();
        for (i, (value, &is_tensor)) in values.iter().zip(&self.tensor_args).enumerate() {
            if value.is_none() {
                if is_tensor {
                    grads.push(None);
                }
                continue;
            }
            if !is_tensor {
                return Err(Error::runtime(format!(
                    "function {} returned a gradient different than None at position {}, but the corresponding forward input was not a Variable",
                    self.name,
                    i + 1
                )));
            }
            let t = value.cast::<PyTensor>().map_err(|_| {
                Error::runtime(format!(
                    "expected Variable or None (got {})",
                    value
                        .get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            grads.push(Some(t.borrow().t.clone()));
        }
        Ok(grads)
    }
}

/// A tuple-valued attribute of `ctx` that forward may have set (`to_save`, ...), taken off.
fn take_attr<'py>(ctx: &Bound<'py, PyAny>, name: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if !ctx.hasattr(name)? {
        return Ok(Vec::new());
    }
    let value = ctx.getattr(name)?;
    ctx.delattr(name)?;
    value.try_iter()?.collect()
}

fn tensor_of(obj: &Bound<'_, PyAny>) -> Option<Tensor> {
    obj.cast::<PyTensor>().ok().map(|t| t.borrow().t.clone())
}

/// What forward declared through `ctx`, taken off it (so `ctx` holds no tensors).
struct Marks {
    /// `save_for_backward`: tensors, or `None`.
    to_save: Vec<Option<Tensor>>,
    dirty: Vec<Tensor>,
    non_differentiable: Vec<Tensor>,
}

impl Marks {
    fn take(ctx: &Bound<'_, PyAny>) -> PyResult<Marks> {
        let to_save = take_attr(ctx, "to_save")?
            .iter()
            .enumerate()
            .map(|(i, s)| match tensor_of(s) {
                Some(t) => Ok(Some(t)),
                None if s.is_none() => Ok(None),
                None => Err(PyTypeError::new_err(format!(
                    "save_for_backward can only save variables, but argument {i} is of type {}",
                    s.get_type().name()?
                ))),
            })
            .collect::<PyResult<_>>()?;
        let tensors = |name| -> PyResult<Vec<Tensor>> {
            Ok(take_attr(ctx, name)?.iter().filter_map(tensor_of).collect())
        };
        Ok(Marks {
            to_save,
            dirty: tensors("dirty_tensors")?,
            non_differentiable: tensors("non_differentiable")?,
        })
    }

    /// PyTorch's errors for inputs marked dirty; then records their change (before they are
    /// saved: a dirty output saved for backward is saved as changed).
    fn check_dirty(&self, outputs: &[Option<Tensor>]) -> PyResult<()> {
        for d in &self.dirty {
            if !outputs.iter().flatten().any(|t| t.same(d)) {
                return Err(PyRuntimeError::new_err(
                    "Some elements marked as dirty during the forward method were not returned as output. The inputs that are modified inplace must all be outputs of the Function.",
                ));
            }
            if d.is_leaf() && d.requires_grad() {
                return Err(PyRuntimeError::new_err(
                    "a leaf Variable that requires grad has been used in an in-place operation.",
                ));
            }
        }
        for d in &self.dirty {
            d.bump_version();
        }
        Ok(())
    }

    fn is_differentiable(&self, t: &Tensor) -> bool {
        t.dtype().is_floating_point() && !self.non_differentiable.iter().any(|n| n.same(t))
    }
}

/// After `forward` ran (with grad mode off): gives the outputs their history, a node whose
/// backward calls `ctx`'s, and saves what `ctx.save_for_backward` named. Returns the outputs
/// as forward returned them (an input returned unchanged comes back as a view of it).
#[pyfunction]
pub fn _function_record<'py>(
    ctx: &Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    output: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = ctx.py();
    let marks = Marks::take(ctx)?;
    let inputs: Vec<Option<Tensor>> = args.iter().map(|a| tensor_of(&a)).collect();
    let input_refs: Vec<&Tensor> = inputs.iter().flatten().collect();
    let is_tuple = output.cast::<PyTuple>().is_ok();
    let mut outputs: Vec<Bound<'py, PyAny>> = if is_tuple {
        output.try_iter()?.collect::<PyResult<_>>()?
    } else {
        vec![output.clone()]
    };
    let out_tensors: Vec<Option<Tensor>> = outputs.iter().map(tensor_of).collect();
    if !is_recording(&input_refs) || out_tensors.iter().all(Option::is_none) {
        return Ok(output.clone());
    }
    marks.check_dirty(&out_tensors)?;

    let (node, output_slots) = make_node(ctx, &inputs, &out_tensors, &marks.to_save)?;
    ctx.cast::<PyNode>()?.borrow_mut().refer_weakly(node.id());
    for (i, (t, slot)) in out_tensors.iter().zip(&output_slots).enumerate() {
        let (Some(t), Some(k)) = (t, slot) else {
            continue;
        };
        if !marks.is_differentiable(t) {
            continue;
        }
        let grad_fn = GradFn {
            node: node.clone(),
            output_nr: *k as u32,
        };
        if marks.dirty.iter().any(|d| d.same(t)) {
            match t.view_base() {
                Some(base) => {
                    let value = t.detach();
                    value.attach_grad_fn(grad_fn);
                    rebase_view(base, t, &value)?;
                }
                None => t.attach_grad_fn(grad_fn),
            }
        } else if input_refs.iter().any(|x| x.same(t)) {
            // An input returned as it is: the output is a new view of it with this history.
            let view = t.view_of(t.layout().clone());
            view.attach_grad_fn(grad_fn);
            outputs[i] = Bound::new(py, PyTensor::from(view))?.into_any();
        } else {
            t.attach_grad_fn(grad_fn);
        }
    }
    if is_tuple {
        Ok(PyTuple::new(py, outputs)?.into_any())
    } else {
        Ok(outputs.swap_remove(0))
    }
}

/// The node of one call: an edge per tensor argument, an output per tensor output, and the
/// saved tensors (an output saved as one, to be reconnected under `create_graph`). Returns
/// it with each forward output's place among its outputs.
fn make_node(
    ctx: &Bound<'_, PyAny>,
    inputs: &[Option<Tensor>],
    outputs: &[Option<Tensor>],
    to_save: &[Option<Tensor>],
) -> PyResult<(NodeRef, Vec<Option<usize>>)> {
    let mut output_slots = Vec::with_capacity(outputs.len());
    let mut metas = SmallVec::new();
    for t in outputs {
        output_slots.push(t.as_ref().map(|t| {
            metas.push(OutputMeta::of(t));
            metas.len() - 1
        }));
    }
    let op = FunctionBackward {
        name: ctx.get_type().name()?.to_string(),
        ctx: ctx.clone().unbind(),
        tensor_args: inputs.iter().map(Option::is_some).collect(),
        output_slots: output_slots.clone(),
    };
    let next = inputs.iter().flatten().map(edge_of).collect();
    let mut node = Node::new(Arc::new(op), next, metas);
    node.saved = to_save
        .iter()
        .map(|t| {
            let Some(t) = t else {
                return Ok(None);
            };
            let slot = outputs
                .iter()
                .zip(&output_slots)
                .find_map(|(o, slot)| o.as_ref().filter(|o| o.same(t)).and(*slot));
            let saved = match slot {
                Some(k) => SavedTensor::output(t, k as u32),
                None => SavedTensor::input(t),
            };
            saved.check_saveable()?;
            Ok(Some(saved))
        })
        .collect::<Result<_>>()?;
    Ok((NodeRef::new(node), output_slots))
}

/// `ctx.saved_tensors` outside backward: the saved tensors, checked against in-place changes
/// (and PyTorch's error once a backward pass freed them).
#[pyfunction]
pub fn _function_saved_tensors<'py>(ctx: &Bound<'py, PyNode>) -> PyResult<Bound<'py, PyTuple>> {
    let py = ctx.py();
    let node = ctx.borrow().node()?;
    let id = node.id();
    let (name, saved) = with_node(id, |n| (n.op.name().to_string(), n.saved_snapshot()))
        .ok_or_else(|| PyRuntimeError::new_err("this Node is not part of a graph"))?;
    let tensors = saved?
        .iter()
        .map(|s| s.as_ref().map(|s| s.unpack(id, &name)).transpose())
        .collect::<Result<Vec<_>>>()?;
    PyTuple::new(py, tensors.into_iter().map(|t| t.map(PyTensor::from)))
}

/// What `@once_differentiable` returns under `create_graph`: the gradients, under an `Error`
/// node that fails if they are differentiated again.
#[pyfunction]
pub fn _delayed_error<'py>(
    py: Python<'py>,
    message: String,
    tensors: Vec<Option<PyRef<'py, PyTensor>>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let inputs: Vec<Option<Tensor>> = tensors
        .iter()
        .map(|t| t.as_ref().map(|t| t.t.clone()))
        .collect();
    let outputs: Vec<Tensor> = inputs.iter().flatten().map(Tensor::data).collect();
    let edges: Vec<Option<&Tensor>> = inputs.iter().map(Option::as_ref).collect();
    record(
        DelayedError { message },
        &edges,
        SmallVec::new(),
        &outputs.iter().collect::<Vec<_>>(),
    )?;
    let mut made = outputs.into_iter();
    let values = inputs
        .iter()
        .map(|t| t.as_ref().and_then(|_| made.next()).map(PyTensor::from));
    PyTuple::new(py, values)
}
