//! Activation functions (`gelu`, `silu`, `softplus`, `elu`, `leaky_relu`, `hardtanh`, ...).
//!
//! Each is one fused kernel forward and one node backward. First-order backward runs the
//! fused gradient kernel; when the backward itself is recorded (`create_graph=True`), the
//! derivative is written with differentiable ops instead, so higher orders work.

use smallvec::smallvec;

use super::arith::{add, add_scalar, div, mul, mul_scalar, neg, rsub_scalar, Rhs};
use super::backend;
use super::compare::compare;
use super::conditional::where_;
use super::kinds::{Activation, CompareOp, UnaryOp};
use super::unary::unary;
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{Layout, Scalar, Tensor};

/// SELU's constants (Klambauer et al., 2017).
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// PyTorch's CPU kernel name, for its "not implemented for 'Long'" errors.
fn kernel_name(act: Activation) -> &'static str {
    match act {
        Activation::Gelu | Activation::GeluTanh => "GeluKernelImpl",
        Activation::Silu => "silu_cpu",
        Activation::Mish => "mish_cpu",
        Activation::Softplus { .. } => "softplus_cpu",
        Activation::Elu { .. } => "elu_cpu",
        Activation::LeakyRelu { .. } => "leaky_relu_cpu",
        Activation::Hardtanh { .. } => "hardtanh_cpu",
        Activation::Hardswish => "hardswish_cpu",
        Activation::Hardsigmoid => "hardsigmoid_cpu",
        Activation::LogSigmoid => "log_sigmoid_cpu",
    }
}

fn node_name(act: Activation) -> &'static str {
    match act {
        Activation::Gelu | Activation::GeluTanh => "GeluBackward0",
        Activation::Silu => "SiluBackward0",
        Activation::Mish => "MishBackward0",
        Activation::Softplus { .. } => "SoftplusBackward0",
        Activation::Elu { .. } => "EluBackward0",
        Activation::LeakyRelu { .. } => "LeakyReluBackward0",
        Activation::Hardtanh { .. } => "HardtanhBackward0",
        Activation::Hardswish => "HardswishBackward0",
        Activation::Hardsigmoid => "HardsigmoidBackward0",
        Activation::LogSigmoid => "LogSigmoidBackward0",
    }
}

/// `act(x)` on a floating tensor, recorded.
pub fn activation(act: Activation, x: &Tensor) -> Result<Tensor> {
    activation_named(act, x, node_name(act))
}

