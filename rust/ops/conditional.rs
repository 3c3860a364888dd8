//! `where(cond, a, b)`: picks from `a` where `cond` holds, else from `b`.

use smallvec::smallvec;

use super::arith::{rhs_tensor, Rhs};
use super::backend;
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, result_type, DType, Scalar, Tensor};

/// `where(cond, a, b)` with PyTorch's promotion of `a` and `b`; differentiable in both.
pub fn where_(cond: &Tensor, a: Rhs, b: Rhs) -> Result<Tensor> {
    if cond.dtype() != DType::Bool {
        return Err(Error::runtime(format!(
            "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
            cond.dtype().scalar_type_name()
        )));
    }
    // Shapes broadcast in argument order, so size errors name the sizes as PyTorch does.
    let (ta, tb) = (a.tensor(), b.tensor());
    [ta, tb]
        .into_iter()
        .flatten()
        .try_fold(cond.shape_dims(), |shape, t| {
            broadcast_shapes(&shape, t.shape())
        })?;
    let dtype = result_type(&[a.operand(), b.operand()]);
    let out = backend::where_(
        cond,
        &rhs_tensor(&a, dtype, cond.device())?,
        &rhs_tensor(&b, dtype, cond.device())?,
    )?;
    let inputs: Vec<&Tensor> = [ta, tb].into_iter().flatten().collect();
    if is_recording(&inputs) {
        record(
            WhereBackward,
            &[ta, tb],
            smallvec![save_if(true, cond)],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `where(cond, s, t)` for a number `s`.
pub fn where_scalar(cond: &Tensor, s: Scalar, t: &Tensor) -> Result<Tensor> {
    where_(cond, Rhs::Scalar(s), Rhs::Tensor(t))
}

struct WhereBackward;

impl Backward for WhereBackward {
    fn name(&self) -> &str {
        "WhereBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, cond) = (ctx.grad(), ctx.saved(0)?);
        let zero = Rhs::Scalar(Scalar::Int(0));
        let pick = |i: usize, when_true: Rhs, when_false: Rhs| -> Result<Option<Tensor>> {
            if ctx.needs(i) {
                Ok(Some(where_(cond, when_true, when_false)?))
            } else {
                Ok(None)
            }
        };
        Ok(smallvec![
            pick(0, Rhs::Tensor(g), zero)?,
            pick(1, zero, Rhs::Tensor(g))?
        ])
    }
}
