//! Dropout: `x * mask` where each mask element is `1 / (1 - p)` with probability `1 - p`
//! and 0 otherwise (so the gradient is `MulBackward0`, as in PyTorch). Feature dropout
//! (`dropout1d`, `dropout2d`) draws one mask value per channel.

use super::arith::mul;
use super::backend;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// `dropout(x, p, training)`. `noise_shape`, when given, is the mask's shape (broadcast over
/// `x`; feature dropout passes `[n, c, 1, ...]`). `inplace` multiplies `x` itself.
pub fn dropout(
    x: &Tensor,
    p: f64,
    training: bool,
    noise_shape: Option<&[usize]>,
    inplace: bool,
) -> Result<Tensor> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::value(format!(
            "dropout probability has to be between 0 and 1, but got {p}"
        )));
    }
    if !training || p == 0.0 {
        return Ok(x.clone());
    }
    super::inplace::check_castable(crate::tensor::DType::Float32, x)?;
    let shape = noise_shape.unwrap_or(x.shape());
    let mask = crate::cpu::random::with_default(|gen| {
        backend::dropout_mask(shape, x.dtype(), x.device(), p, gen)
    })?;
    if inplace {
        super::inplace::binary_(super::kinds::BinaryOp::Mul, x, super::Rhs::Tensor(&mask))?;
        return Ok(x.clone());
    }
    mul(x, &mask)
}
