//! In-place ops (`add_`, `mul_`, `copy_`, `fill_`, `zero_`, ...) and how they keep autograd
//! correct.
//!
//! Without autograd they write straight into the tensor. When history matters, the new value
//! is computed out of place from a snapshot of the old one (so formulas that need the old
//! value still have it), written into the tensor, and the tensor moves onto the new value's
//! history. For a view, the base's history becomes a `CopySlices` node: the base with the
//! view's region replaced.

use smallvec::smallvec;

use super::arith::{binary, cast, rhs_tensor, Rhs};
use super::backend;
use super::kinds::BinaryOp;
use super::view::{as_strided, view_scatter};
use crate::autograd::{grad_mode, inference, is_recording, record, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{result_type, DType, Layout, Scalar, Tensor};

/// PyTorch's errors for in-place changes autograd cannot allow.
fn check_allowed(dst: &Tensor) -> Result<()> {
    inference::check_inplace(dst)?;
    if !grad_mode::is_enabled() {
        return Ok(());
    }
    if dst.is_leaf() && dst.requires_grad() {
        return Err(Error::runtime(
            "a leaf Variable that requires grad is being used in an in-place operation.",
        ));
    }
    if let Some(base) = dst.view_base() {
        if base.is_leaf() && base.requires_grad() {
            return Err(Error::runtime("a view of a leaf Variable that requires grad is being used in an in-place operation."));
        }
    }
    Ok(())
}

/// Runs an in-place update of `dst`. `direct` writes the result into `dst` (no autograd);
/// `recorded(old)` computes it out of place, recorded, from `old` (a copy of `dst`'s value
/// carrying `dst`'s history).
pub(crate) fn update(
    dst: &Tensor,
    others: &[&Tensor],
    direct: impl FnOnce() -> Result<()>,
    recorded: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<()> {
    check_allowed(dst)?;
    let base = dst.view_base();
    let mut involved: Vec<&Tensor> = others.to_vec();
    involved.push(dst);
    involved.extend(base);
    if !is_recording(&involved) {
        direct()?;
        dst.bump_version();
        return Ok(());
    }
    let old = backend::copy(dst)?;
    if let Some(g) = dst.grad_fn() {
        old.attach_grad_fn(g);
    }
    let new = cast(&recorded(&old)?, dst.dtype())?;
    backend::copy_into(&new, dst)?;
    dst.bump_version();
    match base {
        None => dst.attach_grad_fn(new.grad_fn().expect("a recorded result has a grad_fn")),
        Some(base) => rebase_view(base, dst, &new)?,
    }
    Ok(())
}

/// After `view` (of `base`) took the value `new`, gives `base` the history "old base with the
/// view's region replaced by `new`", and `view` the history "that region of the new base".
/// (Also how a custom Function's output marked dirty takes its new history.)
pub fn rebase_view(base: &Tensor, view: &Tensor, new: &Tensor) -> Result<()> {
    let rel = relative_layout(base, view).ok_or_else(|| {
        Error::runtime(
            "in-place modification of a view whose base is not contiguous is not supported when gradients are recorded",
        )
    })?;
    let base_history = base.detach();
    if let Some(g) = base.grad_fn() {
        base_history.attach_grad_fn(g);
    }
    record(
        CopySlices { rel: rel.clone() },
        &[Some(&base_history), Some(new)],
        smallvec![],
        &[base],
    )?;
    let region = as_strided(base, &rel)?;
    view.attach_grad_fn(region.grad_fn().expect("recorded: base requires grad"));
    Ok(())
}

/// Makes `view`'s history "its region of `base`'s current value" (`AsStridedBackward0`), for
/// a view whose base changed in place after the view was made. Recorded whatever the grad
/// mode, as in PyTorch. A base that is not contiguous keeps the view's old history.
pub fn rebuild_view_history(base: &Tensor, view: &Tensor) {
    if !base.requires_grad() {
        return;
    }
    let Some(rel) = relative_layout(base, view) else {
        return;
    };
    let _mode = grad_mode::GradModeGuard::new(true);
    if let Some(g) = as_strided(base, &rel).ok().and_then(|r| r.grad_fn()) {
        view.attach_grad_fn(g);
    }
}

/// Where `view`'s elements sit in `base` read as a contiguous tensor; `None` when `base` is not
/// contiguous.
fn relative_layout(base: &Tensor, view: &Tensor) -> Option<Layout> {
    base.is_contiguous().then(|| Layout {
        shape: view.shape_dims(),
        strides: view.layout().strides.clone(),
        offset: view.offset() - base.offset(),
    })
}

/// `dst op= other` (`add_`, `sub_`, `mul_`, `div_`). The result must fit `dst`'s dtype and
/// shape, as in PyTorch.
pub fn binary_(op: BinaryOp, dst: &Tensor, other: Rhs) -> Result<()> {
    let dtype = result_type(&[super::arith::operand(dst), other.operand()]);
    let dtype = if op == BinaryOp::Div {
        dtype.to_floating()
    } else {
        dtype
    };
    let others: Vec<&Tensor> = other.tensor().into_iter().collect();
    check_in_place(dst, dtype, &others)?;
    update(
        dst,
        &others,
        || {
            let rhs = rhs_tensor(&other, dst.dtype(), dst.device())?;
            let rhs = if rhs.storage().same(dst.storage()) {
                backend::copy(&rhs)?
            } else {
                rhs
            };
            backend::binary_into(op, dst, &rhs, dst)
        },
        |old| binary(op, old, other),
    )
}

/// `dst.copy_(src)`: `src` broadcast to `dst`'s shape and converted to its dtype.
pub fn copy_(dst: &Tensor, src: &Tensor) -> Result<()> {
    if !crate::tensor::is_expandable_to(src.shape(), dst.shape()) {
        let shape = crate::tensor::broadcast_shapes(dst.shape(), src.shape())?;
        return Err(Error::runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            crate::tensor::shape_str(dst.shape()),
            crate::tensor::shape_str(&shape)
        )));
    }
    update(
        dst,
        &[src],
        || {
            let src = if src.storage().same(dst.storage()) {
                backend::copy(src)?
            } else {
                src.clone()
            };
            backend::copy_into(&src, dst)
        },
        |old| {
            let out = Tensor::empty(old.shape(), old.dtype(), old.device())?;
            backend::copy_into(src, &out)?;
            record(CopyBackwards, &[Some(old), Some(src)], smallvec![], &[&out])?;
            Ok(out)
        },
    )
}

