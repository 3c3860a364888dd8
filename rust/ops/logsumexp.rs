//! `logsumexp(x, dims, keepdim)`: `log(sum(exp(x)))` without overflow.

use smallvec::smallvec;

use super::arith::{cast, mul, sub};
use super::kinds::{ReduceOp, UnaryOp};
use super::reduce::{reduce_dims, reduce_kernel, unreduce};
use super::unary::unary;
use crate::autograd::{is_recording, record_saving_input_and_output, Backward, BackwardCtx, Grads};
use crate::error::Result;
use crate::tensor::{Dims, Tensor};

/// Integer inputs compute in float32, as in PyTorch; an empty `dims` reduces everything.
pub fn logsumexp(x: &Tensor, dims: &[i64], keepdim: bool) -> Result<Tensor> {
    let rdims = reduce_dims(x, Some(dims))?;
    let xf = cast(x, x.dtype().to_floating())?;
    let out = reduce_kernel(ReduceOp::LogSumExp, &xf, &rdims, keepdim)?;
    if is_recording(&[x]) {
        record_saving_input_and_output(
            LogsumexpBackward {
                dims: rdims,
                keepdim,
            },
            x,
            &out,
        )?;
    }
    Ok(out)
}

struct LogsumexpBackward {
    dims: Dims,
    keepdim: bool,
}

impl Backward for LogsumexpBackward {
    fn name(&self) -> &str {
        "LogsumexpBackward0"
    }

    /// The softmax of `x` over the reduced dims, times the gradient.
    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, out) = (ctx.saved(0)?, ctx.saved(1)?);
        let out = unreduce(out, &self.dims, self.keepdim)?;
        let g = unreduce(ctx.grad(), &self.dims, self.keepdim)?;
        let softmax = unary(UnaryOp::Exp, &sub(x, &out)?)?;
        Ok(smallvec![Some(mul(&g, &softmax)?)])
    }
}