fn activation_named(act: Activation, x: &Tensor, name: &'static str) -> Result<Tensor> {
    if !x.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"{}\" not implemented for '{}'",
            kernel_name(act),
            x.dtype().scalar_type_name()
        )));
    }
    let out = backend::activation(act, x)?;
    if is_recording(&[x]) {
        record(
            ActivationBackward { act, name },
            &[Some(x)],
            smallvec![Some(SavedTensor::input(x))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `hardtanh(x, min_val, max_val)`; on integer tensors it is a clamp, as in PyTorch.
pub fn hardtanh(x: &Tensor, min: f64, max: f64) -> Result<Tensor> {
    if x.dtype().is_floating_point() {
        return activation(Activation::Hardtanh { min, max }, x);
    }
    let bound = |v: f64| Rhs::Scalar(Scalar::Int(v as i64));
    super::clamp::clamp(x, Some(bound(min)), Some(bound(max)))
}

/// `selu(x)`: ELU with SELU's fixed constants (`EluBackward0`).
pub fn selu(x: &Tensor) -> Result<Tensor> {
    activation(
        Activation::Elu {
            alpha: SELU_ALPHA,
            scale: SELU_SCALE,
            input_scale: 1.0,
        },
        x,
    )
}

/// `celu(x, alpha) = max(0, x) + min(0, alpha (exp(x / alpha) - 1))` (`CeluBackward0`).
pub fn celu(x: &Tensor, alpha: f64) -> Result<Tensor> {
    if alpha == 0.0 {
        return Err(Error::runtime("ZeroDivisionError"));
    }
    let act = Activation::Elu {
        alpha,
        scale: 1.0,
        input_scale: 1.0 / alpha,
    };
    activation_named(act, x, "CeluBackward0")
}

/// `softsign(x) = x / (1 + |x|)`, composed as PyTorch does (`DivBackward0`).
pub fn softsign(x: &Tensor) -> Result<Tensor> {
    div(x, &add_scalar(&unary(UnaryOp::Abs, x)?, 1i64)?)
}

/// `glu(x, dim)`: the first half of `x` along `dim` times the sigmoid of the second.
pub fn glu(x: &Tensor, dim: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        return Err(Error::runtime(
            "glu does not support scalars because halving size must be even",
        ));
    }
    let d = crate::tensor::wrap_dim(dim, x.ndim())?;
    let n = x.shape()[d];
    if n % 2 != 0 {
        return Err(Error::runtime(format!(
            "Halving dimension must be even, but dimension {d} is size {n}"
        )));
    }
    if !x.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"glu_cpu\" not implemented for '{}'",
            x.dtype().scalar_type_name()
        )));
    }
    let halves = glu_halves(x.shape(), d);
    let out = {
        let _plain = GradModeGuard::new(false);
        let h = (n / 2) as i64;
        let a = super::view::slice(x, d as i64, Some(0), Some(h), 1)?;
        let b = super::view::slice(x, d as i64, Some(h), None, 1)?;
        mul(&a, &unary(UnaryOp::Sigmoid, &b)?)?
    };
    if is_recording(&[x]) {
        record(
            GluBackward { halves },
            &[Some(x)],
            smallvec![Some(SavedTensor::input(x))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// The two halves of a contiguous tensor of `shape` along `d`, as layouts relative to it.
fn glu_halves(shape: &[usize], d: usize) -> (Layout, Layout) {
    let (n, full) = (shape[d], Layout::contiguous(shape));
    (full.slice(d, 0, n / 2, 1), full.slice(d, n / 2, n, 1))
}

struct ActivationBackward {
    act: Activation,
    name: &'static str,
}

impl Backward for ActivationBackward {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, x) = (ctx.grad(), ctx.saved(0)?);
        let grad = if is_recording(&[g, x]) {
            differentiable_grad(self.act, g, x)?
        } else {
            backend::activation_grad(self.act, &super::arith::cast(g, x.dtype())?, x)?
        };
        Ok(smallvec![Some(grad)])
    }
}

/// `where(cond, a, b)` for two tensors.
fn pick(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    where_(cond, Rhs::Tensor(a), Rhs::Tensor(b))
}

fn cmp(op: CompareOp, x: &Tensor, v: f64) -> Result<Tensor> {
    compare(op, x, Rhs::Scalar(Scalar::Float(v)))
}

/// `grad * act'(x)` written with recorded ops (the same math as the fused kernel).
fn differentiable_grad(act: Activation, g: &Tensor, x: &Tensor) -> Result<Tensor> {
    let zero = super::creation::zeros(&[], x.dtype(), x.device())?;
    let f = |v: f64| Scalar::Float(v);
    let sigmoid = |t: &Tensor| unary(UnaryOp::Sigmoid, t);
    match act {
        Activation::Gelu => {
            let cdf = mul_scalar(
                &add_scalar(
                    &unary(
                        UnaryOp::Erf,
                        &mul_scalar(x, f(std::f64::consts::FRAC_1_SQRT_2))?,
                    )?,
                    1i64,
                )?,
                f(0.5),
            )?;
            let pdf = mul_scalar(
                &unary(UnaryOp::Exp, &mul_scalar(&mul(x, x)?, f(-0.5))?)?,
                f(0.398_942_280_401_432_7),
            )?;
            mul(g, &add(&cdf, &mul(x, &pdf)?)?)
        }
        Activation::GeluTanh => {
            let (k, c) = (0.797_884_560_802_865_4, 0.044715);
            let x2 = mul(x, x)?;
            let u = mul_scalar(&add(x, &mul_scalar(&mul(&x2, x)?, f(c))?)?, f(k))?;
            let t = unary(UnaryOp::Tanh, &u)?;
            let du = mul_scalar(&add_scalar(&mul_scalar(&x2, f(3.0 * c))?, 1i64)?, f(k))?;
            let left = mul_scalar(&add_scalar(&t, 1i64)?, f(0.5))?;
            let right = mul(
                &mul_scalar(x, f(0.5))?,
                &mul(&rsub_scalar(&mul(&t, &t)?, Scalar::Int(1))?, &du)?,
            )?;
            mul(g, &add(&left, &right)?)
        }
        Activation::Silu => {
            let s = sigmoid(x)?;
            let inner = add_scalar(&mul(x, &rsub_scalar(&s, Scalar::Int(1))?)?, 1i64)?;
            mul(g, &mul(&s, &inner)?)
        }
        Activation::Mish => {
            let sp = activation(
                Activation::Softplus {
                    beta: 1.0,
                    threshold: 20.0,
                },
                x,
            )?;
            let t = unary(UnaryOp::Tanh, &sp)?;
            let sech2 = rsub_scalar(&mul(&t, &t)?, Scalar::Int(1))?;
            mul(g, &add(&t, &mul(&mul(x, &sigmoid(x)?)?, &sech2)?)?)
        }
        Activation::Softplus { beta, threshold } => {
            let z = mul_scalar(x, f(beta))?;
            let linear = cmp(CompareOp::Gt, &z, threshold)?;
            pick(&linear, g, &mul(g, &sigmoid(&z)?)?)
        }
        Activation::Elu {
            alpha,
            scale,
            input_scale,
        } => {
            let negative = mul_scalar(
                &unary(UnaryOp::Exp, &mul_scalar(x, f(input_scale))?)?,
                f(scale * alpha * input_scale),
            )?;
            pick(
                &cmp(CompareOp::Gt, x, 0.0)?,
                &mul_scalar(g, f(scale))?,
                &mul(g, &negative)?,
            )
        }
        Activation::LeakyRelu { negative_slope } => pick(
            &cmp(CompareOp::Gt, x, 0.0)?,
            g,
            &mul_scalar(g, f(negative_slope))?,
        ),
        Activation::Hardtanh { min, max } => {
            let inside = super::binary_math::logical_and(
                &cmp(CompareOp::Gt, x, min)?,
                &cmp(CompareOp::Lt, x, max)?,
            )?;
            pick(&inside, g, &zero)
        }
        Activation::Hardswish => {
            let middle = mul(g, &add_scalar(&mul_scalar(x, f(1.0 / 3.0))?, f(0.5))?)?;
            let upper = pick(&cmp(CompareOp::Lt, x, 3.0)?, &middle, g)?;
            pick(&cmp(CompareOp::Le, x, -3.0)?, &zero, &upper)
        }
        Activation::Hardsigmoid => {
            let inside = super::binary_math::logical_and(
                &cmp(CompareOp::Gt, x, -3.0)?,
                &cmp(CompareOp::Lt, x, 3.0)?,
            )?;
            pick(&inside, &mul_scalar(g, f(1.0 / 6.0))?, &zero)
        }
        Activation::LogSigmoid => mul(g, &sigmoid(&neg(x)?)?),
    }
}

struct GluBackward {
    halves: (Layout, Layout),
}

impl Backward for GluBackward {
    fn name(&self) -> &str {
        "GluBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, x) = (ctx.grad(), ctx.saved(0)?);
        let a = super::view::as_strided(x, &self.halves.0)?;
        let b = super::view::as_strided(x, &self.halves.1)?;
        let s = unary(UnaryOp::Sigmoid, &b)?;
        let grad_a = mul(g, &s)?;
        // d/db a σ(b) = a σ(b) (1 - σ(b))
        let grad_b = mul(&mul(g, &a)?, &mul(&s, &rsub_scalar(&s, Scalar::Int(1))?)?)?;
        let shape = x.shape();
        let grad = add(
            &super::view::view_scatter(&grad_a, shape, &self.halves.0)?,
            &super::view::view_scatter(&grad_b, shape, &self.halves.1)?,
        )?;
        Ok(smallvec![Some(grad)])
    }
}
