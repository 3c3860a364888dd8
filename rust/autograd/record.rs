//! How an op enters the graph: edges to its inputs' nodes, a node in the arena, and a
//! `grad_fn` on each output.

use std::sync::Arc;

use smallvec::SmallVec;

use super::accumulate::AccumulateGrad;
use super::grad_mode;
use super::graph::NodeRef;
use super::inference;
use super::meta::GradFn;
use super::node::{Backward, Edge, Node, OutputMeta, SavedTensor};
use crate::error::Result;
use crate::tensor::Tensor;

/// Whether an op on these inputs records a node: grad mode is on, some input requires grad,
/// and inference mode is off.
#[inline]
pub fn is_recording(inputs: &[&Tensor]) -> bool {
    grad_mode::is_enabled() && inputs.iter().any(|t| t.requires_grad()) && !inference::is_enabled()
}

/// Where gradients for `t` go: its `grad_fn`, or the AccumulateGrad node of a leaf that
/// requires grad (made on first use and held weakly by the leaf).
pub fn edge_of(t: &Tensor) -> Option<Edge> {
    let meta = t.autograd_meta()?;
    if let Some(g) = meta.grad_fn() {
        return Some(Edge {
            node: g.node,
            input_nr: g.output_nr,
        });
    }
    if !meta.requires_grad() {
        return None;
    }
    if let Some(node) = meta.accumulator().and_then(NodeRef::upgrade) {
        return Some(Edge { node, input_nr: 0 });
    }
    let mut node = Node::new(
        Arc::new(AccumulateGrad { leaf: t.clone() }),
        SmallVec::new(),
        smallvec::smallvec![OutputMeta::of(t)],
    );
    node.seq = u64::MAX; // leaves accumulate as soon as they are ready, as in PyTorch
    let node = NodeRef::new(node);
    meta.set_accumulator(node.id());
    Some(Edge { node, input_nr: 0 })
}

/// `Some(SavedTensor)` of `t` when `cond` holds: ops save only what a needed gradient uses.
pub fn save_if(cond: bool, t: &Tensor) -> Option<SavedTensor> {
    cond.then(|| SavedTensor::input(t))
}

/// Adds a node for `op` with one edge per input (`None` for non-tensor inputs) and makes it
/// the `grad_fn` of every output. Fails (before changing anything) if an inference tensor
/// would be saved.
pub fn record(
    op: impl Backward,
    inputs: &[Option<&Tensor>],
    saved: SmallVec<[Option<SavedTensor>; 2]>,
    outputs: &[&Tensor],
) -> Result<()> {
    if inference::tensors_may_exist() {
        for s in saved.iter().flatten() {
            s.check_saveable()?;
        }
    }
    let next = inputs.iter().map(|t| t.and_then(edge_of)).collect();
    let metas = outputs.iter().map(|t| OutputMeta::of(t)).collect();
    let mut node = Node::new(Arc::new(op), next, metas);
    node.saved = saved;
    let node = NodeRef::new(node);
    for (i, out) in outputs.iter().enumerate() {
        out.attach_grad_fn(GradFn {
            node: node.clone(),
            output_nr: i as u32,
        });
    }
    Ok(())
}

/// [`record`] for the common one-input, one-output op whose backward reads both its input
/// and its result (reductions such as `amax`, `prod`, `logsumexp`, `norm`): saves
/// `[x, out]`, in that order.
pub fn record_saving_input_and_output(op: impl Backward, x: &Tensor, out: &Tensor) -> Result<()> {
    let saved = smallvec::smallvec![
        Some(SavedTensor::input(x)),
        Some(SavedTensor::output(out, 0))
    ];
    record(op, &[Some(x)], saved, &[out])
}
