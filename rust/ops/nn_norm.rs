//! `layer_norm`, `group_norm` and `batch_norm` (training, with running statistics, and
//! evaluation), with PyTorch's checks and messages.
//!
//! All three normalize `x` viewed as `[n, c, s]` with statistics per key and an affine map
//! per channel ([`NormLayout`] says which), so they share kernels and one backward node.
//! That node runs a fused kernel; when the backward itself is recorded
//! (`create_graph=True`) it is written with ops, recomputing the statistics from `x`, so it
//! can be differentiated again.

use smallvec::smallvec;

use super::arith::{add_scalar, mul, sub};
use super::backend;
use super::kinds::{BinaryOp, UnaryOp};
use super::reduce::{mean_dims, sum_dims};
use super::unary::rsqrt;
use super::view::reshape;
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{shape_str, Dims, Scalar, Tensor};

/// How a normalization sees its input: contiguous `[n, c, s]`; channel `c` belongs to group
/// `c / (c_total / groups)`; statistics are per (sample, group) when `per_sample`
/// (layer and group norm) and per group over the whole batch otherwise (batch norm, with
/// one group per channel).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormLayout {
    pub n: usize,
    pub c: usize,
    pub s: usize,
    pub groups: usize,
    pub per_sample: bool,
}

impl NormLayout {
    /// The statistics index of sample `n`, channel `c`.
    #[inline(always)]
    pub fn key(&self, n: usize, c: usize) -> usize {
        let group = c / self.per_group().max(1);
        if self.per_sample {
            n * self.groups + group
        } else {
            group
        }
    }

    /// How many statistics there are.
    pub fn keys(&self) -> usize {
        if self.per_sample {
            self.n * self.groups
        } else {
            self.groups
        }
    }

    /// Channels per group (0 when there are no channels).
    fn per_group(&self) -> usize {
        self.c / self.groups.max(1)
    }

    /// How many elements each statistic is over.
    pub fn count(&self) -> usize {
        let per_sample = self.per_group() * self.s;
        if self.per_sample {
            per_sample
        } else {
            per_sample * self.n
        }
    }

    /// The `[n, c, s]` view and, for the composite backward, the view whose `dims` hold
    /// each statistic's elements.
    fn stat_view(&self) -> (Vec<usize>, Vec<i64>) {
        if self.per_sample {
            (
                vec![self.n, self.groups, self.per_group() * self.s],
                vec![2],
            )
        } else {
            (vec![self.n, self.c, self.s], vec![0, 2])
        }
    }
}

