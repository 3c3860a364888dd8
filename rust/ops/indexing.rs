//! Basic indexing (`x[1, 2:5, None, ...]`) as a chain of view ops, and assignment through it.

use super::arith::Rhs;
use super::view::{expand, reshape, select, slice, unsqueeze};
use crate::error::{Error, Result};
use crate::tensor::{Scalar, Tensor};

/// One entry of an index tuple.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexItem {
    Int(i64),
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    NewAxis,
    Ellipsis,
}

/// `x[items]`: each int selects (dropping a dim), each slice narrows, `None` inserts a dim,
/// `...` skips the dims no other entry names.
pub fn index(x: &Tensor, items: &[IndexItem]) -> Result<Tensor> {
    let consuming = items
        .iter()
        .filter(|i| matches!(i, IndexItem::Int(_) | IndexItem::Slice { .. }))
        .count();
    if items.iter().filter(|i| **i == IndexItem::Ellipsis).count() > 1 {
        return Err(Error::index(
            "an index can only have a single ellipsis ('...')",
        ));
    }
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
    let mut dim = 0i64;
    for (position, item) in items.iter().enumerate() {
        match *item {
            IndexItem::Int(i) => {
                // PyTorch names the index's position in the index tuple, not the tensor dim.
                let size = out.shape()[dim as usize] as i64;
                if i < -size || i >= size {
                    return Err(Error::index(format!(
                        "index {i} is out of bounds for dimension {position} with size {size}"
                    )));
                }
                out = select(&out, dim, i)?
            }
            IndexItem::Slice { start, stop, step } => {
                out = slice(&out, dim, start, stop, step)?;
                dim += 1;
            }
            IndexItem::NewAxis => {
                out = unsqueeze(&out, dim)?;
                dim += 1;
            }
            IndexItem::Ellipsis => dim += (x.ndim() - consuming) as i64,
        }
    }
    Ok(out)
}

/// `x[items] = value` (a tensor broadcast to the indexed region, or a number).
pub fn index_put(x: &Tensor, items: &[IndexItem], value: Rhs) -> Result<()> {
    let region = index(x, items)?;
    match value {
        Rhs::Tensor(t) => {
            // The value broadcasts to the region after dropping leading size-1 dims.
            let extra = t.ndim().saturating_sub(region.ndim());
            let t = if t.shape()[..extra].iter().all(|&d| d == 1) {
                reshape(t, &t.shape()[extra..])?
            } else {
                t.clone()
            };
            super::inplace::copy_(&region, &expand(&t, region.shape())?)
        }
        Rhs::Scalar(s) => super::inplace::fill_(&region, cast_scalar(s, x)),
    }
}

/// Assigning a float into an integer tensor truncates, as in PyTorch.
fn cast_scalar(s: Scalar, x: &Tensor) -> Scalar {
    if x.dtype().is_floating_point() {
        s
    } else {
        Scalar::Int(s.to_i64())
    }
}
