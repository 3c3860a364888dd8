//! The backward scheduler.
//!
//! It finds the part of the graph reachable from the roots, counts for each node how many
//! edges point at it, and runs nodes from a ready queue once all their gradients have
//! arrived (summed per output). Among ready nodes the most recently created runs first, as
//! in PyTorch. Everything is loops over explicit queues: graph depth never meets the stack.
//!
//! What one node does when its turn comes is in [`run_node`]: hooks around the formula
//! (`hooks.rs` lists their order), and the checks of anomaly mode (`anomaly.rs`).

use std::collections::BinaryHeap;
use std::sync::{Arc, Weak};

use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

use super::anomaly::{self, ParentGuard, Trace};
use super::grad_mode::GradModeGuard;
use super::graph::{reachable, with_node, NodeId, Reached};
use super::hooks::{run_grad_hooks, run_hooks, Hook, PostHook, PreHook};
use super::meta::AutogradMeta;
use super::node::{Backward, BackwardCtx, Edge, Grads, NodeExtras, OutputMeta};
use crate::error::{Error, Result};
use crate::ops;
use crate::tensor::{is_expandable_to, shape_str, Tensor};

/// Options of one backward pass.
#[derive(Copy, Clone, Debug)]
pub struct PassOptions {
    /// Keep saved tensors so the graph can be run again.
    pub retain_graph: bool,
    /// Record the backward computation itself (for higher-order gradients).
    pub create_graph: bool,
}

