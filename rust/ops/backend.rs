//! Device dispatch: the one place that picks the backend for a kernel. Callers hand it
//! operands of one dtype, already broadcast; it allocates the output and runs the kernel.

use super::kinds::{
    Activation, BinaryOp, CompareOp, Distribution, PredicateOp, ReduceOp, ScanOp, TernaryOp,
    UnaryOp,
};
use crate::cpu;
use crate::cpu::random::Generator;
use crate::error::{Error, Result};
use crate::tensor::{DType, Device, Scalar, Tensor};
use crate::webgpu;

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
        Device::WebGpu if webgpu::has_unary(op) => webgpu::unary_into(op, x, &out)?,
        d => return to_device(&unary(op, &host(x)?)?, d),
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
        Device::WebGpu if webgpu::has_binary(op) => webgpu::binary_into(op, &a, &b, out),
        _ => copy_into(&binary(op, &host(&a)?, &host(&b)?)?, out),
    }
}

pub fn compare(op: CompareOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let shape = crate::tensor::broadcast_shapes(a.shape(), b.shape())?;
    let out = Tensor::empty(&shape, DType::Bool, a.device())?;
    let (a, b) = (broadcast_to(a, &shape)?, broadcast_to(b, &shape)?);
    match out.device() {
        Device::Cpu => cpu::elementwise::compare_into(op, &a, &b, &out)?,
        Device::WebGpu => webgpu::compare_into(op, &a, &b, &out)?,
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
        Device::WebGpu => webgpu::where_into(&c, &a, &b, &out)?,
    }
    Ok(out)
}

/// Copies `src` (broadcast to `dst`'s shape, any dtype, any device) into `dst`.
pub fn copy_into(src: &Tensor, dst: &Tensor) -> Result<()> {
    let src = broadcast_to(&to_device(src, dst.device())?, dst.shape())?;
    match dst.device() {
        Device::Cpu => cpu::elementwise::copy_into(&src, dst),
        Device::WebGpu => webgpu::copy_into(&src, dst),
    }
}

/// `x` on `device`: `x` itself if it is already there, else a contiguous copy.
pub fn to_device(x: &Tensor, device: Device) -> Result<Tensor> {
    match (x.device(), device) {
        (from, to) if from == to => Ok(x.clone()),
        (Device::Cpu, _) => webgpu::to_gpu(x),
        (Device::WebGpu, _) => webgpu::to_cpu(x),
    }
}

pub fn fill(dst: &Tensor, value: Scalar) -> Result<()> {
    match dst.device() {
        Device::Cpu => {
            crate::with_dtype!(dst.dtype(), T => cpu::elementwise::fill::<T>(dst, value.cast::<T>()));
            Ok(())
        }
        Device::WebGpu => webgpu::fill(dst, value),
    }
}

/// A contiguous tensor with `x`'s values in `dtype`; `x` itself if it already is one.
pub fn contiguous_as(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() == dtype && x.is_contiguous() {
        return Ok(x.clone());
    }
    match x.device() {
        Device::Cpu => cpu::elementwise::to_contiguous_dtype(x, dtype),
        Device::WebGpu => {
            let out = Tensor::empty(x.shape(), dtype, x.device())?;
            webgpu::copy_into(x, &out)?;
            Ok(out)
        }
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
        Device::WebGpu if webgpu::has_reduce(op) => webgpu::reduce(op, x, dims),
        d => to_device(&cpu::reduce::reduce(op, &host(x)?, dims)?, d),
    }
}

pub fn arg_reduce(x: &Tensor, dim: usize, is_max: bool) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::reduce::arg_reduce(x, dim, is_max),
        Device::WebGpu => webgpu::arg_reduce(x, dim, is_max),
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
        Device::WebGpu => webgpu::bmm_into(a, b, &out)?,
    }
    Ok(out)
}

/// A fresh contiguous tensor of draws from `dist` (dtypes already checked by the caller).
pub fn random(
    dist: Distribution,
    shape: &[usize],
    dtype: DType,
    device: Device,
    gen: &mut Generator,
) -> Result<Tensor> {
    let out = Tensor::empty(shape, dtype, device)?;
    match device {
        Device::Cpu => cpu::random::sample_into(dist, &out, gen),
        Device::WebGpu => webgpu::sample_into(dist, &out, gen)?,
    }
    Ok(out)
}

/// Runs a CPU kernel writing `out`, or fails on a device without one.
fn cpu_only(out: &Tensor, kernel: impl FnOnce() -> Result<()>) -> Result<()> {
    match out.device() {
        Device::Cpu => kernel(),
        d => Err(Error::not_implemented(format!(
            "this op has no kernel for device '{}' yet",
            d.type_name()
        ))),
    }
}

