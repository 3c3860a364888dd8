//! Activation kernels (`shaders/activation.wgsl`): each activation's forward and its fused
//! gradient `grad * f'(x)`, as elementwise expressions. The numbers an activation carries
//! are the op's scalars, so changing them reuses the compiled kernel.

use super::elementwise::{run, Op};
use super::float_math;
use crate::error::Result;
use crate::ops::kinds::Activation;
use crate::tensor::{Scalar, Tensor};
use crate::webgpu::element::GpuElement;

const FUNCTIONS: &str = include_str!("../../../shaders/activation.wgsl");

/// The WGSL function name of `act` and the numbers it takes after `x`.
fn function(act: Activation) -> (&'static str, Vec<f64>) {
    match act {
        Activation::Gelu => ("gelu", vec![]),
        Activation::GeluTanh => ("gelu_tanh", vec![]),
        Activation::Silu => ("silu", vec![]),
        Activation::Mish => ("mish", vec![]),
        Activation::Softplus { beta, threshold } => ("softplus", vec![beta, threshold]),
        Activation::Elu {
            alpha,
            scale,
            input_scale,
        } => ("elu", vec![alpha, scale, input_scale]),
        Activation::LeakyRelu { negative_slope } => ("leaky_relu", vec![negative_slope]),
        Activation::Hardtanh { min, max } => ("hardtanh", vec![min, max]),
        Activation::Hardswish => ("hardswish", vec![]),
        Activation::Hardsigmoid => ("hardsigmoid", vec![]),
        Activation::LogSigmoid => ("log_sigmoid", vec![]),
    }
}

/// Runs `name(args.., op_scalar(0u), ..)` over `inputs` into `out`.
fn launch_activation(
    name: &str,
    args: &str,
    numbers: &[f64],
    out: &Tensor,
    inputs: &[&Tensor],
) -> Result<()> {
    let e = GpuElement::of(out.dtype())?;
    let scalars: Vec<Scalar> = numbers.iter().map(|&v| Scalar::Float(v)).collect();
    let mut call = format!("{name}({args}");
    for k in 0..numbers.len() {
        call += &format!(", op_scalar({k}u)");
    }
    call += ")";
    run(Op {
        helpers: float_math::prelude(e.value) + FUNCTIONS,
        scalars: &scalars,
        ..Op::plain(name, call, out, inputs)
    })
}

/// `out = act(x)`.
pub fn forward_into(act: Activation, x: &Tensor, out: &Tensor) -> Result<()> {
    let (name, numbers) = function(act);
    launch_activation(name, "x1", &numbers, out, &[x])
}

/// `out = grad * act'(x)` (`grad` and `x` broadcast to `out`).
pub fn grad_into(act: Activation, grad: &Tensor, x: &Tensor, out: &Tensor) -> Result<()> {
    let (name, numbers) = function(act);
    launch_activation(&format!("{name}_grad"), "x1, x2", &numbers, out, &[grad, x])
}
