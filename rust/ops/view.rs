//! View ops: new shapes and strides over the same storage (`view`, `transpose`, `expand`,
//! `squeeze`, `select`, `slice`, ...), plus `as_strided` and its adjoint `view_scatter`,
//! which the backward formulas of indexing views are written with.

use smallvec::smallvec;

use super::backend;
use super::kinds::BinaryOp;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{infer_shape, shape_str, wrap_dim, wrap_dims, Dims, Layout, Tensor};

/// Records a single-input view node whose backward is `f(grad)`.
fn view_op(x: &Tensor, layout: Layout, node: ViewBackward) -> Result<Tensor> {
    let out = x.view_of(layout);
    if is_recording(&[x]) {
        record(node, &[Some(x)], smallvec![], &[&out])?;
    }
    Ok(out)
}

/// `view` to an exact shape, with PyTorch's error when strides do not allow it.
pub fn view(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    view_named(x, shape, "ViewBackward0")
}

/// `view` under another node name (`UnsafeViewBackward0` inside `matmul`, as PyTorch).
pub fn view_named(x: &Tensor, shape: &[usize], name: &'static str) -> Result<Tensor> {
    if crate::tensor::numel(shape) != x.numel() {
        let spec: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        infer_shape(&spec, x.numel())?;
    }
    let layout = x.layout().view(shape).ok_or_else(|| {
        Error::runtime(
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
        )
    })?;
    view_op(
        x,
        layout,
        ViewBackward::Reshape {
            name,
            in_shape: x.shape_dims(),
        },
    )
}

/// `view(*spec)` where one entry may be -1.
pub fn view_spec(x: &Tensor, spec: &[i64]) -> Result<Tensor> {
    view(x, &infer_shape(spec, x.numel())?)
}

/// `reshape`: a view when strides allow, else a contiguous copy viewed.
pub fn reshape(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if x.layout().view(shape).is_some() {
        return view(x, shape);
    }
    view_named(&super::copy::clone(x)?, shape, "UnsafeViewBackward0")
}

pub fn reshape_spec(x: &Tensor, spec: &[i64]) -> Result<Tensor> {
    reshape(x, &infer_shape(spec, x.numel())?)
}

pub fn transpose(x: &Tensor, d0: i64, d1: i64) -> Result<Tensor> {
    let (a, b) = (wrap_dim(d0, x.ndim())?, wrap_dim(d1, x.ndim())?);
    if x.ndim() == 0 {
        return view_op(
            x,
            x.layout().clone(),
            ViewBackward::Transpose {
                name: "TransposeBackward0",
                a: 0,
                b: 0,
            },
        );
    }
    view_op(
        x,
        x.layout().transpose(a, b),
        ViewBackward::Transpose {
            name: "TransposeBackward0",
            a,
            b,
        },
    )
}

/// `t()`: transpose of a matrix; vectors and scalars come back as they are.
pub fn t(x: &Tensor) -> Result<Tensor> {
    if x.ndim() > 2 {
        return Err(Error::runtime(format!(
            "t() expects a tensor with <= 2 dimensions, but self is {}D",
            x.ndim()
        )));
    }
    let layout = if x.ndim() == 2 {
        x.layout().transpose(0, 1)
    } else {
        x.layout().clone()
    };
    let (a, b) = if x.ndim() == 2 { (0, 1) } else { (0, 0) };
    view_op(
        x,
        layout,
        ViewBackward::Transpose {
            name: "TBackward0",
            a,
            b,
        },
    )
}

pub fn permute(x: &Tensor, dims: &[i64]) -> Result<Tensor> {
    if dims.len() != x.ndim() {
        return Err(Error::runtime(format!(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
            x.ndim(),
            dims.len()
        )));
    }
    let dims = wrap_dims(dims, x.ndim())
        .map_err(|_| Error::runtime("permute(): duplicate dims are not allowed."))?;
    view_op(x, x.layout().permute(&dims), ViewBackward::Permute { dims })
}

/// `expand(*sizes)`; -1 keeps a dim's size.
pub fn expand_spec(x: &Tensor, spec: &[i64]) -> Result<Tensor> {
    let lead = spec.len().saturating_sub(x.ndim());
    let mut shape = Dims::new();
    for (i, &s) in spec.iter().enumerate() {
        shape.push(match s {
            -1 if i >= lead => x.shape()[i - lead],
            s if s >= 0 => s as usize,
            _ => return Err(Error::runtime(format!("The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}"))),
        });
    }
    expand(x, &shape)
}

