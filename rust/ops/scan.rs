//! Cumulative ops along a dim: `cumsum` and `cumprod`.

use smallvec::smallvec;

use super::arith::{cast, div, mul};
use super::binary_math::any_zero;
use super::compare::eq_scalar;
use super::conditional::where_scalar;
use super::kinds::{BinaryOp, ScanOp};
use super::{backend, Rhs};
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::Result;
use crate::tensor::{wrap_dim, DType, Scalar, Tensor};

/// The dtype a scan computes in: integers and bools accumulate in int64, as in PyTorch.
fn scan_dtype(x: &Tensor) -> DType {
    if x.dtype().is_floating_point() {
        x.dtype()
    } else {
        DType::Int64
    }
}

/// `cumsum(x, dim)`.
pub fn cumsum(x: &Tensor, dim: i64) -> Result<Tensor> {
    scan(ScanOp::Sum, x, wrap_dim(dim, x.ndim())?, false)
}

/// `cumprod(x, dim)`.
pub fn cumprod(x: &Tensor, dim: i64) -> Result<Tensor> {
    scan(ScanOp::Prod, x, wrap_dim(dim, x.ndim())?, false)
}

/// A scan along a wrapped `dim`, from the end when `reverse` (for backward formulas).
fn scan(op: ScanOp, x: &Tensor, dim: usize, reverse: bool) -> Result<Tensor> {
    let xc = cast(x, scan_dtype(x))?;
    let out = if x.ndim() == 0 {
        backend::copy(&xc)?
    } else {
        backend::scan(op, &xc, dim, reverse)?
    };
    if is_recording(&[x]) {
        let saved = match op {
            ScanOp::Sum => smallvec![],
            ScanOp::Prod => smallvec![
                Some(SavedTensor::input(x)),
                Some(SavedTensor::output(&out, 0))
            ],
        };
        record(
            ScanBackward { op, dim, reverse },
            &[Some(x)],
            saved,
            &[&out],
        )?;
    }
    Ok(out)
}

struct ScanBackward {
    op: ScanOp,
    dim: usize,
    reverse: bool,
}

impl Backward for ScanBackward {
    fn name(&self) -> &str {
        match self.op {
            ScanOp::Sum => "CumsumBackward0",
            ScanOp::Prod => "CumprodBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        // The adjoint of a scan is the same scan run the other way.
        let back = |t: &Tensor| scan(ScanOp::Sum, t, self.dim, !self.reverse);
        let grad = match self.op {
            ScanOp::Sum => back(g)?,
            ScanOp::Prod => {
                let (x, out) = (ctx.saved(0)?, ctx.saved(1)?);
                cumprod_grad(g, x, out, self.dim, &back)?
            }
        };
        Ok(smallvec![Some(grad)])
    }
}

/// Gradient of a forward `cumprod` along `dim`. Without zeros it is
/// `revcumsum(g * out) / x`. With zeros, element `i` before a slice's first zero still gets
/// that formula restricted to the outputs before the zero; the first zero itself gets
/// `revcumsum(g * cumprod(x with that zero replaced by 1))`; elements after it get 0.
fn cumprod_grad(
    g: &Tensor,
    x: &Tensor,
    out: &Tensor,
    dim: usize,
    back: &dyn Fn(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    if !any_zero(x)? {
        return div(&back(&mul(g, out)?)?, x);
    }
    let is_zero = eq_scalar(x, Scalar::Int(0))?;
    let zeros_so_far = scan(ScanOp::Sum, &is_zero, dim, false)?;
    let before = eq_scalar(&zeros_so_far, Scalar::Int(0))?;
    let first_zero =
        super::binary_math::logical_and(&is_zero, &eq_scalar(&zeros_so_far, Scalar::Int(1))?)?;
    let not = super::compare::logical_not;
    // Before the first zero: x is nonzero, and only outputs before the zero depend on it.
    let safe_x = where_scalar(&not(&before)?, Scalar::Int(1), x)?;
    let masked_out = where_scalar(&not(&before)?, Scalar::Int(0), out)?;
    let early = div(&back(&mul(g, &masked_out)?)?, &safe_x)?;
    // At the first zero: the products of every other factor.
    let others = scan(
        ScanOp::Prod,
        &where_scalar(&first_zero, Scalar::Int(1), x)?,
        dim,
        false,
    )?;
    let at_zero = back(&mul(g, &others)?)?;
    let zero_part = where_scalar(&not(&first_zero)?, Scalar::Int(0), &at_zero)?;
    super::arith::binary(
        BinaryOp::Add,
        &where_scalar(&not(&before)?, Scalar::Int(0), &early)?,
        Rhs::Tensor(&zero_part),
    )
}