/// `layer_norm(x, normalized_shape, weight, bias, eps)`.
pub fn layer_norm(
    x: &Tensor,
    normalized_shape: &[i64],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<Tensor> {
    let shape_list = format!(
        "[{}]",
        normalized_shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if normalized_shape.is_empty() {
        return Err(Error::runtime(format!(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = {shape_list}"
        )));
    }
    for (what, t) in [("weight", weight), ("bias", bias)] {
        if let Some(t) = t {
            let same = t.ndim() == normalized_shape.len()
                && t.shape()
                    .iter()
                    .zip(normalized_shape)
                    .all(|(&a, &b)| a as i64 == b);
            if !same {
                return Err(Error::runtime(format!(
                    "Expected {what} to be of same shape as normalized_shape, but got {what} of shape {} and normalized_shape = {shape_list}",
                    shape_str(t.shape())
                )));
            }
        }
    }
    let k = normalized_shape.len();
    let fits = x.ndim() >= k
        && x.shape()[x.ndim() - k..]
            .iter()
            .zip(normalized_shape)
            .all(|(&a, &b)| a as i64 == b);
    if !fits {
        let stars: String = normalized_shape.iter().map(|d| format!(", {d}")).collect();
        return Err(Error::runtime(format!(
            "Given normalized_shape={shape_list}, expected input with shape [*{stars}], but got input of size{}",
            shape_str(x.shape())
        )));
    }
    check_types(x, &[weight, bias], "LayerNormKernelImpl")?;
    let m: usize = x.shape()[x.ndim() - k..].iter().product();
    let layout = NormLayout {
        n: x.numel() / m.max(1),
        c: m,
        s: 1,
        groups: 1,
        per_sample: true,
    };
    let (mean, var) = backend::norm_stats(x, &layout)?;
    let rstd = rstd_of(&var, eps)?;
    let node = NormBackward {
        layout,
        batch_stats: true,
        eps,
        name: "NativeLayerNormBackward0",
        param_shape: normalized_shape.iter().map(|&d| d as usize).collect(),
    };
    node.apply(x, weight, bias, &mean, &rstd)
}

/// `group_norm(x, num_groups, weight, bias, eps)`.
pub fn group_norm(
    x: &Tensor,
    groups: i64,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<Tensor> {
    if x.ndim() < 2 {
        return Err(Error::runtime(format!(
            "Expected at least 2 dimensions for input tensor but received {}",
            x.ndim()
        )));
    }
    let c = x.shape()[1];
    if groups <= 0 || c as i64 % groups != 0 {
        return Err(Error::runtime(format!(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape {} and num_groups={groups}",
            shape_str(x.shape())
        )));
    }
    for (what, t) in [("weight", weight), ("bias", bias)] {
        if let Some(t) = t {
            if t.ndim() != 1 || t.numel() != c {
                return Err(Error::runtime(format!(
                    "Expected {what} to be a vector of size equal to the number of channels in input, but got {what} of shape {} and input of shape {}",
                    shape_str(t.shape()),
                    shape_str(x.shape())
                )));
            }
        }
    }
    check_types(x, &[weight, bias], "GroupNormKernelImpl")?;
    let layout = NormLayout {
        n: x.shape()[0],
        c,
        s: x.shape()[2..].iter().product(),
        groups: groups as usize,
        per_sample: true,
    };
    let (mean, var) = backend::norm_stats(x, &layout)?;
    let rstd = rstd_of(&var, eps)?;
    let node = NormBackward {
        layout,
        batch_stats: true,
        eps,
        name: "NativeGroupNormBackward0",
        param_shape: smallvec![c],
    };
    node.apply(x, weight, bias, &mean, &rstd)
}

/// Running statistics of `batch_norm`, updated in place in training.
pub struct RunningStats<'a> {
    pub mean: &'a Tensor,
    pub var: &'a Tensor,
}

/// `batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)`.
pub fn batch_norm(
    x: &Tensor,
    running: Option<RunningStats<'_>>,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<Tensor> {
    if x.ndim() < 2 {
        return Err(crate::tensor::wrap_dim(1, x.ndim()).unwrap_err());
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let s: usize = x.shape()[2..].iter().product();
    if training && n * s == 1 {
        return Err(Error::value(format!(
            "Expected more than 1 value per channel when training, got input size ferrograd.Size({})",
            shape_str(x.shape())
        )));
    }
    let named = [
        ("running_mean", running.as_ref().map(|r| r.mean)),
        ("running_var", running.as_ref().map(|r| r.var)),
        ("weight", weight),
        ("bias", bias),
    ];
    for (what, t) in named {
        match t {
            Some(t) if t.numel() != c => {
                return Err(Error::runtime(format!(
                    "{what} should contain {c} elements not {}",
                    t.numel()
                )))
            }
            None if !training && what.starts_with("running") => {
                return Err(Error::runtime(format!(
                    "{what} must be defined in evaluation mode"
                )))
            }
            _ => {}
        }
    }
    let params: Vec<Option<&Tensor>> = named.iter().map(|(_, t)| *t).collect();
    check_types(x, &params, "batch_norm")?;
    let layout = NormLayout {
        n,
        c,
        s,
        groups: c,
        per_sample: false,
    };
    let (mean, rstd) = match (&running, training) {
        (_, true) => {
            let (mean, var) = backend::norm_stats(x, &layout)?;
            if let (Some(r), true) = (&running, x.numel() > 0) {
                update_running(r, &mean, &var, momentum, (n * s) as f64)?;
            }
            (mean, rstd_of(&var, eps)?)
        }
        (Some(r), false) => (
            backend::contiguous_as(r.mean, x.dtype())?,
            rstd_of(&backend::contiguous_as(r.var, x.dtype())?, eps)?,
        ),
        (None, false) => {
            return Err(Error::runtime(
                "running_mean must be defined in evaluation mode",
            ))
        }
    };
    let node = NormBackward {
        layout,
        batch_stats: training,
        eps,
        name: "NativeBatchNormBackward0",
        param_shape: smallvec![c],
    };
    node.apply(x, weight, bias, &mean, &rstd)
}

/// `running = (1 - momentum) running + momentum batch`, the variance unbiased, in place
/// (no history, and, as in PyTorch, no version bump).
fn update_running(
    r: &RunningStats<'_>,
    mean: &Tensor,
    var: &Tensor,
    momentum: f64,
    count: f64,
) -> Result<()> {
    let unbiased = if count > 1.0 {
        count / (count - 1.0)
    } else {
        f64::INFINITY
    };
    for (running, batch, factor) in [(r.mean, mean, 1.0), (r.var, var, unbiased)] {
        let scalar = |v: f64| {
            super::creation::full(&[], Scalar::Float(v), running.dtype(), running.device())
        };
        let kept = backend::binary(BinaryOp::Mul, running, &scalar(1.0 - momentum)?)?;
        let added = backend::binary(
            BinaryOp::Mul,
            &backend::contiguous_as(batch, running.dtype())?,
            &scalar(momentum * factor)?,
        )?;
        backend::binary_into(BinaryOp::Add, &kept, &added, &kept)?;
        backend::copy_into(&kept, running)?;
    }
    Ok(())
}

/// `1 / sqrt(var + eps)`, unrecorded.
fn rstd_of(var: &Tensor, eps: f64) -> Result<Tensor> {
    let eps = super::creation::full(&[], Scalar::Float(eps), var.dtype(), var.device())?;
    backend::unary(UnaryOp::Rsqrt, &backend::binary(BinaryOp::Add, var, &eps)?)
}

/// PyTorch's dtype checks: floating input, parameters of the input's dtype.
fn check_types(x: &Tensor, params: &[Option<&Tensor>], kernel: &str) -> Result<()> {
    if !x.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"{kernel}\" not implemented for '{}'",
            x.dtype().scalar_type_name()
        )));
    }
    for p in params.iter().flatten() {
        super::check_same_device(kernel, &[x, p])?;
        if p.dtype() != x.dtype() {
            return Err(Error::runtime(format!(
                "mixed dtype (CPU): expect parameter to have scalar type of {}",
                x.dtype().scalar_type_name()
            )));
        }
    }
    Ok(())
}

