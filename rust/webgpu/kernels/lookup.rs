//! Lookups by int64 indices (`shaders/lookup.wgsl`): embedding rows and their adjoint, the
//! nll loss and its adjoint. The forwards validate indices on the host first (a small
//! readback of the index tensor only), so bad input raises PyTorch's `IndexError` as on
//! the CPU; the adjoints take the indices their forward checked.

use super::indexed::{run_kernel, Binding};
use super::word;
use crate::cpu;
use crate::error::Result;
use crate::tensor::{DType, Scalar, Tensor};
use crate::webgpu::element::GpuElement;

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("lookup", include_str!("../../../shaders/lookup.wgsl"));

/// Rows `idx[k]` of a contiguous `[rows, dim]` table (shape `idx.shape + [dim]`).
pub fn rows_gather(table: &Tensor, idx: &Tensor) -> Result<Tensor> {
    let (rows, dim) = (table.shape()[0], table.shape()[1]);
    cpu::embedding::check_indices(&idx.to_vec::<i64>()?, rows)?;
    let mut shape = idx.shape().to_vec();
    shape.push(dim);
    let out = Tensor::empty(&shape, table.dtype(), table.device())?;
    run_kernel(
        FAMILY,
        &["rows_gather"],
        &[word(out.numel())?, word(dim)?],
        out.numel(),
        &[Binding("out", &out)],
        &[Binding("table", table), Binding("idx", idx)],
    )?;
    Ok(out)
}

/// The adjoint of [`rows_gather`]: `g`'s rows (contiguous, `idx.numel() * dim` values)
/// added into a zero `[rows, dim]` table. `idx` is the one the lookup checked.
pub fn rows_scatter_add(g: &Tensor, idx: &Tensor, rows: usize) -> Result<Tensor> {
    let dim = g.shape().last().copied().unwrap_or(1);
    let out = Tensor::empty(&[rows, dim], g.dtype(), g.device())?;
    run_kernel(
        FAMILY,
        &["rows_scatter_add"],
        &[word(dim)?, word(rows)?, word(idx.numel())?],
        dim,
        &[Binding("out", &out)],
        &[Binding("g", g), Binding("idx", idx)],
    )?;
    Ok(out)
}

/// Parameter words of the nll kernels: count, classes, inner size, then the ignored index
/// (a flag and two words; none when the index type cannot hold it, so no target equals it).
fn nll_params(count: usize, c: usize, s: usize, ignore_index: i64) -> Result<Vec<u32>> {
    let index = GpuElement::of(DType::Int64)?;
    let holds = !index.is_narrowed() || i32::try_from(ignore_index).is_ok();
    let words = index.words(Scalar::Int(if holds { ignore_index } else { 0 }))?;
    Ok(vec![
        word(count)?,
        word(c)?,
        word(s)?,
        holds as u32,
        words[0],
        words[1],
    ])
}

/// The class weights, or ones.
fn weights(weight: Option<&Tensor>, c: usize, like: &Tensor) -> Result<Tensor> {
    match weight {
        Some(w) => Ok(w.clone()),
        None => {
            let ones = Tensor::empty(&[c], like.dtype(), like.device())?;
            super::elementwise::fill(&ones, Scalar::Float(1.0))?;
            Ok(ones)
        }
    }
}

/// Per-element nll losses of contiguous `x` (`[n, c, s]`) and `target` (`[n, s]`), and
/// the per-element weights counted (0 where ignored), which the caller sums.
pub fn nll_loss(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    [n, c, s]: [usize; 3],
) -> Result<(Tensor, Tensor)> {
    cpu::nll_loss::classes_of(&target.to_vec::<i64>()?, c, ignore_index)?;
    let losses = Tensor::empty(&[n * s], x.dtype(), x.device())?;
    let counted = Tensor::empty(&[n * s], x.dtype(), x.device())?;
    let w = weights(weight, c, x)?;
    run_kernel(
        FAMILY,
        &["nll_ignore", "nll_loss"],
        &nll_params(n * s, c, s, ignore_index)?,
        n * s,
        &[Binding("out", &losses), Binding("counted", &counted)],
        &[
            Binding("x", x),
            Binding("targets", target),
            Binding("weight", &w),
        ],
    )?;
    Ok((losses, counted))
}

/// The adjoint of [`nll_loss`]'s per-element losses: `[n, c, s]` with `-weight[t] g[n, s]`
/// at each counted target, 0 elsewhere. `g` is contiguous, `[n * s]`; `target` is the one
/// the forward checked (a target outside the classes is never read as one).
pub fn nll_loss_backward(
    g: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    [n, c, s]: [usize; 3],
) -> Result<Tensor> {
    let out = Tensor::empty(&[n, c, s], g.dtype(), g.device())?;
    let w = weights(weight, c, g)?;
    run_kernel(
        FAMILY,
        &["nll_ignore", "nll_loss_grad"],
        &nll_params(out.numel(), c, s, ignore_index)?,
        out.numel(),
        &[Binding("out", &out)],
        &[
            Binding("g", g),
            Binding("targets", target),
            Binding("weight", &w),
        ],
    )?;
    Ok(out)
}

/// Scales each row of the float32 `table` that `idx` names, whose `p`-norm exceeds
/// `max_norm`, down to `max_norm`, in place (PyTorch's `embedding_renorm_`).
pub fn renorm_rows(table: &Tensor, idx: &Tensor, max_norm: f64, p: f64) -> Result<()> {
    let (rows, dim) = (table.shape()[0], table.shape()[1]);
    let mut listed = idx.to_vec::<i64>()?;
    cpu::embedding::check_indices(&listed, rows)?;
    listed.sort_unstable();
    listed.dedup();
    let count = listed.len();
    let distinct = crate::webgpu::to_gpu(&Tensor::from_vec(listed, &[count])?)?;
    let params = [
        word(count)?,
        word(dim)?,
        word(table.offset())?,
        word(table.strides()[0])?,
        word(table.strides()[1])?,
        (max_norm as f32).to_bits(),
        (p as f32).to_bits(),
    ];
    run_kernel(
        FAMILY,
        &["renorm_rows"],
        &params,
        count,
        &[Binding("out", table)],
        &[Binding("idx", &distinct)],
    )
}
