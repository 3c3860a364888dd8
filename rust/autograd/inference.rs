//! Inference mode (`ferrograd.inference_mode`): a per-thread switch stronger than `no_grad`.
//!
//! While it is on, nothing is recorded (even under `enable_grad`), and every tensor made is an
//! *inference tensor*: it never joins a graph later either. Views of a tensor keep its kind.
//! The checks below give PyTorch's errors when an inference tensor is used where autograd
//! would need it outside inference mode.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::tensor::Tensor;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
}

/// Whether inference mode was ever turned on: before that no inference tensor exists, and
/// recording need not look for one among the tensors it saves.
static EVER_ENABLED: AtomicBool = AtomicBool::new(false);

/// How many threads have inference mode on. Every tensor made asks [`is_enabled`]; while
/// this is zero the answer costs one plain load instead of a thread-local lookup (which,
/// in a shared library, is a function call). A thread that ends inside inference mode stays
/// counted, which only costs the lookup.
static THREADS_ENABLED: AtomicUsize = AtomicUsize::new(0);

/// Whether inference mode is on in this thread.
#[inline]
pub fn is_enabled() -> bool {
    THREADS_ENABLED.load(Ordering::Relaxed) > 0 && enabled_in_this_thread()
}

/// Kept out of line: otherwise the compiler may compute the thread-local's address before
/// the check above, paying for the lookup every time.
#[cold]
#[inline(never)]
fn enabled_in_this_thread() -> bool {
    ENABLED.with(|e| e.get())
}

/// Sets inference mode and returns the previous setting. The bindings turn grad mode off
/// alongside (as PyTorch's `inference_mode` does); this flag is what keeps `enable_grad`
/// inside it from recording.
pub fn set_enabled(flag: bool) -> bool {
    let previous = ENABLED.with(|e| e.replace(flag));
    if flag {
        EVER_ENABLED.store(true, Ordering::Relaxed);
    }
    match (previous, flag) {
        (false, true) => THREADS_ENABLED.fetch_add(1, Ordering::Relaxed),
        (true, false) => THREADS_ENABLED.fetch_sub(1, Ordering::Relaxed),
        _ => 0,
    };
    previous
}

/// Whether inference tensors may exist (inference mode was used at some point).
#[inline]
pub fn tensors_may_exist() -> bool {
    EVER_ENABLED.load(Ordering::Relaxed)
}

/// A tensor about to be saved for backward must not be an inference tensor.
pub fn check_saveable(t: &Tensor) -> Result<()> {
    if t.is_inference() {
        return Err(Error::runtime(
            "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it in autograd, or use `ferrograd.no_grad()` instead of `ferrograd.inference_mode()`.",
        ));
    }
    Ok(())
}

/// An inference tensor may be changed in place only inside inference mode.
pub fn check_inplace(t: &Tensor) -> Result<()> {
    if t.is_inference() && !is_enabled() {
        return Err(Error::runtime(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.",
        ));
    }
    Ok(())
}

/// An inference tensor may be made to require grad only inside inference mode.
pub fn check_requires_grad(t: &Tensor) -> Result<()> {
    if t.is_inference() && !is_enabled() {
        return Err(Error::runtime(
            "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_made_inside_are_inference_tensors_and_views_keep_their_kind() {
        let normal = Tensor::scalar(1.0f32);
        let previous = set_enabled(true);
        assert!(!normal.detach().is_inference());
        let inside = Tensor::scalar(2.0f32);
        set_enabled(previous);
        assert!(inside.is_inference());
        assert!(inside.detach().is_inference());
        assert!(!normal.is_inference());
        assert!(check_saveable(&inside).is_err());
        assert!(check_inplace(&inside).is_err());
        assert!(check_saveable(&normal).is_ok());
    }
}
