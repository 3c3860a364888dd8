//! Device dispatch: the one place that picks the backend for a kernel. Callers hand it
//! operands of one dtype, already broadcast; it allocates the output and runs the kernel.

use super::kinds::{
    Activation, BinaryOp, CompareOp, PredicateOp, ReduceOp, ScanOp, TernaryOp, UnaryOp,
};
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

/// `op(a, b, c)` for same-dtype operands broadcast to a common shape.
pub fn ternary(op: TernaryOp, a: &Tensor, b: &Tensor, c: &Tensor) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(
        a.shape(),
        &crate::tensor::broadcast_shapes(b.shape(), c.shape())?,
    )?;
    let out = Tensor::empty(&shape, a.dtype(), a.device())?;
    let (a, b, c) = (
        broadcast_to(a, &shape)?,
        broadcast_to(b, &shape)?,
        broadcast_to(c, &shape)?,
    );
    match out.device() {
        Device::Cpu => cpu::elementwise::ternary_into(op, &a, &b, &c, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `test(x)` as a bool tensor.
pub fn predicate(op: PredicateOp, x: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), DType::Bool, x.device())?;
    match x.device() {
        Device::Cpu => cpu::elementwise::predicate_into(op, x, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `act(x)` for a floating `x`.
pub fn activation(act: Activation, x: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    match x.device() {
        Device::Cpu => cpu::activation::forward_into(act, x, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `grad * act'(x)`, fused; `grad` and `x` share a dtype and are broadcast together.
pub fn activation_grad(act: Activation, grad: &Tensor, x: &Tensor) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(grad.shape(), x.shape())?;
    let out = Tensor::empty(&shape, x.dtype(), x.device())?;
    let (grad, x) = (broadcast_to(grad, &shape)?, broadcast_to(x, &shape)?);
    match out.device() {
        Device::Cpu => cpu::activation::grad_into(act, &grad, &x, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// Inclusive scan of `x` along `dim` (from the end when `reverse`), in `x`'s dtype.
pub fn scan(op: ScanOp, x: &Tensor, dim: usize, reverse: bool) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::scan::scan(op, x, dim, reverse),
        d => Err(unsupported(d)),
    }
}

/// `x` sorted along `dim` (NaN counts as the largest value; ties keep their order), and the
/// int64 positions the values came from. With `k`, only the first `k` of each slice.
pub fn sort(
    x: &Tensor,
    dim: usize,
    descending: bool,
    k: Option<usize>,
) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::sort::sort(x, dim, descending, k),
        d => Err(unsupported(d)),
    }
}

/// The element of every slice along `dim` at sorted position `k` (NaN largest), with its
/// int64 index; both drop `dim`.
pub fn kth_smallest(x: &Tensor, dim: usize, k: usize) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::sort::kth_smallest(x, dim, k),
        d => Err(unsupported(d)),
    }
}

/// `out[..., index[i], ...] = src[..., i, ...]` along `dim` into zeros of `shape` (summing
/// repeats): the adjoint of [`gather`].
pub fn scatter_add(src: &Tensor, dim: usize, index: &Tensor, shape: &[usize]) -> Result<Tensor> {
    match src.device() {
        Device::Cpu => cpu::along_dim::scatter_add(src, dim, index, shape),
        d => Err(unsupported(d)),
    }
}

/// `out[..., i, ...] = x[..., index[i], ...]` along `dim`; `index` has `out`'s shape.
pub fn gather(x: &Tensor, dim: usize, index: &Tensor) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::along_dim::gather(x, dim, index),
        d => Err(unsupported(d)),
    }
}