/// The backward of a normalization; also what applies it (the forward needs the same
/// layout and records this node).
struct NormBackward {
    layout: NormLayout,
    /// Whether the statistics came from `x` (training) rather than being constants.
    batch_stats: bool,
    eps: f64,
    name: &'static str,
    /// The shape of the weight and bias: `normalized_shape` for layer norm, `[c]` else.
    param_shape: Dims,
}

impl NormBackward {
    /// `(x - mean) * rstd * weight + bias`, recorded with this node.
    fn apply(
        self,
        x: &Tensor,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        mean: &Tensor,
        rstd: &Tensor,
    ) -> Result<Tensor> {
        let out = backend::norm_apply(x, mean, rstd, weight, bias, &self.layout)?;
        let inputs: Vec<&Tensor> = [Some(x), weight, bias].into_iter().flatten().collect();
        if is_recording(&inputs) {
            let needs_x_or_w = x.requires_grad() || weight.is_some_and(|w| w.requires_grad());
            let saved = smallvec![
                Some(SavedTensor::input(x)),
                weight.and_then(|w| save_if(needs_x_or_w, w)),
                Some(SavedTensor::input(mean)),
                Some(SavedTensor::input(rstd)),
            ];
            record(self, &[Some(x), weight, bias], saved, &[&out])?;
        }
        Ok(out)
    }

