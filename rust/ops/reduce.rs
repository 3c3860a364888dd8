//! Reductions: `sum`, `mean`, `max`/`min` (whole tensor, or along a dim with indices),
//! `norm`, and `sum_to`, which undoes broadcasting in backward formulas.

use smallvec::{smallvec, SmallVec};

use super::arith::{cast, div, div_scalar, mul};
use super::backend;
use super::compare::{compare, eq_scalar};
use super::conditional::{where_, where_scalar};
use super::kinds::{CompareOp, ReduceOp};
use super::unary::{abs, sign};
use super::view::{expand, reshape, unsqueeze};
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{
    is_recording, record, record_saving_input_and_output, Backward, BackwardCtx, Grads, SavedTensor,
};
use crate::error::{Error, ErrorKind, Result};
use crate::tensor::{wrap_dims, DType, Dims, Layout, Scalar, Tensor};

use super::arith::Rhs;

/// The dims to reduce: `None` or an empty list mean all of them.
pub(crate) fn reduce_dims(x: &Tensor, dims: Option<&[i64]>) -> Result<Dims> {
    match dims {
        Some(d) if !d.is_empty() => wrap_dims(d, x.ndim()),
        _ => Ok((0..x.ndim()).collect()),
    }
}

/// The output shape with reduced dims kept as size 1.
pub(crate) fn kept_shape(x: &Tensor, dims: &[usize]) -> Dims {
    x.shape()
        .iter()
        .enumerate()
        .map(|(i, &n)| if dims.contains(&i) { 1 } else { n })
        .collect()
}

/// Runs a reduction kernel and applies `keepdim` (a fresh tensor: reshaping it is free).
pub(crate) fn reduce_kernel(
    op: ReduceOp,
    x: &Tensor,
    dims: &[usize],
    keepdim: bool,
) -> Result<Tensor> {
    let out = backend::reduce(op, x, dims)?;
    Ok(if keepdim {
        out.with_layout(Layout::contiguous(&kept_shape(x, dims)))
    } else {
        out
    })
}

/// `sum()` over everything, or `sum(dims, keepdim)`. Integers and bools sum to int64.
pub fn sum_dims(x: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let rdims = reduce_dims(x, dims)?;
    let out = reduce_kernel(ReduceOp::Sum, x, &rdims, keepdim)?;
    if is_recording(&[x]) {
        let kind = if dims.is_none() {
            Kind::SumAll
        } else {
            Kind::SumDims
        };
        let node = ReduceBackward {
            kind,
            in_shape: x.shape_dims(),
            dims: rdims,
            keepdim,
            count: 1,
        };
        record(node, &[Some(x)], smallvec![], &[&out])?;
    }
    Ok(out)
}

pub fn sum(x: &Tensor) -> Result<Tensor> {
    sum_dims(x, None, false)
}

/// `mean()` / `mean(dims, keepdim)`; floating inputs only, as in PyTorch.
pub fn mean_dims(x: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    if !x.dtype().is_floating_point() {
        return Err(Error::new(
            ErrorKind::NotImplemented,
            format!(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                x.dtype().scalar_type_name()
            ),
        ));
    }
    let rdims = reduce_dims(x, dims)?;
    let count: usize = rdims.iter().map(|&d| x.shape()[d]).product();
    let total = reduce_kernel(ReduceOp::Sum, x, &rdims, keepdim)?;
    let out = backend::binary(
        super::kinds::BinaryOp::Div,
        &total,
        &super::creation::full(&[], Scalar::Float(count as f64), x.dtype(), x.device())?,
    )?;
    if is_recording(&[x]) {
        let kind = if dims.is_none() {
            Kind::MeanAll
        } else {
            Kind::MeanDims
        };
        let node = ReduceBackward {
            kind,
            in_shape: x.shape_dims(),
            dims: rdims,
            keepdim,
            count,
        };
        record(node, &[Some(x)], smallvec![], &[&out])?;
    }
    Ok(out)
}

pub fn mean(x: &Tensor) -> Result<Tensor> {
    mean_dims(x, None, false)
}

/// Sums `x` down to `shape`, undoing a broadcast (for backward formulas).
pub fn sum_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    let lead = x.ndim() - shape.len();
    let dims: Vec<i64> = (0..x.ndim())
        .filter(|&i| i < lead || (shape[i - lead] == 1 && x.shape()[i] != 1))
        .map(|i| i as i64)
        .collect();
    let summed = if dims.is_empty() {
        x.clone()
    } else {
        sum_dims(x, Some(&dims), true)?
    };
    reshape(&summed, shape)
}

