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

/// Softmax (or log-softmax when `log`) of floating `x` along `dim`.
pub fn softmax(x: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => {
            let slices = cpu::softmax::Slices::around(x.shape(), dim);
            cpu::softmax::forward(&cpu::contiguous(x)?, slices, log)
        }
        d => Err(unsupported(d)),
    }
}

/// The input gradient of [`softmax`] from the output gradient `g` and the output `y`.
pub fn softmax_backward(g: &Tensor, y: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    match y.device() {
        Device::Cpu => {
            let slices = cpu::softmax::Slices::around(y.shape(), dim);
            let (g, y) = (cpu::contiguous(g)?, cpu::contiguous(y)?);
            cpu::softmax::backward(&g, &y, slices, log)
        }
        d => Err(unsupported(d)),
    }
}

/// One of the three products of a 2-D convolution on 4-D operands of one floating dtype.
pub fn conv2d(
    form: super::nn_conv::ConvForm,
    a: &Tensor,
    b: &Tensor,
    geom: &super::nn_conv::ConvGeometry,
) -> Result<Tensor> {
    match a.device() {
        Device::Cpu => cpu::conv::conv2d(form, &cpu::contiguous(a)?, &cpu::contiguous(b)?, geom),
        d => Err(unsupported(d)),
    }
}

/// Max pooling over the last two dims: the maxima and their flat indices in each plane.
pub fn max_pool2d(x: &Tensor, geom: &super::nn_pool::MaxPoolGeometry) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::pool::max_pool2d(&cpu::contiguous(x)?, geom),
        d => Err(unsupported(d)),
    }
}

/// Average pooling over the last two dims through precomputed windows.
pub fn avg_pool2d(x: &Tensor, windows: &super::nn_pool::AvgPoolWindows) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::pool::avg_pool2d(&cpu::contiguous(x)?, windows),
        d => Err(unsupported(d)),
    }
}

/// The adjoint of [`avg_pool2d`]: each value spread evenly over its window.
pub fn avg_pool2d_backward(g: &Tensor, windows: &super::nn_pool::AvgPoolWindows) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => cpu::pool::avg_pool2d_backward(&cpu::contiguous(g)?, windows),
        d => Err(unsupported(d)),
    }
}

/// `out[..., k] = x[..., idx[..., k]]` where the last two dims of `x` and `idx` are flattened
/// into one plane index.
pub fn plane_gather(x: &Tensor, idx: &Tensor) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::pool::plane_gather(&cpu::contiguous(x)?, &cpu::contiguous(idx)?),
        d => Err(unsupported(d)),
    }
}

/// The adjoint of [`plane_gather`], onto planes of size `plane`.
pub fn plane_scatter_add(g: &Tensor, idx: &Tensor, plane: [usize; 2]) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => {
            cpu::pool::plane_scatter_add(&cpu::contiguous(g)?, &cpu::contiguous(idx)?, plane)
        }
        d => Err(unsupported(d)),
    }
}

/// Mean and biased variance of each statistic of a normalization.
pub fn norm_stats(x: &Tensor, layout: &super::nn_norm::NormLayout) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::normalization::stats(&cpu::contiguous(x)?, layout),
        d => Err(unsupported(d)),
    }
}

/// `(x - mean) * rstd * weight + bias` with statistics per key and affine per channel.
pub fn norm_apply(
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    layout: &super::nn_norm::NormLayout,
) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => {
            let c = |t: &Tensor| cpu::contiguous(t);
            let (w, b) = (weight.map(c).transpose()?, bias.map(c).transpose()?);
            cpu::normalization::apply(&c(x)?, &c(mean)?, &c(rstd)?, w.as_ref(), b.as_ref(), layout)
        }
        d => Err(unsupported(d)),
    }
}

