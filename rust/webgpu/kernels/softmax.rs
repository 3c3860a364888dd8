//! Softmax and log-softmax along one dim (`shaders/softmax.wgsl`), forward and the fused
//! backward: one workgroup per slice, so a slice is read from memory once per pass.

use super::{buffer, float_math, grid, launch, sections, shader, word};
use crate::error::Result;
use crate::tensor::Tensor;
use crate::webgpu::element::GpuElement;

const FILE: &str = include_str!("../../../shaders/softmax.wgsl");

/// The `[outer, n, inner]` sizes of contiguous `out` around `dim`, as parameter words.
fn params(out: &Tensor, dim: usize) -> Result<Vec<u32>> {
    let shape = out.shape();
    let (n, inner) = if shape.is_empty() {
        (1, 1)
    } else {
        (shape[dim], shape[dim + 1..].iter().product())
    };
    let slices = out.numel().checked_div(n).unwrap_or(0);
    Ok(vec![word(n)?, word(inner)?, word(slices)?, 0])
}

/// Records kernel `kernel` of the file (`log` picks the variant `fills` describe).
fn run(
    kernel: &str,
    log: bool,
    fills: &[(&str, &str)],
    out: &Tensor,
    inputs: &[&Tensor],
    dim: usize,
) -> Result<()> {
    let p = params(out, dim)?;
    if p[2] == 0 {
        return Ok(());
    }
    let e = GpuElement::of(out.dtype())?;
    let names = if inputs.len() == 1 {
        &["x"][..]
    } else {
        &["g", "y"][..]
    };
    let key = format!("softmax:{kernel}:{log}:{}", e.dtype.name());
    let source = || {
        let mut bindings = e.declare(1, "out", true);
        for (k, name) in names.iter().enumerate() {
            bindings += &e.declare(k as u32 + 2, name, false);
        }
        bindings += &float_math::prelude(e.value);
        let mut all = vec![("BINDINGS", bindings.as_str())];
        all.extend_from_slice(fills);
        shader(&sections(FILE, &[kernel]), &all)
    };
    let mut buffers = vec![buffer(out)];
    buffers.extend(inputs.iter().map(|t| buffer(t)));
    launch(&key, source, &p, &buffers, grid(p[2] as u64, 1)?)
}

/// `out = softmax(x)` (or log-softmax) along `dim`; both contiguous.
pub fn forward_into(x: &Tensor, dim: usize, log: bool, out: &Tensor) -> Result<()> {
    let store = if log {
        "out[at] = x[at] - m - f_log(total);"
    } else {
        "out[at] = f_exp(x[at] - m) / total;"
    };
    run("forward", log, &[("STORE", store)], out, &[x], dim)
}

/// The input gradient from the output gradient `g` and the output `y` (all contiguous):
/// `y (g - sum(g y))` for softmax, `g - e^y sum(g)` for log-softmax.
pub fn backward_into(g: &Tensor, y: &Tensor, dim: usize, log: bool, out: &Tensor) -> Result<()> {
    let (term, store) = if log {
        (
            "g[start + k * step]",
            "out[at] = g[at] - f_exp(y[at]) * total;",
        )
    } else {
        (
            "g[start + k * step] * y[start + k * step]",
            "out[at] = y[at] * (g[at] - total);",
        )
    };
    run(
        "backward",
        log,
        &[("TERM", term), ("STORE", store)],
        out,
        &[g, y],
        dim,
    )
}
