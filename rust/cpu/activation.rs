//! Activation kernels: each activation's forward, and its fused gradient `grad * f'(x)`, so
//! backward is one pass over memory.

use super::elementwise::{map1, map2};
use super::number::Float;
use crate::error::Result;
use crate::ops::kinds::Activation;
use crate::tensor::Tensor;
use crate::with_float_dtype;

/// `sqrt(2 / pi)` and the cubic coefficient of GELU's tanh approximation.
const GELU_TANH_K: f64 = 0.797_884_560_802_865_4;
const GELU_TANH_C: f64 = 0.044715;
/// `1 / sqrt(2 pi)`, the standard normal density at 0.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// `log(1 + e^x)` without overflow.
#[inline(always)]
fn softplus<T: Float>(x: T) -> T {
    let zero = T::zero();
    let positive = if x > zero { x } else { zero };
    positive + Float::ln_1p(Float::exp(-x.abs()))
}

/// The standard normal CDF `Φ(x) = erfc(-x / sqrt(2)) / 2`, accurate in both tails.
#[inline(always)]
fn normal_cdf<T: Float>(x: T) -> T {
    T::of(0.5) * Float::erfc(-x * T::of(std::f64::consts::FRAC_1_SQRT_2))
}

/// `min(max(x, lo), hi)`, NaN staying NaN.
#[inline(always)]
fn clip<T: Float>(x: T, lo: T, hi: T) -> T {
    x.max_nan(lo).min_nan(hi)
}

/// `out = act(x)`.
pub fn forward_into(act: Activation, x: &Tensor, out: &Tensor) -> Result<()> {
    let (xl, ol) = (x.layout(), out.layout());
    with_float_dtype!(x.dtype(), T => unsafe {
        let (px, po) = (x.cpu_ptr::<T>(), out.cpu_ptr::<T>());
        let c = T::of;
        let (zero, one) = (c(0.0), c(1.0));
        match act {
            Activation::Gelu => map1(po, ol, px, xl, move |v: T| v * normal_cdf(v)),
            // 0.5 (1 + tanh(u)) is σ(2u), which keeps its precision for large negative x.
            Activation::GeluTanh => map1(po, ol, px, xl, move |v: T| {
                let u = c(GELU_TANH_K) * (v + c(GELU_TANH_C) * v * v * v);
                v * Float::sigmoid(u + u)
            }),
            Activation::Silu => map1(po, ol, px, xl, move |v: T| v / (one + Float::exp(-v))),
            Activation::Mish => map1(po, ol, px, xl, move |v: T| v * Float::tanh(softplus(v))),
            Activation::Softplus { beta, threshold } => {
                let (b, t) = (c(beta), c(threshold));
                map1(po, ol, px, xl, move |v: T| {
                    if v * b > t { v } else { Float::ln_1p(Float::exp(v * b)) / b }
                })
            }
            Activation::Elu { alpha, scale, input_scale } => {
                let (a, s, is) = (c(alpha), c(scale), c(input_scale));
                map1(po, ol, px, xl, move |v: T| {
                    if v > zero { s * v } else { s * a * Float::exp_m1(v * is) }
                })
            }
            Activation::LeakyRelu { negative_slope } => {
                let k = c(negative_slope);
                map1(po, ol, px, xl, move |v: T| if v > zero { v } else { v * k })
            }
            Activation::Hardtanh { min, max } => {
                let (lo, hi) = (c(min), c(max));
                map1(po, ol, px, xl, move |v: T| clip(v, lo, hi))
            }
            Activation::Hardswish => map1(po, ol, px, xl, move |v: T| v * clip(v + c(3.0), zero, c(6.0)) / c(6.0)),
            Activation::Hardsigmoid => map1(po, ol, px, xl, move |v: T| clip(v + c(3.0), zero, c(6.0)) / c(6.0)),
            Activation::LogSigmoid => map1(po, ol, px, xl, move |v: T| -softplus(-v)),
        }
    });
    Ok(())
}

/// `out = grad * act'(x)`.
pub fn grad_into(act: Activation, grad: &Tensor, x: &Tensor, out: &Tensor) -> Result<()> {
    let (gl, xl, ol) = (grad.layout(), x.layout(), out.layout());
    with_float_dtype!(x.dtype(), T => unsafe {
        let (pg, px, po) = (grad.cpu_ptr::<T>(), x.cpu_ptr::<T>(), out.cpu_ptr::<T>());
        let c = T::of;
        let (zero, half, one) = (c(0.0), c(0.5), c(1.0));
        match act {
            // Φ(x) + x φ(x)
            Activation::Gelu => map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                let pdf = c(INV_SQRT_2PI) * Float::exp(-half * v * v);
                g * (normal_cdf(v) + v * pdf)
            }),
            // d/dx x σ(2u) = σ(2u) + 2 x σ(2u) (1 - σ(2u)) u'
            Activation::GeluTanh => map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                let u = c(GELU_TANH_K) * (v + c(GELU_TANH_C) * v * v * v);
                let s = Float::sigmoid(u + u);
                let du = c(GELU_TANH_K) * (one + c(3.0 * GELU_TANH_C) * v * v);
                g * (s + c(2.0) * v * s * (one - s) * du)
            }),
            Activation::Silu => map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                let s = Float::sigmoid(v);
                g * s * (one + v * (one - s))
            }),
            Activation::Mish => map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                let t = Float::tanh(softplus(v));
                g * (t + v * Float::sigmoid(v) * (one - t * t))
            }),
            Activation::Softplus { beta, threshold } => {
                let (b, t) = (c(beta), c(threshold));
                map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                    if v * b > t { g } else { g * Float::sigmoid(v * b) }
                })
            }
            Activation::Elu { alpha, scale, input_scale } => {
                let (a, s, is) = (c(alpha), c(scale), c(input_scale));
                map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                    if v > zero { g * s } else { g * s * a * is * Float::exp(v * is) }
                })
            }
            Activation::LeakyRelu { negative_slope } => {
                let k = c(negative_slope);
                map2(po, ol, pg, gl, px, xl, move |g: T, v: T| if v > zero { g } else { g * k })
            }
            Activation::Hardtanh { min, max } => {
                let (lo, hi) = (c(min), c(max));
                map2(po, ol, pg, gl, px, xl, move |g: T, v: T| if v > lo && v < hi { g } else { zero })
            }
            Activation::Hardswish => map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                if v <= c(-3.0) {
                    zero
                } else if v < c(3.0) {
                    g * (v / c(3.0) + half)
                } else {
                    g
                }
            }),
            Activation::Hardsigmoid => map2(po, ol, pg, gl, px, xl, move |g: T, v: T| {
                if v > c(-3.0) && v < c(3.0) { g / c(6.0) } else { zero }
            }),
            Activation::LogSigmoid => map2(po, ol, pg, gl, px, xl, move |g: T, v: T| g * Float::sigmoid(-v)),
        }
    });
    Ok(())
}
