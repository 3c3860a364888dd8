//! `lerp(start, end, weight)`: `start + weight * (end - start)`.

use smallvec::smallvec;

use super::arith::{mul, mul_scalar, rsub_scalar, sub, Rhs};
use super::backend;
use super::kinds::TernaryOp;
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{DType, Scalar, Tensor};

/// C++'s name for a dtype, as PyTorch's lerp errors print it.
fn cpp_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::Int32 => "int",
        DType::Int64 => "long int",
        DType::Float32 => "float",
        DType::Float64 => "double",
    }
}

/// `lerp(start, end, weight)` with a number or tensor `weight`. Unlike most ops, lerp does
/// not promote: `end` and a dimensioned `weight` must have `start`'s floating dtype.
pub fn lerp(start: &Tensor, end: &Tensor, weight: Rhs) -> Result<Tensor> {
    let dtype = start.dtype();
    let dimensioned_weight = weight.tensor().filter(|w| w.ndim() > 0);
    let others = [
        Some(("end", end)),
        dimensioned_weight.map(|w| ("weight", w)),
    ];
    for (name, t) in others.into_iter().flatten() {
        if t.dtype() != dtype {
            return Err(Error::runtime(format!(
                "expected dtype {} for `{name}` but got dtype {}",
                cpp_name(dtype),
                cpp_name(t.dtype())
            )));
        }
    }
    if !dtype.is_floating_point() {
        let kernel = if weight.tensor().is_some() {
            "lerp_kernel_tensor"
        } else {
            "lerp_kernel_scalar"
        };
        return Err(Error::not_implemented(format!(
            "\"{kernel}\" not implemented for '{}'",
            dtype.scalar_type_name()
        )));
    }
    let tensors: Vec<&Tensor> = [Some(start), Some(end), weight.tensor()]
        .into_iter()
        .flatten()
        .collect();
    super::check_same_device("lerp", &tensors)?;
    let w = super::arith::rhs_tensor(&weight, dtype, start)?;
    let out = backend::ternary(TernaryOp::Lerp, start, end, &w)?;
    if is_recording(&tensors) {
        let wt = weight.tensor();
        record(
            LerpBackward {
                scalar: weight.scalar(),
            },
            &[Some(start), Some(end), wt],
            smallvec![
                save_if(wt.is_some_and(|w| w.requires_grad()), start),
                save_if(wt.is_some_and(|w| w.requires_grad()), end),
                wt.and_then(|w| save_if(true, w)),
            ],
            &[&out],
        );
    }
    Ok(out)
}

struct LerpBackward {
    scalar: Option<Scalar>,
}

impl Backward for LerpBackward {
    fn name(&self) -> &str {
        if self.scalar.is_some() {
            "LerpBackward0"
        } else {
            "LerpBackward1"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let when = |i: usize, f: &dyn Fn() -> Result<Tensor>| -> Result<Option<Tensor>> {
            if ctx.needs(i) {
                f().map(Some)
            } else {
                Ok(None)
            }
        };
        Ok(match self.scalar {
            Some(w) => smallvec![
                when(0, &|| mul_scalar(g, Scalar::Float(1.0 - w.to_f64())))?,
                when(1, &|| mul_scalar(g, w))?,
            ],
            None => {
                let w = ctx.saved(2)?;
                smallvec![
                    when(0, &|| mul(g, &rsub_scalar(w, Scalar::Int(1))?))?,
                    when(1, &|| mul(g, w))?,
                    when(2, &|| mul(g, &sub(ctx.saved(1)?, ctx.saved(0)?)?))?,
                ]
            }
        })
    }
}
