//! Per-tensor autograd state: the flag, the accumulated `.grad`, and where the tensor came
//! from in the graph.

use std::any::Any;
use std::sync::Arc;

use parking_lot::Mutex;

use super::graph::{NodeId, NodeRef};
use super::hooks::{Hook, PostAccumulateHook};
use crate::tensor::Tensor;

/// "Output `output_nr` of `node`": a non-leaf tensor's place in the graph.
#[derive(Clone)]
pub struct GradFn {
    pub node: NodeRef,
    pub output_nr: u32,
}

#[derive(Default)]
struct State {
    requires_grad: bool,
    grad: Option<Tensor>,
    /// What the bindings attached to the current `grad` (its Python object), so reading
    /// `.grad` twice gives the same object. Dropped whenever `grad` is replaced.
    grad_handle: Option<GradHandle>,
    grad_fn: Option<GradFn>,
    /// The leaf's AccumulateGrad node, held weakly: the graph owns it, the tensor only finds it.
    accumulator: Option<NodeId>,
    retains_grad: bool,
    /// Hooks on a leaf's gradient, run before it is accumulated.
    hooks: Vec<(u64, Hook)>,
    /// Hooks on a leaf, run after its `.grad` was updated.
    post_accumulate_hooks: Vec<(u64, PostAccumulateHook)>,
}

/// An opaque object tied to a tensor's current gradient (see [`AutogradMeta::grad_handle`]).
pub type GradHandle = Arc<dyn Any + Send + Sync>;

/// Shared by a tensor and the tensors that take its identity (`x.data = y` keeps it).
#[derive(Default)]
pub struct AutogradMeta {
    state: Mutex<State>,
}

impl AutogradMeta {
    /// True for a leaf that asked for gradients and for every recorded op's output.
    pub fn requires_grad(&self) -> bool {
        let s = self.state.lock();
        s.requires_grad || s.grad_fn.is_some()
    }

    pub fn set_requires_grad(&self, flag: bool) {
        self.state.lock().requires_grad = flag;
    }

    pub fn grad_fn(&self) -> Option<GradFn> {
        self.state.lock().grad_fn.clone()
    }

    pub fn set_grad_fn(&self, grad_fn: Option<GradFn>) {
        let old = std::mem::replace(&mut self.state.lock().grad_fn, grad_fn);
        drop(old); // outside the lock: dropping a NodeRef may free a graph
    }

    /// `detach_()`: the tensor becomes a leaf that does not require grad.
    pub fn detach(&self) {
        let old = {
            let mut s = self.state.lock();
            s.requires_grad = false;
            s.grad_fn.take()
        };
        drop(old);
    }

    pub fn grad(&self) -> Option<Tensor> {
        self.state.lock().grad.clone()
    }

    pub fn set_grad(&self, grad: Option<Tensor>) {
        let old = {
            let mut s = self.state.lock();
            s.grad_handle = None;
            std::mem::replace(&mut s.grad, grad)
        };
        drop(old);
    }

    /// The gradient and the handle attached to it, read together.
    pub fn grad_handle(&self) -> (Option<Tensor>, Option<GradHandle>) {
        let s = self.state.lock();
        (s.grad.clone(), s.grad_handle.clone())
    }

    /// Attaches `handle` to the gradient, if `grad` is still the current one.
    pub fn set_grad_handle(&self, grad: &Tensor, handle: GradHandle) {
        let mut s = self.state.lock();
        if s.grad.as_ref().is_some_and(|g| g.same(grad)) {
            s.grad_handle = Some(handle);
        }
    }

    pub fn accumulator(&self) -> Option<NodeId> {
        self.state.lock().accumulator
    }

    pub fn set_accumulator(&self, id: NodeId) {
        self.state.lock().accumulator = Some(id);
    }

    pub fn retains_grad(&self) -> bool {
        self.state.lock().retains_grad
    }

    pub fn set_retains_grad(&self, flag: bool) {
        self.state.lock().retains_grad = flag;
    }

    pub fn add_hook(&self, key: u64, hook: Hook) {
        self.state.lock().hooks.push((key, hook));
    }

    pub fn add_post_accumulate_hook(&self, key: u64, hook: PostAccumulateHook) {
        self.state.lock().post_accumulate_hooks.push((key, hook));
    }

    /// Takes off the hook registered under `key` (of either kind).
    pub fn remove_hook(&self, key: u64) {
        let removed = {
            let mut s = self.state.lock();
            let hooks = std::mem::take(&mut s.hooks);
            let (gone, kept): (Vec<_>, Vec<_>) = hooks.into_iter().partition(|(k, _)| *k == key);
            s.hooks = kept;
            let post = std::mem::take(&mut s.post_accumulate_hooks);
            let (post_gone, post_kept): (Vec<_>, Vec<_>) =
                post.into_iter().partition(|(k, _)| *k == key);
            s.post_accumulate_hooks = post_kept;
            (gone, post_gone)
        };
        drop(removed); // outside the lock: a hook may own a Python callable
    }

    pub fn hooks(&self) -> Vec<Hook> {
        self.state
            .lock()
            .hooks
            .iter()
            .map(|(_, h)| h.clone())
            .collect()
    }

    pub fn post_accumulate_hooks(&self) -> Vec<PostAccumulateHook> {
        self.state
            .lock()
            .post_accumulate_hooks
            .iter()
            .map(|(_, h)| h.clone())
            .collect()
    }
}
