//! Command batching: dispatches are recorded into one open command encoder and compute pass,
//! and submitted together on readback, every [`MAX_DISPATCHES`] dispatches, or on
//! `synchronize()`. A submit costs far more than recording a dispatch, so per-op submits
//! would dominate small ops.
//!
//! Each dispatch's parameters (shape, strides, offsets, scalars) take one 256-byte slot of a
//! uniform "param arena" owned by the batch. The host fills the slots while recording and
//! writes the arena just before submitting: `wgpuQueueWriteBuffer` lands before the command
//! buffer that reads it, and a later batch never touches this batch's arena.

use std::ffi::c_void;

use super::buffer_pool::{GpuBuffer, Usage};
use super::context::Context;
use super::ffi::{self, Handle};
use super::pipeline_cache::Pipeline;
use crate::error::Result;

/// Bytes of parameters one dispatch gets (a multiple of every uniform offset alignment).
pub const PARAM_SLOT: usize = 256;
/// Dispatches recorded before the batch is submitted anyway.
pub const MAX_DISPATCHES: usize = 256;

/// The open encoder and compute pass, and the parameters recorded so far.
pub struct CommandBatch {
    encoder: Handle,
    pass: Handle,
    params: Vec<u8>,
    arena: Option<GpuBuffer>,
    dispatches: usize,
}

impl Default for CommandBatch {
    fn default() -> Self {
        CommandBatch {
            encoder: std::ptr::null_mut(),
            pass: std::ptr::null_mut(),
            params: Vec::new(),
            arena: None,
            dispatches: 0,
        }
    }
}

// SAFETY: the handles are only used under the context's `work` lock.
unsafe impl Send for CommandBatch {}

/// A workgroup grid (already folded to fit the per-dimension limit).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Grid(pub u32, pub u32, pub u32);

impl CommandBatch {
    fn encoder(&mut self, ctx: &Context) -> Handle {
        if self.encoder.is_null() {
            // SAFETY: a live device; the descriptor may be null.
            self.encoder =
                unsafe { (ctx.api.wgpuDeviceCreateCommandEncoder)(ctx.device, std::ptr::null()) };
        }
        self.encoder
    }

    fn pass(&mut self, ctx: &Context) -> Handle {
        if self.pass.is_null() {
            let encoder = self.encoder(ctx);
            // SAFETY: an open encoder with no open pass.
            self.pass =
                unsafe { (ctx.api.wgpuCommandEncoderBeginComputePass)(encoder, std::ptr::null()) };
        }
        self.pass
    }

    fn end_pass(&mut self, ctx: &Context) {
        if !self.pass.is_null() {
            // SAFETY: the open pass of this batch.
            unsafe {
                (ctx.api.wgpuComputePassEncoderEnd)(self.pass);
                (ctx.api.wgpuComputePassEncoderRelease)(self.pass);
            }
            self.pass = std::ptr::null_mut();
        }
    }

