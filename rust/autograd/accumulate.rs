//! The AccumulateGrad node: where a leaf's gradient lands in `.grad`. (The leaf's gradient
//! hooks run before it, in the engine, as every node's tensor hooks do.)

use smallvec::SmallVec;

use super::grad_mode;
use super::node::{Backward, BackwardCtx, Grads};
use crate::error::Result;
use crate::ops;
use crate::tensor::Tensor;

pub struct AccumulateGrad {
    pub leaf: Tensor,
}

impl Backward for AccumulateGrad {
    fn name(&self) -> &str {
        "torch::autograd::AccumulateGrad"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        if !ctx.received(0) {
            return Ok(SmallVec::new()); // a hook took the gradient away
        }
        accumulate(&self.leaf, ctx.grad())?;
        for hook in self.leaf.autograd_meta_or_init().post_accumulate_hooks() {
            hook(&self.leaf)?;
        }
        Ok(SmallVec::new())
    }

    fn variable(&self) -> Option<&Tensor> {
        Some(&self.leaf)
    }
}

/// Adds `new` into `leaf.grad`. Without `create_graph` the existing `.grad` is updated in
/// place (the same object stays); the first gradient is stored as a fresh contiguous tensor,
/// never as a view of something the caller may still hold: `new` itself when only the
/// node's context holds it (the usual fresh result of a backward kernel; as in PyTorch, this
/// saves copying every parameter's gradient on every step), else a copy. With
/// `create_graph` gradients keep their history and are summed out of place.
pub fn accumulate(leaf: &Tensor, new: &Tensor) -> Result<()> {
    let meta = leaf.autograd_meta_or_init();
    let grad = match meta.grad() {
        None if grad_mode::is_enabled() => ops::clone(new)?,
        None if new.is_exclusive() => new.clone(),
        None => ops::copy::materialize(new)?,
        Some(old) if grad_mode::is_enabled() => ops::add(&old, new)?,
        Some(old) => {
            ops::copy::add_into_unrecorded(&old, new)?;
            return Ok(());
        }
    };
    meta.set_grad(Some(grad));
    Ok(())
}
