//! The slice of the `webgpu.h` / `wgpu.h` C API (wgpu-native 29, shipped in wgpu-py 0.32)
//! that the backend calls, declared by hand and resolved at run time.
//!
//! The library is the copy wgpu-py already loaded: it is opened with `RTLD_NOLOAD`, so
//! ferrograd never links against it and never loads a second copy (one runtime, one device,
//! shared with wgpu-py). Struct layouts follow the headers in `wgpu/resources/`.
//!
//! Calls that abort in this wgpu-native version (`wgpuInstanceWaitAny`, the async pipeline
//! creations, `wgpuBufferGetMapState`) are deliberately absent: readback and error scopes resolve through
//! `wgpuDevicePoll` with `AllowProcessEvents` callbacks.

use std::ffi::{c_char, c_void};

use crate::error::{Error, Result};

/// `wgpuGetVersion()` of the wgpu-native this file was written against (29.0.1.1).
pub const EXPECTED_VERSION: u32 = 0x1D00_0101;

pub type Handle = *mut c_void;

pub const BUFFER_USAGE_MAP_READ: u64 = 0x1;
pub const BUFFER_USAGE_COPY_SRC: u64 = 0x4;
pub const BUFFER_USAGE_COPY_DST: u64 = 0x8;
pub const BUFFER_USAGE_UNIFORM: u64 = 0x40;
pub const BUFFER_USAGE_STORAGE: u64 = 0x80;
pub const MAP_MODE_READ: u64 = 0x1;
pub const CALLBACK_MODE_ALLOW_PROCESS_EVENTS: u32 = 2;
pub const MAP_ASYNC_STATUS_SUCCESS: u32 = 1;
pub const ERROR_FILTER_VALIDATION: u32 = 1;
pub const ERROR_FILTER_OUT_OF_MEMORY: u32 = 2;
pub const ERROR_TYPE_NO_ERROR: u32 = 1;
pub const S_TYPE_SHADER_SOURCE_WGSL: u32 = 2;

/// `WGPUStringView`: a pointer and a length (not NUL-terminated).
#[repr(C)]
#[derive(Copy, Clone)]
pub struct StringView {
    pub data: *const c_char,
    pub length: usize,
}

impl StringView {
    pub fn new(s: &str) -> StringView {
        StringView {
            data: s.as_ptr() as *const c_char,
            length: s.len(),
        }
    }

    pub fn empty() -> StringView {
        StringView {
            data: std::ptr::null(),
            length: 0,
        }
    }

    /// The text, copied (lossily) into a Rust string.
    ///
    /// # Safety
    /// `data` must point at `length` readable bytes (or be null).
    pub unsafe fn to_string_lossy(&self) -> String {
        if self.data.is_null() {
            return String::new();
        }
        let len = if self.length == usize::MAX {
            std::ffi::CStr::from_ptr(self.data).to_bytes().len()
        } else {
            self.length
        };
        String::from_utf8_lossy(std::slice::from_raw_parts(self.data as *const u8, len))
            .into_owned()
    }
}

#[repr(C)]
pub struct ChainedStruct {
    pub next: *const ChainedStruct,
    pub s_type: u32,
}

#[repr(C)]
pub struct BufferDescriptor {
    pub next_in_chain: *const ChainedStruct,
    pub label: StringView,
    pub usage: u64,
    pub size: u64,
    pub mapped_at_creation: u32,
}

#[repr(C)]
pub struct ShaderSourceWgsl {
    pub chain: ChainedStruct,
    pub code: StringView,
}

#[repr(C)]
pub struct ShaderModuleDescriptor {
    pub next_in_chain: *const ChainedStruct,
    pub label: StringView,
}

#[repr(C)]
pub struct ComputeState {
    pub next_in_chain: *const ChainedStruct,
    pub module: Handle,
    pub entry_point: StringView,
    pub constant_count: usize,
    pub constants: *const c_void,
}

#[repr(C)]
pub struct ComputePipelineDescriptor {
    pub next_in_chain: *const ChainedStruct,
    pub label: StringView,
    /// Null: the layout is derived from the shader (`auto`).
    pub layout: Handle,
    pub compute: ComputeState,
}

#[repr(C)]
pub struct BindGroupEntry {
    pub next_in_chain: *const ChainedStruct,
    pub binding: u32,
    pub buffer: Handle,
    pub offset: u64,
    pub size: u64,
    pub sampler: Handle,
    pub texture_view: Handle,
}

#[repr(C)]
pub struct BindGroupDescriptor {
    pub next_in_chain: *const ChainedStruct,
    pub label: StringView,
    pub layout: Handle,
    pub entry_count: usize,
    pub entries: *const BindGroupEntry,
}

pub type BufferMapCallback =
    unsafe extern "C" fn(status: u32, message: StringView, u1: *mut c_void, u2: *mut c_void);

#[repr(C)]
pub struct BufferMapCallbackInfo {
    pub next_in_chain: *const ChainedStruct,
    pub mode: u32,
    pub callback: BufferMapCallback,
    pub userdata1: *mut c_void,
    pub userdata2: *mut c_void,
}

pub type PopErrorScopeCallback = unsafe extern "C" fn(
    status: u32,
    error_type: u32,
    message: StringView,
    u1: *mut c_void,
    u2: *mut c_void,
);

#[repr(C)]
pub struct PopErrorScopeCallbackInfo {
    pub next_in_chain: *const ChainedStruct,
    pub mode: u32,
    pub callback: PopErrorScopeCallback,
    pub userdata1: *mut c_void,
    pub userdata2: *mut c_void,
}

