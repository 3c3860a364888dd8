//! Sharing buffers with other code on the same device (wgpu-py, pygfx): a tensor's buffer
//! handed out without a copy, and a buffer made elsewhere viewed as a tensor.
//!
//! Both directions share one `WGPUBuffer` and count references on it: whoever receives the
//! handle gets a reference of its own (`wgpuBufferAddRef`), so each side releases only what
//! it took and neither frees the other's buffer. Ordering is the queue's: both sides submit
//! to the device's one queue, so work submitted earlier runs earlier. The backend records
//! commands and submits later, so [`export`] submits what is pending; what the caller must
//! still do is documented on `ferrograd.webgpu.as_wgpu_buffer`.

use super::buffer_pool::GpuBuffer;
use super::context::context;
use super::element::GpuElement;
use super::ffi::{self, Handle};
use crate::error::{Error, Result};
use crate::tensor::{DType, Layout, Storage, Tensor};

/// A tensor's buffer as handed out: a raw `WGPUBuffer` carrying one reference that the
/// receiver must release, with the buffer's size and `WGPUBufferUsage` flags.
#[derive(Copy, Clone, Debug)]
pub struct ExportedBuffer {
    pub raw: usize,
    pub size: u64,
    pub usage: u64,
}

/// The buffer behind the WebGPU tensor `t` (its whole storage), with a reference for the
/// caller. Submits the work recorded so far, so anything submitted after this call runs
/// after it.
pub fn export(t: &Tensor) -> Result<ExportedBuffer> {
    let buffer = t.storage().gpu_buffer().ok_or_else(|| {
        Error::value(format!(
            "expected a tensor on the webgpu device, but got one on {}",
            t.device().type_name()
        ))
    })?;
    let ctx = context()?;
    ctx.work().batch.submit(ctx)?;
    let raw = buffer.raw();
    let api = &ctx.api;
    // SAFETY: `raw` is a live buffer held by `t`; the reference taken here is the caller's.
    unsafe {
        (api.wgpuBufferAddRef)(raw);
        Ok(ExportedBuffer {
            raw: raw as usize,
            size: (api.wgpuBufferGetSize)(raw),
            usage: (api.wgpuBufferGetUsage)(raw),
        })
    }
}

/// A tensor of `shape` and `dtype` whose elements are those of the buffer `raw` (a live
/// `WGPUBuffer` of this device, not mapped: wgpu-native cannot tell, so the caller checks)
/// from byte `byte_offset` on, row-major, in the GPU form of `dtype` (see `element.rs`).
/// The tensor takes its own reference to the buffer.
pub fn import(raw: usize, shape: &[usize], dtype: DType, byte_offset: u64) -> Result<Tensor> {
    let ctx = context()?;
    let e = GpuElement::of(dtype)?;
    let raw = raw as Handle;
    if raw.is_null() {
        return Err(Error::value("the buffer handle is null (was it released?)"));
    }
    let api = &ctx.api;
    // SAFETY: the caller passes a live buffer of this device.
    let (size, usage) = unsafe { ((api.wgpuBufferGetSize)(raw), (api.wgpuBufferGetUsage)(raw)) };
    if usage & ffi::BUFFER_USAGE_STORAGE == 0 {
        return Err(Error::value(
            "the buffer lacks BufferUsage.STORAGE, which kernels need to bind it; create it with usage including wgpu.BufferUsage.STORAGE (and COPY_SRC to read it back cheaply)",
        ));
    }
    let element = e.bytes as u64;
    if byte_offset % element != 0 {
        return Err(Error::value(format!(
            "offset {byte_offset} is not a multiple of the size of a ferrograd.{} element on the GPU ({element} bytes)",
            dtype.name()
        )));
    }
    let numel = shape
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d as u64))
        .ok_or_else(|| Error::value(format!("shape {shape:?} has too many elements")))?;
    let needed = numel
        .checked_mul(element)
        .and_then(|n| n.checked_add(byte_offset))
        .ok_or_else(|| Error::value(format!("shape {shape:?} has too many elements")))?;
    if needed > size {
        return Err(Error::value(format!(
            "a tensor of shape {shape:?} and dtype ferrograd.{} from byte offset {byte_offset} needs {needed} bytes, but the buffer has {size}",
            dtype.name()
        )));
    }
    let limit = ctx.info.limits.max_storage_buffer_binding_size;
    if needed > limit {
        return Err(Error::value(format!(
            "a tensor reaching byte {needed} of a buffer exceeds this device's max_storage_buffer_binding_size ({limit} bytes), so kernels cannot bind it"
        )));
    }
    // Kernels bind whole 4-byte words, as much of the buffer as one binding may cover.
    let bound = (size & !3).min(limit);
    // SAFETY: a live buffer; the reference is the new storage's, released when it drops.
    unsafe { (api.wgpuBufferAddRef)(raw) };
    let storage = Storage::from_gpu(GpuBuffer::shared(raw, bound, usage));
    let mut layout = Layout::contiguous(shape);
    layout.offset = (byte_offset / element) as usize;
    Ok(Tensor::from_parts(storage, layout, dtype))
}
