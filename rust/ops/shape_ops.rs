//! Shape ops beyond plain views: `flatten`/`unflatten`, `movedim`, `repeat`/`tile`, `flip`,
//! `roll`, `narrow`, `tril`/`triu`, `diagonal` and `diag`. The ones PyTorch returns as views
//! (`unflatten`, `movedim`, `narrow`, `diagonal`) share storage here too.

use smallvec::smallvec;

use super::backend;
use super::creation::{arange, full, zeros};
use super::gather::on_axis;
use super::kinds::{BinaryOp, CompareOp};
use super::reduce::sum_dims;
use super::view::{permute, region_view, reshape, slice, view, view_scatter};
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{wrap_dim, wrap_dims, DType, Dims, Layout, Scalar, Tensor};

/// `flatten(start_dim, end_dim)`: dims `start..=end` merged into one; `x` itself when that
/// changes nothing, as in PyTorch.
pub fn flatten(x: &Tensor, start_dim: i64, end_dim: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        return reshape(x, &[1]);
    }
    let (s, e) = (wrap_dim(start_dim, x.ndim())?, wrap_dim(end_dim, x.ndim())?);
    if s > e {
        return Err(Error::runtime(
            "flatten() has invalid args: start_dim cannot come after end_dim",
        ));
    }
    if s == e {
        return Ok(x.clone());
    }
    let shape = x.shape();
    let mut new_shape: Dims = shape[..s].into();
    new_shape.push(shape[s..=e].iter().product());
    new_shape.extend_from_slice(&shape[e + 1..]);
    reshape(x, &new_shape)
}

/// `unflatten(dim, sizes)`: dim `dim` split into `sizes` (one of which may be -1); a view.
pub fn unflatten(x: &Tensor, dim: i64, sizes: &[i64]) -> Result<Tensor> {
    let d = wrap_dim(dim, x.ndim())?;
    if sizes.is_empty() {
        return Err(Error::runtime("unflatten: sizes must be non-empty"));
    }
    if sizes.iter().filter(|&&s| s == -1).count() > 1 {
        return Err(Error::runtime("only one dimension can be inferred"));
    }
    let size = x.shape().get(d).copied().unwrap_or(1);
    let known: i64 = sizes.iter().filter(|&&s| s != -1).product();
    let mismatch = || {
        let parts: Vec<String> = sizes.iter().map(|s| s.to_string()).collect();
        Error::runtime(format!(
            "unflatten: Provided sizes [{}] don't multiply up to the size of dim {dim} ({size}) in the input tensor",
            parts.join(", ")
        ))
    };
    let mut resolved = Dims::new();
    for &s in sizes {
        resolved.push(match s {
            -1 if known != 0 && size as i64 % known == 0 => (size as i64 / known) as usize,
            s if s >= 0 => s as usize,
            _ => return Err(mismatch()),
        });
    }
    if resolved.iter().product::<usize>() != size {
        return Err(mismatch());
    }
    let mut shape: Dims = x.shape()[..d].into();
    shape.extend_from_slice(&resolved);
    shape.extend_from_slice(&x.shape()[(d + 1).min(x.ndim())..]);
    view(x, &shape)
}

/// `movedim(source, destination)`: dims `source[i]` end up at `destination[i]`, the others
/// keep their order; a view.
pub fn movedim(x: &Tensor, source: &[i64], destination: &[i64]) -> Result<Tensor> {
    if source.len() != destination.len() {
        return Err(Error::runtime(format!(
            "movedim: Invalid source or destination dims: source ({} dims) should contain the same number of dims as destination ({} dims)",
            list_str(source),
            list_str(destination)
        )));
    }
    let n = x.ndim();
    let wrap = |dims: &[i64], what: &str| -> Result<Vec<usize>> {
        let wrapped: Vec<usize> = dims
            .iter()
            .map(|&d| wrap_dim(d, n))
            .collect::<Result<_>>()?;
        let mut seen = wrapped.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != wrapped.len() {
            return Err(Error::runtime(format!(
                "movedim: repeated dim in `{what}` ({})",
                list_str(dims)
            )));
        }
        Ok(wrapped)
    };
    let (src, dst) = (wrap(source, "source")?, wrap(destination, "destination")?);
    let mut order: Vec<Option<usize>> = vec![None; n.max(1)];
    for (&s, &d) in src.iter().zip(&dst) {
        order[d] = Some(s);
    }
    let mut rest = (0..n).filter(|d| !src.contains(d));
    let dims: Vec<i64> = order
        .into_iter()
        .take(n)
        .map(|o| o.or_else(|| rest.next()).unwrap_or(0) as i64)
        .collect();
    permute(x, &dims)
}