/// `max()` / `min()` over the whole tensor.
pub fn extreme_all(x: &Tensor, is_max: bool) -> Result<Tensor> {
    let name = if is_max { "max" } else { "min" };
    if x.numel() == 0 {
        return Err(Error::runtime(format!(
            "{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
        )));
    }
    let dims: Dims = (0..x.ndim()).collect();
    let out = reduce_kernel(
        if is_max { ReduceOp::Max } else { ReduceOp::Min },
        x,
        &dims,
        false,
    )?;
    if is_recording(&[x]) {
        let node = ReduceBackward {
            kind: Kind::ExtremeAll { is_max },
            in_shape: x.shape_dims(),
            dims,
            keepdim: false,
            count: 1,
        };
        record_saving_input_and_output(node, x, &out)?;
    }
    Ok(out)
}

/// `max(dim)` / `min(dim)`: values and int64 indices of the first extreme.
pub fn extreme_dim(x: &Tensor, dim: i64, keepdim: bool, is_max: bool) -> Result<(Tensor, Tensor)> {
    let d = crate::tensor::wrap_dim(dim, x.ndim())?;
    if x.ndim() > 0 && x.shape()[d] == 0 {
        return Err(Error::index(format!(
            "{}(): Expected reduction dim {d} to have non-zero size.",
            if is_max { "max" } else { "min" }
        )));
    }
    let (mut values, mut indices) = if x.ndim() == 0 {
        (
            backend::copy(x)?,
            super::creation::zeros(&[], DType::Int64, x.device())?,
        )
    } else {
        backend::arg_reduce(x, d, is_max)?
    };
    if keepdim && x.ndim() > 0 {
        let shape = kept_shape(x, &[d]);
        values = values.with_layout(Layout::contiguous(&shape));
        indices = indices.with_layout(Layout::contiguous(&shape));
    }
    if is_recording(&[x]) {
        let node = ReduceBackward {
            kind: Kind::ExtremeDim { is_max },
            in_shape: x.shape_dims(),
            dims: smallvec![d],
            keepdim,
            count: 1,
        };
        record(
            node,
            &[Some(x)],
            smallvec![Some(SavedTensor::input(&indices))],
            &[&values],
        )?;
    }
    Ok((values, indices))
}

/// `norm(p, dims, keepdim)` (PyTorch's `linalg.vector_norm`): p = 2, 1, inf, -inf, 0 or any
/// other float.
pub fn norm(x: &Tensor, p: f64, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    if !x.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
            x.dtype().scalar_type_name()
        )));
    }
    let rdims = reduce_dims(x, dims)?;
    let out = {
        let _plain = GradModeGuard::new(false);
        let kernel = |op: ReduceOp, t: &Tensor| reduce_kernel(op, t, &rdims, keepdim);
        if p == 2.0 {
            kernel(ReduceOp::Norm2, x)?
        } else if p == 1.0 {
            kernel(ReduceOp::Sum, &abs(x)?)?
        } else if p == f64::INFINITY {
            kernel(ReduceOp::Max, &abs(x)?)?
        } else if p == f64::NEG_INFINITY {
            kernel(ReduceOp::Min, &abs(x)?)?
        } else if p == 0.0 {
            cast(
                &kernel(
                    ReduceOp::Sum,
                    &compare(CompareOp::Ne, x, Rhs::Scalar(Scalar::Int(0)))?,
                )?,
                x.dtype(),
            )?
        } else {
            let powered = super::arith::pow_scalar(&abs(x)?, Scalar::Float(p))?;
            super::arith::pow_scalar(&kernel(ReduceOp::Sum, &powered)?, Scalar::Float(1.0 / p))?
        }
    };
    if is_recording(&[x]) {
        let node = ReduceBackward {
            kind: Kind::Norm { p },
            in_shape: x.shape_dims(),
            dims: rdims,
            keepdim,
            count: 1,
        };
        record_saving_input_and_output(node, x, &out)?;
    }
    Ok(out)
}

/// `t`, a reduction's result over `dims`, with those dims back as size 1 (for broadcasting
/// against the input in backward formulas).
pub(crate) fn unreduce(t: &Tensor, dims: &[usize], keepdim: bool) -> Result<Tensor> {
    if keepdim {
        return Ok(t.clone());
    }
    let mut sorted: SmallVec<[usize; 4]> = SmallVec::from_slice(dims);
    sorted.sort_unstable();
    let mut out = t.clone();
    for d in sorted {
        out = unsqueeze(&out, d as i64)?;
    }
    Ok(out)
}

enum Kind {
    SumAll,
    SumDims,
    MeanAll,
    MeanDims,
    ExtremeAll { is_max: bool },
    ExtremeDim { is_max: bool },
    Norm { p: f64 },
}