/// Gradients of [`norm_apply`] for the input, weight and bias (the last two per channel);
/// `batch_stats` when mean and rstd were computed from `x`.
pub fn norm_backward(
    g: &Tensor,
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    layout: &super::nn_norm::NormLayout,
    batch_stats: bool,
) -> Result<(Tensor, Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => {
            let c = |t: &Tensor| cpu::contiguous(t);
            let w = weight.map(c).transpose()?;
            cpu::normalization::backward(
                &c(g)?,
                &c(x)?,
                &c(mean)?,
                &c(rstd)?,
                w.as_ref(),
                layout,
                batch_stats,
            )
        }
        d => Err(unsupported(d)),
    }
}

/// Rows `idx[k]` of a `[rows, dim]` table (shape `idx.shape + [dim]`); IndexError outside.
pub fn rows_gather(table: &Tensor, idx: &Tensor) -> Result<Tensor> {
    match table.device() {
        Device::Cpu => {
            cpu::embedding::rows_gather(&cpu::contiguous(table)?, &cpu::contiguous(idx)?)
        }
        d => Err(unsupported(d)),
    }
}

/// The adjoint of [`rows_gather`]: `g`'s rows added into a zero `[rows, dim]` table.
pub fn rows_scatter_add(g: &Tensor, idx: &Tensor, rows: usize) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => {
            cpu::embedding::rows_scatter_add(&cpu::contiguous(g)?, &cpu::contiguous(idx)?, rows)
        }
        d => Err(unsupported(d)),
    }
}

/// Scales the rows `idx` names whose `p`-norm exceeds `max_norm` down to it, in place.
pub fn renorm_rows(table: &Tensor, idx: &Tensor, max_norm: f64, p: f64) -> Result<()> {
    match table.device() {
        Device::Cpu => cpu::embedding::renorm_rows(table, &cpu::contiguous(idx)?, max_norm, p),
        d => Err(unsupported(d)),
    }
}

/// Per-element nll losses (`-weight[t] x[n, t, s]`, 0 when ignored) of `x` seen as
/// `[n, c, s]` and int64 targets `[n, s]`, and the summed weight of the counted targets.
pub fn nll_loss(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    dims: [usize; 3],
) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => {
            let w = weight.map(cpu::contiguous).transpose()?;
            let (x, t) = (cpu::contiguous(x)?, cpu::contiguous(target)?);
            cpu::nll_loss::forward(&x, &t, w.as_ref(), ignore_index, dims)
        }
        d => Err(unsupported(d)),
    }
}

/// The adjoint of [`nll_loss`]'s per-element losses: `[n, c, s]` with `-weight[t] g[n, s]`
/// at each counted target.
pub fn nll_loss_backward(
    g: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    dims: [usize; 3],
) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => {
            let w = weight.map(cpu::contiguous).transpose()?;
            let (g, t) = (cpu::contiguous(g)?, cpu::contiguous(target)?);
            cpu::nll_loss::backward(&g, &t, w.as_ref(), ignore_index, dims)
        }
        d => Err(unsupported(d)),
    }
}

/// `x` padded by `pads` (`[before, after]` per dim; negative crops in constant mode).
pub fn pad(x: &Tensor, pads: &[[i64; 2]], mode: super::nn_pad::PadMode) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::pad::pad(&cpu::contiguous(x)?, pads, mode),
        d => Err(unsupported(d)),
    }
}

/// The adjoint of a non-constant [`pad`]: `g` added back where it was read from.
pub fn pad_backward(
    g: &Tensor,
    pads: &[[i64; 2]],
    mode: super::nn_pad::PadMode,
    in_shape: &[usize],
) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => cpu::pad::pad_backward(&cpu::contiguous(g)?, pads, mode, in_shape),
        d => Err(unsupported(d)),
    }
}

/// A dropout mask of `shape`: `1 / (1 - p)` with probability `1 - p`, else 0.
pub fn dropout_mask(
    shape: &[usize],
    dtype: DType,
    device: Device,
    p: f64,
    gen: &mut cpu::random::Generator,
) -> Result<Tensor> {
    match device {
        Device::Cpu => cpu::dropout::mask(shape, dtype, p, gen),
        d => Err(unsupported(d)),
    }
}
