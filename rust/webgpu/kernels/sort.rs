//! Sorting along one dim by rank (`shaders/sort.wgsl`): `sort`, `topk` and the k-th
//! smallest element (`median`), stable, NaN largest. Each element compares itself with its
//! whole slice, so only slices up to [`MAX_LEN`] elements are sorted here.

use super::indexed::{run_kernel, Binding};
use super::word;
use crate::cpu::scan::split_at_dim;
use crate::error::Result;
use crate::tensor::{DType, Layout, Tensor};

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("sort", include_str!("../../../shaders/sort.wgsl"));

/// The longest slice the rank sort takes (its work grows with the square of the length).
pub const MAX_LEN: usize = 4096;

/// Sorted values and their int64 positions along `dim` of contiguous `x`; with `k`, only
/// the first `k` of every slice.
pub fn sort(
    x: &Tensor,
    dim: usize,
    descending: bool,
    k: Option<usize>,
) -> Result<(Tensor, Tensor)> {
    let n = x.shape().get(dim).copied().unwrap_or(1);
    ranked(x, dim, descending, k.unwrap_or(n), None)
}

/// The element at sorted position `k` of every slice along `dim` (a slice holding NaN gives
/// its first NaN) and its position; both drop `dim`.
pub fn kth_smallest(x: &Tensor, dim: usize, k: usize) -> Result<(Tensor, Tensor)> {
    let (values, indices) = ranked(x, dim, false, 1, Some(k))?;
    let mut shape = x.shape_dims();
    shape.remove(dim);
    let layout = Layout::contiguous(&shape);
    Ok((
        values.with_layout(layout.clone()),
        indices.with_layout(layout),
    ))
}

/// The rank kernel keeping ranks below `keep` (with `kth`, rank `kth` only, as rank 0).
fn ranked(
    x: &Tensor,
    dim: usize,
    descending: bool,
    keep: usize,
    kth: Option<usize>,
) -> Result<(Tensor, Tensor)> {
    let mut shape = x.shape_dims();
    let (n, inner) = if shape.is_empty() {
        (1, 1)
    } else {
        let (_, n, inner) = split_at_dim(x.shape(), dim);
        shape[dim] = keep;
        (n, inner)
    };
    let values = Tensor::empty(&shape, x.dtype(), x.device())?;
    let indices = Tensor::empty(&shape, DType::Int64, x.device())?;
    let params = [
        word(x.numel())?,
        word(n)?,
        word(inner)?,
        descending as u32,
        word(keep)?,
        kth.is_some() as u32,
        word(kth.unwrap_or(0))?,
    ];
    run_kernel(
        FAMILY,
        &["sort"],
        &params,
        x.numel(),
        &[Binding("out", &values), Binding("indices", &indices)],
        &[Binding("x", x)],
    )?;
    Ok((values, indices))
}
