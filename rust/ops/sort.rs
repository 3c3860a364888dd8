//! Order statistics along a dim: `sort`, `topk`, `median`. Values come with the int64
//! positions they came from; their gradient goes back to those positions.

use smallvec::smallvec;

use super::backend;
use super::reduce::unreduce;
use super::scatter::scatter_add;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{wrap_dim, DType, Dims, Layout, Tensor};

/// PyTorch's error for `median` on bools.
fn check_median_dtype(x: &Tensor) -> Result<()> {
    if x.dtype() == DType::Bool {
        return Err(Error::not_implemented(
            "\"median_cpu\" not implemented for 'Bool'",
        ));
    }
    Ok(())
}

/// Runs `f` on `x` seen with at least one dim (a 0-d tensor as shape `[1]`), and gives the
/// results `x`'s rank back.
fn with_rank_one(
    x: &Tensor,
    f: impl FnOnce(&Tensor) -> Result<(Tensor, Tensor)>,
) -> Result<(Tensor, Tensor)> {
    if x.ndim() > 0 {
        return f(x);
    }
    let (v, i) = f(&x.with_layout(Layout::contiguous(&[1])))?;
    let scalar = |t: Tensor| t.with_layout(Layout::contiguous(&[]));
    Ok((scalar(v), scalar(i)))
}

/// `sort(x, dim, descending)`: always stable (ties keep their order), NaN last ascending.
pub fn sort(x: &Tensor, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(dim, x.ndim())?;
    let (values, indices) = with_rank_one(x, |x| backend::sort(x, d, descending, None))?;
    record_selection(x, &values, &indices, SelectKind::Sort, d, true)?;
    Ok((values, indices))
}

/// `topk(x, k, dim, largest, sorted)`: the `k` largest (or smallest) along `dim`. The
/// result is always sorted, which `sorted=False` allows.
pub fn topk(x: &Tensor, k: i64, dim: i64, largest: bool) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(dim, x.ndim())?;
    let size = if x.ndim() == 0 { 1 } else { x.shape()[d] };
    if k < 0 || k as usize > size {
        return Err(Error::runtime("selected index k out of range"));
    }
    let (values, indices) = with_rank_one(x, |x| backend::sort(x, d, largest, Some(k as usize)))?;
    record_selection(x, &values, &indices, SelectKind::Topk, d, true)?;
    Ok((values, indices))
}

/// `median()`: the lower median of all elements (NaN if any is NaN; NaN when empty).
pub fn median_all(x: &Tensor) -> Result<Tensor> {
    check_median_dtype(x)?;
    let n = x.numel();
    if n == 0 {
        if !x.dtype().is_floating_point() {
            return Err(Error::index("median() input tensor cannot be empty"));
        }
        return super::creation::full(
            &[],
            crate::tensor::Scalar::Float(f64::NAN),
            x.dtype(),
            x.device(),
        );
    }
    let flat = super::copy::contiguous(x)?.with_layout(Layout::contiguous(&[n]));
    let (value, _) = backend::kth_smallest(&flat, 0, (n - 1) / 2)?;
    if is_recording(&[x]) {
        record(
            MedianAllBackward,
            &[Some(x)],
            smallvec![
                Some(SavedTensor::input(x)),
                Some(SavedTensor::output(&value, 0))
            ],
            &[&value],
        )?;
    }
    Ok(value)
}

/// `median(dim, keepdim)`: lower medians along `dim` and their positions.
pub fn median_dim(x: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    check_median_dtype(x)?;
    let d = wrap_dim(dim, x.ndim())?;
    if x.ndim() > 0 && x.shape()[d] == 0 {
        return Err(Error::index(format!(
            "median(): Expected reduction dim {d} to have non-zero size."
        )));
    }
    let (mut values, mut indices) = if x.ndim() == 0 {
        (
            backend::copy(x)?,
            super::creation::zeros(&[], DType::Int64, x.device())?,
        )
    } else {
        backend::kth_smallest(x, d, (x.shape()[d] - 1) / 2)?
    };
    if keepdim && x.ndim() > 0 {
        let shape = super::reduce::kept_shape(x, &[d]);
        values = values.with_layout(Layout::contiguous(&shape));
        indices = indices.with_layout(Layout::contiguous(&shape));
    }
    let kind = SelectKind::Median;
    record_selection(x, &values, &indices, kind, d, keepdim || x.ndim() == 0)?;
    Ok((values, indices))
}

/// Which op picked the values (for the node name).
#[derive(Copy, Clone)]
enum SelectKind {
    Sort,
    Topk,
    Median,
}

fn record_selection(
    x: &Tensor,
    values: &Tensor,
    indices: &Tensor,
    kind: SelectKind,
    dim: usize,
    keepdim: bool,
) -> Result<()> {
    if is_recording(&[x]) {
        record(
            SelectBackward {
                kind,
                dim,
                keepdim,
                in_shape: x.shape_dims(),
            },
            &[Some(x)],
            smallvec![Some(SavedTensor::input(indices))],
            &[values],
        )?;
    }
    Ok(())
}

/// The gradient of picked values goes back to the positions they came from.
struct SelectBackward {
    kind: SelectKind,
    dim: usize,
    keepdim: bool,
    in_shape: Dims,
}

impl Backward for SelectBackward {
    fn name(&self) -> &str {
        match self.kind {
            SelectKind::Sort => "SortBackward0",
            SelectKind::Topk => "TopkBackward0",
            SelectKind::Median => "MedianBackward1",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, indices) = (ctx.grad(), ctx.saved(0)?);
        if self.in_shape.is_empty() {
            return Ok(smallvec![Some(g.clone())]);
        }
        let g = unreduce(g, &[self.dim], self.keepdim)?;
        let indices = unreduce(indices, &[self.dim], self.keepdim)?;
        let zeros = super::creation::zeros(&self.in_shape, g.dtype(), g.device())?;
        Ok(smallvec![Some(scatter_add(
            &zeros,
            self.dim as i64,
            &indices,
            &g
        )?)])
    }
}

/// `median()`'s gradient is shared by every element equal to the median (NaN included).
struct MedianAllBackward;

impl Backward for MedianAllBackward {
    fn name(&self) -> &str {
        "MedianBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, value) = (ctx.saved(0)?, ctx.saved(1)?);
        Ok(smallvec![Some(super::extrema::share_among_ties(
            ctx.grad(),
            x,
            value,
            &(0..x.ndim()).collect::<Vec<_>>(),
            false,
        )?)])
    }
}
