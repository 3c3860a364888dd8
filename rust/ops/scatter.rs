//! Writing through index tensors along one dim: `scatter` (a tensor or a number),
//! `scatter_add`, `index_add`, `index_fill`, each out of place and in place. One call of the
//! backend's `index_put` kernel each; the backwards are the gathers of `gather.rs`.

use smallvec::smallvec;

use super::arith::{cast, Rhs};
use super::backend;
use super::gather::{
    along_dim, as_int64, check_dim_index, check_vector_index, gather, index_select,
    out_of_range_in_self, runtime_kind, select_along,
};
use super::inplace::update;
use super::view::{reshape, view_scatter};
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{contiguous_strides, shape_str, wrap_dim, DType, Dims, Layout, Scalar, Tensor};

/// `t` with one dim when it has none (PyTorch treats 0-d as 1-D in these ops).
fn at_least_1d(t: &Tensor) -> Tensor {
    if t.ndim() == 0 {
        t.with_layout(t.layout().unsqueeze(0))
    } else {
        t.clone()
    }
}

/// A copy of `x` with `write` applied to it.
fn written_copy(x: &Tensor, write: impl FnOnce(&Tensor) -> Result<()>) -> Result<Tensor> {
    let out = backend::copy(x)?;
    write(&out)?;
    Ok(out)
}

/// A number (or 0-d tensor) as a 0-d tensor of `like`'s dtype and device.
fn fill_value(value: &Rhs, like: &Tensor) -> Result<Tensor> {
    super::arith::rhs_tensor(value, like.dtype(), like.device())
}

/// `t` (a gradient shaped like an index) zero-padded up to `shape`, the source's shape:
/// source elements outside the index's extent get no gradient.
fn pad_to(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if t.shape() == shape {
        return Ok(t.clone());
    }
    let rel = Layout {
        shape: t.shape_dims(),
        strides: contiguous_strides(shape),
        offset: 0,
    };
    view_scatter(t, shape, &rel)
}

/// What `scatter` writes: a tensor source or a number.
#[derive(Clone, Copy, PartialEq)]
enum ScatterKind {
    Src,
    Value,
    Add,
}

/// Checks a scatter and returns the kernel's (index, values-on-the-index-grid) for `x`.
fn scatter_plan(
    op: &str,
    x: &Tensor,
    dim: i64,
    index: &Tensor,
    src: Rhs,
) -> Result<(usize, Tensor, Tensor)> {
    let d = wrap_dim(dim, x.ndim())?;
    check_dim_index(op, x, d, index, src.tensor())?;
    if let Some(s) = src.tensor() {
        if s.dtype() != x.dtype() {
            return Err(Error::runtime(format!(
                "{op}(): Expected self.dtype to be equal to src.dtype"
            )));
        }
        super::check_same_device(op, &[x, s])?;
    }
    let index = at_least_1d(&as_int64(index)?);
    let values = match src {
        Rhs::Tensor(s) => {
            let s = at_least_1d(s);
            s.with_layout(Layout {
                shape: index.shape_dims(),
                strides: s.strides().into(),
                offset: s.offset(),
            })
        }
        Rhs::Scalar(_) => {
            let v = fill_value(&src, x)?;
            backend::broadcast_to(&v, index.shape())?
        }
    };
    Ok((d, index, values))
}

fn scatter_write(
    dst: &Tensor,
    d: usize,
    index: &Tensor,
    values: &Tensor,
    accumulate: bool,
) -> Result<()> {
    let values = if values.storage().same(dst.storage()) {
        backend::copy(values)?
    } else {
        values.clone()
    };
    runtime_kind(backend::index_put(
        &at_least_1d(dst),
        &along_dim(index, d)?,
        &values,
        accumulate,
        false,
    ))
}

/// `x.scatter(dim, index, src)`: `out[index[i][j]][j] = src[i][j]` for `dim == 0`; `src`
/// may be a number.
pub fn scatter(x: &Tensor, dim: i64, index: &Tensor, src: Rhs) -> Result<Tensor> {
    let kind = match src {
        Rhs::Tensor(_) => ScatterKind::Src,
        Rhs::Scalar(_) => ScatterKind::Value,
    };
    scatter_op(kind, x, dim, index, src)
}

/// `x.scatter_add(dim, index, src)`: like `scatter`, adding up repeated positions.
pub fn scatter_add(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
    scatter_op(ScatterKind::Add, x, dim, index, Rhs::Tensor(src))
}

