//! Layer, group and batch normalization (`shaders/norm.wgsl`): statistics, the normalizing
//! affine map, and its gradients (per-key and per-channel sums, then the input gradient).
//! Operands are contiguous; the statistics accumulate in the tensor's dtype.

use super::indexed::{run_kernel, Binding};
use super::word;
use crate::error::Result;
use crate::ops::nn_norm::NormLayout;
use crate::tensor::{Scalar, Tensor};

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("norm", include_str!("../../../shaders/norm.wgsl"));

/// Kernels with one workgroup (of 64) per key or channel are dispatched as this many items
/// each (`run_kernel` puts 256 items in a workgroup).
const PER_WORKGROUP: usize = 256;

fn params(l: &NormLayout, batch_stats: bool) -> Result<Vec<u32>> {
    [
        l.n,
        l.c,
        l.s,
        l.groups,
        l.per_sample as usize,
        l.keys(),
        l.count(),
        l.n * l.c * l.s,
        batch_stats as usize,
    ]
    .into_iter()
    .map(word)
    .collect()
}

/// `t`, or a `[c]` tensor of `value` like `like`.
fn or_filled(t: Option<&Tensor>, c: usize, value: f64, like: &Tensor) -> Result<Tensor> {
    match t {
        Some(t) => Ok(t.clone()),
        None => {
            let filled = Tensor::empty(&[c], like.dtype(), like.device())?;
            super::elementwise::fill(&filled, Scalar::Float(value))?;
            Ok(filled)
        }
    }
}

/// Mean and biased variance of each statistic.
pub fn stats(x: &Tensor, l: &NormLayout) -> Result<(Tensor, Tensor)> {
    let keys = l.keys();
    let mean = Tensor::empty(&[keys], x.dtype(), x.device())?;
    let var = Tensor::empty(&[keys], x.dtype(), x.device())?;
    run_kernel(
        FAMILY,
        &["stats"],
        &params(l, false)?,
        keys * PER_WORKGROUP,
        &[Binding("out", &mean), Binding("var_", &var)],
        &[Binding("x", x)],
    )?;
    Ok((mean, var))
}

/// `(x - mean[key]) * rstd[key] * weight[c] + bias[c]`.
pub fn apply(
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    l: &NormLayout,
) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    let w = or_filled(weight, l.c, 1.0, x)?;
    let b = or_filled(bias, l.c, 0.0, x)?;
    run_kernel(
        FAMILY,
        &["apply"],
        &params(l, false)?,
        out.numel(),
        &[Binding("out", &out)],
        &[
            Binding("x", x),
            Binding("mean", mean),
            Binding("rstd", rstd),
            Binding("weight", &w),
            Binding("bias", &b),
        ],
    )?;
    Ok(out)
}

/// Gradients of [`apply`]: `(dx, dweight, dbias)`; `batch_stats` when mean and rstd were
/// computed from `x`.
pub fn backward(
    g: &Tensor,
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    l: &NormLayout,
    batch_stats: bool,
) -> Result<(Tensor, Tensor, Tensor)> {
    let keys = l.keys();
    let p = params(l, batch_stats)?;
    let w = or_filled(weight, l.c, 1.0, x)?;
    // sum(g w) per key, then sum(g xhat w) per key
    let sums = Tensor::empty(&[2 * keys], x.dtype(), x.device())?;
    let dw = Tensor::empty(&[l.c], x.dtype(), x.device())?;
    let db = Tensor::empty(&[l.c], x.dtype(), x.device())?;
    let common = [
        Binding("g", g),
        Binding("x", x),
        Binding("mean", mean),
        Binding("rstd", rstd),
        Binding("weight", &w),
    ];
    run_kernel(
        FAMILY,
        &["backward_sums"],
        &p,
        (keys + l.c) * PER_WORKGROUP,
        &[
            Binding("out", &sums),
            Binding("dw", &dw),
            Binding("db", &db),
        ],
        &common,
    )?;
    let dx = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    let mut inputs = common.to_vec();
    inputs.push(Binding("sums", &sums));
    run_kernel(
        FAMILY,
        &["backward_dx"],
        &p,
        dx.numel(),
        &[Binding("out", &dx)],
        &inputs,
    )?;
    Ok((dx, dw, db))
}
