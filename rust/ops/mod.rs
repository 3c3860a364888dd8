//! Ops: what `ferrograd` computes. Each module is one family; each op checks its inputs with
//! PyTorch's errors, runs kernels through [`backend`], and records its backward node.
//! Backward formulas are written with these same ops, so they are differentiable too.

pub mod activation;
pub mod advanced_index;
pub mod arith;
pub mod backend;
pub mod binary_math;
pub mod clamp;
pub mod compare;
pub mod conditional;
pub mod copy;
pub mod creation;
pub mod einsum;
pub mod extrema;
pub mod fused;
pub mod gather;
pub mod indexing;
pub mod inplace;
pub mod join;
pub mod kinds;
pub mod logical_reduce;
pub mod logsumexp;
pub mod loss;
pub mod mask;
pub mod matmul;
pub mod moments;
pub mod nonfinite;
pub mod product;
pub mod random_fill;
pub mod reduce;
pub mod scan;
pub mod scatter;
pub mod shape_ops;
pub mod sort;
pub mod unary;
pub mod view;

pub mod nn_attention;
pub mod nn_conv;
pub mod nn_dropout;
pub mod nn_embedding;
pub mod nn_linear;
pub mod nn_loss;
pub mod nn_norm;
pub mod nn_pad;
pub mod nn_pool;
pub mod nn_softmax;

pub use arith::{add, div, mul, neg, pow, sub, Rhs};
pub use copy::{clone, contiguous, to_dtype};
pub use reduce::{sum, sum_to};
pub use view::{expand, reshape};

use crate::error::{Error, Result};
use crate::tensor::{Device, Tensor};

/// `t` moved to `device` if it is a 0-d CPU tensor, which, like PyTorch's CPU scalars, may
/// join an op on any device; otherwise `t` itself, or PyTorch's error if it is elsewhere.
pub fn to_op_device(op: &str, t: &Tensor, device: Device) -> Result<Tensor> {
    if t.device() == device {
        Ok(t.clone())
    } else if t.ndim() == 0 && t.device() == Device::Cpu {
        backend::to_device(t, device)
    } else {
        Err(device_mismatch(op, device, t.device()))
    }
}

/// The device an op on `a` and `b` runs on: `a`'s, unless `a` is a 0-d CPU tensor (a
/// scalar) and `b` lives elsewhere.
pub fn op_device(a: &Tensor, b: &Tensor) -> Device {
    if a.ndim() == 0 && a.device() == Device::Cpu {
        b.device()
    } else {
        a.device()
    }
}

/// PyTorch's error for tensors on different devices in one op.
pub fn check_same_device(op: &str, tensors: &[&Tensor]) -> Result<()> {
    let first = tensors[0].device();
    match tensors.iter().map(|t| t.device()).find(|d| *d != first) {
        Some(other) => Err(device_mismatch(op, first, other)),
        None => Ok(()),
    }
}

fn device_mismatch(op: &str, first: Device, other: Device) -> Error {
    let name = |d: Device| match d {
        Device::Cpu => "cpu".to_string(),
        d => format!("{}:0", d.type_name()),
    };
    Error::runtime(format!(
        "Expected all tensors to be on the same device, but found at least two devices, {} and {}! (when checking argument for argument other in method {op})",
        name(first),
        name(other)
    ))
}
