//! Gradient hooks: user callbacks that see (and may replace) a gradient during backward.
//! The core stores them as plain closures, so the Python bindings can wrap Python callables.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::Result;
use crate::tensor::Tensor;

/// Takes a gradient; returns a replacement, or `None` to keep it.
pub type Hook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

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
