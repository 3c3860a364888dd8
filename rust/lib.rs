//! ferrograd's core: tensors, the autograd graph and scheduler, ops, CPU kernels and the
//! WebGPU backend.
//! Everything here is plain Rust; the Python bindings live in `py` (feature `python`).

pub mod autograd;
pub mod cpu;
pub mod error;
pub mod ops;
pub mod tensor;
pub mod webgpu;

#[cfg(feature = "python")]
mod py;

pub use error::{Error, ErrorKind, Result};
