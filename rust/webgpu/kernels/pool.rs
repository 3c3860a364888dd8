//! 2-D pooling (`shaders/pool.wgsl`): max pooling with the index of each maximum, average
//! pooling (adaptive too) over windows the host describes in a small table, its gradient
//! as a gather over the windows holding each input, and the plane gather / scatter-add
//! through saved indices that max pooling's gradients are. Operands are contiguous.

use super::indexed::{run_kernel, Binding};
use super::word;
use crate::error::Result;
use crate::ops::nn_pool::{AvgPoolWindows, Divisor, MaxPoolGeometry, Window};
use crate::tensor::{DType, Tensor};

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("pool", include_str!("../../../shaders/pool.wgsl"));

/// `[planes, h, w]` sizes of `shape`'s last two dims as parameter words 1..5 after `count`.
fn plane_params(count: usize, input: [usize; 2], output: [usize; 2]) -> Result<Vec<u32>> {
    let mut p = vec![word(count)?];
    for n in input.into_iter().chain(output) {
        p.push(word(n)?);
    }
    Ok(p)
}

/// `shape` with its last two dims replaced by `hw`.
fn with_plane(shape: &[usize], hw: [usize; 2]) -> Vec<usize> {
    let mut s = shape[..shape.len() - 2].to_vec();
    s.extend(hw);
    s
}

/// Max pooling of `x` (`[..., h, w]`): the maxima and their flat plane indices.
pub fn max_pool2d(x: &Tensor, g: &MaxPoolGeometry) -> Result<(Tensor, Tensor)> {
    let shape = with_plane(x.shape(), g.output);
    let values = Tensor::empty(&shape, x.dtype(), x.device())?;
    let indices = Tensor::empty(&shape, DType::Int64, x.device())?;
    let mut params = plane_params(values.numel(), g.input, g.output)?;
    for pair in [g.kernel, g.stride, g.padding, g.dilation] {
        params.extend([word(pair[0])?, word(pair[1])?]);
    }
    run_kernel(
        FAMILY,
        &["max_pool"],
        &params,
        values.numel(),
        &[Binding("out", &values), Binding("indices", &indices)],
        &[Binding("x", x)],
    )?;
    Ok((values, indices))
}

/// The table `avg_pool` reads: `lo, hi, padded` per output row then column; `avg_pool_grad`
/// also reads, per input row then column, the output rows (columns) whose windows hold it.
fn window_table(w: &AvgPoolWindows, with_inverse: bool) -> Result<Tensor> {
    let mut table = Vec::new();
    for win in w.rows.iter().chain(&w.cols) {
        for n in [win.lo, win.hi, win.padded] {
            table.push(word(n)? as i32);
        }
    }
    if with_inverse {
        for (windows, size) in [(&w.rows, w.input[0]), (&w.cols, w.input[1])] {
            for i in 0..size {
                let holds = |win: &Window| win.lo <= i && i < win.hi;
                let first = windows.iter().position(holds).unwrap_or(0);
                let last = windows.iter().rposition(holds).map_or(0, |l| l + 1);
                table.extend([word(first)? as i32, word(last)? as i32]);
            }
        }
    }
    let len = table.len();
    crate::webgpu::to_gpu(&Tensor::from_vec(table, &[len])?)
}

/// The divisor parameters (kind, fixed value) of `w`.
fn divisor_params(w: &AvgPoolWindows) -> [u32; 2] {
    match w.divisor {
        Divisor::Fixed(d) => [0, d as i32 as u32],
        Divisor::Padded => [1, 0],
        Divisor::Inside => [2, 0],
    }
}

/// Average pooling of `x` (`[..., h, w]`) over the windows `w` describes.
pub fn avg_pool2d(x: &Tensor, w: &AvgPoolWindows) -> Result<Tensor> {
    let output = [w.rows.len(), w.cols.len()];
    let out = Tensor::empty(&with_plane(x.shape(), output), x.dtype(), x.device())?;
    let mut params = plane_params(out.numel(), w.input, output)?;
    params.extend(divisor_params(w));
    let table = window_table(w, false)?;
    run_kernel(
        FAMILY,
        &["avg_divisor", "avg_pool"],
        &params,
        out.numel(),
        &[Binding("out", &out)],
        &[Binding("x", x), Binding("windows", &table)],
    )?;
    Ok(out)
}

/// The input gradient of [`avg_pool2d`] from the output gradient `g` (`[..., oh, ow]`).
pub fn avg_pool2d_backward(g: &Tensor, w: &AvgPoolWindows) -> Result<Tensor> {
    let output = [w.rows.len(), w.cols.len()];
    let out = Tensor::empty(&with_plane(g.shape(), w.input), g.dtype(), g.device())?;
    let mut params = plane_params(out.numel(), w.input, output)?;
    params.extend(divisor_params(w));
    let table = window_table(w, true)?;
    run_kernel(
        FAMILY,
        &["avg_divisor", "avg_pool_grad"],
        &params,
        out.numel(),
        &[Binding("out", &out)],
        &[Binding("g", g), Binding("windows", &table)],
    )?;
    Ok(out)
}

/// Sizes of the last two dims of `shape`, multiplied.
fn plane_size(shape: &[usize]) -> usize {
    shape[shape.len() - 2..].iter().product()
}

/// `out[p, k] = x[p, idx[p, k]]` for planes `p` of `x` (`[..., h, w]`) and flat plane
/// indices `idx` (`[..., oh, ow]`).
pub fn plane_gather(x: &Tensor, idx: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(idx.shape(), x.dtype(), x.device())?;
    let params = [
        word(out.numel())?,
        word(plane_size(x.shape()))?,
        0,
        word(plane_size(idx.shape()))?,
    ];
    run_kernel(
        FAMILY,
        &["plane_gather"],
        &params,
        out.numel(),
        &[Binding("out", &out)],
        &[Binding("x", x), Binding("idx", idx)],
    )?;
    Ok(out)
}

/// The adjoint of [`plane_gather`]: `out[p, idx[p, k]] += g[p, k]` onto zero planes of
/// size `plane`.
pub fn plane_scatter_add(g: &Tensor, idx: &Tensor, plane: [usize; 2]) -> Result<Tensor> {
    let out = Tensor::empty(&with_plane(g.shape(), plane), g.dtype(), g.device())?;
    let plane_out = plane[0] * plane[1];
    let planes = out.numel().checked_div(plane_out).unwrap_or(0);
    let params = [
        word(planes)?,
        word(plane_out)?,
        0,
        word(plane_size(idx.shape()))?,
    ];
    run_kernel(
        FAMILY,
        &["plane_scatter_add"],
        &params,
        planes,
        &[Binding("out", &out)],
        &[Binding("g", g), Binding("idx", idx)],
    )?;
    Ok(out)
}
