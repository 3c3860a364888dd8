//! Device dispatch: the one place that picks the backend for a kernel. Callers hand it
//! operands of one dtype, already broadcast; it allocates the output and runs the kernel.

use super::kinds::{BinaryOp, CompareOp, ReduceOp, UnaryOp};
use crate::cpu;
use crate::error::{Error, Result};
use crate::tensor::{DType, Device, Scalar, Tensor};

fn unsupported(device: Device) -> Error {
    Error::runtime(format!(
        "no kernels for device '{}' in this build",
        device.type_name()
    ))
}

/// `x` viewed with the broadcast shape `shape`.
pub fn broadcast_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    Ok(x.with_layout(x.layout().expand(shape)?))
}

pub fn unary(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    match x.device() {
        Device::Cpu => cpu::elementwise::unary_into(op, x, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `a op b` for same-dtype operands broadcast to a common shape.
pub fn binary(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(a.shape(), b.shape())?;
    let out = Tensor::empty(&shape, a.dtype(), a.device())?;
    binary_into(op, a, b, &out)?;
    Ok(out)
}

/// `out = a op b`, where `out` may be `a` itself (in-place ops).
pub fn binary_into(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let (a, b) = (broadcast_to(a, out.shape())?, broadcast_to(b, out.shape())?);
    match out.device() {
        Device::Cpu => cpu::elementwise::binary_into(op, &a, &b, out),
        d => Err(unsupported(d)),
    }
}

pub fn compare(op: CompareOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(a.shape(), b.shape())?;
    let out = Tensor::empty(&shape, DType::Bool, a.device())?;
    let (a, b) = (broadcast_to(a, &shape)?, broadcast_to(b, &shape)?);
    match out.device() {
        Device::Cpu => cpu::elementwise::compare_into(op, &a, &b, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(
        cond.shape(),
        &crate::tensor::broadcast_shapes(a.shape(), b.shape())?,
    )?;
    let out = Tensor::empty(&shape, a.dtype(), a.device())?;
    let (c, a, b) = (
        broadcast_to(cond, &shape)?,
        broadcast_to(a, &shape)?,
        broadcast_to(b, &shape)?,
    );
    match out.device() {
        Device::Cpu => cpu::elementwise::where_into(&c, &a, &b, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// Copies `src` (broadcast to `dst`'s shape, any dtype) into `dst`.
pub fn copy_into(src: &Tensor, dst: &Tensor) -> Result<()> {
    let src = broadcast_to(src, dst.shape())?;
    match (src.device(), dst.device()) {
        (Device::Cpu, Device::Cpu) => cpu::elementwise::copy_into(&src, dst),
        (d, _) => Err(unsupported(d)),
    }
}

pub fn fill(dst: &Tensor, value: Scalar) -> Result<()> {
    match dst.device() {
        Device::Cpu => {
            crate::with_dtype!(dst.dtype(), T => cpu::elementwise::fill::<T>(dst, value.cast::<T>()));
            Ok(())
        }
        d => Err(unsupported(d)),
    }
}

/// A contiguous tensor with `x`'s values in `dtype`; `x` itself if it already is one.
pub fn contiguous_as(x: &Tensor, dtype: DType) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::elementwise::to_contiguous_dtype(x, dtype),
        d => Err(unsupported(d)),
    }
}

/// A fresh contiguous copy (never `x` itself).
pub fn copy(x: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    copy_into(x, &out)?;
    Ok(out)
}

pub fn reduce(op: ReduceOp, x: &Tensor, dims: &[usize]) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::reduce::reduce(op, x, dims),
        d => Err(unsupported(d)),
    }
}

pub fn arg_reduce(x: &Tensor, dim: usize, is_max: bool) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::reduce::arg_reduce(x, dim, is_max),
        d => Err(unsupported(d)),
    }
}

/// Batched matrix product of (B, M, K) and (B, K, N).
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(
        &[a.shape()[0], a.shape()[1], b.shape()[2]],
        a.dtype(),
        a.device(),
    )?;
    match a.device() {
        Device::Cpu => cpu::matmul::bmm_into(a, b, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `a`, `b`, `c` broadcast to their common shape, and an output of that shape in `a`'s dtype.
fn broadcast3(a: &Tensor, b: &Tensor, c: &Tensor) -> Result<[Tensor; 4]> {
    let shape = crate::tensor::broadcast_shapes(
        a.shape(),
        &crate::tensor::broadcast_shapes(b.shape(), c.shape())?,
    )?;
    Ok([
        broadcast_to(a, &shape)?,
        broadcast_to(b, &shape)?,
        broadcast_to(c, &shape)?,
        Tensor::empty(&shape, a.dtype(), a.device())?,
    ])
}

/// `a + alpha * b` rounded once (`add` with `alpha`); same-dtype operands.
pub fn add_scaled(a: &Tensor, b: &Tensor, alpha: Scalar) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(a.shape(), b.shape())?;
    let out = Tensor::empty(&shape, a.dtype(), a.device())?;
    let (a, b) = (broadcast_to(a, &shape)?, broadcast_to(b, &shape)?);
    match out.device() {
        Device::Cpu => cpu::fused::add_scaled_into(&a, &b, alpha, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `s + value * t1 * t2` rounded as PyTorch's `addcmul`.
pub fn addcmul(s: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    let [s, t1, t2, out] = broadcast3(s, t1, t2)?;
    match out.device() {
        Device::Cpu => cpu::fused::addcmul_into(&s, &t1, &t2, value, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `s + value * t1 / t2` rounded as PyTorch's `addcdiv` (floating dtypes).
pub fn addcdiv(s: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    let [s, t1, t2, out] = broadcast3(s, t1, t2)?;
    match out.device() {
        Device::Cpu => cpu::fused::addcdiv_into(&s, &t1, &t2, value, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// PyTorch's `lerp(s, e, weight)` for a number weight (floating dtypes).
pub fn lerp_scalar(s: &Tensor, e: &Tensor, weight: Scalar) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(s.shape(), e.shape())?;
    let out = Tensor::empty(&shape, s.dtype(), s.device())?;
    let (s, e) = (broadcast_to(s, &shape)?, broadcast_to(e, &shape)?);
    match out.device() {
        Device::Cpu => cpu::fused::lerp_scalar_into(&s, &e, weight, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// PyTorch's `lerp(s, e, w)` for a tensor weight (floating dtypes).
pub fn lerp(s: &Tensor, e: &Tensor, w: &Tensor) -> Result<Tensor> {
    let [s, e, w, out] = broadcast3(s, e, w)?;
    match out.device() {
        Device::Cpu => cpu::fused::lerp_into(&s, &e, &w, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}
