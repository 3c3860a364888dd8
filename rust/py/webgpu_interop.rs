//! The bindings behind `ferrograd.webgpu.as_wgpu_buffer` and `from_wgpu_buffer`: raw
//! `WGPUBuffer` handles in and out; the Python side wraps them in wgpu-py objects.

use pyo3::prelude::*;

use super::dtype::extract_dtype;
use super::tensor::PyTensor;
use crate::webgpu::{self, interop};

/// `(handle, size, usage)` of the tensor's buffer; the handle carries a reference the
/// caller must release (wgpu-py's `GPUBuffer` does when it is collected).
#[pyfunction]
pub fn _webgpu_export_buffer(tensor: PyRef<'_, PyTensor>) -> PyResult<(usize, u64, u64)> {
    let exported = interop::export(&tensor.t)?;
    Ok((exported.raw, exported.size, exported.usage))
}

/// A tensor viewing the buffer `handle` (which it keeps alive with its own reference).
#[pyfunction]
pub fn _webgpu_import_buffer(
    handle: usize,
    shape: Vec<usize>,
    dtype: &Bound<'_, PyAny>,
    offset: u64,
) -> PyResult<PyTensor> {
    let dtype = extract_dtype(dtype)?;
    Ok(interop::import(handle, &shape, dtype, offset)?.into())
}

/// Bytes one element of `dtype` takes in a GPU buffer.
#[pyfunction]
pub fn _webgpu_element_size(dtype: &Bound<'_, PyAny>) -> PyResult<usize> {
    Ok(webgpu::element_size(extract_dtype(dtype)?)?)
}
