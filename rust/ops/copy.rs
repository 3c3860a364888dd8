//! Copies: `clone`, `contiguous`, dtype conversion, and the raw copies the engine uses.

use smallvec::smallvec;

use super::arith::cast;
use super::backend;
use super::kinds::BinaryOp;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads};
use crate::error::Result;
use crate::tensor::{DType, Device, Tensor};

/// A new contiguous tensor with `x`'s values (`CloneBackward0`).
pub fn clone(x: &Tensor) -> Result<Tensor> {
    let out = backend::copy(x)?;
    if is_recording(&[x]) {
        record(CopyBackward::Clone, &[Some(x)], smallvec![], &[&out])?;
    }
    Ok(out)
}

/// `x` itself when contiguous, else a contiguous clone.
pub fn contiguous(x: &Tensor) -> Result<Tensor> {
    if x.is_contiguous() {
        Ok(x.clone())
    } else {
        clone(x)
    }
}

/// `x.to(dtype)`: `x` itself when it already has the dtype (`ToCopyBackward0` otherwise).
pub fn to_dtype(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() == dtype {
        return Ok(x.clone());
    }
    let out = backend::contiguous_as(x, dtype)?;
    if is_recording(&[x]) && dtype.is_floating_point() {
        record(
            CopyBackward::ToDtype { from: x.dtype() },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `x.to(device)`: `x` itself when it is already there, else a contiguous copy on `device`
/// (`ToCopyBackward0`, whose backward moves the gradient back).
pub fn to_device(x: &Tensor, device: Device) -> Result<Tensor> {
    if x.device() == device {
        return Ok(x.clone());
    }
    let out = backend::to_device(x, device)?;
    if is_recording(&[x]) {
        record(
            CopyBackward::ToDevice { from: x.device() },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// A fresh contiguous copy with no history: what a first `.grad` is stored as, so it never
/// aliases a tensor the caller holds.
pub fn materialize(x: &Tensor) -> Result<Tensor> {
    backend::copy(x)
}

/// `dst += src` with no recording and no version checks (gradient accumulation).
pub fn add_into_unrecorded(dst: &Tensor, src: &Tensor) -> Result<()> {
    let src = cast(src, dst.dtype())?;
    backend::binary_into(BinaryOp::Add, dst, &src, dst)?;
    dst.bump_version();
    Ok(())
}

enum CopyBackward {
    Clone,
    ToDtype { from: DType },
    ToDevice { from: Device },
}

impl Backward for CopyBackward {
    fn name(&self) -> &str {
        match self {
            CopyBackward::Clone => "CloneBackward0",
            CopyBackward::ToDtype { .. } | CopyBackward::ToDevice { .. } => "ToCopyBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        Ok(smallvec![Some(match self {
            CopyBackward::Clone => g.clone(),
            CopyBackward::ToDtype { from } => to_dtype(g, *from)?,
            CopyBackward::ToDevice { from } => to_device(g, *from)?,
        })])
    }
}
