//! CPU kernels. They take tensors whose dtypes and shapes the op layer has already checked.

pub mod activation;
pub mod elementwise;
pub mod fused;
pub mod index;
pub mod matmul;
pub mod number;
pub mod random;
pub mod reduce;
pub mod scan;
pub mod sort;
pub mod special;
pub mod strided;
pub mod vector_math;

pub mod conv;
pub mod dropout;
pub mod embedding;
pub mod nll_loss;
pub mod normalization;
pub mod pad;
pub mod pool;
pub mod rows;
pub mod softmax;

pub mod parallel;
pub mod simd;

use crate::error::Result;
use crate::tensor::Tensor;

/// `x` itself if its elements are already contiguous, else a contiguous copy.
pub fn contiguous(x: &Tensor) -> Result<Tensor> {
    elementwise::to_contiguous_dtype(x, x.dtype())
}
