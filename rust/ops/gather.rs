//! Reading through index tensors along one dim: `gather`, `take_along_dim`, `index_select`.
//! Each becomes one call of the backend's `index` kernel (see [`along_dim`]); their
//! backwards are the scatters of `scatter.rs`, whose backwards are these again.

use smallvec::smallvec;

use super::backend;
use super::creation::arange;
use super::scatter::{index_add, scatter_add};
use super::view::{expand, reshape};
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, ErrorKind, Result};
use crate::tensor::{broadcast_shapes, shape_str, wrap_dim, DType, Dims, Layout, Scalar, Tensor};

/// Index tensors as the kernels take them: int64 (int32 is converted; data only).
pub(crate) fn as_int64(index: &Tensor) -> Result<Tensor> {
    super::arith::cast(index, DType::Int64)
}

/// The 1-D tensor `t` seen along `axis` of `grid` (stride 0 on every other axis).
pub(crate) fn on_axis(t: &Tensor, axis: usize, grid: &[usize]) -> Tensor {
    let mut strides: Dims = smallvec![0; grid.len()];
    strides[axis] = t.strides().first().copied().unwrap_or(0);
    t.with_layout(Layout {
        shape: grid.into(),
        strides,
        offset: t.offset(),
    })
}

/// `0, 1, ..., grid[axis] - 1` along `axis` of `grid`.
pub(crate) fn axis_positions(
    axis: usize,
    grid: &[usize],
    device: crate::tensor::Device,
) -> Result<Tensor> {
    let n = Scalar::Int(grid[axis] as i64);
    let positions = arange(Scalar::Int(0), n, Scalar::Int(1), DType::Int64, device)?;
    Ok(on_axis(&positions, axis, grid))
}

/// The kernel indices that pick `index` (shaped like `grid`) along `dim` and every position
/// of the grid's other axes: `out[.., i, ..] = src[.., index[.., i, ..], ..]`.
pub(crate) fn along_dim(index: &Tensor, dim: usize) -> Result<Vec<Tensor>> {
    let grid = index.shape();
    (0..grid.len())
        .map(|axis| {
            if axis == dim {
                Ok(index.clone())
            } else {
                axis_positions(axis, grid, index.device())
            }
        })
        .collect()
}

/// Runs a kernel call whose out-of-range error PyTorch reports as a `RuntimeError`.
pub(crate) fn runtime_kind<T>(r: Result<T>) -> Result<T> {
    r.map_err(|e| match e.kind {
        ErrorKind::Index => Error::runtime(e.message),
        _ => e,
    })
}

/// `x` and `index` seen with at least one dim (PyTorch treats 0-d as 1-D here).
fn at_least_1d(t: &Tensor) -> Tensor {
    if t.ndim() == 0 {
        t.with_layout(t.layout().unsqueeze(0))
    } else {
        t.clone()
    }
}

/// PyTorch's checks shared by `gather` and the scatters: an int32/int64 index with the input's
/// number of dims, no larger than `x` outside `dim` (and than `src`, when given).
pub(crate) fn check_dim_index(
    op: &str,
    x: &Tensor,
    dim: usize,
    index: &Tensor,
    src: Option<&Tensor>,
) -> Result<()> {
    if !matches!(index.dtype(), DType::Int64 | DType::Int32) {
        return Err(Error::runtime(format!(
            "{op}(): Expected dtype int32/int64 for index"
        )));
    }
    if index.ndim().max(1) != x.ndim().max(1) {
        let what = if src.is_some() { "self" } else { "input" };
        return Err(Error::runtime(format!(
            "Index tensor must have the same number of dimensions as {what} tensor"
        )));
    }
    let (xi, ii) = (at_least_1d(x), at_least_1d(index));
    for d in 0..ii.ndim() {
        let too_big = (d != dim && ii.shape()[d] > xi.shape()[d])
            || src.is_some_and(|s| ii.shape()[d] > at_least_1d(s).shape()[d]);
        if too_big {
            return Err(Error::runtime(match src {
                None => format!(
                    "Size does not match at dimension {d} expected index {} to be no larger than self {} apart from dimension {dim}",
                    shape_str(ii.shape()),
                    shape_str(xi.shape())
                ),
                Some(s) => format!(
                    "Expected index {} to be no larger than self {} apart from dimension {dim} and to be no larger size than src {}",
                    shape_str(ii.shape()),
                    shape_str(xi.shape()),
                    shape_str(at_least_1d(s).shape())
                ),
            }));
        }
    }
    Ok(())
}

