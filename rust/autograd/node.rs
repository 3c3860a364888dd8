//! What a graph node holds: the backward formula, edges to the nodes of its inputs, the
//! tensors saved for backward, and metadata about its outputs.

use std::any::Any;
use std::sync::{Arc, Weak};

use smallvec::SmallVec;

use super::anomaly::{self, Trace};
use super::grad_mode;
use super::graph::{NodeId, NodeRef};
use super::hooks::{Hook, PostHook, PreHook};
use super::inference;
use super::meta::{AutogradMeta, GradFn};
use crate::error::{Error, Result};
use crate::tensor::{DType, Device, Dims, Tensor};

/// Gradients by input position; `None` where an input gets no gradient.
pub type Grads = SmallVec<[Option<Tensor>; 2]>;

/// A backward formula. Implementations hold only non-tensor parameters (dims, shapes,
/// scalars); tensors go through [`SavedTensor`]s so the engine can check and free them.
pub trait Backward: Send + Sync + 'static {
    /// PyTorch's node name, e.g. `MulBackward0`.
    fn name(&self) -> &str;

    /// Vector-Jacobian products for every input. Written with differentiable ops, so that
    /// `create_graph=True` records them.
    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads>;

    /// The leaf tensor, for an AccumulateGrad node (`grad_fn.next_functions[i][0].variable`).
    fn variable(&self) -> Option<&Tensor> {
        None
    }

    /// Whether the formula runs when no output received a gradient (a custom Function's does,
    /// on zeros or `None`s); other nodes then produce no gradients, as in PyTorch.
    fn runs_without_gradients(&self) -> bool {
        false
    }

    /// An object the bindings made this node around (a custom Function's context), to hand
    /// back as the node's Python object.
    fn binding(&self) -> Option<&(dyn Any + Send + Sync)> {
        None
    }
}

/// What a backward formula gets.
pub struct BackwardCtx {
    /// The gradient of each output (zeros where none arrived).
    pub grads: SmallVec<[Tensor; 1]>,
    /// Whether a gradient arrived for each output (the others are the zeros above).
    received: SmallVec<[bool; 1]>,
    saved: SmallVec<[Option<Tensor>; 2]>,
    needs: SmallVec<[bool; 2]>,
}

impl BackwardCtx {
    pub fn new(
        grads: SmallVec<[Tensor; 1]>,
        received: SmallVec<[bool; 1]>,
        saved: SmallVec<[Option<Tensor>; 2]>,
        needs: SmallVec<[bool; 2]>,
    ) -> Self {
        BackwardCtx {
            grads,
            received,
            saved,
            needs,
        }
    }

    /// Whether a gradient arrived for output `i` (rather than being filled in with zeros).
    pub fn received(&self, i: usize) -> bool {
        self.received.get(i).copied().unwrap_or(false)
    }

    /// Every saved slot, `None` where nothing was saved.
    pub fn saved_all(&self) -> &[Option<Tensor>] {
        &self.saved
    }

    /// The gradient of output 0.
    pub fn grad(&self) -> &Tensor {
        &self.grads[0]
    }

    /// Saved tensor `i`, as recorded by the op.
    pub fn saved(&self, i: usize) -> Result<&Tensor> {
        self.saved.get(i).and_then(|t| t.as_ref()).ok_or_else(|| {
            Error::runtime(format!("internal error: saved tensor {i} was not recorded"))
        })
    }

    /// Whether input `i` needs a gradient.
    pub fn needs(&self, i: usize) -> bool {
        self.needs.get(i).copied().unwrap_or(false)
    }

    pub fn num_inputs(&self) -> usize {
        self.needs.len()
    }
}

/// Where a gradient goes: input `input_nr` of `node`.
#[derive(Clone)]
pub struct Edge {
    pub node: NodeRef,
    pub input_nr: u32,
}

/// Shape, dtype and device of one output: enough to make zeros or check a gradient.
#[derive(Clone, Debug)]
pub struct OutputMeta {
    pub shape: Dims,
    pub dtype: DType,
    pub device: Device,
}

impl OutputMeta {
    pub fn of(t: &Tensor) -> OutputMeta {
        OutputMeta {
            shape: t.shape_dims(),
            dtype: t.dtype(),
            device: t.device(),
        }
    }
}

/// A tensor kept for backward, with the version it had, so in-place changes are caught.
#[derive(Clone)]
pub struct SavedTensor {
    tensor: Tensor,
    version: u64,
    /// `Some(n)` when it is output `n` of the node that saved it: stored without history to
    /// avoid a cycle, and reconnected to that node when unpacked under `create_graph`.
    output_nr: Option<u32>,
}

impl SavedTensor {
    pub fn input(t: &Tensor) -> SavedTensor {
        SavedTensor {
            tensor: t.clone(),
            version: t.version(),
            output_nr: None,
        }
    }

    pub fn output(t: &Tensor, output_nr: u32) -> SavedTensor {
        SavedTensor {
            tensor: t.detach(),
            version: t.version(),
            output_nr: Some(output_nr),
        }
    }

    /// PyTorch's error if an inference tensor is being saved.
    pub fn check_saveable(&self) -> Result<()> {
        inference::check_saveable(&self.tensor)
    }

