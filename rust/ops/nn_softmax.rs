//! `softmax` and `log_softmax` along a dim: fused kernels forward and backward.
//!
//! The backward runs the fused kernel; when the backward itself is recorded
//! (`create_graph=True`) it is written with ops instead, so it can be differentiated again.

use smallvec::smallvec;

use super::arith::{mul, sub};
use super::backend;
use super::copy::to_dtype;
use super::reduce::sum_dims;
use super::unary::exp;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{wrap_dim, DType, Tensor};

/// `softmax(x, dim)` (`log_softmax` when `log`), computed in `dtype` when given (the cast is
/// part of the graph, as in PyTorch).
pub fn softmax(x: &Tensor, dim: i64, dtype: Option<DType>, log: bool) -> Result<Tensor> {
    let x = match dtype {
        Some(d) => to_dtype(x, d)?,
        None => x.clone(),
    };
    let d = wrap_dim(dim, x.ndim())?;
    if !x.dtype().is_floating_point() {
        let last = if d + 1 >= x.ndim() { "lastdim_" } else { "" };
        return Err(Error::not_implemented(format!(
            "\"{}softmax_{last}kernel_impl\" not implemented for '{}'",
            if log { "log_" } else { "" },
            x.dtype().scalar_type_name()
        )));
    }
    let out = backend::softmax(&x, d, log)?;
    if is_recording(&[&x]) {
        record(
            SoftmaxBackward { dim: d, log },
            &[Some(&x)],
            smallvec![Some(SavedTensor::output(&out, 0))],
            &[&out],
        )?;
    }
    Ok(out)
}

struct SoftmaxBackward {
    dim: usize,
    log: bool,
}

impl Backward for SoftmaxBackward {
    fn name(&self) -> &str {
        if self.log {
            "LogSoftmaxBackward0"
        } else {
            "SoftmaxBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, y) = (ctx.grad(), ctx.saved(0)?);
        if !is_recording(&[g, y]) {
            return Ok(smallvec![Some(backend::softmax_backward(
                g, y, self.dim, self.log
            )?)]);
        }
        let dim = [self.dim as i64];
        let grad = if self.log {
            // g - e^y sum(g)
            sub(g, &mul(&exp(y)?, &sum_dims(g, Some(&dim), true)?)?)?
        } else {
            // y (g - sum(g y))
            let gy = mul(g, y)?;
            sub(&gy, &mul(y, &sum_dims(&gy, Some(&dim), true)?)?)?
        };
        Ok(smallvec![Some(grad)])
    }
}
