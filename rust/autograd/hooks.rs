//! Gradient hooks: user callbacks that see (and may replace) gradients during backward.
//! The core stores them as plain closures, so the Python bindings can wrap Python callables
//! (and check what those return).
//!
//! Where they run, per node, in order: tensor hooks of its outputs (`register_hook` on a
//! tensor), then `retain_grad`, then node pre-hooks, the formula, node post-hooks; a leaf's
//! post-accumulate hooks after its `.grad` is updated.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Takes a gradient; returns a replacement, or `None` to keep it.
pub type Hook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

/// Sees the gradients arriving at a node's outputs (`None` where none arrived); returns
/// replacements, or `None` to keep them (`grad_fn.register_prehook`).
pub type PreHook =
    Arc<dyn Fn(&[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>> + Send + Sync>;

/// Sees the gradients a node produced for its inputs and those it was given; returns
/// replacements for the produced ones, or `None` to keep them (`grad_fn.register_hook`).
pub type PostHook = Arc<
    dyn Fn(&[Option<Tensor>], &[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>>
        + Send
        + Sync,
>;

/// Sees a leaf after its `.grad` was updated (`register_post_accumulate_grad_hook`).
pub type PostAccumulateHook = Arc<dyn Fn(&Tensor) -> Result<()> + Send + Sync>;

/// A process-wide unique key, so a handle can remove exactly the hook it added.
pub fn next_hook_key() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Runs hooks in registration order, each seeing the previous one's result.
pub fn run_hooks(hooks: &[Hook], grad: Tensor) -> Result<Tensor> {
    let mut grad = grad;
    for hook in hooks {
        if let Some(replacement) = hook(&grad)? {
            grad = replacement;
        }
    }
    Ok(grad)
}

/// Runs node hooks of one kind in registration order over `grads`, each seeing the previous
/// one's result.
pub fn run_grad_hooks<H, G>(
    hooks: &[H],
    grads: &mut G,
    call: impl Fn(&H, &[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>>,
) -> Result<()>
where
    G: AsRef<[Option<Tensor>]> + From<Vec<Option<Tensor>>>,
{
    for hook in hooks {
        if let Some(replacement) = call(hook, grads.as_ref())? {
            if replacement.len() != grads.as_ref().len() {
                return Err(Error::runtime(format!(
                    "hook returned {} gradients where {} were expected",
                    replacement.len(),
                    grads.as_ref().len()
                )));
            }
            *grads = G::from(replacement);
        }
    }
    Ok(())
}