#[repr(C)]
pub struct Future {
    pub id: u64,
}

/// Declares the function table: one field per C function, resolved by its own name.
macro_rules! api {
    ($($name:ident: fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// Entry points of the loaded `libwgpu_native`.
        #[allow(non_snake_case)]
        pub struct Api {
            $(pub $name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
            /// Keeps the library mapped while the table is in use.
            _library: libloading::Library,
        }

        impl Api {
            /// Resolves every entry point in `library`.
            ///
            /// # Safety
            /// `library` must be wgpu-native with the C ABI declared in this file.
            unsafe fn resolve(library: libloading::Library) -> Result<Api> {
                Ok(Api {
                    $($name: *library
                        .get(concat!(stringify!($name), "\0").as_bytes())
                        .map_err(|e| Error::runtime(format!(
                            "WebGPU: libwgpu_native lacks {}: {e}", stringify!($name)
                        )))?,)*
                    _library: library,
                })
            }
        }
    };
}

api! {
    wgpuGetVersion: fn() -> u32;
    wgpuDeviceAddRef: fn(Handle);
    wgpuDeviceGetQueue: fn(Handle) -> Handle;
    wgpuDeviceCreateBuffer: fn(Handle, *const BufferDescriptor) -> Handle;
    wgpuBufferAddRef: fn(Handle);
    wgpuBufferRelease: fn(Handle);
    wgpuBufferGetSize: fn(Handle) -> u64;
    wgpuBufferGetUsage: fn(Handle) -> u64;
    wgpuBufferMapAsync: fn(Handle, u64, usize, usize, BufferMapCallbackInfo) -> Future;
    wgpuBufferGetConstMappedRange: fn(Handle, usize, usize) -> *const c_void;
    wgpuBufferUnmap: fn(Handle);
    wgpuDeviceCreateShaderModule: fn(Handle, *const ShaderModuleDescriptor) -> Handle;
    wgpuShaderModuleRelease: fn(Handle);
    wgpuDeviceCreateComputePipeline: fn(Handle, *const ComputePipelineDescriptor) -> Handle;
    wgpuComputePipelineGetBindGroupLayout: fn(Handle, u32) -> Handle;
    wgpuDeviceCreateBindGroup: fn(Handle, *const BindGroupDescriptor) -> Handle;
    wgpuBindGroupRelease: fn(Handle);
    wgpuDeviceCreateCommandEncoder: fn(Handle, *const c_void) -> Handle;
    wgpuCommandEncoderRelease: fn(Handle);
    wgpuCommandEncoderBeginComputePass: fn(Handle, *const c_void) -> Handle;
    wgpuComputePassEncoderSetPipeline: fn(Handle, Handle);
    wgpuComputePassEncoderSetBindGroup: fn(Handle, u32, Handle, usize, *const u32);
    wgpuComputePassEncoderDispatchWorkgroups: fn(Handle, u32, u32, u32);
    wgpuComputePassEncoderEnd: fn(Handle);
    wgpuComputePassEncoderRelease: fn(Handle);
    wgpuCommandEncoderCopyBufferToBuffer: fn(Handle, Handle, u64, Handle, u64, u64);
    wgpuCommandEncoderFinish: fn(Handle, *const c_void) -> Handle;
    wgpuCommandBufferRelease: fn(Handle);
    wgpuQueueSubmit: fn(Handle, usize, *const Handle);
    wgpuQueueWriteBuffer: fn(Handle, Handle, u64, *const c_void, usize);
    wgpuDevicePushErrorScope: fn(Handle, u32);
    wgpuDevicePopErrorScope: fn(Handle, PopErrorScopeCallbackInfo) -> Future;
    wgpuDevicePoll: fn(Handle, u32, *const u64) -> u32;
}

impl Api {
    /// The library wgpu-py already loaded from `path`, without loading another copy.
    pub fn open_loaded(path: &str) -> Result<Api> {
        let library = open_already_loaded(path)?;
        // SAFETY: the path is wgpu-py's libwgpu_native; its version is checked right after.
        let api = unsafe { Api::resolve(library)? };
        let version = unsafe { (api.wgpuGetVersion)() };
        if version != EXPECTED_VERSION {
            return Err(Error::runtime(format!(
                "WebGPU: ferrograd needs wgpu-native {} (the Python package wgpu 0.32), but the loaded library is {}; install `wgpu>=0.32,<0.33`",
                version_str(EXPECTED_VERSION),
                version_str(version)
            )));
        }
        Ok(api)
    }
}

/// `0x1D000101` as `29.0.1.1`.
fn version_str(v: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        v >> 24,
        (v >> 16) & 0xff,
        (v >> 8) & 0xff,
        v & 0xff
    )
}

#[cfg(unix)]
fn open_already_loaded(path: &str) -> Result<libloading::Library> {
    use libloading::os::unix::Library;
    // SAFETY: RTLD_NOLOAD only returns a handle to a library that is already mapped, so no
    // initialisation code runs.
    unsafe { Library::open(Some(path), libc::RTLD_NOW | libc::RTLD_NOLOAD) }
        .map(Into::into)
        .map_err(|e| {
            Error::runtime(format!(
                "WebGPU: {path} is not loaded in this process ({e}); import wgpu first"
            ))
        })
}

#[cfg(windows)]
fn open_already_loaded(path: &str) -> Result<libloading::Library> {
    use libloading::os::windows::Library;
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    Library::open_already_loaded(name)
        .map(Into::into)
        .map_err(|e| Error::runtime(format!("WebGPU: {path} is not loaded ({e})")))
}
