//! `tensor.backward()` / `autograd.backward()` and `autograd.grad()`: checking the roots and
//! their gradients, then handing them to the engine.

use super::engine::{self, PassOptions};
use super::node::Edge;
use super::record::edge_of;
use crate::error::{Error, Result};
use crate::ops;
use crate::tensor::{is_expandable_to, Tensor};

/// Formats a shape as `ferrograd.Size([2, 2])`, as the messages show it.
fn size_str(shape: &[usize]) -> String {
    format!("ferrograd.Size({})", crate::tensor::shape_str(shape))
}

/// The gradient a root starts with. A missing one is 1 for a one-element output; a given one
/// must match the output's shape or broadcast to it (older PyTorch accepted that, and the
/// legacy tutorials rely on it: `FloatTensor([1])` for a scalar output).
fn root_gradient(output: &Tensor, grad: Option<&Tensor>, i: usize) -> Result<Tensor> {
    let Some(grad) = grad else {
        if output.numel() != 1 {
            return Err(Error::runtime(
                "grad can be implicitly created only for scalar outputs",
            ));
        }
        return ops::creation::ones(output.shape(), output.dtype(), output.device());
    };
    if grad.shape() == output.shape() {
        return Ok(grad.clone());
    }
    // Leading size-1 dims beyond the output's rank carry nothing: drop them, then broadcast.
    let extra = grad.ndim().saturating_sub(output.ndim());
    let trimmed = &grad.shape()[extra..];
    if grad.shape()[..extra].iter().all(|&d| d == 1) && is_expandable_to(trimmed, output.shape()) {
        let g = ops::reshape(grad, trimmed)?;
        return ops::expand(&g, output.shape());
    }
    Err(Error::runtime(format!(
        "Mismatch in shape: grad_output[{i}] has a shape of {} and output[{i}] has a shape of {}.",
        size_str(grad.shape()),
        size_str(output.shape())
    )))
}

/// The roots for the engine: each output's edge with its starting gradient.
fn roots(outputs: &[Tensor], grads: &[Option<Tensor>]) -> Result<Vec<(Edge, Tensor)>> {
    if grads.len() != outputs.len() {
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
            Ok((edge, root_gradient(out, g.as_ref(), i)?))
        })
        .collect()
}

/// Accumulates d(outputs)/d(leaves) into every reachable leaf's `.grad`.
/// `retain_graph` defaults to `create_graph`, as in PyTorch.
pub fn backward(
    outputs: &[Tensor],
    grads: &[Option<Tensor>],
    retain_graph: Option<bool>,
    create_graph: bool,
) -> Result<()> {
    let roots = roots(outputs, grads)?;
    let opts = PassOptions {
        retain_graph: retain_graph.unwrap_or(create_graph),
        create_graph,
    };
    engine::run(roots, None, opts)?;
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
    let roots = roots(outputs, grads)?;
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
    let result = engine::run(roots, Some(&edges), opts)?;
    if let Some(i) = result
        .iter()
        .position(Option::is_none)
        .filter(|_| !allow_unused)
    {
        return Err(Error::runtime(format!(
            "The differentiated Tensor at index {i} appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."
        )));
    }
    Ok(result)
}
