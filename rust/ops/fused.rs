//! Ops PyTorch computes with a single rounding (a fused multiply-add on floats): `add` and
//! `sub` with `alpha`, `addcmul`, `lerp`; and `addcdiv`, computed alongside. Optimizer
//! updates are made of them, so they match PyTorch's to the bit. The in-place forms write
//! straight into the tensor when no dtype conversion or autograd is involved.

use smallvec::smallvec;

use super::arith::{
    cast, mul, mul_scalar, neg, operand, rdiv_scalar, rhs_tensor, rsub_scalar, sub, Rhs,
};
use super::backend;
use super::inplace::update;
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, result_type, DType, Scalar, Tensor};

/// PyTorch's checks on the `alpha`/`value` multiplier of a `dtype` computation.
fn check_multiplier(name: &str, m: Scalar, dtype: DType) -> Result<()> {
    if matches!(m, Scalar::Bool(_)) && dtype != DType::Bool {
        return Err(Error::runtime(format!(
            "Boolean {name} only supported for Boolean results."
        )));
    }
    if matches!(m, Scalar::Float(_)) && !dtype.is_floating_point() {
        return Err(Error::runtime(format!(
            "For integral input tensors, argument {name} must not be a floating point number."
        )));
    }
    Ok(())
}

fn negate(s: Scalar) -> Scalar {
    match s {
        Scalar::Float(f) => Scalar::Float(-f),
        other => Scalar::Int(-other.to_i64()),
    }
}

/// A new tensor of `dtype` shaped like `inputs` broadcast together.
fn output(dtype: DType, inputs: &[&Tensor]) -> Result<Tensor> {
    let mut shape = inputs[0].shape_dims();
    for t in &inputs[1..] {
        shape = broadcast_shapes(&shape, t.shape())?;
    }
    Tensor::empty(&shape, dtype, inputs[0].device())
}

/// Runs an in-place op on `dst`, its first operand, whose result has `dtype`: with PyTorch's
/// errors when that result does not fit `dst`, then `kernel()` writes straight into `dst`
/// when no dtype conversion, aliasing or autograd is involved, and otherwise `op(old)`
/// computes the result out of place (recorded) from `dst`'s old value.
fn in_place(
    dst: &Tensor,
    dtype: DType,
    others: &[&Tensor],
    op: impl Fn(&Tensor) -> Result<Tensor>,
    kernel: impl FnOnce() -> Result<()>,
) -> Result<()> {
    super::inplace::check_in_place(dst, dtype, others)?;
    let direct = dtype == dst.dtype() && !others.iter().any(|t| t.storage().same(dst.storage()));
    update(
        dst,
        others,
        || {
            if direct {
                kernel()
            } else {
                backend::copy_into(&op(dst)?, dst)
            }
        },
        |old| op(old),
    )
}

/// The dtype of `a +/- alpha * b` and the signed multiplier, with PyTorch's checks.
fn scaled_dtype(a: &Tensor, b: &Rhs, alpha: Scalar, subtract: bool) -> Result<(DType, Scalar)> {
    let dtype = result_type(&[operand(a), b.operand()]);
    if subtract && dtype == DType::Bool {
        return Err(Error::not_implemented("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."));
    }
    check_multiplier("alpha", alpha, dtype)?;
    Ok((dtype, if subtract { negate(alpha) } else { alpha }))
}

/// `a + alpha * b` (`a - alpha * b` when `subtract`), rounded once.
pub fn add_scaled(a: &Tensor, b: Rhs, alpha: Scalar, subtract: bool) -> Result<Tensor> {
    let (dtype, signed) = scaled_dtype(a, &b, alpha, subtract)?;
    let inputs: Vec<&Tensor> = [Some(a), b.tensor()].into_iter().flatten().collect();
    let out = output(dtype, &inputs)?;
    backend::add_scaled_into(
        &cast(a, dtype)?,
        &rhs_tensor(&b, dtype, a.device())?,
        signed,
        &out,
    )?;
    if is_recording(&inputs) {
        let node = AddScaledBackward {
            alpha: signed,
            subtract,
        };
        match b.tensor() {
            Some(t) => record(node, &[Some(a), Some(t)], smallvec![], &[&out])?,
            None => record(node, &[Some(a)], smallvec![], &[&out])?,
        }
    }
    Ok(out)
}