// Fused ops (`ops::fused`): the inputs share one dtype and are broadcast to `out`'s shape;
// `out` may be the first input itself (in-place ops). The CPU rounds once (an FMA), as
// PyTorch's CPU kernels do; the GPU composes elementwise kernels until WGSL versions exist.

/// `value` as a 0-d tensor like `like`, for composing kernels.
fn scalar_like(value: Scalar, like: &Tensor) -> Result<Tensor> {
    let s = Tensor::empty(&[], like.dtype(), like.device())?;
    fill(&s, value)?;
    Ok(s)
}

/// `out = a + b * c` from two elementwise kernels.
fn compose_add_mul(a: &Tensor, b: &Tensor, c: &Tensor, out: &Tensor) -> Result<()> {
    let product = binary(BinaryOp::Mul, b, c)?;
    binary_into(BinaryOp::Add, a, &product, out)
}

/// `out = a + alpha * b`, rounded once.
pub fn add_scaled_into(a: &Tensor, b: &Tensor, alpha: Scalar, out: &Tensor) -> Result<()> {
    if out.device() != Device::Cpu {
        return compose_add_mul(a, b, &scalar_like(alpha, out)?, out);
    }
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
    if out.device() != Device::Cpu {
        let scaled = binary(BinaryOp::Mul, t1, &scalar_like(value, out)?)?;
        return compose_add_mul(s, &scaled, t2, out);
    }
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
    if out.device() != Device::Cpu {
        let ratio = binary(BinaryOp::Div, t1, t2)?;
        return compose_add_mul(s, &ratio, &scalar_like(value, out)?, out);
    }
    let [s, t1, t2] = [s, t1, t2].map(|t| broadcast_to(t, out.shape()));
    cpu_only(out, || {
        cpu::fused::addcdiv_into(&s?, &t1?, &t2?, value, out)
    })
}

/// `out = lerp(s, e, weight)` for a number weight (floating dtypes).
pub fn lerp_scalar_into(s: &Tensor, e: &Tensor, weight: Scalar, out: &Tensor) -> Result<()> {
    if out.device() != Device::Cpu {
        return lerp_into(s, e, &scalar_like(weight, out)?, out);
    }
    let (s, e) = (broadcast_to(s, out.shape())?, broadcast_to(e, out.shape())?);
    cpu_only(out, || cpu::fused::lerp_scalar_into(&s, &e, weight, out))
}

/// `out = lerp(s, e, w)` for a tensor weight (floating dtypes).
pub fn lerp_into(s: &Tensor, e: &Tensor, w: &Tensor, out: &Tensor) -> Result<()> {
    if out.device() != Device::Cpu {
        // start + w * (end - start)
        let diff = binary(BinaryOp::Sub, e, s)?;
        return compose_add_mul(s, w, &diff, out);
    }
    let [s, e, w] = [s, e, w].map(|t| broadcast_to(t, out.shape()));
    cpu_only(out, || cpu::fused::lerp_into(&s?, &e?, &w?, out))
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
    if src.device() != Device::Cpu {
        let result = index(&host(src)?, &host_all(indices)?, wrap)?;
        return to_device(&result, src.device());
    }
    let out = Tensor::empty(&shape, src.dtype(), src.device())?;
    cpu::index::index_into(src, indices, wrap, &out)?;
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
    if dst.device() != Device::Cpu {
        let staged = host(dst)?;
        index_put(
            &staged,
            &host_all(indices)?,
            &host(values)?,
            accumulate,
            wrap,
        )?;
        return copy_into(&staged, dst);
    }
    cpu::index::index_put(dst, indices, values, accumulate, wrap)
}

/// The int64 coordinates `[n, ndim]` of the nonzero elements of `x`, in row-major order.
pub fn nonzero(x: &Tensor) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::index::nonzero(x),
        d => to_device(&cpu::index::nonzero(&host(x)?)?, d),
    }
}

// Kernels a device does not have yet run on the host: the operands are copied to the CPU,
// the CPU kernel runs, and the result goes back. Correct but slow; each use of these two
// helpers is a WGSL kernel still to write.

/// `x`'s values in host memory (a copy when `x` lives on a device).
fn host(x: &Tensor) -> Result<Tensor> {
    to_device(x, Device::Cpu)
}

fn host_all(xs: &[Tensor]) -> Result<Vec<Tensor>> {
    xs.iter().map(host).collect()
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
    if out.device() != Device::Cpu {
        return to_device(
            &ternary(op, &host(&a)?, &host(&b)?, &host(&c)?)?,
            out.device(),
        );
    }
    cpu::elementwise::ternary_into(op, &a, &b, &c, &out)?;
    Ok(out)
}

