//! Device-tagged memory that tensors view. Several tensors (views) may share one storage.

use std::alloc::Layout as AllocLayout;
use std::ptr::NonNull;
use std::sync::Arc;

use super::host_pool;
use crate::error::{Error, Result};

/// Where a storage's bytes live: host memory, or a buffer of the one WebGPU device.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    Cpu,
    WebGpu,
}

impl Device {
    /// PyTorch's device type string: `"cpu"`.
    pub fn type_name(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::WebGpu => "webgpu",
        }
    }

    pub fn parse(name: &str) -> Result<Device> {
        match name {
            "cpu" => Ok(Device::Cpu),
            "webgpu" | "gpu" => Ok(Device::WebGpu),
            _ => Err(Error::runtime(format!(
                "Expected one of cpu, webgpu, gpu device type at start of device string: {name}"
            ))),
        }
    }
}

/// What keeps CPU bytes alive: our own allocation, or a foreign owner (a NumPy array, a Vec).
enum Owner {
    Heap(AllocLayout),
    Foreign(#[allow(dead_code)] Box<dyn Send + Sync>),
}

/// Bytes in host memory.
pub struct CpuBuffer {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
}

// SAFETY: the buffer is plain memory; concurrent writes to one tensor from several threads are
// the caller's race, exactly as in PyTorch.
unsafe impl Send for CpuBuffer {}
unsafe impl Sync for CpuBuffer {}

impl CpuBuffer {
    fn allocate(nbytes: usize, zeroed: bool) -> Result<CpuBuffer> {
        if nbytes == 0 {
            let ptr = NonNull::new(host_pool::ALIGN as *mut u8).unwrap();
            return Ok(CpuBuffer {
                ptr,
                nbytes,
                owner: Owner::Foreign(Box::new(())),
            });
        }
        let (ptr, layout) = host_pool::allocate(nbytes, zeroed).ok_or_else(|| {
            Error::runtime(format!(
                "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate {nbytes} bytes."
            ))
        })?;
        Ok(CpuBuffer {
            ptr,
            nbytes,
            owner: Owner::Heap(layout),
        })
    }
}

impl Drop for CpuBuffer {
    fn drop(&mut self) {
        if let Owner::Heap(layout) = self.owner {
            // SAFETY: allocated in `allocate` with this layout; this is its last use.
            unsafe { host_pool::release(self.ptr, layout) }
        }
    }
}

/// The memory behind a storage, by device.
pub enum Buffer {
    Cpu(CpuBuffer),
    /// A GPU buffer from the WebGPU backend's pool; it goes back to the pool when the last
    /// tensor viewing it dies. Its elements use the GPU forms of `crate::webgpu::element`.
    WebGpu(crate::webgpu::GpuBuffer),
}

/// Shared, device-tagged memory. Cloning shares it.
#[derive(Clone)]
pub struct Storage(Arc<Buffer>);

impl Storage {
    /// Uninitialised host memory (callers write every element before reading).
    pub fn cpu_uninit(nbytes: usize) -> Result<Storage> {
        Ok(Storage(Arc::new(Buffer::Cpu(CpuBuffer::allocate(
            nbytes, false,
        )?))))
    }

    pub fn cpu_zeroed(nbytes: usize) -> Result<Storage> {
        Ok(Storage(Arc::new(Buffer::Cpu(CpuBuffer::allocate(
            nbytes, true,
        )?))))
    }

    /// Takes ownership of a vector's memory without copying.
    pub fn from_vec<T: Copy + Send + Sync + 'static>(mut v: Vec<T>) -> Storage {
        let nbytes = v.len() * std::mem::size_of::<T>();
        let ptr = NonNull::new(v.as_mut_ptr() as *mut u8).unwrap();
        Storage(Arc::new(Buffer::Cpu(CpuBuffer {
            ptr,
            nbytes,
            owner: Owner::Foreign(Box::new(v)),
        })))
    }

    /// Wraps foreign host memory (a NumPy array's), kept alive by `owner`.
    ///
    /// # Safety
    /// `ptr` must stay valid for `nbytes` bytes, and suitably aligned for the dtype it is
    /// read as, for as long as `owner` lives.
    pub unsafe fn from_foreign(
        ptr: *mut u8,
        nbytes: usize,
        owner: Box<dyn Send + Sync>,
    ) -> Result<Storage> {
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::runtime("null data pointer"))?;
        Ok(Storage(Arc::new(Buffer::Cpu(CpuBuffer {
            ptr,
            nbytes,
            owner: Owner::Foreign(owner),
        }))))
    }

    /// Storage in a GPU buffer.
    pub fn from_gpu(buffer: crate::webgpu::GpuBuffer) -> Storage {
        Storage(Arc::new(Buffer::WebGpu(buffer)))
    }

    pub fn device(&self) -> Device {
        match &*self.0 {
            Buffer::Cpu(_) => Device::Cpu,
            Buffer::WebGpu(_) => Device::WebGpu,
        }
    }

    pub fn nbytes(&self) -> usize {
        match &*self.0 {
            Buffer::Cpu(b) => b.nbytes,
            Buffer::WebGpu(b) => b.size() as usize,
        }
    }

    /// Start of the host bytes. Writing through it is allowed: storage is shared mutable
    /// memory, like PyTorch's. Only CPU kernels call it, on CPU storage.
    pub fn cpu_ptr(&self) -> *mut u8 {
        match &*self.0 {
            Buffer::Cpu(b) => b.ptr.as_ptr(),
            Buffer::WebGpu(_) => panic!("internal error: host pointer of a WebGPU storage"),
        }
    }

    /// The GPU buffer of a WebGPU storage.
    pub fn gpu_buffer(&self) -> Option<&crate::webgpu::GpuBuffer> {
        match &*self.0 {
            Buffer::WebGpu(b) => Some(b),
            Buffer::Cpu(_) => None,
        }
    }

    pub fn same(&self, other: &Storage) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Whether no other storage handle shares these bytes.
    pub fn is_unshared(&self) -> bool {
        Arc::strong_count(&self.0) == 1
    }
}
