//! Scans along one dim (`shaders/scan.wgsl`): cumsum and cumprod, forward or from the end.

use super::indexed::{run_kernel, Binding};
use super::word;
use crate::cpu::scan::split_at_dim;
use crate::error::Result;
use crate::ops::kinds::ScanOp;
use crate::tensor::Tensor;

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("scan", include_str!("../../../shaders/scan.wgsl"));

/// Inclusive scan of contiguous `x` along `dim` (from the end when `reverse`).
pub fn scan(op: ScanOp, x: &Tensor, dim: usize, reverse: bool) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    if x.numel() == 0 {
        return Ok(out);
    }
    let (outer, n, inner) = split_at_dim(x.shape(), dim);
    let params = [
        word(outer * inner)?,
        word(n)?,
        word(inner)?,
        reverse as u32,
        (op == ScanOp::Prod) as u32,
    ];
    run_kernel(
        FAMILY,
        &["scan"],
        &params,
        outer * inner,
        &[Binding("out", &out)],
        &[Binding("x", x)],
    )?;
    Ok(out)
}
