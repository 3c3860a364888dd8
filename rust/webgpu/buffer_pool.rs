//! The caching allocator: GPU buffers are rounded up to a size class and, when their owner
//! dies, go back to a free list of that class instead of to the driver. Creating a buffer
//! costs far more than reusing one, and training loops allocate the same sizes every step.
//!
//! Reuse is safe without waiting for the GPU: every command is recorded into the one queue in
//! program order, so work that read a buffer before it was freed runs before work that writes
//! it after reuse. (Uploads use `wgpuQueueWriteBuffer`, which jumps ahead of unsubmitted
//! commands, so they flush the open batch first: see `transfer.rs`.)

use rustc_hash::FxHashMap;

use super::context::{context, opened, Context};
use super::ffi::{self, Handle};
use crate::error::{Error, Result};

/// What a buffer is for; each kind has its own free lists.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Usage {
    /// Tensor storage: bound to shaders, copied to and from.
    Storage,
    /// Host-readable copies for readback.
    Staging,
    /// Per-batch kernel parameters.
    Params,
}

impl Usage {
    fn flags(self) -> u64 {
        match self {
            Usage::Storage => {
                ffi::BUFFER_USAGE_STORAGE | ffi::BUFFER_USAGE_COPY_SRC | ffi::BUFFER_USAGE_COPY_DST
            }
            Usage::Staging => ffi::BUFFER_USAGE_MAP_READ | ffi::BUFFER_USAGE_COPY_DST,
            Usage::Params => ffi::BUFFER_USAGE_UNIFORM | ffi::BUFFER_USAGE_COPY_DST,
        }
    }
}

/// The smallest buffer handed out.
const MIN_SIZE: u64 = 256;

/// `n` rounded up to its size class: a power of two, or 1.25, 1.5 or 1.75 times one, so at
/// most a quarter is wasted.
pub fn size_class(n: u64) -> u64 {
    let n = n.max(MIN_SIZE);
    let pow = n.next_power_of_two();
    let quarter = pow / 8; // steps of pow/2 * 1/4 between pow/2 and pow
    let base = pow / 2;
    if n == pow {
        return n;
    }
    base + (n - base).div_ceil(quarter) * quarter
}

/// A GPU buffer owned by a tensor's storage (or by the runtime); back to the pool on drop,
/// or, for a buffer shared with wgpu-py, its reference released.
pub struct GpuBuffer {
    raw: Handle,
    size: u64,
    owner: Owner,
}

/// Who a [`GpuBuffer`]'s reference came from, and so where it goes on drop.
#[derive(Copy, Clone, Debug)]
enum Owner {
    /// The caching allocator: back to the free list of this usage.
    Pool(Usage),
    /// A buffer made by wgpu-py code (see `interop.rs`), with its `WGPUBufferUsage` flags:
    /// released on drop, never pooled.
    Shared(u64),
}

// SAFETY: a WGPUBuffer handle may be used and released from any thread.
unsafe impl Send for GpuBuffer {}
unsafe impl Sync for GpuBuffer {}

impl GpuBuffer {
    /// A buffer of at least `nbytes` bytes (its contents are whatever the last owner left).
    pub fn new(nbytes: u64, usage: Usage) -> Result<GpuBuffer> {
        let ctx = context()?;
        let limits = &ctx.info.limits;
        if usage == Usage::Storage && nbytes > limits.max_storage_buffer_binding_size {
            return Err(Error::runtime(format!(
                "WebGPU: a tensor of {nbytes} bytes exceeds this device's max_storage_buffer_binding_size ({} bytes); split it into smaller tensors",
                limits.max_storage_buffer_binding_size
            )));
        }
        let size = size_class(nbytes).min(limits.max_buffer_size.max(nbytes));
        let owner = Owner::Pool(usage);
        if let Some(raw) = ctx.pool.lock().take(usage, size) {
            return Ok(GpuBuffer { raw, size, owner });
        }
        let raw = create(ctx, size, usage)?;
        ctx.pool.lock().allocated += size;
        Ok(GpuBuffer { raw, size, owner })
    }

