//! Gathers and scatters through int64 index tensors (`shaders/index.wgsl`). The host reads
//! the index tensors (not the data), checks them with the CPU's rules and messages, and
//! uploads the storage offsets they select; the GPU moves the data.

use super::indexed::{run_kernel, Binding};
use super::{word, MAX_DIMS};
use crate::cpu::index::grid_offsets;
use crate::cpu::strided::{coalesce, offsets};
use crate::error::{Error, Result};
use crate::tensor::{Device, Tensor};

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("index", include_str!("../../../shaders/index.wgsl"));

/// `words` as a u32 table on the GPU (held in an int32 tensor).
fn upload(words: Vec<u32>) -> Result<Tensor> {
    let len = words.len().max(1);
    let mut values: Vec<i32> = words.into_iter().map(|w| w as i32).collect();
    values.resize(len, 0);
    crate::webgpu::to_gpu(&Tensor::from_vec(values, &[len])?)
}

/// The storage offsets (from the indexed tensor's first element) the grid positions select,
/// computed from host copies of `indices`.
fn selected(t: &Tensor, indices: &[Tensor], wrap: bool) -> Result<Vec<u32>> {
    let host: Vec<Tensor> = indices
        .iter()
        .map(|i| crate::ops::backend::to_device(i, Device::Cpu))
        .collect::<Result<_>>()?;
    let grid = indices.first().map_or(&[][..], |i| i.shape());
    grid_offsets(t.layout(), &host, grid, wrap)?
        .into_iter()
        .map(word)
        .collect()
}

/// Parameter words 0..30: counts, offsets, and the block's merged shape and strides (of the
/// indexed tensor `t` from dim `k` on, and of `values` from dim `vk` on).
fn params(
    count: usize,
    t: &Tensor,
    k: usize,
    values: Option<(&Tensor, usize)>,
) -> Result<Vec<u32>> {
    let shape = &t.shape()[k..];
    let value_strides = values.map_or(t.strides()[k..].to_vec(), |(v, vk)| {
        v.strides()[vk..].to_vec()
    });
    let (sizes, [ts, vs]) = coalesce(shape, [&t.strides()[k..], &value_strides]);
    if sizes.len() > MAX_DIMS {
        return Err(Error::runtime(format!(
            "WebGPU: index kernels handle at most {MAX_DIMS} non-mergeable dims, got {}",
            sizes.len()
        )));
    }
    let mut p = vec![0u32; 34];
    p[0] = word(count)?;
    p[1] = word(shape.iter().product())?;
    p[2] = sizes.len() as u32;
    p[3] = word(t.offset())?;
    p[4] = word(values.map_or(0, |(v, _)| v.offset()))?;
    for d in 0..sizes.len() {
        p[6 + d] = word(sizes[d])?;
        p[14 + d] = word(ts[d])?;
        p[22 + d] = word(vs[d])?;
    }
    Ok(p)
}

/// `src[indices..]` into the contiguous `out` (shape `grid ++ src.shape[k..]`).
pub fn index_into(src: &Tensor, indices: &[Tensor], wrap: bool, out: &Tensor) -> Result<()> {
    let table = upload(selected(src, indices, wrap)?)?;
    run_kernel(
        FAMILY,
        &["gather"],
        &params(out.numel(), src, indices.len(), None)?,
        out.numel(),
        &[Binding("out", out)],
        &[Binding("src", src), Binding("plan", &table)],
    )
}

/// `dst[indices..] = values` (`+=` with `accumulate`); `values` has the shape
/// `grid ++ dst.shape[k..]` and `dst`'s dtype. Repeated positions: the last write wins, or
/// all add up in grid order.
pub fn index_put(
    dst: &Tensor,
    indices: &[Tensor],
    values: &Tensor,
    accumulate: bool,
    wrap: bool,
) -> Result<()> {
    let targets = selected(dst, indices, wrap)?;
    let grid = indices.first().map_or(&[][..], |i| i.shape());
    let value_starts = offsets(grid, &values.strides()[..grid.len()]);
    // Grid positions grouped by destination, each group in grid order.
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by_key(|&g| targets[g]);
    let mut dests = Vec::new();
    let mut starts = Vec::new();
    for (m, &g) in order.iter().enumerate() {
        if dests.last() != Some(&targets[g]) {
            dests.push(targets[g]);
            starts.push(word(m)?);
        }
    }
    starts.push(word(order.len())?);
    let d = dests.len();
    let mut table = dests;
    table.extend(starts);
    let members_at = table.len();
    for &g in &order {
        table.push(word(g)?);
    }
    let values_at = table.len();
    for v in value_starts {
        table.push(word(v)?);
    }
    let mut p = params(0, dst, indices.len(), Some((values, grid.len())))?;
    let count = d * p[1] as usize;
    p[0] = word(count)?;
    p[5] = word(d)?;
    p[30] = accumulate as u32;
    p[31] = word(d)?;
    p[32] = word(members_at)?;
    p[33] = word(values_at)?;
    let table = upload(table)?;
    run_kernel(
        FAMILY,
        &["scatter"],
        &p,
        count,
        &[Binding("out", dst)],
        &[Binding("values", values), Binding("plan", &table)],
    )
}