/// Which nodes a pass runs, and where the gradients end up.
#[derive(Copy, Clone)]
pub enum Targets<'a> {
    /// `backward()`: every reachable node runs and every reachable leaf accumulates.
    All,
    /// `backward(inputs=...)`: only these edges' nodes and the nodes leading to them run;
    /// leaves among them accumulate (a non-leaf input does through `retain_grad`).
    Accumulate(&'a [Edge]),
    /// `autograd.grad()`: the gradients arriving at these edges are returned, in order, and
    /// only the nodes leading to them run.
    Capture(&'a [Edge]),
}

/// Runs backward from `roots` (each an edge and the gradient flowing into it). Returns the
/// captured gradients (empty unless `targets` is [`Targets::Capture`]).
pub fn run(
    roots: Vec<(Edge, Tensor)>,
    targets: Targets<'_>,
    opts: PassOptions,
) -> Result<Vec<Option<Tensor>>> {
    // Everything below (formulas, gradient sums, leaf accumulation) records only under
    // create_graph.
    let _mode = GradModeGuard::new(opts.create_graph);
    let root_ids: Vec<NodeId> = roots.iter().map(|(e, _)| e.node.id()).collect();
    let graph = reachable(&root_ids);
    let index: FxHashMap<NodeId, usize> = graph
        .iter()
        .enumerate()
        .map(|(i, r)| (r.node.id(), i))
        .collect();

    let mut deps: FxHashMap<NodeId, u32> = FxHashMap::default();
    for r in &graph {
        for (child, _) in r.next.iter().flatten() {
            *deps.entry(*child).or_default() += 1;
        }
    }

    let plan = Plan::new(&graph, &index, targets);
    let mut captured: Vec<Option<Tensor>> = vec![None; plan.n_captured];

    let mut buffers: FxHashMap<NodeId, SmallVec<[Option<Tensor>; 1]>> = FxHashMap::default();
    let mut ready = BinaryHeap::new();
    for (edge, grad) in roots {
        let id = edge.node.id();
        let r = &graph[index[&id]];
        add_to_buffer(&mut buffers, id, r.outputs.len(), edge.input_nr, grad)?;
    }
    for id in root_ids.iter().collect::<FxHashSet<_>>() {
        if deps.get(id).copied().unwrap_or(0) == 0 {
            ready.push((graph[index[id]].seq, *id));
        }
    }

    while let Some((_, id)) = ready.pop() {
        let r = &graph[index[&id]];
        if let Some(grads) = buffers.remove(&id) {
            let step = || -> Result<()> {
                let produced = run_node(r, grads, &plan, &mut captured, opts)?;
                for (i, grad) in produced.into_iter().enumerate() {
                    let (Some(grad), Some((child, input_nr))) =
                        (grad, r.next.get(i).copied().flatten())
                    else {
                        continue;
                    };
                    if !plan.wants_gradient(child) {
                        continue;
                    }
                    let child_r = &graph[index[&child]];
                    let grad = conform(grad, &child_r.outputs[input_nr as usize], r, i)?;
                    add_to_buffer(&mut buffers, child, child_r.outputs.len(), input_nr, grad)?;
                }
                Ok(())
            };
            let done = if anomaly::is_enabled() {
                // Nodes recorded from here on (by the formula, or by summing its gradients)
                // remember this one as their parent; a failure shows where it was made.
                let (name, trace) = name_and_trace(r);
                let _parent = ParentGuard::new(&name, trace.clone());
                step().inspect_err(|_| anomaly::report_failure(&name, trace.as_deref()))
            } else {
                step()
            };
            done?;
        }
        for (child, _) in r.next.iter().flatten() {
            let d = deps.get_mut(child).expect("counted above");
            *d -= 1;
            if *d == 0 {
                ready.push((graph[index[child]].seq, *child));
            }
        }
    }
    Ok(captured)
}

/// Which nodes run their formula, and which gradients are captured.
struct Plan {
    /// Nodes that run; `None`: all of them.
    needed: Option<FxHashSet<NodeId>>,
    /// (node, input_nr) of each captured edge -> its places in the result.
    captures: FxHashMap<(NodeId, u32), SmallVec<[usize; 1]>>,
    /// How many gradients are returned.
    n_captured: usize,
    capture_nodes: FxHashSet<NodeId>,
}

impl Plan {
    fn new(graph: &[Reached], index: &FxHashMap<NodeId, usize>, targets: Targets<'_>) -> Plan {
        let node_ids = |edges: &[Edge]| -> Vec<NodeId> {
            edges
                .iter()
                .map(|e| e.node.id())
                .filter(|id| index.contains_key(id))
                .collect()
        };
        match targets {
            Targets::All => Plan {
                needed: None,
                captures: FxHashMap::default(),
                n_captured: 0,
                capture_nodes: FxHashSet::default(),
            },
            Targets::Accumulate(edges) => Plan {
                needed: Some(nodes_leading_to(graph, &node_ids(edges), true)),
                captures: FxHashMap::default(),
                n_captured: 0,
                capture_nodes: FxHashSet::default(),
            },
            Targets::Capture(edges) => {
                let capture_nodes: FxHashSet<NodeId> = node_ids(edges).into_iter().collect();
                let starts: Vec<NodeId> = capture_nodes.iter().copied().collect();
                let mut captures: FxHashMap<(NodeId, u32), SmallVec<[usize; 1]>> =
                    FxHashMap::default();
                for (i, e) in edges.iter().enumerate() {
                    captures
                        .entry((e.node.id(), e.input_nr))
                        .or_default()
                        .push(i);
                }
                Plan {
                    // A captured node runs only if it leads to another captured edge.
                    needed: Some(nodes_leading_to(graph, &starts, false)),
                    captures,
                    n_captured: edges.len(),
                    capture_nodes,
                }
            }
        }
    }

    #[inline]
    fn runs(&self, id: NodeId) -> bool {
        self.needed.as_ref().is_none_or(|n| n.contains(&id))
    }

    /// Whether gradients flowing into `id` are wanted: it runs, or some are captured there.
    #[inline]
    fn wants_gradient(&self, id: NodeId) -> bool {
        self.runs(id) || self.capture_nodes.contains(&id)
    }

    fn capture(&self, id: NodeId, grads: &[Option<Tensor>], captured: &mut [Option<Tensor>]) {
        if !self.capture_nodes.contains(&id) {
            return;
        }
        for (k, g) in grads.iter().enumerate() {
            if let (Some(slots), Some(g)) = (self.captures.get(&(id, k as u32)), g) {
                for &slot in slots {
                    captured[slot] = Some(g.clone());
                }
            }
        }
    }
}

/// The hooks of a node, copied out of the arena so they can run without its lock.
struct NodeHooks {
    tensor: Vec<(u32, Hook)>,
    retains: Vec<(u32, Weak<AutogradMeta>)>,
    pre: Vec<PreHook>,
    post: Vec<PostHook>,
    /// How many input edges the node has.
    n_edges: usize,
}

impl NodeHooks {
    fn of(x: &NodeExtras, n_edges: usize) -> NodeHooks {
        NodeHooks {
            n_edges,
            tensor: x
                .tensor_hooks
                .iter()
                .map(|(_, nr, h)| (*nr, h.clone()))
                .collect(),
            retains: x.retains.clone(),
            pre: x.pre_hooks.iter().map(|(_, h)| h.clone()).collect(),
            post: x.post_hooks.iter().map(|(_, h)| h.clone()).collect(),
        }
    }
}

/// Runs one node on its summed incoming gradients; returns a gradient per input edge.
fn run_node(
    r: &Reached,
    grads: SmallVec<[Option<Tensor>; 1]>,
    plan: &Plan,
    captured: &mut [Option<Tensor>],
    opts: PassOptions,
) -> Result<Grads> {
    let id = r.node.id();
    let runs = plan.runs(id);
    let (op, saved, hooks, released) = with_node(id, |n| {
        let saved = n.saved_snapshot();
        let released = if runs && !opts.retain_graph && saved.is_ok() {
            n.release_saved()
        } else {
            SmallVec::new()
        };
        let hooks = n
            .extras
            .as_deref()
            .map(|x| Box::new(NodeHooks::of(x, n.next.len())));
        (n.op.clone(), saved, hooks, released)
    })
    .ok_or_else(|| Error::runtime("internal error: a node was freed during backward"))?;
    drop(released);

    let mut grads = grads;
    if runs && !plan.captures.is_empty() {
        // As in PyTorch, a node that runs has its gradients captured before its tensor hooks.
        plan.capture(id, &grads, captured);
    }
    tensor_hooks(op.as_ref(), hooks.as_deref(), &mut grads)?;
    if !runs {
        plan.capture(id, &grads, captured);
        return Ok(SmallVec::new());
    }
    if let Some(h) = &hooks {
        run_grad_hooks(&h.pre, &mut grads, |hook, g| hook(g))?;
    }

    let given = hooks
        .as_ref()
        .is_some_and(|h| !h.post.is_empty())
        .then(|| grads.clone());
    if grads.iter().all(Option::is_none) && !op.runs_without_gradients() {
        // A hook took every gradient away: nothing flows on (post-hooks still see that).
        let nothing = SmallVec::from_elem(None, r.next.len());
        return finish_node(op.as_ref(), hooks.as_deref(), nothing, given);
    }
    let mut received = SmallVec::<[bool; 1]>::new();
    let mut outputs = SmallVec::<[Tensor; 1]>::new();
    for (meta, g) in r.outputs.iter().zip(grads) {
        received.push(g.is_some());
        outputs.push(match g {
            Some(g) => g,
            None => ops::creation::zeros(&meta.shape, meta.dtype, meta.device)?,
        });
    }
    let saved = saved?
        .iter()
        .map(|s| s.as_ref().map(|s| s.unpack(id, op.name())).transpose())
        .collect::<Result<_>>()?;
    let needs = r
        .next
        .iter()
        .map(|e| e.is_some_and(|(child, _)| plan.wants_gradient(child)))
        .collect();
    let produced = op.backward(&BackwardCtx::new(outputs, received, saved, needs))?;
    if hooks.is_none() && !anomaly::is_enabled() {
        return Ok(produced);
    }
    finish_node(op.as_ref(), hooks.as_deref(), produced, given)
}

/// After a node's formula: its post-hooks (given the gradients it received), then anomaly
/// mode's NaN check.
fn finish_node(
    op: &dyn Backward,
    hooks: Option<&NodeHooks>,
    mut produced: Grads,
    given: Option<SmallVec<[Option<Tensor>; 1]>>,
) -> Result<Grads> {
    if let (Some(h), Some(given)) = (hooks, given) {
        // Post-hooks see a gradient (or `None`) for every input edge.
        let n_edges = h.n_edges;
        if produced.len() < n_edges {
            produced.resize(n_edges, None);
        }
        run_grad_hooks(&h.post, &mut produced, |hook, g| hook(g, &given))?;
    }
    if anomaly::is_enabled() && anomaly::checks_nan() {
        anomaly::check_nan(op.name(), &produced)?;
    }
    Ok(produced)
}

/// Runs the hooks registered on the tensors a node's outputs are (a leaf's own hooks for an
/// AccumulateGrad node), then stores `.grad` of outputs that retain it.
fn tensor_hooks(
    op: &dyn Backward,
    hooks: Option<&NodeHooks>,
    grads: &mut [Option<Tensor>],
) -> Result<()> {
    if let Some(leaf) = op.variable() {
        let leaf_hooks = leaf.autograd_meta().map(|m| m.hooks()).unwrap_or_default();
        if !leaf_hooks.is_empty() {
            if let Some(g) = grads[0].take() {
                grads[0] = Some(run_hooks(&leaf_hooks, g)?);
            }
        }
    }
    let Some(hooks) = hooks else {
        return Ok(());
    };
    for (k, g) in grads.iter_mut().enumerate() {
        let Some(gv) = g.take() else { continue };
        let mine: Vec<Hook> = hooks
            .tensor
            .iter()
            .filter(|(nr, _)| *nr as usize == k)
            .map(|(_, h)| h.clone())
            .collect();
        *g = Some(run_hooks(&mine, gv)?);
    }
    for (nr, meta) in &hooks.retains {
        if let (Some(meta), Some(g)) = (meta.upgrade(), grads[*nr as usize].as_ref()) {
            let new = match meta.grad() {
                None => ops::clone(g)?,
                Some(old) => ops::add(&old, g)?,
            };
            meta.set_grad(Some(new));
        }
    }
    Ok(())
}

fn name_and_trace(r: &Reached) -> (String, Option<Arc<Trace>>) {
    r.node.with(|n| {
        (
            n.op.name().to_string(),
            n.extras.as_ref().and_then(|x| x.trace.clone()),
        )
    })
}

/// Nodes from which one of `targets` can be reached: with `inclusive`, the targets count
/// themselves; otherwise a target counts only if it leads to another.
fn nodes_leading_to(graph: &[Reached], targets: &[NodeId], inclusive: bool) -> FxHashSet<NodeId> {
    // Parents of each node, then a backward flood fill.
    let mut parents: FxHashMap<NodeId, Vec<NodeId>> = FxHashMap::default();
    for r in graph {
        for (child, _) in r.next.iter().flatten() {
            parents.entry(*child).or_default().push(r.node.id());
        }
    }
    let mut stack: Vec<NodeId> = if inclusive {
        targets.to_vec()
    } else {
        targets
            .iter()
            .filter_map(|t| parents.get(t))
            .flatten()
            .copied()
            .collect()
    };
    let mut needed = FxHashSet::default();
    while let Some(id) = stack.pop() {
        if needed.insert(id) {
            if let Some(ps) = parents.get(&id) {
                stack.extend(ps.iter().copied());
            }
        }
    }
    needed
}

/// Sums `grad` into input slot `input_nr` of `id`'s buffer.
fn add_to_buffer(
    buffers: &mut FxHashMap<NodeId, SmallVec<[Option<Tensor>; 1]>>,
    id: NodeId,
    n_outputs: usize,
    input_nr: u32,
    grad: Tensor,
) -> Result<()> {
    let slots = buffers
        .entry(id)
        .or_insert_with(|| SmallVec::from_elem(None, n_outputs));
    let slot = &mut slots[input_nr as usize];
    *slot = Some(match slot.take() {
        None => grad,
        Some(prev) => ops::add(&prev, &grad)?,
    });
    Ok(())
}

/// Checks a produced gradient against the tensor it is for: a broadcast gradient is summed
/// down, a dtype difference cast; anything else is PyTorch's "invalid gradient" error.
fn conform(grad: Tensor, meta: &OutputMeta, producer: &Reached, index: usize) -> Result<Tensor> {
    let grad = if grad.shape() == meta.shape.as_slice() {
        grad
    } else if is_expandable_to(&meta.shape, grad.shape()) {
        ops::sum_to(&grad, &meta.shape)?
    } else {
        let name = producer.node.with(|n| n.op.name().to_string());
        return Err(Error::runtime(format!(
            "Function {name} returned an invalid gradient at index {index} - got {} but expected shape compatible with {}",
            shape_str(grad.shape()),
            shape_str(&meta.shape)
        )));
    };
    // A 0-d CPU tensor may take part in a GPU op (as a scalar); its gradient comes home.
    let grad = ops::copy::to_device(&grad, meta.device)?;
    if grad.dtype() != meta.dtype {
        return ops::to_dtype(&grad, meta.dtype);
    }
    Ok(grad)
}
