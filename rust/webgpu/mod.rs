//! The WebGPU backend: tensors in GPU buffers, computed by WGSL kernels.
//!
//! How one op reaches the GPU, e.g. `a + b` on two webgpu tensors:
//! 1. `ops::arith` checks dtypes and devices and calls `ops::backend::binary`, the one place
//!    that picks a backend; its `Device::WebGpu` arm calls [`binary_into`] here.
//! 2. `kernels::elementwise` turns the op into a WGSL expression, merges the operands' dims,
//!    writes shape and strides into the dispatch parameters, and asks
//!    [`pipeline_cache`] for the compiled variant (built from `shaders/elementwise.wgsl`).
//! 3. [`command_batch`] records the dispatch into the open compute pass; nothing runs yet.
//! 4. Reading the result (`.cpu()`, printing, `.item()`) goes through [`transfer`], which
//!    submits the batch, copies into a mappable buffer and waits for the map.
//!
//! The device itself comes from wgpu-py through [`context`]: Python picks the adapter and
//! creates the device; this module drives the same `libwgpu_native` through `webgpu.h`
//! ([`ffi`]). Buffers come from the caching allocator in [`buffer_pool`]; how each dtype is
//! held on the GPU is in [`element`]. [`interop`] shares buffers with wgpu-py code in both
//! directions.

pub mod buffer_pool;
pub mod command_batch;
pub mod context;
pub mod element;
pub mod ffi;
pub mod interop;
pub mod kernels;
pub mod pipeline_cache;
pub mod transfer;

pub use buffer_pool::GpuBuffer;
pub use context::{set_device_provider, DeviceInfo, DeviceProvider, Features, Limits};
pub use kernels::activation::{forward_into as activation_into, grad_into as activation_grad_into};
pub use kernels::conv::conv2d;
pub use kernels::elementwise::{
    compare_into, copy_into, fill, predicate_into, ternary_into, where_into,
};
pub use kernels::fused::{
    add_scaled_into, addcdiv_into, addcmul_into, lerp_into, lerp_scalar_into,
};
pub use kernels::index::{index_into, index_put};
pub use kernels::lookup::{
    nll_loss, nll_loss_backward, renorm_rows, rows_gather, rows_scatter_add,
};
pub use kernels::math::{binary_into, unary_into};
pub use kernels::matmul::bmm_into;
pub use kernels::norm::{apply as norm_apply, backward as norm_backward, stats as norm_stats};
pub use kernels::pad::{pad, pad_backward};
pub use kernels::pool::{
    avg_pool2d, avg_pool2d_backward, max_pool2d, plane_gather, plane_scatter_add,
};
pub use kernels::random::{dropout_mask_into, sample_into};
pub use kernels::reduce::{arg_reduce, reduce};
pub use kernels::scan::scan;
pub use kernels::softmax::{backward_into as softmax_backward_into, forward_into as softmax_into};
pub use kernels::sort::{kth_smallest, sort, MAX_LEN as MAX_SORT_LEN};

use crate::error::Result;
use crate::tensor::{DType, Layout, Storage, Tensor};
use buffer_pool::Usage;
use element::GpuElement;

/// Uninitialised GPU storage for `numel` elements of `dtype`.
pub fn empty_storage(numel: usize, dtype: DType) -> Result<Storage> {
    let bytes = numel * GpuElement::of(dtype)?.bytes;
    Ok(Storage::from_gpu(GpuBuffer::new(
        bytes as u64,
        Usage::Storage,
    )?))
}

/// A contiguous GPU copy of the CPU tensor `x`.
pub fn to_gpu(x: &Tensor) -> Result<Tensor> {
    let e = GpuElement::of(x.dtype())?;
    let host = crate::cpu::contiguous(x)?;
    let nbytes = host.numel() * x.dtype().size();
    let start = host.offset() * x.dtype().size();
    // SAFETY: `host` is contiguous with `nbytes` bytes from its first element.
    let bytes = unsafe { std::slice::from_raw_parts(host.storage().cpu_ptr().add(start), nbytes) };
    let buffer = transfer::upload(&e.to_gpu_bytes(bytes)?)?;
    Ok(Tensor::from_parts(
        Storage::from_gpu(buffer),
        Layout::contiguous(x.shape()),
        x.dtype(),
    ))
}

/// A contiguous CPU copy of the GPU tensor `x` (waits for the work that produces it).
pub fn to_cpu(x: &Tensor) -> Result<Tensor> {
    let e = GpuElement::of(x.dtype())?;
    // Readback copies the bytes into a staging buffer; a buffer shared from wgpu-py without
    // COPY_SRC is first copied by a kernel into one of ours.
    let src = if x.is_contiguous() && kernels::buffer(x).is_copy_source() {
        x.clone()
    } else {
        let c = Tensor::empty(x.shape(), x.dtype(), x.device())?;
        copy_into(x, &c)?;
        c
    };
    let gpu = transfer::download(
        kernels::buffer(&src),
        (src.offset() * e.bytes) as u64,
        (src.numel() * e.bytes) as u64,
    )?;
    let host = e.to_host_bytes(&gpu);
    let storage = Storage::cpu_uninit(host.len())?;
    // SAFETY: the fresh storage holds exactly `host.len()` bytes.
    unsafe { std::ptr::copy_nonoverlapping(host.as_ptr(), storage.cpu_ptr(), host.len()) };
    Ok(Tensor::from_parts(
        storage,
        Layout::contiguous(x.shape()),
        x.dtype(),
    ))
}

/// Bytes one element of `dtype` takes in a GPU buffer (bool is a 32-bit word; int64 is 4
/// bytes on adapters without shader-int64).
pub fn element_size(dtype: DType) -> Result<usize> {
    Ok(GpuElement::of(dtype)?.bytes)
}

/// Submits recorded work and waits until the GPU has finished it.
pub fn synchronize() -> Result<()> {
    let ctx = context::context()?;
    ctx.work().batch.submit(ctx)?;
    command_batch::wait_idle(ctx);
    Ok(())
}

/// Bytes held by live GPU buffers (0 before the device is opened).
pub fn memory_allocated() -> u64 {
    context::opened().map_or(0, |c| c.pool.lock().allocated())
}

/// Bytes held by live and cached GPU buffers.
pub fn memory_reserved() -> u64 {
    context::opened().map_or(0, |c| c.pool.lock().reserved())
}

/// Returns cached, unused GPU buffers to the driver.
pub fn empty_cache() {
    if let Some(ctx) = context::opened() {
        ctx.pool.lock().release_free(ctx);
    }
}

/// The adapter's name, opening the device if needed.
pub fn device_name() -> Result<String> {
    Ok(context::context()?.info.name.clone())
}

/// Compiles a WGSL compute shader (entry point `main`) without keeping it: WGSL and
/// validation errors come back as errors, as they do for the backend's own kernels.
pub fn compile_wgsl(source: &str) -> Result<()> {
    let ctx = context::context()?;
    let _serialized = ctx.work();
    pipeline_cache::compile(ctx, "user kernel", source).map(|_| ())
}

/// The optional features the device was created with.
pub fn features() -> Result<Features> {
    Ok(context::context()?.info.features.clone())
}
