//! The bridge between wgpu-py and the core's WebGPU backend: the device provider that asks
//! `ferrograd.webgpu._open_device()` (Python, wgpu-py) for the device, and the functions
//! behind the `ferrograd.webgpu` module.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::error::Error;
use crate::webgpu::{self, DeviceInfo, Features, Limits};

/// Registers the provider: on first GPU use the core calls it, and it runs
/// `ferrograd.webgpu._open_device()`, which creates the device with wgpu-py.
pub fn register_provider() {
    webgpu::set_device_provider(Box::new(|| {
        Python::attach(|py| open_device(py).map_err(|e| Error::runtime(e.to_string())))
    }));
}

fn open_device(py: Python<'_>) -> PyResult<DeviceInfo> {
    let opened = py
        .import("ferrograd.webgpu")?
        .call_method0("_open_device")?;
    let info = opened.cast::<PyDict>()?;
    let get = |key: &str| -> PyResult<Bound<'_, PyAny>> {
        info.get_item(key)?
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(key.to_string()))
    };
    let limits = get("limits")?;
    let limit = |key: &str| -> PyResult<u64> { limits.get_item(key)?.extract() };
    let features: Vec<String> = get("features")?.cast::<PyList>()?.extract()?;
    let has = |name: &str| features.iter().any(|f| f == name);
    Ok(DeviceInfo {
        device: get("device")?.extract()?,
        lib_path: get("lib_path")?.extract()?,
        name: get("name")?.extract()?,
        limits: Limits {
            max_storage_buffer_binding_size: limit("max-storage-buffer-binding-size")?,
            max_buffer_size: limit("max-buffer-size")?,
            max_compute_workgroups_per_dimension: limit("max-compute-workgroups-per-dimension")?
                as u32,
            min_uniform_buffer_offset_alignment: limit("min-uniform-buffer-offset-alignment")?
                as u32,
        },
        features: Features {
            shader_f64: has("shader-f64"),
            shader_int64: has("shader-int64"),
            subgroups: has("subgroups") || has("subgroup"),
            float32_atomics: has("shader-float32-atomic"),
        },
    })
}

/// Compiles a WGSL compute shader on the device, raising its errors (used by the tests to
/// check that validation errors become exceptions).
#[pyfunction]
pub fn _webgpu_compile(source: &str) -> PyResult<()> {
    Ok(webgpu::compile_wgsl(source)?)
}

#[pyfunction]
pub fn _webgpu_device_name() -> PyResult<String> {
    Ok(webgpu::device_name()?)
}

#[pyfunction]
pub fn _webgpu_synchronize() -> PyResult<()> {
    Ok(webgpu::synchronize()?)
}

#[pyfunction]
pub fn _webgpu_memory_allocated() -> u64 {
    webgpu::memory_allocated()
}

#[pyfunction]
pub fn _webgpu_memory_reserved() -> u64 {
    webgpu::memory_reserved()
}

#[pyfunction]
pub fn _webgpu_empty_cache() {
    webgpu::empty_cache()
}

/// How many operands ops have copied off a device to run a host kernel (the tests check
/// that ops with WGSL kernels leave it unchanged).
#[pyfunction]
pub fn _host_fallbacks() -> usize {
    crate::ops::backend::host_fallbacks()
}
