//! Anomaly detection (`ferrograd.autograd.detect_anomaly`): while it is on, every new node
//! remembers where it was made, and backward names the forward call behind a failing node
//! and (with `check_nan`) fails on the first gradient holding NaN.
//!
//! Off, it costs one relaxed atomic load per node made. The core cannot see Python's stack
//! or warnings; the bindings [`install`] the two functions that can.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};
use crate::ops;
use crate::ops::kinds::CompareOp;
use crate::tensor::Tensor;

static ENABLED: AtomicBool = AtomicBool::new(false);
static CHECK_NAN: AtomicBool = AtomicBool::new(true);

/// Whether anomaly mode is on (process-wide, as in PyTorch).
#[inline]
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Whether anomaly mode also checks gradients for NaN.
pub fn checks_nan() -> bool {
    CHECK_NAN.load(Ordering::Relaxed)
}

/// Sets both flags.
pub fn set(enabled: bool, check_nan: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
    CHECK_NAN.store(check_nan, Ordering::Relaxed);
}

/// What the bindings provide: the caller's stack, formatted, and a way to emit a warning.
pub struct Reporter {
    pub capture_stack: fn() -> String,
    pub warn: fn(&str),
}

static REPORTER: OnceLock<Reporter> = OnceLock::new();

/// Installs the bindings' reporter (once; later calls are ignored).
pub fn install(reporter: Reporter) {
    let _ = REPORTER.set(reporter);
}

/// Where a node was made: the stack of the forward call, and, for a node made by another
/// node's backward under `create_graph`, that node's name and trace.
pub struct Trace {
    pub stack: String,
    pub parent: Option<(String, Arc<Trace>)>,
}

thread_local! {
    /// The node whose backward is running in this thread, while anomaly mode is on.
    static PARENT: RefCell<Option<(String, Arc<Trace>)>> = const { RefCell::new(None) };
}

/// The trace of a node being made now (call only when anomaly mode is on).
pub fn capture() -> Arc<Trace> {
    let stack = REPORTER
        .get()
        .map(|r| (r.capture_stack)())
        .unwrap_or_default();
    let parent = PARENT.with(|p| p.borrow().clone());
    Arc::new(Trace { stack, parent })
}

/// Makes a running node the parent of the nodes its backward records, until dropped.
pub struct ParentGuard(Option<(String, Arc<Trace>)>);

impl ParentGuard {
    pub fn new(name: &str, trace: Option<Arc<Trace>>) -> ParentGuard {
        let current = trace.map(|t| (name.to_string(), t));
        ParentGuard(PARENT.with(|p| std::mem::replace(&mut *p.borrow_mut(), current)))
    }
}

impl Drop for ParentGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        let _ = PARENT.try_with(|p| *p.borrow_mut() = previous);
    }
}

/// Warns where the failing node `name` was made, and where each parent was, as PyTorch does.
pub fn report_failure(name: &str, trace: Option<&Trace>) {
    let Some(reporter) = REPORTER.get() else {
        return;
    };
    let Some(trace) = trace else {
        (reporter.warn)(&format!(
            "Error detected in {name}. No forward pass information available. Enable detect anomaly during forward pass for more information."
        ));
        return;
    };
    (reporter.warn)(&format!(
        "Error detected in {name}. Traceback of forward call that caused the error:\n{}",
        trace.stack
    ));
    let mut parent = trace.parent.as_ref();
    while let Some((parent_name, parent_trace)) = parent {
        (reporter.warn)(&format!(
            "\n\nPrevious calculation was induced by {parent_name}. Traceback of forward call that induced the previous calculation:\n{}",
            parent_trace.stack
        ));
        parent = parent_trace.parent.as_ref();
    }
}

/// PyTorch's error for the first gradient a node produced that holds NaN.
pub fn check_nan(name: &str, grads: &[Option<Tensor>]) -> Result<()> {
    for (i, g) in grads.iter().enumerate() {
        if let Some(g) = g {
            if has_nan(g)? {
                return Err(Error::runtime(format!(
                    "Function '{name}' returned nan values in its {i}th output."
                )));
            }
        }
    }
    Ok(())
}

fn has_nan(t: &Tensor) -> Result<bool> {
    if !t.dtype().is_floating_point() {
        return Ok(false);
    }
    let unequal = ops::compare::compare(CompareOp::Ne, t, ops::Rhs::Tensor(t))?;
    Ok(ops::sum(&unequal)?.item_f64()? > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nan_and_names_the_output() {
        let clean = Tensor::from_vec(vec![1.0f32, f32::INFINITY], &[2]).unwrap();
        let bad = Tensor::from_vec(vec![0.0f64, f64::NAN], &[2]).unwrap();
        assert!(check_nan("MulBackward0", &[Some(clean.clone()), None]).is_ok());
        let err = check_nan("MulBackward0", &[Some(clean), Some(bad)]).unwrap_err();
        assert_eq!(
            err.message,
            "Function 'MulBackward0' returned nan values in its 1th output."
        );
    }
}