    /// Records one dispatch of `pipeline` over `grid` with `params` (binding 0) and
    /// `buffers` (bindings 1, 2, ... in order, each bound whole).
    pub fn dispatch(
        &mut self,
        ctx: &Context,
        pipeline: Pipeline,
        params: &[u32],
        buffers: &[&GpuBuffer],
        grid: Grid,
    ) -> Result<()> {
        debug_assert!(params.len() * 4 <= PARAM_SLOT);
        if self.arena.is_none() {
            self.arena = Some(GpuBuffer::new(
                (PARAM_SLOT * MAX_DISPATCHES) as u64,
                Usage::Params,
            )?);
        }
        let arena = self.arena.as_ref().map(GpuBuffer::raw).unwrap_or_default();
        let slot = self.dispatches * PARAM_SLOT;
        let group = bind_group(ctx, pipeline, arena, slot, buffers)?;
        self.params.resize(slot + PARAM_SLOT, 0);
        for (i, w) in params.iter().enumerate() {
            self.params[slot + 4 * i..slot + 4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        let pass = self.pass(ctx);
        let api = &ctx.api;
        // SAFETY: live pass, pipeline and bind group; the pass keeps the bind group alive
        // after it is released here.
        unsafe {
            (api.wgpuComputePassEncoderSetPipeline)(pass, pipeline.pipeline);
            (api.wgpuComputePassEncoderSetBindGroup)(pass, 0, group, 0, std::ptr::null());
            (api.wgpuComputePassEncoderDispatchWorkgroups)(pass, grid.0, grid.1, grid.2);
            (api.wgpuBindGroupRelease)(group);
        }
        self.dispatches += 1;
        if self.dispatches == MAX_DISPATCHES {
            self.submit(ctx)?;
        }
        Ok(())
    }

    /// Records copying `size` bytes of `src` from byte `src_offset` to the start of `dst`
    /// (multiples of 4, inside both buffers).
    pub fn copy(
        &mut self,
        ctx: &Context,
        src: &GpuBuffer,
        src_offset: u64,
        dst: &GpuBuffer,
        size: u64,
    ) {
        self.end_pass(ctx);
        let encoder = self.encoder(ctx);
        // SAFETY: live buffers; the callers' layouts keep the range inside them.
        unsafe {
            (ctx.api.wgpuCommandEncoderCopyBufferToBuffer)(
                encoder,
                src.raw(),
                src_offset,
                dst.raw(),
                0,
                size,
            )
        };
    }

    /// Submits everything recorded. Validation errors of the recorded commands surface here
    /// (WebGPU reports errors of encoded commands when the encoder is finished).
    pub fn submit(&mut self, ctx: &Context) -> Result<()> {
        if self.encoder.is_null() {
            return Ok(());
        }
        let api = &ctx.api;
        let (encoder, arena) = (self.encoder, self.arena.take());
        let params = std::mem::take(&mut self.params);
        self.dispatches = 0;
        ctx.checked("a batch of GPU commands", || unsafe {
            self.end_pass(ctx);
            self.encoder = std::ptr::null_mut();
            if let Some(arena) = &arena {
                (api.wgpuQueueWriteBuffer)(
                    ctx.queue,
                    arena.raw(),
                    0,
                    params.as_ptr() as *const c_void,
                    params.len(),
                );
            }
            let commands = (api.wgpuCommandEncoderFinish)(encoder, std::ptr::null());
            if !commands.is_null() {
                (api.wgpuQueueSubmit)(ctx.queue, 1, &commands);
                (api.wgpuCommandBufferRelease)(commands);
            }
            (api.wgpuCommandEncoderRelease)(encoder);
        })
    }
}

/// The bind group of one dispatch: its parameter slot of `arena` (binding 0), then `buffers`.
/// Created inside an error scope: a buffer kernels cannot bind (destroyed, or shared from
/// wgpu-py with the wrong usage) raises here, at the op that used it, and the batch stays
/// valid for the work already in it.
fn bind_group(
    ctx: &Context,
    pipeline: Pipeline,
    arena: Handle,
    slot: usize,
    buffers: &[&GpuBuffer],
) -> Result<Handle> {
    let mut entries = Vec::with_capacity(buffers.len() + 1);
    entries.push(entry(0, arena, slot as u64, PARAM_SLOT as u64));
    for (i, b) in buffers.iter().enumerate() {
        entries.push(entry(i as u32 + 1, b.raw(), 0, b.size()));
    }
    let desc = ffi::BindGroupDescriptor {
        next_in_chain: std::ptr::null(),
        label: ffi::StringView::empty(),
        layout: pipeline.layout,
        entry_count: entries.len(),
        entries: entries.as_ptr(),
    };
    let api = &ctx.api;
    // SAFETY: the descriptor points at live locals.
    let mut group = std::ptr::null_mut();
    let checked = ctx.checked("binding a kernel's buffers", || unsafe {
        group = (api.wgpuDeviceCreateBindGroup)(ctx.device, &desc);
    });
    if let Err(e) = checked {
        if !group.is_null() {
            // SAFETY: the (invalid) group created above, not used anywhere.
            unsafe { (api.wgpuBindGroupRelease)(group) };
        }
        return Err(e);
    }
    Ok(group)
}

fn entry(binding: u32, buffer: Handle, offset: u64, size: u64) -> ffi::BindGroupEntry {
    ffi::BindGroupEntry {
        next_in_chain: std::ptr::null(),
        binding,
        buffer,
        offset,
        size,
        sampler: std::ptr::null_mut(),
        texture_view: std::ptr::null_mut(),
    }
}

/// Blocks until the GPU has finished everything submitted.
pub fn wait_idle(ctx: &Context) {
    // SAFETY: a live device.
    unsafe { (ctx.api.wgpuDevicePoll)(ctx.device, 1, std::ptr::null()) };
}
