//! Sorting along one dim: `sort`, `topk` (the first `k` of a sort) and the `k`-th smallest
//! element (`median`). NaN orders after every number, as in PyTorch.

use std::cmp::Ordering;

use super::elementwise::to_contiguous_dtype;
use super::scan::split_at_dim;
use crate::error::Result;
use crate::tensor::{DType, Element, Tensor};
use crate::with_dtype;

/// Total order with NaN largest (NaNs tie with each other).
#[inline(always)]
fn ascending<T: Element>(a: T, b: T) -> Ordering {
    #[allow(clippy::eq_op)]
    let nan = |v: T| v != v;
    match (nan(a), nan(b)) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (a_nan, b_nan) => a_nan.cmp(&b_nan),
    }
}

/// Calls `f(slice)` for every slice of `x` along `dim`, copying it into a buffer of
/// (value, position) pairs; `f` leaves the pairs it wants written first. Returns the values
/// and int64 positions of the first `keep` pairs of every slice, in `x`'s shape with `dim`
/// of size `keep`.
fn per_slice<T: Element>(
    x: &Tensor,
    dim: usize,
    keep: usize,
    mut f: impl FnMut(&mut Vec<(T, usize)>),
) -> Result<(Tensor, Tensor)> {
    let x = to_contiguous_dtype(x, x.dtype())?;
    let mut shape = x.shape_dims();
    let (outer, n, inner) = split_at_dim(&shape, dim);
    shape[dim] = keep;
    let values = Tensor::empty(&shape, x.dtype(), x.device())?;
    let indices = Tensor::empty(&shape, DType::Int64, x.device())?;
    // SAFETY: all three are contiguous with the element counts used below.
    let src = unsafe { std::slice::from_raw_parts(x.cpu_ptr::<T>(), x.numel()) };
    let vals = unsafe { std::slice::from_raw_parts_mut(values.cpu_ptr::<T>(), values.numel()) };
    let idx = unsafe { std::slice::from_raw_parts_mut(indices.cpu_ptr::<i64>(), values.numel()) };
    let mut buf: Vec<(T, usize)> = Vec::with_capacity(n);
    for o in 0..outer {
        for j in 0..inner {
            buf.clear();
            buf.extend((0..n).map(|i| (src[(o * n + i) * inner + j], i)));
            f(&mut buf);
            for (r, &(v, i)) in buf.iter().take(keep).enumerate() {
                let at = (o * keep + r) * inner + j;
                vals[at] = v;
                idx[at] = i as i64;
            }
        }
    }
    Ok((values, indices))
}

/// Sorted values and their original positions along `dim` (stable); with `k`, only the
/// first `k` of every slice (the op layer checks `k <= size`).
pub fn sort(
    x: &Tensor,
    dim: usize,
    descending: bool,
    k: Option<usize>,
) -> Result<(Tensor, Tensor)> {
    let n = x.shape().get(dim).copied().unwrap_or(1);
    let keep = k.unwrap_or(n);
    with_dtype!(x.dtype(), T => per_slice::<T>(x, dim, keep, |buf| {
        let order = |a: &(T, usize), b: &(T, usize)| {
            let o = ascending(a.0, b.0);
            if descending { o.reverse() } else { o }
        };
        if keep == 0 {
            return;
        }
        if keep < buf.len() / 4 {
            // Only the first `keep` matter: partition, then sort that part.
            // Ties break by position, which is what a stable sort gives.
            let total = |a: &(T, usize), b: &(T, usize)| order(a, b).then(a.1.cmp(&b.1));
            buf.select_nth_unstable_by(keep - 1, total);
            buf[..keep].sort_unstable_by(total);
        } else {
            buf.sort_by(order);
        }
    }))
}

/// The element at sorted position `k` of every slice along `dim`, and its position; a slice
/// holding NaN gives its first NaN. Both results drop `dim`.
pub fn kth_smallest(x: &Tensor, dim: usize, k: usize) -> Result<(Tensor, Tensor)> {
    let (values, indices) = with_dtype!(x.dtype(), T => per_slice::<T>(x, dim, 1, |buf| {
        #[allow(clippy::eq_op)]
        if let Some(first_nan) = buf.iter().position(|p| p.0 != p.0) {
            buf.swap(0, first_nan);
            return;
        }
        buf.select_nth_unstable_by(k, |a, b| ascending(a.0, b.0).then(a.1.cmp(&b.1)));
        buf.swap(0, k);
    }))?;
    let mut shape = x.shape_dims();
    shape.remove(dim);
    let layout = crate::tensor::Layout::contiguous(&shape);
    Ok((
        values.with_layout(layout.clone()),
        indices.with_layout(layout),
    ))
}