    /// Wraps a buffer made outside the pool, taking over one reference to it (released on
    /// drop). Kernels bind its first `size` bytes; `usage` are its `WGPUBufferUsage` flags.
    pub fn shared(raw: Handle, size: u64, usage: u64) -> GpuBuffer {
        GpuBuffer {
            raw,
            size,
            owner: Owner::Shared(usage),
        }
    }

    pub fn raw(&self) -> Handle {
        self.raw
    }

    /// Bytes kernels may bind: the size class for pooled buffers.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether the buffer can be the source of a copy (readback copies into a staging
    /// buffer; a shared buffer may lack the flag).
    pub fn is_copy_source(&self) -> bool {
        let flags = match self.owner {
            Owner::Pool(usage) => usage.flags(),
            Owner::Shared(flags) => flags,
        };
        flags & ffi::BUFFER_USAGE_COPY_SRC != 0
    }
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        let Some(ctx) = opened() else { return };
        match self.owner {
            Owner::Pool(usage) => ctx.pool.lock().give_back(usage, self.size, self.raw),
            // SAFETY: this buffer owned one reference (taken in `interop.rs`).
            Owner::Shared(_) => unsafe { (ctx.api.wgpuBufferRelease)(self.raw) },
        }
    }
}

fn create(ctx: &Context, size: u64, usage: Usage) -> Result<Handle> {
    let desc = ffi::BufferDescriptor {
        next_in_chain: std::ptr::null(),
        label: ffi::StringView::new("ferrograd"),
        usage: usage.flags(),
        size,
        mapped_at_creation: 0,
    };
    // SAFETY: a valid descriptor for a live device.
    let raw = ctx.checked("creating a buffer", || unsafe {
        (ctx.api.wgpuDeviceCreateBuffer)(ctx.device, &desc)
    });
    match raw {
        Ok(raw) if !raw.is_null() => Ok(raw),
        Ok(_) => Err(Error::runtime(format!(
            "WebGPU: out of memory allocating {size} bytes"
        ))),
        Err(e) => Err(Error::runtime(format!(
            "WebGPU: could not allocate {size} bytes: {e}"
        ))),
    }
}

/// Free buffers by (usage, size class), and the byte counts behind `memory_allocated()` and
/// `memory_reserved()`.
#[derive(Default)]
pub struct BufferPool {
    free: FxHashMap<(Usage, u64), Vec<Handle>>,
    /// Bytes in buffers that have an owner.
    allocated: u64,
    /// Bytes in free buffers kept for reuse.
    cached: u64,
}

impl BufferPool {
    fn take(&mut self, usage: Usage, size: u64) -> Option<Handle> {
        let raw = self.free.get_mut(&(usage, size))?.pop()?;
        self.cached -= size;
        self.allocated += size;
        Some(raw)
    }

    fn give_back(&mut self, usage: Usage, size: u64, raw: Handle) {
        self.allocated -= size;
        self.cached += size;
        self.free.entry((usage, size)).or_default().push(raw);
    }

    pub fn allocated(&self) -> u64 {
        self.allocated
    }

    pub fn reserved(&self) -> u64 {
        self.allocated + self.cached
    }

    /// Releases every free buffer to the driver (`empty_cache()`). Commands already recorded
    /// keep their own references, so this is safe with work in flight.
    pub fn release_free(&mut self, ctx: &Context) {
        for (_, list) in self.free.drain() {
            for raw in list {
                // SAFETY: the pool owned this reference.
                unsafe { (ctx.api.wgpuBufferRelease)(raw) };
            }
        }
        self.cached = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_round_up_by_at_most_a_quarter() {
        assert_eq!(size_class(1), 256);
        assert_eq!(size_class(256), 256);
        assert_eq!(size_class(257), 320);
        assert_eq!(size_class(1000), 1024);
        assert_eq!(size_class(1025), 1280);
        for n in [300u64, 5000, 123_456, 10_000_000] {
            let c = size_class(n);
            assert!(c >= n && (c - n) * 4 <= n, "{n} -> {c}");
        }
    }
}
