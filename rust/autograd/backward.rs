//! `tensor.backward()` / `autograd.backward()` and `autograd.grad()`: checking the roots,
//! their gradients and the inputs, then handing them to the engine.

use super::engine::{self, PassOptions, Targets};
use super::node::Edge;
use super::record::edge_of;
use crate::error::{Error, Result};
use crate::ops;
use crate::tensor::{is_expandable_to, Tensor};

/// Formats a shape as `ferrograd.Size([2, 2])`, as the messages show it.
fn size_str(shape: &[usize]) -> String {
    format!("ferrograd.Size({})", crate::tensor::shape_str(shape))
}

/// The gradient a root starts with, in the output's dtype. A missing one is 1 for a
/// one-element output; a given one must match the output's shape. `backward()` also lets it
/// broadcast (older PyTorch accepted that, and the legacy tutorials rely on it:
/// `FloatTensor([1])` for a scalar output); `autograd.grad()` is strict, as PyTorch is now.
fn root_gradient(
    output: &Tensor,
    grad: Option<&Tensor>,
    i: usize,
    lenient: bool,
) -> Result<Tensor> {
    let Some(grad) = grad else {
        if output.numel() != 1 {
            return Err(Error::runtime(
                "grad can be implicitly created only for scalar outputs",
            ));
        }
        return ops::creation::ones(output.shape(), output.dtype(), output.device());
    };
    let grad = if grad.dtype() == output.dtype() {
        grad.clone()
    } else {
        ops::to_dtype(grad, output.dtype())?
    };
    if grad.shape() == output.shape() {
        return Ok(grad);
    }
    // Leading size-1 dims beyond the output's rank carry nothing: drop them, then broadcast.
    let extra = grad.ndim().saturating_sub(output.ndim());
    let trimmed = &grad.shape()[extra..];
    if lenient
        && grad.shape()[..extra].iter().all(|&d| d == 1)
        && is_expandable_to(trimmed, output.shape())
    {
        let g = ops::reshape(&grad, trimmed)?;
        return ops::expand(&g, output.shape());
    }
    Err(Error::runtime(format!(
        "Mismatch in shape: grad_output[{i}] has a shape of {} and output[{i}] has a shape of {}.",
        size_str(grad.shape()),
        size_str(output.shape())
    )))
}

/// The roots for the engine: each output's edge with its starting gradient. Gradients beyond
/// the number of outputs are ignored, as in PyTorch.
fn roots(
    outputs: &[Tensor],
    grads: &[Option<Tensor>],
    lenient: bool,
) -> Result<Vec<(Edge, Tensor)>> {
    if grads.len() < outputs.len() {
        return Err(Error::runtime(format!(
            "got {} tensors and {} gradients",
            outputs.len(),
            grads.len()
        )));
    }
    outputs
        .iter()
        .zip(grads)
        .enumerate()
        .map(|(i, (out, g))| {
            let edge = edge_of(out).ok_or_else(|| {
                Error::runtime(format!(
                    "element {i} of tensors does not require grad and does not have a grad_fn"
                ))
            })?;
            Ok((edge, root_gradient(out, g.as_ref(), i, lenient)?))
        })
        .collect()
}

/// Accumulates d(outputs)/d(leaves) into `.grad`: of every reachable leaf, or with `inputs`
/// of those tensors only (a non-leaf among them starts retaining its gradient, as in
/// PyTorch). `retain_graph` defaults to `create_graph`.
pub fn backward(
    outputs: &[Tensor],
    grads: &[Option<Tensor>],
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<&[Tensor]>,
) -> Result<()> {
    let roots = roots(outputs, grads, true)?;
    let opts = PassOptions {
        retain_graph: retain_graph.unwrap_or(create_graph),
        create_graph,
    };
    let Some(inputs) = inputs else {
        engine::run(roots, Targets::All, opts)?;
        return Ok(());
    };
    if inputs.is_empty() {
        return Err(Error::runtime(
            "`inputs` argument to `backward()` cannot be empty.",
        ));
    }
    let edges = inputs
        .iter()
        .map(|t| {
            retain_grad(t)?;
            Ok(edge_of(t).expect("retain_grad checked that it requires grad"))
        })
        .collect::<Result<Vec<_>>>()?;
    engine::run(roots, Targets::Accumulate(&edges), opts)?;
    Ok(())
}

/// Returns d(outputs)/d(inputs) without touching `.grad`; an input the outputs do not depend
/// on is an error unless `allow_unused`, and then its gradient is `None`.
pub fn grad(
    outputs: &[Tensor],
    inputs: &[Tensor],
    grads: &[Option<Tensor>],
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
) -> Result<Vec<Option<Tensor>>> {
    if inputs.is_empty() {
        return Err(Error::runtime(
            "`inputs` argument to `grad()` cannot be empty.",
        ));
    }
    let roots = roots(outputs, grads, false)?;
    let edges = inputs
        .iter()
        .map(|t| {
            edge_of(t).ok_or_else(|| {
                Error::runtime("One of the differentiated Tensors does not require grad")
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let opts = PassOptions {
        retain_graph: retain_graph.unwrap_or(create_graph),
        create_graph,
    };
    let result = engine::run(roots, Targets::Capture(&edges), opts)?;
    if let (false, Some(i)) = (allow_unused, result.iter().position(Option::is_none)) {
        return Err(Error::runtime(format!(
            "The differentiated Tensor at index {i} appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."
        )));
    }
    Ok(result)
}

/// `retain_grad()`: a non-leaf keeps its gradient in `.grad` after backward (a no-op on a
/// leaf that requires grad).
pub fn retain_grad(t: &Tensor) -> Result<()> {
    if !t.requires_grad() {
        return Err(Error::runtime(
            "can't retain_grad on Tensor that has requires_grad=False",
        ));
    }
    let Some(g) = t.grad_fn() else {
        return Ok(());
    };
    let meta = t.autograd_meta_or_init();
    if meta.retains_grad() {
        return Ok(());
    }
    meta.set_retains_grad(true);
    let weak = std::sync::Arc::downgrade(meta);
    g.node
        .with(|n| n.extras_mut().retains.push((g.output_nr, weak)));
    Ok(())
}