    /// The gradients written with ops (differentiable), for `create_graph=True`.
    fn composite(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let l = &self.layout;
        let (g, x) = (ctx.grad(), ctx.saved(0)?);
        let weight = ctx.saved(1).ok();
        let nsc = [l.n, l.c, l.s];
        let per_channel = [1, l.c, 1];
        let (x3, g3) = (reshape(x, &nsc)?, reshape(g, &nsc)?);
        let (stat_shape, dims) = l.stat_view();
        let dims = Some(dims.as_slice());
        // xhat, and the rstd that scales dx, in the stat view or per channel.
        let (xhat3, rstd) = if self.batch_stats {
            let xv = reshape(&x3, &stat_shape)?;
            let xc = sub(&xv, &mean_dims(&xv, dims, true)?)?;
            let var = mean_dims(&mul(&xc, &xc)?, dims, true)?;
            let r = rsqrt(&add_scalar(&var, Scalar::Float(self.eps))?)?;
            (reshape(&mul(&xc, &r)?, &nsc)?, r)
        } else {
            let (mean, r) = (ctx.saved(2)?, reshape(ctx.saved(3)?, &per_channel)?);
            (mul(&sub(&x3, &reshape(mean, &per_channel)?)?, &r)?, r)
        };
        let dxhat3 = match weight {
            Some(w) => mul(&g3, &reshape(w, &per_channel)?)?,
            None => g3.clone(),
        };
        let dx = if !ctx.needs(0) {
            None
        } else if self.batch_stats {
            let (d, xh) = (
                reshape(&dxhat3, &stat_shape)?,
                reshape(&xhat3, &stat_shape)?,
            );
            let centered = sub(&d, &mean_dims(&d, dims, true)?)?;
            let projected = mul(&xh, &mean_dims(&mul(&d, &xh)?, dims, true)?)?;
            Some(reshape(
                &mul(&rstd, &sub(&centered, &projected)?)?,
                x.shape(),
            )?)
        } else {
            Some(reshape(&mul(&dxhat3, &rstd)?, x.shape())?)
        };
        let channel_sum = |t: &Tensor| sum_dims(t, Some(&[0, 2]), false);
        let dw = if ctx.needs(1) {
            Some(reshape(
                &channel_sum(&mul(&g3, &xhat3)?)?,
                &self.param_shape,
            )?)
        } else {
            None
        };
        let db = if ctx.needs(2) {
            Some(reshape(&channel_sum(&g3)?, &self.param_shape)?)
        } else {
            None
        };
        Ok(smallvec![dx, dw, db])
    }
}

impl Backward for NormBackward {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, x) = (ctx.grad(), ctx.saved(0)?);
        let weight = ctx.saved(1).ok();
        let recorded: Vec<&Tensor> = [Some(g), Some(x), weight].into_iter().flatten().collect();
        if is_recording(&recorded) {
            return self.composite(ctx);
        }
        let (mean, rstd) = (ctx.saved(2)?, ctx.saved(3)?);
        let (dx, dw, db) =
            backend::norm_backward(g, x, mean, rstd, weight, &self.layout, self.batch_stats)?;
        let shaped =
            |t: Tensor| t.with_layout(crate::tensor::Layout::contiguous(&self.param_shape));
        Ok(smallvec![
            ctx.needs(0).then_some(dx),
            ctx.needs(1).then(|| shaped(dw)),
            ctx.needs(2).then(|| shaped(db)),
        ])
    }
}