    /// The tensor, checked against in-place modification. Call it outside the arena lock.
    pub fn unpack(&self, owner: NodeId, owner_name: &str) -> Result<Tensor> {
        let t = &self.tensor;
        if t.version() != self.version {
            let origin = match self.output_nr {
                Some(n) => format!(", which is output {n} of {},", op_name(owner_name)),
                None => match t.grad_fn() {
                    Some(g) => format!(
                        ", which is output {} of {},",
                        g.output_nr,
                        g.node.with(|n| op_name(n.op.name()).to_string())
                    ),
                    None => String::new(),
                },
            };
            let hint = if anomaly::is_enabled() {
                "Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!"
            } else {
                "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
            };
            return Err(Error::runtime(format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [ferrograd.{} {}]{origin} is at version {}; expected version {} instead. {hint}",
                t.dtype().legacy_type_name(),
                crate::tensor::shape_str(t.shape()),
                t.version(),
                self.version
            )));
        }
        match self.output_nr {
            Some(output_nr) if grad_mode::is_enabled() => {
                let node = NodeRef::upgrade(owner)
                    .ok_or_else(|| Error::runtime("internal error: node freed while running"))?;
                let v = t.detach();
                v.attach_grad_fn(GradFn { node, output_nr });
                Ok(v)
            }
            _ => Ok(t.clone()),
        }
    }
}

/// How the in-place error names the op that made a tensor: the node name without its
/// `Backward<N>` suffix (`ExpBackward0` -> `Exp`), as PyTorch prints it. Names of nodes
/// written by hand (`torch::autograd::CopySlices`) stay whole.
fn op_name(node_name: &str) -> &str {
    node_name
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .strip_suffix("Backward")
        .filter(|_| node_name.ends_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(node_name)
}

/// The parts of a node few nodes use, boxed to keep the common node small.
#[derive(Default)]
pub struct NodeExtras {
    /// `register_hook` on a non-leaf output: (key, output_nr, hook).
    pub tensor_hooks: Vec<(u64, u32, Hook)>,
    /// Outputs whose tensors called `retain_grad()`.
    pub retains: Vec<(u32, Weak<AutogradMeta>)>,
    /// `grad_fn.register_prehook`: (key, hook).
    pub pre_hooks: Vec<(u64, PreHook)>,
    /// `grad_fn.register_hook`: (key, hook).
    pub post_hooks: Vec<(u64, PostHook)>,
    /// Where the node was made, recorded while anomaly mode is on.
    pub trace: Option<Arc<Trace>>,
    /// State the bindings keep on the node (the `grad_fn.metadata` dict).
    pub binding: Option<Arc<dyn Any + Send + Sync>>,
}

/// Hooks taken off a node, handed back so they are dropped outside the arena lock.
pub type RemovedHooks = (
    Vec<(u64, u32, Hook)>,
    Vec<(u64, PreHook)>,
    Vec<(u64, PostHook)>,
);

impl NodeExtras {
    /// Takes off the hook registered under `key`, whichever kind it is.
    pub fn remove_hook(&mut self, key: u64) -> RemovedHooks {
        fn take<T>(list: &mut Vec<T>, is_key: impl Fn(&T) -> bool) -> Vec<T> {
            let (gone, kept) = std::mem::take(list).into_iter().partition(is_key);
            *list = kept;
            gone
        }
        (
            take(&mut self.tensor_hooks, |h| h.0 == key),
            take(&mut self.pre_hooks, |h| h.0 == key),
            take(&mut self.post_hooks, |h| h.0 == key),
        )
    }
}

pub struct Node {
    pub op: Arc<dyn Backward>,
    pub next: SmallVec<[Option<Edge>; 2]>,
    pub saved: SmallVec<[Option<SavedTensor>; 2]>,
    /// Set when backward without `retain_graph` freed saved tensors this node had.
    pub released: bool,
    pub outputs: SmallVec<[OutputMeta; 1]>,
    /// Creation order; backward runs later nodes first among those ready, as PyTorch does.
    pub seq: u64,
    pub extras: Option<Box<NodeExtras>>,
}

const SECOND_BACKWARD: &str = "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

impl Node {
    pub fn new(
        op: Arc<dyn Backward>,
        next: SmallVec<[Option<Edge>; 2]>,
        outputs: SmallVec<[OutputMeta; 1]>,
    ) -> Node {
        let extras = if anomaly::is_enabled() {
            traced_extras()
        } else {
            None
        };
        Node {
            op,
            next,
            saved: SmallVec::new(),
            released: false,
            outputs,
            seq: next_sequence_nr(),
            extras,
        }
    }

    /// Copies of the saved-tensor slots, to unpack outside the arena lock; PyTorch's error if
    /// an earlier backward freed them.
    #[inline]
    pub fn saved_snapshot(&self) -> Result<SmallVec<[Option<SavedTensor>; 2]>> {
        if self.released {
            return Err(Error::runtime(SECOND_BACKWARD));
        }
        Ok(self.saved.clone())
    }

    /// Frees the saved tensors (handed back, to be dropped outside the arena lock).
    pub fn release_saved(&mut self) -> SmallVec<[Option<SavedTensor>; 2]> {
        self.released |= self.saved.iter().any(Option::is_some);
        let empty = self.saved.iter().map(|_| None).collect();
        std::mem::replace(&mut self.saved, empty)
    }

    pub fn extras_mut(&mut self) -> &mut NodeExtras {
        self.extras.get_or_insert_with(Default::default)
    }
}

/// Anomaly mode: extras holding where the node is being made. Out of line, so that making a
/// node stays small (and inlined) when anomaly mode is off.
#[cold]
#[inline(never)]
fn traced_extras() -> Option<Box<NodeExtras>> {
    Some(Box::new(NodeExtras {
        trace: Some(anomaly::capture()),
        ..Default::default()
    }))
}

fn next_sequence_nr() -> u64 {
    use std::cell::Cell;
    thread_local! { static SEQ: Cell<u64> = const { Cell::new(0) }; }
    SEQ.with(|s| {
        let v = s.get();
        s.set(v + 1);
        v
    })
}
