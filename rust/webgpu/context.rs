//! The one WebGPU device of the process: how it is obtained, what it offers, and the locks
//! that serialize work on it.
//!
//! The Python layer chooses the adapter and creates the device with wgpu-py (it knows the
//! platform's adapters, features and limits); it registers a [`DeviceProvider`] that hands the
//! raw `WGPUDevice` and the library path to this module on first use. The core stays free of
//! Python: without a provider (plain `cargo test`) the backend is simply unavailable.

use std::ffi::c_void;
use std::sync::OnceLock;

use parking_lot::{Mutex, MutexGuard};

use super::buffer_pool::BufferPool;
use super::command_batch::CommandBatch;
use super::ffi::{self, Api, Handle};
use super::pipeline_cache::PipelineCache;
use crate::error::{Error, Result};

/// Device limits the backend respects.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_storage_buffer_binding_size: u64,
    pub max_buffer_size: u64,
    pub max_compute_workgroups_per_dimension: u32,
    pub min_uniform_buffer_offset_alignment: u32,
}

/// Optional features the device was created with.
#[derive(Clone, Debug, Default)]
pub struct Features {
    /// `f64` in WGSL: float64 tensors live on the GPU.
    pub shader_f64: bool,
    /// `i64` in WGSL: int64 tensors keep 64 bits on the GPU (else they are narrowed to i32).
    pub shader_int64: bool,
    pub subgroups: bool,
    pub float32_atomics: bool,
}

/// What the Python layer hands over: a device wgpu-py created, and the library behind it.
#[derive(Clone, Debug)]
pub struct DeviceInfo {
    /// The raw `WGPUDevice` (borrowed: the backend takes its own reference).
    pub device: usize,
    /// Path of the `libwgpu_native` wgpu-py loaded.
    pub lib_path: String,
    /// The adapter's name, for `ferrograd.webgpu.device_name()`.
    pub name: String,
    pub limits: Limits,
    pub features: Features,
}

/// Produces the device on first use (registered by the Python bindings).
pub type DeviceProvider = Box<dyn Fn() -> Result<DeviceInfo> + Send + Sync>;

static PROVIDER: OnceLock<DeviceProvider> = OnceLock::new();
static CONTEXT: OnceLock<std::result::Result<Context, Error>> = OnceLock::new();

/// Registers where the device comes from. The first registration wins.
pub fn set_device_provider(provider: DeviceProvider) {
    let _ = PROVIDER.set(provider);
}

/// Mutable state of the device, behind one lock: compiled pipelines and the open batch.
pub struct Work {
    pub pipelines: PipelineCache,
    pub batch: CommandBatch,
}

/// The device, its queue and library, and the state around them.
pub struct Context {
    pub api: Api,
    pub device: Handle,
    pub queue: Handle,
    pub info: DeviceInfo,
    /// Free buffers by size class. Its own lock: tensors free buffers from anywhere.
    pub pool: Mutex<BufferPool>,
    /// Taken before `pool` when both are needed, never after.
    work: Mutex<Work>,
}

// SAFETY: wgpu-native objects are internally synchronized (wgpu-core is thread safe); the
// backend also serializes recording through `work`.
unsafe impl Send for Context {}
unsafe impl Sync for Context {}

impl Context {
    fn open(info: DeviceInfo) -> Result<Context> {
        let api = Api::open_loaded(&info.lib_path)?;
        let device = info.device as Handle;
        if device.is_null() {
            return Err(Error::runtime(
                "WebGPU: the provider returned a null device",
            ));
        }
        // SAFETY: `device` is a live WGPUDevice from wgpu-py; the reference taken here keeps it
        // alive for the process even if wgpu-py drops its own.
        let queue = unsafe {
            (api.wgpuDeviceAddRef)(device);
            (api.wgpuDeviceGetQueue)(device)
        };
        Ok(Context {
            api,
            device,
            queue,
            info,
            pool: Mutex::new(BufferPool::default()),
            work: Mutex::new(Work {
                pipelines: PipelineCache::default(),
                batch: CommandBatch::default(),
            }),
        })
    }

    /// Pipelines and the open batch, locked.
    pub fn work(&self) -> MutexGuard<'_, Work> {
        self.work.lock()
    }

    /// Runs `f` inside validation and out-of-memory error scopes and turns what they caught
    /// into an error, so a mistake becomes a Python exception instead of a log line.
    pub fn checked<R>(&self, what: &str, f: impl FnOnce() -> R) -> Result<R> {
        let api = &self.api;
        // SAFETY: scopes are pushed and popped in pairs on the device, under the caller's lock.
        unsafe {
            (api.wgpuDevicePushErrorScope)(self.device, ffi::ERROR_FILTER_OUT_OF_MEMORY);
            (api.wgpuDevicePushErrorScope)(self.device, ffi::ERROR_FILTER_VALIDATION);
        }
        let out = f();
        let validation = self.pop_error_scope();
        let memory = self.pop_error_scope();
        match validation.or(memory) {
            None => Ok(out),
            Some(message) => Err(Error::runtime(format!(
                "WebGPU error in {what}: {}",
                message.trim()
            ))),
        }
    }

    /// Pops one error scope; the message of the error it caught, if any.
    fn pop_error_scope(&self) -> Option<String> {
        let mut caught: Option<Option<String>> = None;
        unsafe extern "C" fn on_pop(
            status: u32,
            error_type: u32,
            message: ffi::StringView,
            slot: *mut c_void,
            _: *mut c_void,
        ) {
            let slot = &mut *(slot as *mut Option<Option<String>>);
            *slot = Some(if status != 1 {
                Some(format!("error scope could not be read (status {status})"))
            } else if error_type == ffi::ERROR_TYPE_NO_ERROR {
                None
            } else {
                Some(message.to_string_lossy())
            });
        }
        let info = ffi::PopErrorScopeCallbackInfo {
            next_in_chain: std::ptr::null(),
            mode: ffi::CALLBACK_MODE_ALLOW_PROCESS_EVENTS,
            callback: on_pop,
            userdata1: &mut caught as *mut _ as *mut c_void,
            userdata2: std::ptr::null_mut(),
        };
        // SAFETY: `caught` outlives the callback: the loop below waits for it.
        unsafe {
            (self.api.wgpuDevicePopErrorScope)(self.device, info);
            while caught.is_none() {
                (self.api.wgpuDevicePoll)(self.device, 0, std::ptr::null());
            }
        }
        caught.flatten()
    }
}

/// The device, opened on first use. Errors (no provider, no adapter, a mismatched `wgpu`)
/// are remembered and returned to every caller.
pub fn context() -> Result<&'static Context> {
    CONTEXT
        .get_or_init(|| {
            let provider = PROVIDER.get().ok_or_else(|| {
                Error::runtime("WebGPU: no device provider (the Python package sets one up)")
            })?;
            Context::open(provider()?)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The device if it was already opened (for accounting calls that must not open it).
pub fn opened() -> Option<&'static Context> {
    CONTEXT.get().and_then(|c| c.as_ref().ok())
}