/// `test(x)` as a bool tensor.
pub fn predicate(op: PredicateOp, x: &Tensor) -> Result<Tensor> {
    if x.device() != Device::Cpu {
        return to_device(&predicate(op, &host(x)?)?, x.device());
    }
    let out = Tensor::empty(x.shape(), DType::Bool, x.device())?;
    cpu::elementwise::predicate_into(op, x, &out)?;
    Ok(out)
}

/// `act(x)` for a floating `x`.
pub fn activation(act: Activation, x: &Tensor) -> Result<Tensor> {
    if x.device() != Device::Cpu {
        return to_device(&activation(act, &host(x)?)?, x.device());
    }
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    cpu::activation::forward_into(act, x, &out)?;
    Ok(out)
}

/// `grad * act'(x)`, fused; `grad` and `x` share a dtype and are broadcast together.
pub fn activation_grad(act: Activation, grad: &Tensor, x: &Tensor) -> Result<Tensor> {
    if x.device() != Device::Cpu {
        return to_device(&activation_grad(act, &host(grad)?, &host(x)?)?, x.device());
    }
    let shape = crate::tensor::broadcast_shapes(grad.shape(), x.shape())?;
    let out = Tensor::empty(&shape, x.dtype(), x.device())?;
    let (grad, x) = (broadcast_to(grad, &shape)?, broadcast_to(x, &shape)?);
    cpu::activation::grad_into(act, &grad, &x, &out)?;
    Ok(out)
}

/// Inclusive scan of `x` along `dim` (from the end when `reverse`), in `x`'s dtype.
pub fn scan(op: ScanOp, x: &Tensor, dim: usize, reverse: bool) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::scan::scan(op, x, dim, reverse),
        d => to_device(&cpu::scan::scan(op, &host(x)?, dim, reverse)?, d),
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
        d => both_to(cpu::sort::sort(&host(x)?, dim, descending, k)?, d),
    }
}

/// The element of every slice along `dim` at sorted position `k` (NaN largest), with its
/// int64 index; both drop `dim`.
pub fn kth_smallest(x: &Tensor, dim: usize, k: usize) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::sort::kth_smallest(x, dim, k),
        d => both_to(cpu::sort::kth_smallest(&host(x)?, dim, k)?, d),
    }
}

/// A pair of host results moved to `device`.
fn both_to((a, b): (Tensor, Tensor), device: Device) -> Result<(Tensor, Tensor)> {
    Ok((to_device(&a, device)?, to_device(&b, device)?))
}

// The neural-network kernels (softmax, convolution, pooling, normalization, embedding,
// nll loss, padding, dropout masks) exist for the CPU; other devices run them on the host.

/// Softmax (or log-softmax when `log`) of floating `x` along `dim`.
pub fn softmax(x: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => {
            let slices = cpu::softmax::Slices::around(x.shape(), dim);
            cpu::softmax::forward(&cpu::contiguous(x)?, slices, log)
        }
        d => to_device(&softmax(&host(x)?, dim, log)?, d),
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
        d => to_device(&softmax_backward(&host(g)?, &host(y)?, dim, log)?, d),
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
        d => to_device(&conv2d(form, &host(a)?, &host(b)?, geom)?, d),
    }
}

/// Max pooling over the last two dims: the maxima and their flat indices in each plane.
pub fn max_pool2d(x: &Tensor, geom: &super::nn_pool::MaxPoolGeometry) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::pool::max_pool2d(&cpu::contiguous(x)?, geom),
        d => both_to(max_pool2d(&host(x)?, geom)?, d),
    }
}

/// Average pooling over the last two dims through precomputed windows.
pub fn avg_pool2d(x: &Tensor, windows: &super::nn_pool::AvgPoolWindows) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::pool::avg_pool2d(&cpu::contiguous(x)?, windows),
        d => to_device(&avg_pool2d(&host(x)?, windows)?, d),
    }
}

/// The adjoint of [`avg_pool2d`]: each value spread evenly over its window.
pub fn avg_pool2d_backward(g: &Tensor, windows: &super::nn_pool::AvgPoolWindows) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => cpu::pool::avg_pool2d_backward(&cpu::contiguous(g)?, windows),
        d => to_device(&avg_pool2d_backward(&host(g)?, windows)?, d),
    }
}

/// `out[..., k] = x[..., idx[..., k]]` where the last two dims of `x` and `idx` are flattened
/// into one plane index.
pub fn plane_gather(x: &Tensor, idx: &Tensor) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::pool::plane_gather(&cpu::contiguous(x)?, &cpu::contiguous(idx)?),
        d => to_device(&plane_gather(&host(x)?, &host(idx)?)?, d),
    }
}

