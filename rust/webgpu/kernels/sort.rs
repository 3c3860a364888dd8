//! Sorting along one dim by rank (`shaders/sort.wgsl`): `sort` and `topk`, stable, NaN
//! largest. Each element compares itself with its whole slice, so only slices up to
//! [`MAX_LEN`] elements are sorted here.

use super::indexed::{run_kernel, Binding};
use super::word;
use crate::cpu::scan::split_at_dim;
use crate::error::Result;
use crate::tensor::{DType, Tensor};

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
    let mut shape = x.shape_dims();
    let n = shape.get(dim).copied().unwrap_or(1);
    let keep = k.unwrap_or(n);
    if !shape.is_empty() {
        shape[dim] = keep;
    }
    let values = Tensor::empty(&shape, x.dtype(), x.device())?;
    let indices = Tensor::empty(&shape, DType::Int64, x.device())?;
    let (_, _, inner) = if shape.is_empty() {
        (1, 1, 1)
    } else {
        split_at_dim(x.shape(), dim)
    };
    let params = [
        word(x.numel())?,
        word(n)?,
        word(inner)?,
        descending as u32,
        word(keep)?,
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