fn scatter_op(kind: ScatterKind, x: &Tensor, dim: i64, index: &Tensor, src: Rhs) -> Result<Tensor> {
    let (d, idx, values) = scatter_plan("scatter", x, dim, index, src)?;
    let out = written_copy(x, |out| {
        scatter_write(out, d, &idx, &values, kind == ScatterKind::Add)
    })?;
    let inputs: Vec<&Tensor> = std::iter::once(x).chain(src.tensor()).collect();
    if is_recording(&inputs) {
        record(
            ScatterBackward {
                kind,
                dim: d,
                src_shape: src.tensor().map(|s| s.shape_dims()).unwrap_or_default(),
            },
            &[Some(x), src.tensor()],
            smallvec![Some(SavedTensor::input(&as_int64(index)?))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `x.scatter_(dim, index, src)` / `x.scatter_add_(...)` in place.
pub fn scatter_(x: &Tensor, dim: i64, index: &Tensor, src: Rhs, add: bool) -> Result<()> {
    let (d, idx, values) = scatter_plan("scatter", x, dim, index, src)?;
    let others: Vec<&Tensor> = src.tensor().into_iter().collect();
    update(
        x,
        &others,
        || scatter_write(x, d, &idx, &values, add),
        |old| match (add, src) {
            (true, Rhs::Tensor(s)) => scatter_add(old, dim, index, s),
            _ => scatter(old, dim, index, src),
        },
    )
}

/// Checks `index_add` and returns the kernel's (dim, index, values) for `x`.
fn index_add_plan(
    x: &Tensor,
    dim: i64,
    index: &Tensor,
    source: &Tensor,
    alpha: Scalar,
) -> Result<(usize, Tensor, Tensor)> {
    let d = wrap_dim(dim, x.ndim())?;
    check_vector_index("index_add_", index)?;
    if source.dtype() != x.dtype() {
        return Err(Error::runtime(format!(
            "index_add_(): self ({}) and source ({}) must have the same scalar type",
            x.dtype().scalar_type_name(),
            source.dtype().scalar_type_name()
        )));
    }
    super::check_same_device("index_add_", &[x, source])?;
    let (xs, ss) = (at_least_1d(x), at_least_1d(source));
    let matches =
        xs.ndim() == ss.ndim() && (0..xs.ndim()).all(|i| i == d || xs.shape()[i] == ss.shape()[i]);
    if !matches {
        return Err(Error::runtime(format!(
            "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = {} source.shape = {}",
            shape_str(x.shape()),
            shape_str(source.shape())
        )));
    }
    if index.numel() != ss.shape()[d] {
        return Err(Error::runtime(format!(
            "index_add_(): Number of indices ({}) should be equal to source.size(dim): ({}), for dim: {d}",
            index.numel(),
            ss.shape()[d]
        )));
    }
    let index = at_least_1d(&as_int64(index)?);
    let values = if alpha.to_f64() == 1.0 {
        ss
    } else {
        backend::binary(
            super::kinds::BinaryOp::Mul,
            &ss,
            &fill_value(&Rhs::Scalar(alpha), x)?,
        )?
    };
    Ok((d, index, values))
}

fn index_add_write(dst: &Tensor, d: usize, index: &Tensor, values: &Tensor) -> Result<()> {
    let values = if values.storage().same(dst.storage()) {
        backend::copy(values)?
    } else {
        values.clone()
    };
    let dst = at_least_1d(dst);
    out_of_range_in_self(backend::index_put(
        &dst,
        &select_along(index, d, dst.shape())?,
        &values,
        true,
        false,
    ))
}

/// `x.index_add(dim, index, source, alpha=1)`: adds `alpha * source[.., i, ..]` into
/// `x[.., index[i], ..]`.
pub fn index_add(
    x: &Tensor,
    dim: i64,
    index: &Tensor,
    source: &Tensor,
    alpha: Scalar,
) -> Result<Tensor> {
    let (d, idx, values) = index_add_plan(x, dim, index, source, alpha)?;
    let out = written_copy(x, |out| index_add_write(out, d, &idx, &values))?;
    if is_recording(&[x, source]) {
        record(
            IndexAddBackward {
                dim: d,
                alpha,
                source_shape: source.shape_dims(),
            },
            &[Some(x), Some(source)],
            smallvec![save_if(source.requires_grad(), &idx)],
            &[&out],
        )?;
    }
    Ok(out)
}

pub fn index_add_(
    x: &Tensor,
    dim: i64,
    index: &Tensor,
    source: &Tensor,
    alpha: Scalar,
) -> Result<()> {
    let (d, idx, values) = index_add_plan(x, dim, index, source, alpha)?;
    update(
        x,
        &[source],
        || index_add_write(x, d, &idx, &values),
        |old| index_add(old, dim, index, source, alpha),
    )
}

/// Checks `index_fill` and returns the kernel's (dim, index, value).
fn index_fill_plan(
    x: &Tensor,
    dim: i64,
    index: &Tensor,
    value: Rhs,
) -> Result<(usize, Tensor, Tensor)> {
    let d = wrap_dim(dim, x.ndim())?;
    if index.dtype() != DType::Int64 {
        return Err(Error::index(
            "index_fill_(): Expected dtype int64 for index.",
        ));
    }
    if index.ndim() > 1 {
        return Err(Error::runtime("Index has to be a vector/scalar"));
    }
    if let Some(v) = value.tensor() {
        if v.ndim() != 0 {
            return Err(Error::runtime(format!(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                v.ndim()
            )));
        }
    }
    Ok((d, at_least_1d(index), fill_value(&value, x)?))
}

fn index_fill_write(dst: &Tensor, d: usize, index: &Tensor, value: &Tensor) -> Result<()> {
    let dst = at_least_1d(dst);
    let kernel_index = select_along(index, d, dst.shape())?;
    let mut shape: Dims = kernel_index[0].shape_dims();
    shape.extend_from_slice(&dst.shape()[d + 1..]);
    let value = backend::broadcast_to(&cast(value, dst.dtype())?, &shape)?;
    backend::index_put(&dst, &kernel_index, &value, false, true)
}

/// `x.index_fill(dim, index, value)`: `value` (a number or 0-d tensor) in every slice of `x`
/// along `dim` that `index` names.
pub fn index_fill(x: &Tensor, dim: i64, index: &Tensor, value: Rhs) -> Result<Tensor> {
    let (d, idx, v) = index_fill_plan(x, dim, index, value)?;
    let out = written_copy(x, |out| index_fill_write(out, d, &idx, &v))?;
    let inputs: Vec<&Tensor> = std::iter::once(x).chain(value.tensor()).collect();
    if is_recording(&inputs) {
        record(
            IndexFillBackward {
                dim: d,
                tensor_value: value.tensor().is_some(),
            },
            &[Some(x), value.tensor()],
            smallvec![Some(SavedTensor::input(&idx))],
            &[&out],
        )?;
    }
    Ok(out)
}

pub fn index_fill_(x: &Tensor, dim: i64, index: &Tensor, value: Rhs) -> Result<()> {
    let (d, idx, v) = index_fill_plan(x, dim, index, value)?;
    let others: Vec<&Tensor> = value.tensor().into_iter().collect();
    update(
        x,
        &others,
        || index_fill_write(x, d, &idx, &v),
        |old| index_fill(old, dim, index, value),
    )
}

struct ScatterBackward {
    kind: ScatterKind,
    dim: usize,
    src_shape: Dims,
}

impl Backward for ScatterBackward {
    fn name(&self) -> &str {
        match self.kind {
            ScatterKind::Src => "ScatterBackward0",
            ScatterKind::Value => "ScatterBackward1",
            ScatterKind::Add => "ScatterAddBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, index) = (ctx.grad(), ctx.saved(0)?);
        let dim = self.dim as i64;
        let grad_x = match (ctx.needs(0), self.kind) {
            (false, _) => None,
            (true, ScatterKind::Add) => Some(g.clone()),
            (true, _) => Some(scatter(g, dim, index, Rhs::Scalar(Scalar::Int(0)))?),
        };
        let grad_src = if ctx.needs(1) {
            Some(pad_to(&gather(g, dim, index)?, &self.src_shape)?)
        } else {
            None
        };
        Ok(smallvec![grad_x, grad_src])
    }
}

struct IndexAddBackward {
    dim: usize,
    alpha: Scalar,
    source_shape: Dims,
}

impl Backward for IndexAddBackward {
    fn name(&self) -> &str {
        "IndexAddBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let grad_source = if ctx.needs(1) {
            let picked = index_select(g, self.dim as i64, ctx.saved(0)?)?;
            let picked = if self.alpha.to_f64() == 1.0 {
                picked
            } else {
                super::arith::mul_scalar(&picked, self.alpha)?
            };
            Some(reshape(&picked, &self.source_shape)?)
        } else {
            None
        };
        Ok(smallvec![ctx.needs(0).then(|| g.clone()), grad_source])
    }
}

struct IndexFillBackward {
    dim: usize,
    tensor_value: bool,
}

impl Backward for IndexFillBackward {
    fn name(&self) -> &str {
        if self.tensor_value {
            "IndexFillBackward1"
        } else {
            "IndexFillBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, index) = (ctx.grad(), ctx.saved(0)?);
        let dim = self.dim as i64;
        let grad_x = if ctx.needs(0) {
            Some(index_fill(g, dim, index, Rhs::Scalar(Scalar::Int(0)))?)
        } else {
            None
        };
        let grad_value = if ctx.needs(1) {
            Some(super::reduce::sum(&index_select(g, dim, index)?)?)
        } else {
            None
        };
        Ok(smallvec![grad_x, grad_value])
    }
}