/// The adjoint of [`plane_gather`], onto planes of size `plane`.
pub fn plane_scatter_add(g: &Tensor, idx: &Tensor, plane: [usize; 2]) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => {
            cpu::pool::plane_scatter_add(&cpu::contiguous(g)?, &cpu::contiguous(idx)?, plane)
        }
        d => to_device(&plane_scatter_add(&host(g)?, &host(idx)?, plane)?, d),
    }
}

/// Mean and biased variance of each statistic of a normalization.
pub fn norm_stats(x: &Tensor, layout: &super::nn_norm::NormLayout) -> Result<(Tensor, Tensor)> {
    match x.device() {
        Device::Cpu => cpu::normalization::stats(&cpu::contiguous(x)?, layout),
        d => both_to(norm_stats(&host(x)?, layout)?, d),
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
    // Contiguous host copies (a no-op for contiguous CPU tensors).
    let c = |t: &Tensor| cpu::contiguous(&host(t)?);
    let (w, b) = (weight.map(c).transpose()?, bias.map(c).transpose()?);
    let out =
        cpu::normalization::apply(&c(x)?, &c(mean)?, &c(rstd)?, w.as_ref(), b.as_ref(), layout)?;
    to_device(&out, x.device())
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
    let c = |t: &Tensor| cpu::contiguous(&host(t)?);
    let w = weight.map(c).transpose()?;
    let (dx, dw, db) = cpu::normalization::backward(
        &c(g)?,
        &c(x)?,
        &c(mean)?,
        &c(rstd)?,
        w.as_ref(),
        layout,
        batch_stats,
    )?;
    let d = x.device();
    Ok((to_device(&dx, d)?, to_device(&dw, d)?, to_device(&db, d)?))
}

/// Rows `idx[k]` of a `[rows, dim]` table (shape `idx.shape + [dim]`); IndexError outside.
pub fn rows_gather(table: &Tensor, idx: &Tensor) -> Result<Tensor> {
    match table.device() {
        Device::Cpu => {
            cpu::embedding::rows_gather(&cpu::contiguous(table)?, &cpu::contiguous(idx)?)
        }
        d => to_device(&rows_gather(&host(table)?, &host(idx)?)?, d),
    }
}

/// The adjoint of [`rows_gather`]: `g`'s rows added into a zero `[rows, dim]` table.
pub fn rows_scatter_add(g: &Tensor, idx: &Tensor, rows: usize) -> Result<Tensor> {
    match g.device() {
        Device::Cpu => {
            cpu::embedding::rows_scatter_add(&cpu::contiguous(g)?, &cpu::contiguous(idx)?, rows)
        }
        d => to_device(&rows_scatter_add(&host(g)?, &host(idx)?, rows)?, d),
    }
}

/// Scales the rows `idx` names whose `p`-norm exceeds `max_norm` down to it, in place.
pub fn renorm_rows(table: &Tensor, idx: &Tensor, max_norm: f64, p: f64) -> Result<()> {
    match table.device() {
        Device::Cpu => cpu::embedding::renorm_rows(table, &cpu::contiguous(idx)?, max_norm, p),
        _ => {
            let staged = host(table)?;
            renorm_rows(&staged, &host(idx)?, max_norm, p)?;
            copy_into(&staged, table)
        }
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
    let c = |t: &Tensor| cpu::contiguous(&host(t)?);
    let w = weight.map(c).transpose()?;
    let result = cpu::nll_loss::forward(&c(x)?, &c(target)?, w.as_ref(), ignore_index, dims)?;
    both_to(result, x.device())
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
    let c = |t: &Tensor| cpu::contiguous(&host(t)?);
    let w = weight.map(c).transpose()?;
    let out = cpu::nll_loss::backward(&c(g)?, &c(target)?, w.as_ref(), ignore_index, dims)?;
    to_device(&out, g.device())
}

/// `x` padded by `pads` (`[before, after]` per dim; negative crops in constant mode).
pub fn pad(x: &Tensor, pads: &[[i64; 2]], mode: super::nn_pad::PadMode) -> Result<Tensor> {
    match x.device() {
        Device::Cpu => cpu::pad::pad(&cpu::contiguous(x)?, pads, mode),
        d => to_device(&pad(&host(x)?, pads, mode)?, d),
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
        d => to_device(&pad_backward(&host(g)?, pads, mode, in_shape)?, d),
    }
}

/// A dropout mask of `shape`: `1 / (1 - p)` with probability `1 - p`, else 0.
pub fn dropout_mask(
    shape: &[usize],
    dtype: DType,
    device: Device,
    p: f64,
    gen: &mut Generator,
) -> Result<Tensor> {
    to_device(&cpu::dropout::mask(shape, dtype, p, gen)?, device)
}
