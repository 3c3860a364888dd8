//! Whether ops record history, per thread (`no_grad`, `enable_grad`, `set_grad_enabled`).

use std::cell::Cell;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(true) };
}

pub fn is_enabled() -> bool {
    ENABLED.with(|e| e.get())
}

/// Sets the mode and returns the previous one.
pub fn set_enabled(flag: bool) -> bool {
    ENABLED.with(|e| e.replace(flag))
}

/// Restores the previous mode when dropped.
pub struct GradModeGuard(bool);

impl GradModeGuard {
    pub fn new(flag: bool) -> Self {
        GradModeGuard(set_enabled(flag))
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_enabled(self.0);
    }
}