/// `dst += alpha * b` (`-=` when `subtract`).
pub fn add_scaled_(dst: &Tensor, b: Rhs, alpha: Scalar, subtract: bool) -> Result<()> {
    let (dtype, signed) = scaled_dtype(dst, &b, alpha, subtract)?;
    let others: Vec<&Tensor> = b.tensor().into_iter().collect();
    in_place(
        dst,
        dtype,
        &others,
        |old| add_scaled(old, b, alpha, subtract),
        || backend::add_scaled_into(dst, &rhs_tensor(&b, dtype, dst.device())?, signed, dst),
    )
}

/// The common dtype of three operands, and the three cast to it (data only).
fn promote3(a: &Tensor, b: &Tensor, c: &Tensor) -> Result<(DType, [Tensor; 3])> {
    let dtype = result_type(&[operand(a), operand(b), operand(c)]);
    Ok((dtype, [cast(a, dtype)?, cast(b, dtype)?, cast(c, dtype)?]))
}

/// `s + value * t1 * t2`.
pub fn addcmul(s: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    let (dtype, [cs, c1, c2]) = promote3(s, t1, t2)?;
    let out = output(dtype, &[s, t1, t2])?;
    backend::addcmul_into(&cs, &c1, &c2, value, &out)?;
    if is_recording(&[s, t1, t2]) {
        record(
            AddcBackward {
                value,
                divide: false,
            },
            &[Some(s), Some(t1), Some(t2)],
            smallvec![
                save_if(t2.requires_grad(), t1),
                save_if(t1.requires_grad(), t2)
            ],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `s + value * t1 / t2`; floating dtypes only, as in PyTorch.
pub fn addcdiv(s: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    let (dtype, [cs, c1, c2]) = promote3(s, t1, t2)?;
    if !dtype.is_floating_point() {
        return Err(Error::runtime("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes."));
    }
    let out = output(dtype, &[s, t1, t2])?;
    backend::addcdiv_into(&cs, &c1, &c2, value, &out)?;
    if is_recording(&[s, t1, t2]) {
        record(
            AddcBackward {
                value,
                divide: true,
            },
            &[Some(s), Some(t1), Some(t2)],
            smallvec![save_if(t2.requires_grad(), t1), save_if(true, t2)],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `s += value * t1 * t2`.
pub fn addcmul_(s: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<()> {
    let (dtype, [_, c1, c2]) = promote3(s, t1, t2)?;
    in_place(
        s,
        dtype,
        &[t1, t2],
        |old| addcmul(old, t1, t2, value),
        || backend::addcmul_into(s, &c1, &c2, value, s),
    )
}

/// `s += value * t1 / t2`.
pub fn addcdiv_(s: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<()> {
    let (dtype, [_, c1, c2]) = promote3(s, t1, t2)?;
    if !dtype.is_floating_point() {
        return addcdiv(s, t1, t2, value).map(|_| ()); // PyTorch's error, from the op itself
    }
    in_place(
        s,
        dtype,
        &[t1, t2],
        |old| addcdiv(old, t1, t2, value),
        || backend::addcdiv_into(s, &c1, &c2, value, s),
    )
}

/// C's name of a floating dtype, as PyTorch's lerp errors print it.
fn c_name(dtype: DType) -> &'static str {
    match dtype {
        DType::Float64 => "double",
        DType::Float32 => "float",
        DType::Int64 => "long int",
        DType::Int32 => "int",
        DType::Bool => "bool",
    }
}

/// PyTorch's checks on `lerp`'s operands: floating, all of `s`'s dtype, on one device.
fn check_lerp(s: &Tensor, end: &Tensor, weight: &Rhs) -> Result<()> {
    let kernel = if weight.tensor().is_some() {
        "lerp_kernel_tensor"
    } else {
        "lerp_kernel_scalar"
    };
    if !s.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"{kernel}\" not implemented for '{}'",
            s.dtype().scalar_type_name()
        )));
    }
    for (name, t) in [("end", Some(end)), ("weight", weight.tensor())] {
        if let Some(t) = t.filter(|t| t.dtype() != s.dtype()) {
            return Err(Error::runtime(format!(
                "expected dtype {} for `{name}` but got dtype {}",
                c_name(s.dtype()),
                c_name(t.dtype())
            )));
        }
    }
    super::check_same_device("lerp", &[s, end])
}

/// `s + weight * (end - s)`, computed so that both ends are exact. `weight` is a number or
/// a tensor of `s`'s dtype.
pub fn lerp(s: &Tensor, end: &Tensor, weight: Rhs) -> Result<Tensor> {
    check_lerp(s, end, &weight)?;
    let out = output(
        s.dtype(),
        &[Some(s), Some(end), weight.tensor()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    )?;
    write_lerp(s, end, weight, &out)?;
    match weight {
        Rhs::Scalar(w) if is_recording(&[s, end]) => record(
            LerpBackward { weight: Some(w) },
            &[Some(s), Some(end)],
            smallvec![],
            &[&out],
        )?,
        Rhs::Tensor(w) if is_recording(&[s, end, w]) => record(
            LerpBackward { weight: None },
            &[Some(s), Some(end), Some(w)],
            smallvec![
                save_if(true, w),
                save_if(w.requires_grad(), s),
                save_if(w.requires_grad(), end)
            ],
            &[&out],
        )?,
        _ => {}
    }
    Ok(out)
}

/// Runs the lerp kernel for a number or tensor `weight`.
fn write_lerp(s: &Tensor, end: &Tensor, weight: Rhs, out: &Tensor) -> Result<()> {
    match weight {
        Rhs::Scalar(w) => backend::lerp_scalar_into(s, end, w, out),
        Rhs::Tensor(w) => backend::lerp_into(s, end, w, out),
    }
}

/// `s.lerp_(end, weight)`.
pub fn lerp_(s: &Tensor, end: &Tensor, weight: Rhs) -> Result<()> {
    check_lerp(s, end, &weight)?;
    let others: Vec<&Tensor> = [Some(end), weight.tensor()].into_iter().flatten().collect();
    in_place(
        s,
        s.dtype(),
        &others,
        |old| lerp(old, end, weight),
        || write_lerp(s, end, weight, s),
    )
}

/// `add`/`sub` with `alpha`: the second input's gradient is scaled by (+/-) `alpha`.
struct AddScaledBackward {
    alpha: Scalar,
    subtract: bool,
}

impl Backward for AddScaledBackward {
    fn name(&self) -> &str {
        if self.subtract {
            "SubBackward0"
        } else {
            "AddBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let other = if ctx.needs(1) {
            Some(mul_scalar(g, self.alpha)?)
        } else {
            None
        };
        Ok(smallvec![ctx.needs(0).then(|| g.clone()), other])
    }
}

/// `addcmul` / `addcdiv`. Saved: `t1` (for `t2`'s gradient), `t2`.
struct AddcBackward {
    value: Scalar,
    divide: bool,
}

impl Backward for AddcBackward {
    fn name(&self) -> &str {
        if self.divide {
            "AddcdivBackward0"
        } else {
            "AddcmulBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, v) = (ctx.grad(), self.value);
        let grad_t1 = if !ctx.needs(1) {
            None
        } else if self.divide {
            Some(mul(g, &rdiv_scalar(ctx.saved(1)?, v)?)?)
        } else {
            Some(mul(g, &mul_scalar(ctx.saved(1)?, v)?)?)
        };
        let grad_t2 = if !ctx.needs(2) {
            None
        } else if self.divide {
            // d(v * t1 / t2)/dt2 = -v * t1 / t2^2
            let t2 = ctx.saved(1)?;
            let q = super::arith::div(&mul_scalar(ctx.saved(0)?, v)?, &mul(t2, t2)?)?;
            Some(neg(&mul(g, &q)?)?)
        } else {
            Some(mul(g, &mul_scalar(ctx.saved(0)?, v)?)?)
        };
        Ok(smallvec![ctx.needs(0).then(|| g.clone()), grad_t1, grad_t2])
    }
}

/// `lerp` with a number weight (`LerpBackward0`) or a tensor weight (`LerpBackward1`,
/// saved: weight, self, end).
struct LerpBackward {
    weight: Option<Scalar>,
}

impl Backward for LerpBackward {
    fn name(&self) -> &str {
        if self.weight.is_some() {
            "LerpBackward0"
        } else {
            "LerpBackward1"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        if let Some(w) = self.weight {
            let w = w.to_f64();
            return Ok(smallvec![
                ctx.needs(0)
                    .then(|| mul_scalar(g, Scalar::Float(1.0 - w)))
                    .transpose()?,
                ctx.needs(1)
                    .then(|| mul_scalar(g, Scalar::Float(w)))
                    .transpose()?,
            ]);
        }
        let w = ctx.saved(0)?;
        Ok(smallvec![
            ctx.needs(0)
                .then(|| mul(g, &rsub_scalar(w, Scalar::Int(1))?))
                .transpose()?,
            ctx.needs(1).then(|| mul(g, w)).transpose()?,
            ctx.needs(2)
                .then(|| mul(g, &sub(ctx.saved(2)?, ctx.saved(1)?)?))
                .transpose()?,
        ])
    }
}
