//! Python-style indexing `x[1, 2:5, None, ..., idx, mask]` and assignment through it.
//!
//! Ints, slices, `None` and `...` are applied first as views (so ints select dims, as in
//! PyTorch, rather than taking part in advanced indexing as in NumPy); the tensor entries that
//! remain go to advanced indexing ([`super::advanced_index`]) on that view.

use super::advanced_index::{check_mask, index_put_};
use super::arith::Rhs;
use super::view::{alias, expand, reshape, select, slice, unsqueeze};
use crate::error::{Error, Result};
use crate::tensor::{DType, Scalar, Tensor};

/// One entry of an index tuple.
#[derive(Clone, Debug)]
pub enum IndexItem {
    Int(i64),
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    NewAxis,
    Ellipsis,
    /// An integer or boolean index tensor (a 0-d boolean adds a dim of size 1 or 0).
    Tensor(Tensor),
}

impl IndexItem {
    /// How many dims of the indexed tensor the entry uses up.
    fn consumes(&self) -> usize {
        match self {
            IndexItem::Int(_) | IndexItem::Slice { .. } => 1,
            IndexItem::Tensor(t) if t.dtype() == DType::Bool => t.ndim(),
            IndexItem::Tensor(_) => 1,
            IndexItem::NewAxis | IndexItem::Ellipsis => 0,
        }
    }
}

/// Whether a slice keeps every element of a dim of `size` (then assignment skips the view).
fn is_whole(start: Option<i64>, stop: Option<i64>, step: i64, size: usize) -> bool {
    let size = size as i64;
    step == 1 && start.unwrap_or(0) == 0 && stop.is_none_or(|s| s >= size)
}

/// Applies the ints, slices, `None` and `...` of `items` as views. Returns the view and the
/// tensor entries for advanced indexing on it (one per view dim from the first; empty when
/// there are none). `skip_whole` leaves out slices that keep a whole dim.
fn apply_basic(
    x: &Tensor,
    items: &[IndexItem],
    skip_whole: bool,
) -> Result<(Tensor, Vec<Option<Tensor>>)> {
    if items
        .iter()
        .filter(|i| matches!(i, IndexItem::Ellipsis))
        .count()
        > 1
    {
        return Err(Error::index(
            "an index can only have a single ellipsis ('...')",
        ));
    }
    let consuming: usize = items.iter().map(IndexItem::consumes).sum();
    if consuming > x.ndim() {
        if x.ndim() == 0 && matches!(items, [IndexItem::Int(_)]) {
            return Err(Error::index(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number",
            ));
        }
        return Err(Error::index(format!(
            "too many indices for tensor of dimension {}",
            x.ndim()
        )));
    }
    let mut out = x.clone();
    let mut dim = 0usize;
    let mut advanced: Vec<Option<Tensor>> = Vec::new();
    for (position, item) in items.iter().enumerate() {
        match item {
            IndexItem::Int(i) => {
                // PyTorch names the entry's position in the index tuple, not the tensor dim.
                let size = out.shape()[dim] as i64;
                if *i < -size || *i >= size {
                    return Err(Error::index(format!(
                        "index {i} is out of bounds for dimension {position} with size {size}"
                    )));
                }
                out = select(&out, dim as i64, *i)?
            }
            &IndexItem::Slice { start, stop, step } => {
                if !(skip_whole && is_whole(start, stop, step, out.shape()[dim])) {
                    out = slice(&out, dim as i64, start, stop, step)?;
                }
                advanced.push(None);
                dim += 1;
            }
            IndexItem::NewAxis => {
                out = unsqueeze(&out, dim as i64)?;
                advanced.push(None);
                dim += 1;
            }
            IndexItem::Ellipsis => {
                let n = x.ndim() - consuming;
                advanced.extend((0..n).map(|_| None));
                dim += n;
            }
            IndexItem::Tensor(t) if t.dtype() == DType::Bool && t.ndim() == 0 => {
                out = unsqueeze(&out, dim as i64)?;
                advanced.push(Some(reshape(t, &[1])?));
                dim += 1;
            }
            IndexItem::Tensor(t) => {
                advanced.push(Some(t.clone()));
                dim += item.consumes();
            }
        }
    }
    if advanced.iter().all(Option::is_none) {
        advanced.clear();
    }
    Ok((out, advanced))
}

/// `x[items]`: a view for ints, slices, `None` and `...` alone; a new tensor when index
/// tensors take part. `skip_whole` leaves out slices that keep a whole dim (PyTorch does, but
/// for a lone slice).
pub fn index(x: &Tensor, items: &[IndexItem], skip_whole: bool) -> Result<Tensor> {
    let (view, advanced) = apply_basic(x, items, skip_whole)?;
    if !advanced.is_empty() {
        return super::advanced_index::index(&view, &advanced);
    }
    if view.same(x) {
        alias(x)
    } else {
        Ok(view)
    }
}

/// `x[items] = value` (a tensor broadcast to the indexed region, or a number).
pub fn index_put(x: &Tensor, items: &[IndexItem], value: Rhs) -> Result<()> {
    let (view, advanced) = apply_basic(x, items, true)?;
    match value {
        Rhs::Scalar(s) if advanced.is_empty() => super::inplace::fill_(&view, cast_scalar(s, x)),
        Rhs::Scalar(s) => put_number(&view, &advanced, cast_scalar(s, x)),
        Rhs::Tensor(t) => {
            // Leading size-1 dims of the value are dropped first, as PyTorch does.
            let lead = t.shape().iter().take_while(|&&n| n == 1).count();
            let t = reshape(t, &t.shape()[lead..])?;
            if advanced.is_empty() {
                super::inplace::copy_(&view, &expand(&t, view.shape())?)
            } else {
                index_put_(&view, &advanced, &t, false)
            }
        }
    }
}

/// A number assigned through index tensors: PyTorch's fast paths (`masked_fill_` for one
/// leading mask, `index_fill_` for one int64 index), else `index_put_`.
fn put_number(view: &Tensor, advanced: &[Option<Tensor>], s: Scalar) -> Result<()> {
    let defined: Vec<(usize, &Tensor)> = advanced
        .iter()
        .enumerate()
        .filter_map(|(d, t)| t.as_ref().map(|t| (d, t)))
        .collect();
    if let [(at, t)] = defined[..] {
        if t.dtype() == DType::Bool && at == 0 {
            check_mask(t, view.shape(), 0)?;
            let mut shape = t.shape_dims();
            shape.extend((t.ndim()..view.ndim()).map(|_| 1));
            let mask = reshape(t, &shape)?;
            return super::mask::masked_fill_(view, &mask, Rhs::Scalar(s));
        }
        if t.dtype() == DType::Int64 {
            let flat = reshape(t, &[t.numel()])?;
            return super::scatter::index_fill_(view, at as i64, &flat, Rhs::Scalar(s));
        }
    }
    let value = super::creation::full(&[], s, view.dtype(), view.device())?;
    index_put_(view, advanced, &value, false)
}

/// Assigning a float into an integer tensor truncates, as in PyTorch.
fn cast_scalar(s: Scalar, x: &Tensor) -> Scalar {
    if x.dtype().is_floating_point() {
        s
    } else {
        Scalar::Int(s.to_i64())
    }
}
