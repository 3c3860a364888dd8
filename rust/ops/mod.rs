//! Ops: what `ferrograd` computes. Each module is one family; each op checks its inputs with
//! PyTorch's errors, runs kernels through [`backend`], and records its backward node.
//! Backward formulas are written with these same ops, so they are differentiable too.

pub mod arith;
pub mod backend;
pub mod compare;
pub mod conditional;
pub mod copy;
pub mod creation;
pub mod indexing;
pub mod inplace;
pub mod kinds;
pub mod loss;
pub mod matmul;
pub mod reduce;
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
use crate::tensor::Tensor;

/// PyTorch's error for tensors on different devices in one op.
pub fn check_same_device(op: &str, tensors: &[&Tensor]) -> Result<()> {
    let first = tensors[0].device();
    if let Some(other) = tensors.iter().map(|t| t.device()).find(|d| *d != first) {
        let name = |d: crate::tensor::Device| match d {
            crate::tensor::Device::Cpu => "cpu".to_string(),
            d => format!("{}:0", d.type_name()),
        };
        return Err(Error::runtime(format!(
            "Expected all tensors to be on the same device, but found at least two devices, {} and {}! (when checking argument for argument other in method {op})",
            name(first),
            name(other)
        )));
    }
    Ok(())
}
