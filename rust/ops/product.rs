//! `prod`: the product of all elements, or along one dim.

use smallvec::smallvec;

use super::arith::{div, mul, Rhs};
use super::binary_math::any_zero;
use super::compare::eq_scalar;
use super::conditional::where_;
use super::kinds::ReduceOp;
use super::reduce::{reduce_kernel, sum_dims, unreduce};
use crate::autograd::{is_recording, record_saving_input_and_output, Backward, BackwardCtx, Grads};
use crate::error::Result;
use crate::tensor::{wrap_dim, Dims, Scalar, Tensor};

/// `prod()` (`dim` None) or `prod(dim, keepdim)`. Integers and bools multiply to int64.
pub fn prod(x: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
    let dims: Dims = match dim {
        None => (0..x.ndim()).collect(),
        Some(d) if x.ndim() == 0 => {
            wrap_dim(d, 0)?;
            Dims::new()
        }
        Some(d) => smallvec![wrap_dim(d, x.ndim())?],
    };
    let out = reduce_kernel(ReduceOp::Prod, x, &dims, keepdim && dim.is_some())?;
    if is_recording(&[x]) {
        record_saving_input_and_output(
            ProdBackward {
                all: dim.is_none(),
                dims,
                keepdim: keepdim && dim.is_some(),
            },
            x,
            &out,
        )?;
    }
    Ok(out)
}

struct ProdBackward {
    all: bool,
    dims: Dims,
    keepdim: bool,
}

impl Backward for ProdBackward {
    fn name(&self) -> &str {
        if self.all {
            "ProdBackward0"
        } else {
            "ProdBackward1"
        }
    }

    /// Without zeros, `d out / d x_i = out / x_i`. With zeros, per reduced slice: a slice with
    /// one zero sends the product of its other elements to that zero; two or more zeros
    /// make every derivative zero.
    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, out) = (ctx.saved(0)?, ctx.saved(1)?);
        let g = unreduce(ctx.grad(), &self.dims, self.keepdim)?;
        let out = unreduce(out, &self.dims, self.keepdim)?;
        if !any_zero(x)? {
            return Ok(smallvec![Some(div(&mul(&g, &out)?, x)?)]);
        }
        let dims: Vec<i64> = self.dims.iter().map(|&d| d as i64).collect();
        let is_zero = eq_scalar(x, Scalar::Int(0))?;
        let zero_count = sum_dims(&is_zero, Some(&dims), true)?;
        let nonzero_product = reduce_kernel(
            ReduceOp::Prod,
            &where_(&is_zero, Rhs::Scalar(Scalar::Int(1)), Rhs::Tensor(x))?,
            &self.dims,
            true,
        )?;
        let zero = Rhs::Scalar(Scalar::Int(0));
        // Where x is nonzero: out / x, which is 0 whenever the slice holds a zero.
        let safe_x = where_(&is_zero, Rhs::Scalar(Scalar::Int(1)), Rhs::Tensor(x))?;
        let at_nonzero = div(&mul(&g, &out)?, &safe_x)?;
        let single_zero = eq_scalar(&zero_count, Scalar::Int(1))?;
        let at_zero = where_(&single_zero, Rhs::Tensor(&mul(&g, &nonzero_product)?), zero)?;
        Ok(smallvec![Some(where_(
            &is_zero,
            Rhs::Tensor(&at_zero),
            Rhs::Tensor(&at_nonzero)
        )?)])
    }
}