fn list_str(v: &[i64]) -> String {
    let parts: Vec<String> = v.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// `repeat(*sizes)`: `x` tiled `sizes[i]` times along each dim (new leading dims when
/// `sizes` is longer than `x.shape`).
pub fn repeat(x: &Tensor, reps: &[i64]) -> Result<Tensor> {
    if reps.len() < x.ndim() {
        return Err(Error::runtime(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
        ));
    }
    let lead = reps.len() - x.ndim();
    let padded = |i: usize| {
        if i < lead {
            (1, 0)
        } else {
            (x.shape()[i - lead], x.strides()[i - lead])
        }
    };
    let target: Vec<i64> = (0..reps.len())
        .map(|i| reps[i] * padded(i).0 as i64)
        .collect();
    if target.iter().any(|&t| t < 0) {
        return Err(Error::runtime(format!(
            "Trying to create tensor with negative dimension {}: {}",
            target.iter().find(|&&t| t < 0).copied().unwrap_or(0),
            list_str(&target)
        )));
    }
    // Each dim i becomes the pair (reps[i], size[i]); the source repeats with stride 0.
    let pairs: Dims = (0..reps.len())
        .flat_map(|i| [reps[i] as usize, padded(i).0])
        .collect();
    let source = x.with_layout(Layout {
        shape: pairs.clone(),
        strides: (0..reps.len()).flat_map(|i| [0, padded(i).1]).collect(),
        offset: x.offset(),
    });
    let shape: Dims = target.iter().map(|&t| t as usize).collect();
    let out = Tensor::empty(&shape, x.dtype(), x.device())?;
    backend::copy_into(&source, &out.with_layout(Layout::contiguous(&pairs)))?;
    if is_recording(&[x]) {
        record(
            ShapeBackward::Repeat {
                in_shape: x.shape_dims(),
                pairs,
            },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `tile(dims)`: `repeat` with `dims` padded with leading ones to `x`'s rank.
pub fn tile(x: &Tensor, reps: &[i64]) -> Result<Tensor> {
    let mut padded = vec![1i64; x.ndim().saturating_sub(reps.len())];
    padded.extend_from_slice(reps);
    repeat(x, &padded)
}

/// A copy of `x` whose element along each of the dims up to `last` comes from the positions
/// `positions(axis)` (an arange `start..start + size`, stepping by ±1; negative positions
/// count from the end).
fn reindexed(
    x: &Tensor,
    last: usize,
    positions: impl Fn(usize, usize) -> (i64, i64),
) -> Result<Tensor> {
    let grid = &x.shape()[..=last];
    let indices = (0..=last)
        .map(|axis| {
            let (start, step) = positions(axis, grid[axis]);
            let end = start + step * grid[axis] as i64;
            let p = arange(
                Scalar::Int(start),
                Scalar::Int(end),
                Scalar::Int(step),
                DType::Int64,
                x.device(),
            )?;
            Ok(on_axis(&p, axis, grid))
        })
        .collect::<Result<Vec<_>>>()?;
    backend::index(x, &indices, true)
}

/// `flip(dims)`: the order of elements reversed along `dims`.
pub fn flip(x: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let dims = wrap_dims(dims, x.ndim())?;
    let out = match dims.iter().max() {
        Some(&last) if x.ndim() > 0 => reindexed(x, last, |axis, n| {
            if dims.contains(&axis) {
                (n as i64 - 1, -1)
            } else {
                (0, 1)
            }
        })?,
        _ => backend::copy(x)?,
    };
    if is_recording(&[x]) {
        record(
            ShapeBackward::Flip { dims },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `roll(shifts, dims)`: elements moved `shifts[i]` places along `dims[i]`, wrapping around;
/// without dims, over the flattened tensor.
pub fn roll(x: &Tensor, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
    if shifts.is_empty() {
        return Err(Error::runtime("`shifts` required"));
    }
    if dims.is_empty() && shifts.len() != 1 || !dims.is_empty() && shifts.len() != dims.len() {
        return Err(Error::runtime(format!(
            "shifts and dimensions must align. shifts: {}, dims:{}",
            shifts.len(),
            dims.len()
        )));
    }
    let wrapped: Dims = dims
        .iter()
        .map(|&d| wrap_dim(d, x.ndim()))
        .collect::<Result<_>>()?;
    let rolled = |t: &Tensor, along: &[usize]| -> Result<Tensor> {
        match along.iter().max() {
            Some(&last) if t.ndim() > 0 => reindexed(t, last, |axis, n| {
                let total: i64 = along
                    .iter()
                    .zip(shifts)
                    .filter(|(&a, _)| a == axis)
                    .map(|(_, &s)| s)
                    .sum();
                (-total.rem_euclid(n.max(1) as i64), 1)
            }),
            _ => backend::copy(t),
        }
    };
    let out = if dims.is_empty() {
        let flat = backend::contiguous_as(x, x.dtype())?;
        let flat = flat.with_layout(Layout::contiguous(&[x.numel()]));
        let r = rolled(&flat, &[0])?;
        r.with_layout(Layout::contiguous(x.shape()))
    } else {
        rolled(x, &wrapped)?
    };
    if is_recording(&[x]) {
        record(
            ShapeBackward::Roll {
                shifts: shifts.to_vec(),
                dims: dims.to_vec(),
            },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `narrow(dim, start, length)`: `length` elements from `start` along `dim`; a view.
pub fn narrow(x: &Tensor, dim: i64, start: i64, length: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        return Err(Error::runtime(
            "narrow() cannot be applied to a 0-dim tensor.",
        ));
    }
    if length < 0 {
        return Err(Error::runtime("narrow(): length must be non-negative."));
    }
    let d = wrap_dim(dim, x.ndim())?;
    let size = x.shape()[d] as i64;
    if start < -size || start > size {
        return Err(Error::index(format!(
            "start out of range (expected to be in range of [{}, {size}], but got {start})",
            -size
        )));
    }
    let start = if start < 0 { start + size } else { start };
    if start + length > size {
        return Err(Error::runtime(format!(
            "start ({start}) + length ({length}) exceeds dimension size ({size})."
        )));
    }
    slice(x, d as i64, Some(start), Some(start + length), 1)
}

/// `tril(diagonal)` (`lower`) or `triu(diagonal)`: the matrices of `x` with the elements
/// above (below) the given diagonal zeroed.
pub fn triangle(x: &Tensor, diagonal: i64, lower: bool) -> Result<Tensor> {
    let name = if lower { "tril" } else { "triu" };
    if x.ndim() < 2 {
        return Err(Error::runtime(format!(
            "{name}: input tensor must have at least 2 dimensions"
        )));
    }
    let (rows, cols) = (x.shape()[x.ndim() - 2], x.shape()[x.ndim() - 1]);
    let grid = [rows, cols];
    let position = |axis: usize| -> Result<Tensor> {
        let n = Scalar::Int(grid[axis] as i64);
        let p = arange(Scalar::Int(0), n, Scalar::Int(1), DType::Int64, x.device())?;
        Ok(on_axis(&p, axis, &grid))
    };
    let above = backend::binary(BinaryOp::Sub, &position(1)?, &position(0)?)?;
    let k = full(&[], Scalar::Int(diagonal), DType::Int64, x.device())?;
    let op = if lower { CompareOp::Le } else { CompareOp::Ge };
    let keep = backend::compare(op, &above, &k)?;
    let out = backend::where_(&keep, x, &zeros(&[], x.dtype(), x.device())?)?;
    if is_recording(&[x]) {
        record(
            ShapeBackward::Triangle { diagonal, lower },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// The layout of the diagonal `offset` of dims `d1`, `d2` of `l`: those dims removed and
/// the diagonal appended as the last dim.
fn diagonal_layout(l: &Layout, offset: i64, d1: usize, d2: usize) -> Layout {
    let (n1, n2) = (l.shape[d1] as i64, l.shape[d2] as i64);
    let len = if offset >= 0 {
        n1.min(n2 - offset)
    } else {
        (n1 + offset).min(n2)
    }
    .max(0) as usize;
    let mut out = Layout {
        shape: Dims::new(),
        strides: Dims::new(),
        offset: l.offset,
    };
    if len > 0 {
        out.offset += if offset >= 0 {
            offset as usize * l.strides[d2]
        } else {
            (-offset) as usize * l.strides[d1]
        };
    }
    for d in (0..l.ndim()).filter(|&d| d != d1 && d != d2) {
        out.shape.push(l.shape[d]);
        out.strides.push(l.strides[d]);
    }
    out.shape.push(len);
    out.strides.push(l.strides[d1] + l.strides[d2]);
    out
}

/// `diagonal(offset, dim1, dim2)`: a view of the diagonal, as the last dim.
pub fn diagonal(x: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let (d1, d2) = (wrap_dim(dim1, x.ndim())?, wrap_dim(dim2, x.ndim())?);
    if d1 == d2 {
        return Err(Error::runtime(format!(
            "diagonal dimensions cannot be identical {dim1}, {dim2}"
        )));
    }
    region_view(x, "DiagonalBackward0", |l| {
        diagonal_layout(l, offset, d1, d2)
    })
}

/// `diag(diagonal)`: a vector becomes the matrix with it on that diagonal; a matrix gives
/// (a copy of) its diagonal.
pub fn diag(x: &Tensor, offset: i64) -> Result<Tensor> {
    match x.ndim() {
        1 => {
            let m = x.shape()[0] + offset.unsigned_abs() as usize;
            let out = zeros(&[m, m], x.dtype(), x.device())?;
            let region = diagonal_layout(out.layout(), offset, 0, 1);
            backend::copy_into(x, &out.with_layout(region))?;
            if is_recording(&[x]) {
                record(
                    ShapeBackward::DiagEmbed { offset },
                    &[Some(x)],
                    smallvec![],
                    &[&out],
                )?;
            }
            Ok(out)
        }
        2 => {
            let rel = diagonal_layout(&Layout::contiguous(x.shape()), offset, 0, 1);
            let out = backend::copy(&x.with_layout(diagonal_layout(x.layout(), offset, 0, 1)))?;
            if is_recording(&[x]) {
                record(
                    ShapeBackward::DiagonalCopy {
                        in_shape: x.shape_dims(),
                        rel,
                    },
                    &[Some(x)],
                    smallvec![],
                    &[&out],
                )?;
            }
            Ok(out)
        }
        n => Err(Error::runtime(format!(
            "diag(): Supports 1D or 2D tensors. Got {n}D"
        ))),
    }
}

/// Backward formulas of the copying shape ops.
enum ShapeBackward {
    Repeat { in_shape: Dims, pairs: Dims },
    Flip { dims: Dims },
    Roll { shifts: Vec<i64>, dims: Vec<i64> },
    Triangle { diagonal: i64, lower: bool },
    DiagEmbed { offset: i64 },
    DiagonalCopy { in_shape: Dims, rel: Layout },
}

impl Backward for ShapeBackward {
    fn name(&self) -> &str {
        match self {
            ShapeBackward::Repeat { .. } => "RepeatBackward0",
            ShapeBackward::Flip { .. } => "FlipBackward0",
            ShapeBackward::Roll { .. } => "RollBackward0",
            ShapeBackward::Triangle { lower: true, .. } => "TrilBackward0",
            ShapeBackward::Triangle { lower: false, .. } => "TriuBackward0",
            ShapeBackward::DiagEmbed { .. } => "DiagEmbedBackward0",
            ShapeBackward::DiagonalCopy { .. } => "DiagonalBackward0_copy",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let grad = match self {
            ShapeBackward::Repeat { in_shape, pairs } => {
                let reps: Vec<i64> = (0..pairs.len()).step_by(2).map(|i| i as i64).collect();
                let summed = sum_dims(&reshape(g, pairs)?, Some(&reps), false)?;
                reshape(&summed, in_shape)?
            }
            ShapeBackward::Flip { dims } => {
                let dims: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
                flip(g, &dims)?
            }
            ShapeBackward::Roll { shifts, dims } => {
                let back: Vec<i64> = shifts.iter().map(|s| -s).collect();
                roll(g, &back, dims)?
            }
            ShapeBackward::Triangle { diagonal, lower } => triangle(g, *diagonal, *lower)?,
            ShapeBackward::DiagEmbed { offset } => diagonal(g, *offset, 0, 1)?,
            ShapeBackward::DiagonalCopy { in_shape, rel } => view_scatter(g, in_shape, rel)?,
        };
        Ok(smallvec![Some(grad)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagonal_layouts() {
        let l = Layout::contiguous(&[3, 4]);
        let d = diagonal_layout(&l, 1, 0, 1);
        assert_eq!(
            (d.shape.as_slice(), d.strides.as_slice(), d.offset),
            (&[3][..], &[5][..], 1)
        );
        let d = diagonal_layout(&l, -2, 0, 1);
        assert_eq!((d.shape.as_slice(), d.offset), (&[1][..], 8));
        assert_eq!(diagonal_layout(&l, 9, 0, 1).shape.as_slice(), &[0]);
    }

    #[test]
    fn narrow_checks_its_bounds() {
        let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]).unwrap();
        assert_eq!(
            narrow(&x, 0, 2, 2).unwrap_err().message,
            "start (2) + length (2) exceeds dimension size (3)."
        );
        assert_eq!(
            narrow(&x, 0, -1, 1).unwrap().to_vec::<f32>().unwrap(),
            vec![3.0]
        );
    }
}