/// `dst = f(dst)` in place, for ops with an `inplace=True` option (activations) and the
/// `exp_`-style methods. `f` must keep the shape; a result of a wider dtype category than
/// `dst`'s (`exp_` of an integer tensor) is PyTorch's error, raised before anything is
/// written.
pub fn map_(dst: &Tensor, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<()> {
    let checked = |x: &Tensor| {
        let out = f(x)?;
        check_castable(out.dtype(), dst)?;
        Ok(out)
    };
    update(
        dst,
        &[],
        || backend::copy_into(&checked(dst)?, dst),
        checked,
    )
}

/// PyTorch's checks before `dst` takes, in place, a result of `dtype` computed with
/// `others`: the type must fit `dst`'s, and broadcasting with `others` must not grow `dst`.
pub(crate) fn check_in_place(dst: &Tensor, dtype: DType, others: &[&Tensor]) -> Result<()> {
    check_castable(dtype, dst)?;
    let mut shape = dst.shape_dims();
    for t in others {
        shape = crate::tensor::broadcast_shapes(&shape, t.shape())?;
    }
    if shape.as_slice() != dst.shape() {
        return Err(Error::runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            crate::tensor::shape_str(dst.shape()),
            crate::tensor::shape_str(&shape)
        )));
    }
    Ok(())
}

/// PyTorch's error when an in-place op's result type cannot be stored in `dst`.
pub(crate) fn check_castable(result: DType, dst: &Tensor) -> Result<()> {
    if result.category() > dst.dtype().category() {
        return Err(Error::runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            result.scalar_type_name(),
            dst.dtype().scalar_type_name()
        )));
    }
    Ok(())
}

/// `dst.fill_(value)`.
pub fn fill_(dst: &Tensor, value: Scalar) -> Result<()> {
    overwrite(dst, value, "FillBackward2")
}

/// `dst.zero_()`.
pub fn zero_(dst: &Tensor) -> Result<()> {
    overwrite(dst, Scalar::Int(0), "ZeroBackward0")
}

/// Sets every element of `dst` to `value`; recorded as node `name`.
fn overwrite(dst: &Tensor, value: Scalar, name: &'static str) -> Result<()> {
    update(
        dst,
        &[],
        || backend::fill(dst, value),
        |old| {
            let out = super::creation::full(old.shape(), value, old.dtype(), old.device())?;
            record(Overwritten { name }, &[Some(old)], smallvec![], &[&out])?;
            Ok(out)
        },
    )
}

/// `fill_` / `zero_`: the old value does not reach the result.
struct Overwritten {
    name: &'static str,
}

impl Backward for Overwritten {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let old = ctx
            .needs(0)
            .then(|| super::creation::zeros_like(ctx.grad()))
            .transpose()?;
        Ok(smallvec![old])
    }
}

/// `copy_`: the old value does not reach the result; the source's gradient flows through
/// unchanged (the engine sums it to the source's shape and casts it to its dtype).
struct CopyBackwards;

impl Backward for CopyBackwards {
    fn name(&self) -> &str {
        "torch::autograd::CopyBackwards"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let old = ctx
            .needs(0)
            .then(|| super::creation::zeros_like(ctx.grad()))
            .transpose()?;
        Ok(smallvec![old, ctx.needs(1).then(|| ctx.grad().clone())])
    }
}

/// The base after an in-place change through one of its views.
struct CopySlices {
    rel: Layout,
}

impl Backward for CopySlices {
    fn name(&self) -> &str {
        "torch::autograd::CopySlices"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let region = as_strided(g, &self.rel)?;
        // The old base keeps the gradient outside the view's region.
        let outside = if ctx.needs(0) {
            Some(super::arith::sub(
                g,
                &view_scatter(&region, g.shape(), &self.rel)?,
            )?)
        } else {
            None
        };
        Ok(smallvec![outside, ctx.needs(1).then_some(region)])
    }
}
