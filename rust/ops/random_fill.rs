//! In-place random fills: `uniform_`, `normal_`, and the truncated normal behind
//! `nn.init.trunc_normal_`. Values are drawn into a fresh tensor of the destination's dtype
//! and shape, then written with `copy_`, which brings the in-place checks (leaf tensors that
//! require grad, views, version counters) for free.

use super::creation::fill_with;
use super::inplace::copy_;
use crate::cpu::random::Generator;
use crate::error::{Error, Result};
use crate::tensor::{DType, Device, Tensor};

/// PyTorch's C type names in the bound errors (`out of bounds for float`).
fn c_name(dtype: DType) -> &'static str {
    if dtype == DType::Float64 {
        "double"
    } else {
        "float"
    }
}

/// Only floating tensors hold random reals; `kernel` names PyTorch's kernel in the error.
fn check_floating(dst: &Tensor, kernel: &str) -> Result<()> {
    if dst.dtype().is_floating_point() {
        return Ok(());
    }
    Err(Error::not_implemented(format!(
        "\"{kernel}\" not implemented for '{}'",
        dst.dtype().scalar_type_name()
    )))
}

/// A new contiguous tensor shaped like `dst` (a floating dtype) filled with `draw()`.
fn sample(
    dst: &Tensor,
    gen: &mut Generator,
    mut draw: impl FnMut(&mut Generator) -> f64,
) -> Result<Tensor> {
    let values = Tensor::empty(dst.shape(), dst.dtype(), Device::Cpu)?;
    match dst.dtype() {
        DType::Float32 => fill_with::<f32>(&values, || draw(gen) as f32),
        _ => fill_with::<f64>(&values, || draw(gen)),
    }
    Ok(values)
}

/// `dst.uniform_(from, to)`: uniform values in `[from, to)`.
pub fn uniform_(dst: &Tensor, from: f64, to: f64, gen: &mut Generator) -> Result<()> {
    check_floating(dst, "check_uniform_bounds")?;
    let max = if dst.dtype() == DType::Float32 {
        f32::MAX as f64
    } else {
        f64::MAX
    };
    for (name, v) in [("from", from), ("to", to)] {
        if !(-max..=max).contains(&v) {
            return Err(Error::runtime(format!(
                "{name} is out of bounds for {}",
                c_name(dst.dtype())
            )));
        }
    }
    if from > to {
        return Err(Error::runtime(format!(
            "uniform_ expects to return a [from, to) range, but found from={from} > to={to}"
        )));
    }
    if to - from > max {
        return Err(Error::runtime(format!(
            "uniform_ expects to-from <= std::numeric_limits<{}>::max(), but found to={to} and from={from} which result in to-from to exceed the limit",
            c_name(dst.dtype())
        )));
    }
    let span = to - from;
    if dst.dtype() == DType::Float32 {
        copy_(
            dst,
            &sample(dst, gen, |g| from + g.uniform_f32() as f64 * span)?,
        )
    } else {
        copy_(dst, &sample(dst, gen, |g| from + g.uniform_f64() * span)?)
    }
}

fn check_std(std: f64) -> Result<()> {
    if std >= 0.0 {
        return Ok(());
    }
    Err(Error::runtime(format!(
        "normal expects std >= 0.0, but found std {std}"
    )))
}

/// `dst.normal_(mean, std)`.
pub fn normal_(dst: &Tensor, mean: f64, std: f64, gen: &mut Generator) -> Result<()> {
    check_floating(dst, "normal_kernel_cpu")?;
    check_std(std)?;
    copy_(dst, &sample(dst, gen, |g| mean + std * g.normal())?)
}

/// Draws per element before giving up on an interval that holds almost none of the mass.
const MAX_TRUNC_NORMAL_TRIES: usize = 100_000;

/// Normal values conditioned on lying in `[a, b]`, by rejection: exact, and fast whenever
/// the interval holds a fair share of the distribution (the usual `a = -2 std, b = 2 std`
/// keeps 95% of the draws).
pub fn trunc_normal_(
    dst: &Tensor,
    mean: f64,
    std: f64,
    a: f64,
    b: f64,
    gen: &mut Generator,
) -> Result<()> {
    check_floating(dst, "normal_kernel_cpu")?;
    check_std(std)?;
    if a.is_nan() || b.is_nan() || a > b {
        return Err(Error::value(format!(
            "trunc_normal_ expects a <= b, but found a={a} and b={b}"
        )));
    }
    let mut hopeless = false;
    let values = sample(dst, gen, |g| {
        if hopeless {
            return a;
        }
        for _ in 0..MAX_TRUNC_NORMAL_TRIES {
            let z = mean + std * g.normal();
            if (a..=b).contains(&z) {
                return z;
            }
        }
        hopeless = true;
        a
    })?;
    if hopeless {
        return Err(Error::value(format!(
            "trunc_normal_: [{a}, {b}] holds too little of N({mean}, {std}^2) to sample from"
        )));
    }
    copy_(dst, &values)
}