/// Backward of every reduction: the output gradient is broadcast back over the reduced
/// dims, then weighted by what each input element contributed.
struct ReduceBackward {
    kind: Kind,
    in_shape: Dims,
    dims: Dims,
    keepdim: bool,
    count: usize,
}

impl ReduceBackward {
    /// `t` (shaped like the output) with the reduced dims back as size 1.
    fn unreduce(&self, t: &Tensor) -> Result<Tensor> {
        unreduce(t, &self.dims, self.keepdim)
    }
}

impl Backward for ReduceBackward {
    fn name(&self) -> &str {
        match self.kind {
            Kind::SumAll => "SumBackward0",
            Kind::SumDims => "SumBackward1",
            Kind::MeanAll => "MeanBackward0",
            Kind::MeanDims => "MeanBackward1",
            Kind::ExtremeAll { is_max: true } => "MaxBackward1",
            Kind::ExtremeAll { is_max: false } => "MinBackward1",
            Kind::ExtremeDim { is_max: true } => "MaxBackward0",
            Kind::ExtremeDim { is_max: false } => "MinBackward0",
            Kind::Norm { .. } => "LinalgVectorNormBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = self.unreduce(ctx.grad())?;
        let grad = match self.kind {
            Kind::SumAll | Kind::SumDims => expand(&g, &self.in_shape)?,
            Kind::MeanAll | Kind::MeanDims => expand(
                &div_scalar(&g, Scalar::Float(self.count as f64))?,
                &self.in_shape,
            )?,
            Kind::ExtremeAll { .. } => {
                // Ties share the gradient evenly, as in PyTorch.
                let (x, out) = (ctx.saved(0)?, ctx.saved(1)?);
                let mask = compare(CompareOp::Eq, x, Rhs::Tensor(out))?;
                let count = cast(
                    &backend::reduce(ReduceOp::Sum, &mask, &(0..x.ndim()).collect::<Dims>())?,
                    g.dtype(),
                )?;
                where_scalar(
                    &super::compare::logical_not(&mask)?,
                    Scalar::Int(0),
                    &div(&g, &count)?,
                )?
            }
            Kind::ExtremeDim { .. } => {
                let indices = self.unreduce(ctx.saved(0)?)?;
                let d = self.dims[0];
                let size = self.in_shape[d];
                let mut pos_shape: Dims = smallvec![1; self.in_shape.len()];
                pos_shape[d] = size;
                let positions = super::creation::arange(
                    Scalar::Int(0),
                    Scalar::Int(size as i64),
                    Scalar::Int(1),
                    DType::Int64,
                    g.device(),
                )?
                .with_layout(Layout::contiguous(&pos_shape));
                let hit = compare(CompareOp::Eq, &positions, Rhs::Tensor(&indices))?;
                where_(&hit, Rhs::Tensor(&g), Rhs::Scalar(Scalar::Int(0)))?
            }
            Kind::Norm { p } => {
                let (x, out) = (ctx.saved(0)?, self.unreduce(ctx.saved(1)?)?);
                let zero_norm = eq_scalar(&out, Scalar::Int(0))?;
                let scaled = if p == 2.0 {
                    mul(x, &div(&g, &out)?)?
                } else if p == 1.0 {
                    mul(&sign(x)?, &g)?
                } else if p.is_infinite() {
                    let mask = compare(CompareOp::Eq, &abs(x)?, Rhs::Tensor(&out))?;
                    let count = super::reduce::sum_dims(
                        &cast(&mask, g.dtype())?,
                        Some(&self.dims.iter().map(|&d| d as i64).collect::<Vec<_>>()),
                        true,
                    )?;
                    let share = div(&g, &count)?;
                    mul(&mul(&sign(x)?, &cast(&mask, g.dtype())?)?, &share)?
                } else if p == 0.0 {
                    super::creation::zeros(&self.in_shape, g.dtype(), g.device())?
                } else {
                    // d/dx (sum |x|^p)^(1/p) = x |x|^(p-2) / norm^(p-1)
                    let num = mul(
                        x,
                        &super::arith::pow_scalar(&abs(x)?, Scalar::Float(p - 2.0))?,
                    )?;
                    mul(
                        &num,
                        &div(&g, &super::arith::pow_scalar(&out, Scalar::Float(p - 1.0))?)?,
                    )?
                };
                where_scalar(
                    &zero_norm,
                    Scalar::Int(0),
                    &expand(&scaled, &self.in_shape)?,
                )?
            }
        };
        Ok(smallvec![Some(grad)])
    }
}
