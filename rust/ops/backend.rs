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

/// The grid shape `k` index tensors share (`[]` for none), after checking they are int64.
fn index_grid(indices: &[Tensor]) -> Result<crate::tensor::Dims> {
    if let Some(bad) = indices.iter().find(|i| i.dtype() != DType::Int64) {
        return Err(Error::runtime(format!(
            "internal error: index kernels take int64 indices, got {:?}",
            bad.dtype()
        )));
    }
    Ok(indices.first().map(|i| i.shape_dims()).unwrap_or_default())
}

/// `src[i_0, .., i_{k-1}]`: int64 `indices` of one shape (the grid; broadcast views are fine)
/// pick positions in the first `k` dims of `src`, whose other dims come whole. The result is
/// contiguous, of shape `grid ++ src.shape[k..]`. `wrap` lets negative indices count from
/// the end; an index out of range is an `IndexError` naming its position in `indices`.
pub fn index(src: &Tensor, indices: &[Tensor], wrap: bool) -> Result<Tensor> {
    let mut shape = index_grid(indices)?;
    shape.extend_from_slice(&src.shape()[indices.len()..]);
    let out = Tensor::empty(&shape, src.dtype(), src.device())?;
    match src.device() {
        Device::Cpu => cpu::index::index_into(src, indices, wrap, &out)?,
        d => return Err(unsupported(d)),
    }
    Ok(out)
}

/// `dst[i_0, .., i_{k-1}] = values` in place (`+=` when `accumulate`), the adjoint of
/// [`index`]. `values` has `dst`'s dtype and the shape `grid ++ dst.shape[k..]`.
pub fn index_put(
    dst: &Tensor,
    indices: &[Tensor],
    values: &Tensor,
    accumulate: bool,
    wrap: bool,
) -> Result<()> {
    index_grid(indices)?;
    match dst.device() {
        Device::Cpu => cpu::index::index_put(dst, indices, values, accumulate, wrap),
        d => Err(unsupported(d)),
    }
}

/// The int64 coordinates `[n, ndim]` of the nonzero elements of `x`, in row-major order.
pub fn nonzero(x: &Tensor) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::index::nonzero(x),
        d => Err(unsupported(d)),
    }
}
