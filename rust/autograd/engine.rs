//! The backward scheduler.
//!
//! It finds the part of the graph reachable from the roots, counts for each node how many
//! edges point at it, and runs nodes from a ready queue once all their gradients have
//! arrived (summed per output). Among ready nodes the most recently created runs first, as
//! in PyTorch. Everything is loops over explicit queues: graph depth never meets the stack.

use std::collections::BinaryHeap;

use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

use super::grad_mode::GradModeGuard;
use super::graph::{reachable, with_node, NodeId, Reached};
use super::hooks::run_hooks;
use super::node::{BackwardCtx, Edge, OutputMeta};
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

/// Runs backward from `roots` (each an edge and the gradient flowing into it).
///
/// With `capture`, the gradients arriving at those edges are returned (in order) instead of
/// being accumulated into leaves, and only nodes leading to them run: `autograd.grad`.
/// Without it, every reachable node runs and leaves accumulate: `backward()`.
pub fn run(
    roots: Vec<(Edge, Tensor)>,
    capture: Option<&[Edge]>,
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

    let captures: FxHashMap<(NodeId, u32), usize> = capture
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.node.id(), e.input_nr), i))
        .collect();
    let mut captured: Vec<Option<Tensor>> = vec![None; capture.map_or(0, |c| c.len())];
    let plan = capture.map(|_| nodes_leading_to(&graph, &index, &captures));

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
            let run_it = plan.as_ref().is_none_or(|(run, _)| run.contains(&id));
            let produced = run_node(
                r,
                grads,
                &captures,
                &mut captured,
                run_it,
                plan.as_ref().map(|(_, wanted)| wanted),
                opts,
            )?;
            for (i, grad) in produced.into_iter().enumerate() {
                let (Some(grad), Some((child, input_nr))) =
                    (grad, r.next.get(i).copied().flatten())
                else {
                    continue;
                };
                let child_r = &graph[index[&child]];
                let grad = conform(grad, &child_r.outputs[input_nr as usize], r, i)?;
                add_to_buffer(&mut buffers, child, child_r.outputs.len(), input_nr, grad)?;
            }
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

/// Runs one node on its summed incoming gradients; returns a gradient per input edge.
fn run_node(
    r: &Reached,
    grads: SmallVec<[Option<Tensor>; 1]>,
    captures: &FxHashMap<(NodeId, u32), usize>,
    captured: &mut [Option<Tensor>],
    run_it: bool,
    needed: Option<&FxHashSet<NodeId>>,
    opts: PassOptions,
) -> Result<SmallVec<[Option<Tensor>; 2]>> {
    let id = r.node.id();
    let (op, saved, extras, released) = with_node(id, |n| {
        let saved = n.saved_snapshot();
        let released = if run_it && !opts.retain_graph && saved.is_ok() {
            n.release_saved()
        } else {
            SmallVec::new()
        };
        let extras = n
            .extras
            .as_ref()
            .map(|x| (x.tensor_hooks.clone(), x.retains.clone()));
        (n.op.clone(), saved, extras, released)
    })
    .ok_or_else(|| Error::runtime("internal error: a node was freed during backward"))?;
    drop(released);

    let mut grads = grads;
    if let Some((hooks, retains)) = extras {
        for (k, g) in grads.iter_mut().enumerate() {
            let Some(gv) = g.take() else { continue };
            let mine: Vec<_> = hooks
                .iter()
                .filter(|(_, nr, _)| *nr as usize == k)
                .map(|(_, _, h)| h.clone())
                .collect();
            *g = Some(run_hooks(&mine, gv)?);
        }
        for (nr, meta) in retains {
            if let (Some(meta), Some(g)) = (meta.upgrade(), grads[nr as usize].as_ref()) {
                let new = match meta.grad() {
                    None => ops::clone(g)?,
                    Some(old) => ops::add(&old, g)?,
                };
                meta.set_grad(Some(new));
            }
        }
    }
    for (k, g) in grads.iter().enumerate() {
        if let (Some(&slot), Some(g)) = (captures.get(&(id, k as u32)), g) {
            captured[slot] = Some(g.clone());
        }
    }
    if !run_it {
        return Ok(SmallVec::new());
    }

    let outputs = r
        .outputs
        .iter()
        .zip(grads)
        .map(|(meta, g)| {
            g.map_or_else(
                || ops::creation::zeros(&meta.shape, meta.dtype, meta.device),
                Ok,
            )
        })
        .collect::<Result<SmallVec<[Tensor; 1]>>>()?;
    let saved = saved?
        .iter()
        .map(|s| s.as_ref().map(|s| s.unpack(id, op.name())).transpose())
        .collect::<Result<_>>()?;
    let needs = r
        .next
        .iter()
        .map(|e| e.is_some_and(|(child, _)| needed.is_none_or(|n| n.contains(&child))))
        .collect();
    op.backward(&BackwardCtx::new(outputs, saved, needs))
}

/// What `autograd.grad` must do: the nodes to run (those from which a captured edge can be
/// reached through their own outputs) and the nodes whose incoming gradient is wanted (those
/// plus the captured nodes). A captured node that leads to no other capture is not run, so a
/// captured leaf's `.grad` stays untouched.
fn nodes_leading_to(
    graph: &[Reached],
    index: &FxHashMap<NodeId, usize>,
    captures: &FxHashMap<(NodeId, u32), usize>,
) -> (FxHashSet<NodeId>, FxHashSet<NodeId>) {
    // Parents of each node, then a backward flood fill from the captured nodes' parents.
    let mut parents: FxHashMap<NodeId, Vec<NodeId>> = FxHashMap::default();
    for r in graph {
        for (child, _) in r.next.iter().flatten() {
            parents.entry(*child).or_default().push(r.node.id());
        }
    }
    let captured: FxHashSet<NodeId> = captures
        .keys()
        .map(|(id, _)| *id)
        .filter(|id| index.contains_key(id))
        .collect();
    let mut run = FxHashSet::default();
    let mut stack: Vec<NodeId> = captured
        .iter()
        .filter_map(|id| parents.get(id))
        .flatten()
        .copied()
        .collect();
    while let Some(id) = stack.pop() {
        if run.insert(id) {
            if let Some(ps) = parents.get(&id) {
                stack.extend(ps.iter().copied());
            }
        }
    }
    let wanted = run.union(&captured).copied().collect();
    (run, wanted)
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
