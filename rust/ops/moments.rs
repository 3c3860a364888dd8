//! Variance and standard deviation: `var`, `std`, `var_mean`, `std_mean`, with Bessel's
//! `correction` (1 by default; the legacy `unbiased=False` is 0).

use smallvec::smallvec;

use super::arith::{div, mul, mul_scalar, sub};
use super::backend;
use super::kinds::{BinaryOp, ReduceOp, UnaryOp};
use super::reduce::{mean_dims, reduce_dims, reduce_kernel, unreduce};
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{Dims, Scalar, Tensor};

/// What to compute: the variance or its square root, optionally with the mean.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum Moment {
    Var,
    Std,
}

/// `var`/`std` over `dims` (all when `None` or empty), and the mean when `with_mean`.
/// The divisor is `max(0, n - correction)`, so too few elements give NaN or inf, as in
/// PyTorch.
pub fn moments(
    x: &Tensor,
    moment: Moment,
    dims: Option<&[i64]>,
    correction: f64,
    keepdim: bool,
    with_mean: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    if !x.dtype().is_floating_point() {
        return Err(Error::not_implemented(
            "std and var only support floating point and complex dtypes",
        ));
    }
    let rdims = reduce_dims(x, dims)?;
    let count: usize = rdims.iter().map(|&d| x.shape()[d]).product();
    let divisor = (count as f64 - correction).max(0.0);
    let (out, mean) = {
        let _plain = GradModeGuard::new(false);
        let squares = reduce_kernel(ReduceOp::SquaredDeviation, x, &rdims, keepdim)?;
        let var = backend::binary(
            BinaryOp::Div,
            &squares,
            &super::creation::full(&[], Scalar::Float(divisor), x.dtype(), x.device())?,
        )?;
        let out = match moment {
            Moment::Var => var,
            Moment::Std => backend::unary(UnaryOp::Sqrt, &var)?,
        };
        let dims_i64: Vec<i64> = rdims.iter().map(|&d| d as i64).collect();
        let mean = if with_mean {
            Some(mean_dims(x, Some(&dims_i64), keepdim)?)
        } else {
            None
        };
        (out, mean)
    };
    if is_recording(&[x]) {
        let node = MomentBackward {
            moment,
            with_mean,
            dims: rdims,
            keepdim,
            divisor,
            count,
        };
        let mut outputs = vec![&out];
        outputs.extend(mean.as_ref());
        record(
            node,
            &[Some(x)],
            smallvec![
                Some(SavedTensor::input(x)),
                Some(SavedTensor::output(&out, 0))
            ],
            &outputs,
        )?;
    }
    Ok((out, mean))
}

struct MomentBackward {
    moment: Moment,
    with_mean: bool,
    dims: Dims,
    keepdim: bool,
    divisor: f64,
    count: usize,
}

impl Backward for MomentBackward {
    fn name(&self) -> &str {
        match (self.moment, self.with_mean) {
            (Moment::Var, false) => "VarBackward0",
            (Moment::Std, false) => "StdBackward0",
            (Moment::Var, true) => "VarMeanBackward0",
            (Moment::Std, true) => "StdMeanBackward0",
        }
    }

    /// `d var / d x = 2 (x - mean) / divisor`; `d std / d x = (x - mean) / (divisor std)`;
    /// the mean's gradient is spread evenly.
    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, out) = (ctx.saved(0)?, ctx.saved(1)?);
        let dims: Vec<i64> = self.dims.iter().map(|&d| d as i64).collect();
        let centered = sub(x, &mean_dims(x, Some(&dims), true)?)?;
        let g = unreduce(&ctx.grads[0], &self.dims, self.keepdim)?;
        let slope = match self.moment {
            Moment::Var => mul_scalar(&g, Scalar::Float(2.0 / self.divisor))?,
            Moment::Std => div(
                &g,
                &mul_scalar(
                    &unreduce(out, &self.dims, self.keepdim)?,
                    Scalar::Float(self.divisor),
                )?,
            )?,
        };
        let mut grad = mul(&centered, &slope)?;
        if self.with_mean {
            let g_mean = unreduce(&ctx.grads[1], &self.dims, self.keepdim)?;
            let spread = mul_scalar(&g_mean, Scalar::Float(1.0 / self.count as f64))?;
            grad = super::arith::add(&grad, &spread)?;
        }
        Ok(smallvec![Some(grad)])
    }
}
