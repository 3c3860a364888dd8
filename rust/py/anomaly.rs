//! Anomaly mode from Python: the switches, and what the core needs from Python to report
//! (the caller's stack at node creation, and warnings).

use pyo3::exceptions::PyUserWarning;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::autograd::anomaly;

/// Turns anomaly mode on or off, and its NaN check.
#[pyfunction]
pub fn _set_anomaly_enabled(enabled: bool, check_nan: bool) {
    anomaly::set(enabled, check_nan);
}

#[pyfunction]
pub fn is_anomaly_enabled() -> bool {
    anomaly::is_enabled()
}

#[pyfunction]
pub fn is_anomaly_check_nan_enabled() -> bool {
    anomaly::checks_nan()
}

static FORWARD_STACK: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python stack of the caller, formatted (`anomaly_mode._forward_stack`).
fn capture_stack() -> String {
    Python::attach(|py| {
        FORWARD_STACK
            .import(py, "ferrograd.autograd.anomaly_mode", "_forward_stack")?
            .call0()?
            .extract::<String>()
    })
    .unwrap_or_default()
}

/// Emits a `UserWarning` (shown unraisable if warnings are turned into errors: the core is
/// already reporting another error).
fn warn(message: &str) {
    Python::attach(|py| {
        let message = std::ffi::CString::new(message.replace('\0', "")).unwrap_or_default();
        if let Err(e) = PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 1) {
            e.write_unraisable(py, None);
        }
    });
}

/// Gives the core the functions above.
pub fn install() {
    anomaly::install(anomaly::Reporter {
        capture_stack,
        warn,
    });
}
