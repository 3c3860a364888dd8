//! How each dtype is held on the GPU, and the WGSL that loads, stores and converts it.
//!
//! WGSL has no 8-bit storage and 64-bit types only as optional features, so:
//! - **bool** is one `u32` per element (0 or 1): four times the host size, but every kernel
//!   reads and writes whole words with no atomics. Transfers widen and narrow the bytes.
//! - **int64** is `i64` where the device has `shader-int64`. Without it, int64 tensors hold
//!   32-bit values on the GPU (`i32` storage): uploads check each value fits and raise
//!   otherwise, and arithmetic wraps at 32 bits. Indices and counts (the usual int64 data)
//!   fit.
//! - **float64** needs `shader-f64`; without it, making a float64 tensor on the GPU raises,
//!   as PyTorch does on backends without doubles.
//! - int32 and float32 are themselves.

use super::context::context;
use crate::error::{Error, Result};
use crate::tensor::DType;

/// The GPU form of one dtype.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct GpuElement {
    pub dtype: DType,
    /// WGSL type of the storage array's elements.
    pub storage: &'static str,
    /// WGSL type kernels compute with.
    pub value: &'static str,
    /// Bytes per element in GPU memory.
    pub bytes: usize,
}

impl GpuElement {
    /// The GPU form of `dtype` on this device, or the error for a dtype it cannot hold.
    pub fn of(dtype: DType) -> Result<GpuElement> {
        let features = &context()?.info.features;
        let (storage, value, bytes) = match dtype {
            DType::Bool => ("u32", "bool", 4),
            DType::Int32 => ("i32", "i32", 4),
            DType::Int64 if features.shader_int64 => ("i64", "i64", 8),
            DType::Int64 => ("i32", "i32", 4),
            DType::Float32 => ("f32", "f32", 4),
            DType::Float64 if features.shader_f64 => ("f64", "f64", 8),
            DType::Float64 => {
                return Err(Error::type_error(
                    "Cannot convert a WebGPU tensor to float64 dtype as this adapter does not support float64 (no shader-f64 feature). Please use float32 instead.",
                ))
            }
        };
        Ok(GpuElement {
            dtype,
            storage,
            value,
            bytes,
        })
    }

    /// Whether int64 is held in 32 bits (no `shader-int64`).
    pub fn is_narrowed(&self) -> bool {
        self.dtype == DType::Int64 && self.bytes == 4
    }

    /// `@binding(b) var<storage, access> name: array<storage>;`
    pub fn declare(&self, binding: u32, name: &str, writable: bool) -> String {
        let access = if writable { "read_write" } else { "read" };
        format!(
            "@group(0) @binding({binding}) var<storage, {access}> {name}: array<{}>;\n",
            self.storage
        )
    }

    /// A WGSL expression: element `index` of array `name`, as the value type.
    pub fn load(&self, name: &str, index: &str) -> String {
        match self.dtype {
            DType::Bool => format!("({name}[{index}] != 0u)"),
            _ => format!("{name}[{index}]"),
        }
    }

    /// A WGSL statement: `value` (of the value type) into element `index` of `name`.
    pub fn store(&self, name: &str, index: &str, value: &str) -> String {
        match self.dtype {
            DType::Bool => format!("{name}[{index}] = select(0u, 1u, {value});"),
            _ => format!("{name}[{index}] = {value};"),
        }
    }

    /// `expr` (of `from`'s value type) converted to this value type with PyTorch's rules:
    /// nonzero is true, true is 1, float to int truncates.
    pub fn convert_from(&self, from: &GpuElement, expr: &str) -> String {
        let to = self.value;
        if from.value == to {
            return expr.to_string();
        }
        match (from.dtype, self.dtype) {
            (_, DType::Bool) => format!("({expr} != {}(0))", from.value),
            (DType::Bool, _) => format!("select({to}(0), {to}(1), {expr})"),
            _ => format!("{to}({expr})"),
        }
    }

    /// The WGSL math function `name` (`exp`, `log`, `sin`, `cos`, `tanh`, `pow`) for this
    /// value type: f64 uses `shaders/f64.wgsl`'s versions.
    pub fn math(&self, name: &str) -> String {
        if self.value == "f64" {
            format!("{name}64")
        } else {
            name.to_string()
        }
    }

    /// WGSL defining `is_nan(x)` for this value type (always false for integers and bools).
    pub fn nan_helper(&self) -> String {
        let body = match self.value {
            "f32" => "is_nan_f32(x)",
            "f64" => "is_nan_f64(x)",
            _ => "false",
        };
        format!(
            "fn is_nan(x: {}) -> bool {{\n    return {body};\n}}\n",
            self.value
        )
    }

    /// WGSL for a constant of this type given as two 32-bit words (`lo`, `hi` are WGSL u32
    /// expressions): the scalar of `fill` and friends.
    pub fn from_words(&self, lo: &str, hi: &str) -> String {
        match (self.dtype, self.value) {
            (DType::Bool, _) => format!("({lo} != 0u)"),
            (_, "i64") => format!("((i64(bitcast<i32>({hi})) << 32u) | i64({lo}))"),
            (_, "i32") => format!("bitcast<i32>({lo})"),
            (_, "f32") => format!("bitcast<f32>({lo})"),
            _ => format!("f64_from_bits({lo}, {hi})"),
        }
    }

    /// The two words [`from_words`](Self::from_words) reads for `value`.
    pub fn words(&self, value: crate::tensor::Scalar) -> Result<[u32; 2]> {
        let bits: u64 = match self.dtype {
            DType::Bool => (value.to_f64() != 0.0) as u64,
            DType::Int32 => value.cast::<i32>() as u32 as u64,
            DType::Int64 => {
                let v = value.cast::<i64>();
                if self.is_narrowed() {
                    narrow(v)? as u32 as u64
                } else {
                    v as u64
                }
            }
            DType::Float32 => value.cast::<f32>().to_bits() as u64,
            DType::Float64 => value.cast::<f64>().to_bits(),
        };
        Ok([bits as u32, (bits >> 32) as u32])
    }

    /// Host bytes (the CPU layout of `n` contiguous elements) in this GPU form.
    pub fn to_gpu_bytes(&self, host: &[u8]) -> Result<Vec<u8>> {
        Ok(match self.dtype {
            DType::Bool => host
                .iter()
                .flat_map(|&b| (b as u32).to_le_bytes())
                .collect(),
            DType::Int64 if self.is_narrowed() => {
                let mut out = Vec::with_capacity(host.len() / 2);
                for chunk in host.chunks_exact(8) {
                    let v = i64::from_le_bytes(chunk.try_into().expect("8 bytes"));
                    out.extend_from_slice(&narrow(v)?.to_le_bytes());
                }
                out
            }
            _ => host.to_vec(),
        })
    }

    /// GPU bytes back in the CPU layout.
    pub fn to_host_bytes(&self, gpu: &[u8]) -> Vec<u8> {
        match self.dtype {
            DType::Bool => gpu.chunks_exact(4).map(|w| (w[0] != 0) as u8).collect(),
            DType::Int64 if self.is_narrowed() => gpu
                .chunks_exact(4)
                .flat_map(|w| {
                    (i32::from_le_bytes(w.try_into().expect("4 bytes")) as i64).to_le_bytes()
                })
                .collect(),
            _ => gpu.to_vec(),
        }
    }
}

fn narrow(v: i64) -> Result<i32> {
    i32::try_from(v).map_err(|_| {
        Error::runtime(format!(
            "WebGPU: the int64 value {v} does not fit in the 32 bits int64 tensors have on this adapter (it lacks the shader-int64 feature)"
        ))
    })
}