/// `x.gather(dim, index)`: `out[i][j][k] = x[index[i][j][k]][j][k]` for `dim == 0`.
pub fn gather(x: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let d = wrap_dim(dim, x.ndim())?;
    check_dim_index("gather", x, d, index, None)?;
    let index = as_int64(index)?;
    let ii = at_least_1d(&index);
    let out = runtime_kind(backend::index(&at_least_1d(x), &along_dim(&ii, d)?, false))?;
    let out = out.with_layout(Layout::contiguous(index.shape()));
    if is_recording(&[x]) {
        record(
            GatherBackward {
                dim: d,
                in_shape: x.shape_dims(),
            },
            &[Some(x)],
            smallvec![Some(SavedTensor::input(&index))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `take_along_dim(x, indices, dim)`: `gather` with `x` and `indices` broadcast against
/// each other outside `dim`; without `dim`, over the flattened input.
pub fn take_along_dim(x: &Tensor, indices: &Tensor, dim: Option<i64>) -> Result<Tensor> {
    let Some(dim) = dim else {
        return gather(
            &reshape(x, &[x.numel()])?,
            0,
            &reshape(indices, &[indices.numel()])?,
        );
    };
    if indices.dtype() != DType::Int64 {
        return Err(Error::runtime(format!(
            "ferrograd.take_along_dim(): dtype of indices should be Long but got {}",
            indices.dtype().scalar_type_name()
        )));
    }
    if x.ndim() != indices.ndim() {
        return Err(Error::runtime(format!(
            "ferrograd.take_along_dim(): input and indices should have the same number of dimensions, but got {} dimensions for input, and {} dimensions for indices",
            x.ndim(),
            indices.ndim()
        )));
    }
    let d = wrap_dim(dim, x.ndim())?;
    let mut x_shape = x.shape_dims();
    if x.ndim() > 0 {
        x_shape[d] = indices.shape()[d];
    }
    let index_shape = broadcast_shapes(&x_shape, indices.shape())?;
    let mut x_shape = index_shape.clone();
    if x.ndim() > 0 {
        x_shape[d] = x.shape()[d];
    }
    gather(
        &expand(x, &x_shape)?,
        d as i64,
        &expand(indices, &index_shape)?,
    )
}

/// PyTorch's checks on the index of `index_select`/`index_add`: a vector of int32/int64.
pub(crate) fn check_vector_index(op: &str, index: &Tensor) -> Result<()> {
    if index.ndim() > 1 {
        return Err(Error::index(match op {
            "index_select" => "index_select(): Index is supposed to be a vector".to_string(),
            _ => format!(
                "{op}(): Index is supposed to be a vector, but got dim: {} with type: {} and size: {}",
                index.ndim(),
                index.dtype().scalar_type_name(),
                shape_str(index.shape())
            ),
        }));
    }
    if !matches!(index.dtype(), DType::Int64 | DType::Int32) {
        return Err(Error::runtime(match op {
            "index_select" => "index_select(): Expected dtype int32 or int64 for index".to_string(),
            _ => format!(
                "{op}(): Expected dtype int32/int64 for index but got: {}",
                index.dtype().scalar_type_name()
            ),
        }));
    }
    Ok(())
}

/// The kernel indices that pick the 1-D `index` along `dim` of `shape` (whole dims before
/// it; the dims after it ride along as the kernel's copied block).
pub(crate) fn select_along(index: &Tensor, dim: usize, shape: &[usize]) -> Result<Vec<Tensor>> {
    let mut grid: Dims = shape[..dim].into();
    grid.push(index.numel());
    along_dim(&on_axis(index, dim, &grid), dim)
}

/// Maps a kernel's out-of-range error to `index_select`'s and `index_add`'s message.
pub(crate) fn out_of_range_in_self<T>(r: Result<T>) -> Result<T> {
    r.map_err(|e| match e.kind {
        ErrorKind::Index => Error::index("index out of range in self"),
        _ => e,
    })
}

/// `x.index_select(dim, index)`: the slices of `x` along `dim` at `index`, in that order.
pub fn index_select(x: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let d = wrap_dim(dim, x.ndim())?;
    check_vector_index("index_select", index)?;
    if x.ndim() == 0 && index.numel() != 1 {
        return Err(Error::runtime(format!(
            "index_select(): Index to scalar can have only 1 value, got {} value(s)",
            index.numel()
        )));
    }
    let index = as_int64(&at_least_1d(index))?;
    let xi = at_least_1d(x);
    let out = out_of_range_in_self(backend::index(
        &xi,
        &select_along(&index, d, xi.shape())?,
        false,
    ))?;
    let out = if x.ndim() == 0 {
        out.with_layout(Layout::contiguous(&[]))
    } else {
        out
    };
    if is_recording(&[x]) {
        record(
            IndexSelectBackward {
                dim: d,
                in_shape: x.shape_dims(),
            },
            &[Some(x)],
            smallvec![Some(SavedTensor::input(&index))],
            &[&out],
        )?;
    }
    Ok(out)
}

struct GatherBackward {
    dim: usize,
    in_shape: Dims,
}

impl Backward for GatherBackward {
    fn name(&self) -> &str {
        "GatherBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let zeros = super::creation::zeros(&self.in_shape, g.dtype(), g.device())?;
        let grad = scatter_add(&zeros, self.dim as i64, ctx.saved(0)?, g)?;
        Ok(smallvec![Some(grad)])
    }
}

struct IndexSelectBackward {
    dim: usize,
    in_shape: Dims,
}

impl Backward for IndexSelectBackward {
    fn name(&self) -> &str {
        "IndexSelectBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let zeros = super::creation::zeros(&self.in_shape, g.dtype(), g.device())?;
        let grad = index_add(&zeros, self.dim as i64, ctx.saved(0)?, g, Scalar::Int(1))?;
        Ok(smallvec![Some(grad)])
    }
}
