//! ferrograd's core: tensors, the autograd graph and scheduler, ops, and CPU kernels.
//! Everything here is plain Rust; the Python bindings live in `py` (feature `python`).

pub mod autograd;
pub mod cpu;
pub mod error;
pub mod ops;
pub mod tensor;

#[cfg(feature = "python")]
mod py;

pub use error::{Error, ErrorKind, Result};
