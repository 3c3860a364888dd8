//! Inference mode from Python: the switch, and `Tensor.is_inference()`.

use pyo3::prelude::*;

use super::tensor::PyTensor;
use crate::autograd::inference;

/// Sets inference mode for this thread; returns the previous setting.
#[pyfunction]
pub fn _set_inference_mode(enabled: bool) -> bool {
    inference::set_enabled(enabled)
}

#[pyfunction]
pub fn is_inference_mode_enabled() -> bool {
    inference::is_enabled()
}

#[pymethods]
impl PyTensor {
    /// Whether this tensor was made under `inference_mode` (it can never join a graph).
    fn is_inference(&self) -> bool {
        self.t.is_inference()
    }
}
