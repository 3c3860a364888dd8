//! The default device for creation functions (`ferrograd.set_default_device`).

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;

use super::dtype::{device_object, PyDevice};
use crate::tensor::Device;

/// Whether creation functions without `device=` make WebGPU tensors.
static DEFAULT_WEBGPU: AtomicBool = AtomicBool::new(false);

/// The device creation functions use when none is given.
pub fn default_device() -> Device {
    if DEFAULT_WEBGPU.load(Ordering::Relaxed) {
        Device::WebGpu
    } else {
        Device::Cpu
    }
}

/// `set_default_device(device)`: where `zeros`, `tensor`, `randn`, ... put their results
/// when called without `device=` (`None` restores the CPU).
#[pyfunction]
pub fn set_default_device(device: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let device = super::dtype::extract_device_opt(device)?.unwrap_or(Device::Cpu);
    DEFAULT_WEBGPU.store(device == Device::WebGpu, Ordering::Relaxed);
    Ok(())
}

/// `get_default_device()`: the device set by `set_default_device`.
#[pyfunction]
pub fn get_default_device() -> PyDevice {
    device_object(default_device())
}
