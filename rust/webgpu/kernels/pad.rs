//! Padding and its adjoint (`shaders/pad.wgsl`) through per-dim index tables the host
//! builds (small: one entry per index of each dim).

use super::indexed::{run_kernel, Binding};
use super::{word, MAX_DIMS};
use crate::error::{Error, Result};
use crate::ops::nn_pad::PadMode;
use crate::tensor::{contiguous_strides, Scalar, Tensor};

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("pad", include_str!("../../../shaders/pad.wgsl"));

/// Read from no input element: the fill value.
const NONE: u32 = u32::MAX;

/// Per dim, the input index each output index reads (`NONE` for the fill value).
fn tables(in_shape: &[usize], pads: &[[i64; 2]], mode: PadMode) -> Vec<Vec<u32>> {
    in_shape
        .iter()
        .zip(pads)
        .map(|(&n, &[before, after])| {
            let n = n as i64;
            (0..(n + before + after).max(0))
                .map(|o| {
                    let i = o - before;
                    let src = match mode {
                        PadMode::Constant(_) => i,
                        PadMode::Reflect if i < 0 => -i,
                        PadMode::Reflect if i >= n => 2 * (n - 1) - i,
                        PadMode::Replicate => i.clamp(0, n - 1),
                        PadMode::Circular => i.rem_euclid(n),
                        PadMode::Reflect => i,
                    };
                    if (0..n).contains(&src) {
                        src as u32
                    } else {
                        NONE
                    }
                })
                .collect()
        })
        .collect()
}

/// Parameter words 0..18 for walking `shape` with the other tensor's `strides`.
fn params(shape: &[usize], strides: &[usize]) -> Result<Vec<u32>> {
    if shape.len() > MAX_DIMS {
        return Err(Error::runtime(format!(
            "WebGPU: padding handles at most {MAX_DIMS} dims, got {}",
            shape.len()
        )));
    }
    let mut p = vec![0u32; 34];
    p[0] = word(shape.iter().product())?;
    p[1] = shape.len() as u32;
    for d in 0..shape.len() {
        p[2 + d] = word(shape[d])?;
        p[10 + d] = word(strides[d])?;
    }
    Ok(p)
}

/// `words` as a u32 table on the GPU (held in an int32 tensor).
fn upload(words: Vec<u32>) -> Result<Tensor> {
    let mut values: Vec<i32> = words.into_iter().map(|w| w as i32).collect();
    values.push(0);
    let len = values.len();
    crate::webgpu::to_gpu(&Tensor::from_vec(values, &[len])?)
}

/// `x` (contiguous) padded by `pads` (`[before, after]` per dim; negative crops).
pub fn pad(x: &Tensor, pads: &[[i64; 2]], mode: PadMode) -> Result<Tensor> {
    let t = tables(x.shape(), pads, mode);
    let shape: Vec<usize> = t.iter().map(Vec::len).collect();
    let out = Tensor::empty(&shape, x.dtype(), x.device())?;
    let mut p = params(&shape, &contiguous_strides(x.shape()))?;
    let mut plan = Vec::new();
    for (d, table) in t.iter().enumerate() {
        p[18 + d] = word(plan.len())?;
        plan.extend(table);
    }
    let fill = Tensor::empty(&[1], x.dtype(), x.device())?;
    let value = match mode {
        PadMode::Constant(v) => v,
        _ => Scalar::Int(0),
    };
    super::elementwise::fill(&fill, value)?;
    let plan = upload(plan)?;
    run_kernel(
        FAMILY,
        &["pad"],
        &p,
        out.numel(),
        &[Binding("out", &out)],
        &[
            Binding("x", x),
            Binding("fill", &fill),
            Binding("plan", &plan),
        ],
    )?;
    Ok(out)
}

/// The adjoint of [`pad`] in a non-constant mode: each element of `g` (contiguous) added
/// into the input element it was read from, over zeros of `in_shape`.
pub fn pad_backward(
    g: &Tensor,
    pads: &[[i64; 2]],
    mode: PadMode,
    in_shape: &[usize],
) -> Result<Tensor> {
    let out = Tensor::empty(in_shape, g.dtype(), g.device())?;
    let mut p = params(in_shape, &contiguous_strides(g.shape()))?;
    let mut plan = Vec::new();
    let mut lists = Vec::new();
    for (d, table) in tables(in_shape, pads, mode).iter().enumerate() {
        // Per input index, the output indices reading it: starts, then the lists.
        let mut readers = vec![Vec::new(); in_shape[d]];
        for (o, &src) in table.iter().enumerate() {
            if src != NONE {
                readers[src as usize].push(word(o)?);
            }
        }
        p[18 + d] = word(plan.len())?;
        let mut start = 0;
        for r in &readers {
            plan.push(word(start)?);
            start += r.len();
        }
        plan.push(word(start)?);
        lists.push(readers.concat());
    }
    for (d, list) in lists.into_iter().enumerate() {
        p[26 + d] = word(plan.len())?;
        plan.extend(list);
    }
    let plan = upload(plan)?;
    run_kernel(
        FAMILY,
        &["pad_grad"],
        &p,
        out.numel(),
        &[Binding("out", &out)],
        &[Binding("g", g), Binding("plan", &plan)],
    )?;
    Ok(out)
}
