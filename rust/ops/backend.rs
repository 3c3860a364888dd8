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

/// Runs a CPU kernel writing `out`, or fails on a device without one.
fn cpu_only(out: &Tensor, kernel: impl FnOnce() -> Result<()>) -> Result<()> {
    match out.device() {
        Device::Cpu => kernel(),
        d => Err(unsupported(d)),
    }
}

// Fused ops (`ops::fused`): the inputs share one dtype and are broadcast to `out`'s shape;
// `out` may be the first input itself (in-place ops).

/// `out = a + alpha * b`, rounded once.
pub fn add_scaled_into(a: &Tensor, b: &Tensor, alpha: Scalar, out: &Tensor) -> Result<()> {
    let (a, b) = (broadcast_to(a, out.shape())?, broadcast_to(b, out.shape())?);
    cpu_only(out, || cpu::fused::add_scaled_into(&a, &b, alpha, out))
}

/// `out = s + value * t1 * t2`, rounded as PyTorch's `addcmul`.
pub fn addcmul_into(
    s: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    out: &Tensor,
) -> Result<()> {
    let [s, t1, t2] = [s, t1, t2].map(|t| broadcast_to(t, out.shape()));
    cpu_only(out, || {
        cpu::fused::addcmul_into(&s?, &t1?, &t2?, value, out)
    })
}

/// `out = s + value * t1 / t2` (floating dtypes).
pub fn addcdiv_into(
    s: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    out: &Tensor,
) -> Result<()> {
    let [s, t1, t2] = [s, t1, t2].map(|t| broadcast_to(t, out.shape()));
    cpu_only(out, || {
        cpu::fused::addcdiv_into(&s?, &t1?, &t2?, value, out)
    })
}

/// `out = lerp(s, e, weight)` for a number weight (floating dtypes).
pub fn lerp_scalar_into(s: &Tensor, e: &Tensor, weight: Scalar, out: &Tensor) -> Result<()> {
    let (s, e) = (broadcast_to(s, out.shape())?, broadcast_to(e, out.shape())?);
    cpu_only(out, || cpu::fused::lerp_scalar_into(&s, &e, weight, out))
}

/// `out = lerp(s, e, w)` for a tensor weight (floating dtypes).
pub fn lerp_into(s: &Tensor, e: &Tensor, w: &Tensor, out: &Tensor) -> Result<()> {
    let [s, e, w] = [s, e, w].map(|t| broadcast_to(t, out.shape()));
    cpu_only(out, || cpu::fused::lerp_into(&s?, &e?, &w?, out))
}
