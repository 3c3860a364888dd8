//! Bytes between host and GPU: uploads through the queue, readback by copying into a
//! host-mappable staging buffer, mapping it, and polling the device until the map completes.

use std::ffi::c_void;

use super::buffer_pool::{GpuBuffer, Usage};
use super::command_batch::wait_idle;
use super::context::{context, Context};
use super::ffi;
use crate::error::{Error, Result};

/// A new GPU buffer holding `bytes` (whose length is a multiple of 4: every GPU element
/// type is 4 or 8 bytes wide).
pub fn upload(bytes: &[u8]) -> Result<GpuBuffer> {
    debug_assert_eq!(bytes.len() % 4, 0);
    let ctx = context()?;
    let buffer = GpuBuffer::new(bytes.len() as u64, Usage::Storage)?;
    if bytes.is_empty() {
        return Ok(buffer);
    }
    let mut work = ctx.work();
    // The buffer may have been freed by a tensor that recorded, unsubmitted work still reads;
    // a queue write would run before that work, so submit it first.
    work.batch.submit(ctx)?;
    // SAFETY: `bytes` is live for the call (the queue copies it) and fits the buffer.
    ctx.checked("uploading a tensor", || unsafe {
        (ctx.api.wgpuQueueWriteBuffer)(
            ctx.queue,
            buffer.raw(),
            0,
            bytes.as_ptr() as *const c_void,
            bytes.len(),
        )
    })?;
    Ok(buffer)
}

/// `nbytes` bytes of `buffer` starting at byte `offset` (both multiples of 4), after all
/// recorded work has run.
pub fn download(buffer: &GpuBuffer, offset: u64, nbytes: u64) -> Result<Vec<u8>> {
    if nbytes == 0 {
        return Ok(Vec::new());
    }
    let ctx = context()?;
    let staging = GpuBuffer::new(nbytes, Usage::Staging)?;
    {
        let mut work = ctx.work();
        work.batch.copy(ctx, buffer, offset, &staging, nbytes);
        work.batch.submit(ctx)?;
    }
    map_read(ctx, &staging, nbytes as usize)
}

/// Maps `staging` for reading, copies `nbytes` out, and unmaps it.
fn map_read(ctx: &Context, staging: &GpuBuffer, nbytes: usize) -> Result<Vec<u8>> {
    let mut status: Option<(u32, String)> = None;
    unsafe extern "C" fn on_mapped(
        status: u32,
        message: ffi::StringView,
        slot: *mut c_void,
        _: *mut c_void,
    ) {
        *(slot as *mut Option<(u32, String)>) = Some((status, message.to_string_lossy()));
    }
    let info = ffi::BufferMapCallbackInfo {
        next_in_chain: std::ptr::null(),
        mode: ffi::CALLBACK_MODE_ALLOW_PROCESS_EVENTS,
        callback: on_mapped,
        userdata1: &mut status as *mut _ as *mut c_void,
        userdata2: std::ptr::null_mut(),
    };
    let api = &ctx.api;
    // SAFETY: `status` outlives the callback: we poll until it has run, error or not.
    let requested = ctx.checked("mapping a buffer for readback", || unsafe {
        (api.wgpuBufferMapAsync)(staging.raw(), ffi::MAP_MODE_READ, 0, nbytes, info)
    });
    while status.is_none() {
        wait_idle(ctx);
    }
    requested?;
    match status {
        Some((ffi::MAP_ASYNC_STATUS_SUCCESS, _)) => {}
        Some((code, message)) => {
            return Err(Error::runtime(format!(
                "WebGPU: reading a tensor back failed (status {code}): {message}"
            )))
        }
        None => unreachable!("polled until set"),
    }
    // SAFETY: the buffer is mapped for reading over `nbytes` bytes until the unmap below.
    unsafe {
        let ptr = (api.wgpuBufferGetConstMappedRange)(staging.raw(), 0, nbytes) as *const u8;
        if ptr.is_null() {
            (api.wgpuBufferUnmap)(staging.raw());
            return Err(Error::runtime("WebGPU: mapped range unavailable"));
        }
        let out = std::slice::from_raw_parts(ptr, nbytes).to_vec();
        (api.wgpuBufferUnmap)(staging.raw());
        Ok(out)
    }
}