pub fn expand(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let layout = x.layout().expand(shape).map_err(|e| {
        if shape.len() < x.ndim() {
            Error::runtime(format!(
                "expand(ferrograd.{}{{{}}}, size={}): {}",
                x.dtype().legacy_type_name(),
                shape_str(x.shape()),
                shape_str(shape),
                e.message
            ))
        } else {
            e
        }
    })?;
    view_op(
        x,
        layout,
        ViewBackward::Expand {
            in_shape: x.shape_dims(),
        },
    )
}

/// `squeeze()` (every size-1 dim) or `squeeze(dim)`.
pub fn squeeze(x: &Tensor, dim: Option<i64>) -> Result<Tensor> {
    let (dims, name): (Dims, &'static str) = match dim {
        None => ((0..x.ndim()).collect(), "SqueezeBackward0"),
        Some(d) => (smallvec![wrap_dim(d, x.ndim())?], "SqueezeBackward1"),
    };
    let layout = if x.ndim() == 0 {
        x.layout().clone()
    } else {
        x.layout().squeeze(&dims)
    };
    view_op(
        x,
        layout,
        ViewBackward::Reshape {
            name,
            in_shape: x.shape_dims(),
        },
    )
}

/// `squeeze_(dim)`-style node name used by `matmul` (PyTorch's `SqueezeBackward4`).
pub fn squeeze_named(x: &Tensor, dim: usize, name: &'static str) -> Result<Tensor> {
    view_op(
        x,
        x.layout().squeeze(&[dim]),
        ViewBackward::Reshape {
            name,
            in_shape: x.shape_dims(),
        },
    )
}

pub fn unsqueeze(x: &Tensor, dim: i64) -> Result<Tensor> {
    let d = wrap_dim(dim, x.ndim() + 1)?;
    view_op(
        x,
        x.layout().unsqueeze(d),
        ViewBackward::Unsqueeze { dim: d },
    )
}

/// `x.select(dim, index)` (what `x[i]` does), with PyTorch's `IndexError`.
pub fn select(x: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        return Err(Error::index(
            "select() cannot be applied to a 0-dim tensor.",
        ));
    }
    let d = wrap_dim(dim, x.ndim())?;
    let size = x.shape()[d] as i64;
    if index < -size || index >= size {
        return Err(Error::index(format!(
            "index {index} is out of bounds for dimension {d} with size {size}"
        )));
    }
    let i = if index < 0 { index + size } else { index } as usize;
    let rel = Layout::contiguous(x.shape()).select(d, i);
    view_op(
        x,
        x.layout().select(d, i),
        ViewBackward::Scatter {
            name: "SelectBackward0",
            in_shape: x.shape_dims(),
            rel,
        },
    )
}

/// `x[start:stop:step]` along `dim`; Python slice bounds (negative, out of range) allowed.
pub fn slice(
    x: &Tensor,
    dim: i64,
    start: Option<i64>,
    stop: Option<i64>,
    step: i64,
) -> Result<Tensor> {
    if step == 0 {
        return Err(Error::value("slice step cannot be zero"));
    }
    if step < 0 {
        return Err(Error::value("step must be greater than zero"));
    }
    let d = wrap_dim(dim, x.ndim())?;
    let size = x.shape()[d] as i64;
    let clamp = |v: Option<i64>, default: i64| -> usize {
        let v = v.unwrap_or(default);
        let v = if v < 0 { v + size } else { v };
        v.clamp(0, size) as usize
    };
    let (s, e) = (clamp(start, 0), clamp(stop, size));
    let e = e.max(s);
    let rel = Layout::contiguous(x.shape()).slice(d, s, e, step as usize);
    view_op(
        x,
        x.layout().slice(d, s, e, step as usize),
        ViewBackward::Scatter {
            name: "SliceBackward0",
            in_shape: x.shape_dims(),
            rel,
        },
    )
}

/// A view of part of `x` (`diagonal`, `narrow`, ...) recorded as node `name`: `layout_of`
/// maps a layout of `x`'s shape to the view's, and the backward scatters the gradient back
/// into that region.
pub fn region_view(
    x: &Tensor,
    name: &'static str,
    layout_of: impl Fn(&Layout) -> Layout,
) -> Result<Tensor> {
    let rel = layout_of(&Layout::contiguous(x.shape()));
    view_op(
        x,
        layout_of(x.layout()),
        ViewBackward::Scatter {
            name,
            in_shape: x.shape_dims(),
            rel,
        },
    )
}

/// A new view of all of `x` (`x[...]`), so the result is never `x` itself.
pub fn alias(x: &Tensor) -> Result<Tensor> {
    view_op(
        x,
        x.layout().clone(),
        ViewBackward::Reshape {
            name: "AliasBackward0",
            in_shape: x.shape_dims(),
        },
    )
}

/// The elements of `x` (read as a contiguous tensor of its shape) at layout `rel`.
pub fn as_strided(x: &Tensor, rel: &Layout) -> Result<Tensor> {
    let xc = backend::contiguous_as(x, x.dtype())?;
    if rel.storage_extent() > xc.numel() {
        return Err(Error::runtime(format!(
            "setStorage: sizes {}, strides {}, storage offset {} requiring a storage size larger than the input's {} elements",
            shape_str(&rel.shape),
            shape_str(&rel.strides),
            rel.offset,
            xc.numel()
        )));
    }
    let layout = Layout {
        shape: rel.shape.clone(),
        strides: rel.strides.clone(),
        offset: xc.offset() + rel.offset,
    };
    let out = if xc.same(x) {
        x.view_of(layout)
    } else {
        xc.view_of(layout)
    };
    if is_recording(&[x]) {
        record(
            ViewBackward::Scatter {
                name: "AsStridedBackward0",
                in_shape: x.shape_dims(),
                rel: rel.clone(),
            },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// Zeros of `base_shape` with `g` summed into the elements layout `rel` addresses: the
/// adjoint of [`as_strided`] (and so the backward of `select`, `slice`, indexing views).
pub fn view_scatter(g: &Tensor, base_shape: &[usize], rel: &Layout) -> Result<Tensor> {
    let out = super::creation::zeros(base_shape, g.dtype(), g.device())?;
    let region = out.with_layout(rel.clone());
    backend::binary_into(BinaryOp::Add, &region, g, &region)?;
    if is_recording(&[g]) {
        record(
            ViewScatterBackward { rel: rel.clone() },
            &[Some(g)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// Backward formulas of the view ops.
enum ViewBackward {
    /// Any reshape-like view: the gradient is reshaped back.
    Reshape {
        name: &'static str,
        in_shape: Dims,
    },
    Transpose {
        name: &'static str,
        a: usize,
        b: usize,
    },
    Permute {
        dims: Dims,
    },
    Expand {
        in_shape: Dims,
    },
    Unsqueeze {
        dim: usize,
    },
    /// A view addressing part of the input (`rel`, relative to a contiguous input).
    Scatter {
        name: &'static str,
        in_shape: Dims,
        rel: Layout,
    },
}

impl Backward for ViewBackward {
    fn name(&self) -> &str {
        match self {
            ViewBackward::Reshape { name, .. }
            | ViewBackward::Transpose { name, .. }
            | ViewBackward::Scatter { name, .. } => name,
            ViewBackward::Permute { .. } => "PermuteBackward0",
            ViewBackward::Expand { .. } => "ExpandBackward0",
            ViewBackward::Unsqueeze { .. } => "UnsqueezeBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let grad = match self {
            ViewBackward::Reshape { in_shape, .. } => reshape(g, in_shape)?,
            ViewBackward::Transpose { a, b, .. } => transpose(g, *a as i64, *b as i64)?,
            ViewBackward::Permute { dims } => {
                let mut inverse = vec![0i64; dims.len()];
                for (i, &d) in dims.iter().enumerate() {
                    inverse[d] = i as i64;
                }
                permute(g, &inverse)?
            }
            ViewBackward::Expand { in_shape } => super::reduce::sum_to(g, in_shape)?,
            ViewBackward::Unsqueeze { dim } => squeeze(g, Some(*dim as i64))?,
            ViewBackward::Scatter { in_shape, rel, .. } => view_scatter(g, in_shape, rel)?,
        };
        Ok(smallvec![Some(grad)])
    }
}

struct ViewScatterBackward {
    rel: Layout,
}

impl Backward for ViewScatterBackward {
    fn name(&self) -> &str {
        "AsStridedScatterBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        Ok(smallvec![Some(as_strided(ctx.grad(), &self.rel)?)])
    }
}
