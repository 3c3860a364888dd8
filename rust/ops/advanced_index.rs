//! Advanced indexing: `x[idx]` with integer and boolean index tensors (PyTorch's `index`),
//! and assignment through them (`index_put`, out of place and in place).
//!
//! An index list has one entry per dim of `x` from the first (`None`: the whole dim); a
//! boolean mask covers as many dims as it has. Masks become the integer positions of their
//! `true` elements, all index tensors broadcast to one grid shape, and the result has the
//! grid's dims where the indexed dims were when those are adjacent, else in front.

use smallvec::smallvec;

use super::backend;
use super::gather::as_int64;
use super::inplace::update;
use super::reduce::sum_to;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, is_expandable_to, shape_str, DType, Dims, Layout, Tensor};

/// How an index list reads `x`: the kernel's view of `x` (indexed dims first) and its
/// indices, and where the grid's dims go in the result.
struct Plan {
    /// For each dim of `x` from the first: its int64 index, broadcast to the grid.
    per_dim: Vec<Option<Tensor>>,
    /// The dims of `x` with an index, in order, then the others.
    perm: Vec<usize>,
    /// The grid's dims land at this result dim (the indexed dims were adjacent and did not
    /// start at dim 0); otherwise they come first.
    move_to: Option<usize>,
    grid_ndim: usize,
    result_shape: Dims,
}

/// PyTorch's error when a boolean mask does not match the dims it covers.
pub(crate) fn check_mask(mask: &Tensor, shape: &[usize], at: usize) -> Result<()> {
    if at + mask.ndim() > shape.len() {
        return Err(Error::index(format!(
            "too many indices for tensor of dimension {}",
            shape.len()
        )));
    }
    for (i, &n) in mask.shape().iter().enumerate() {
        if n != shape[at + i] {
            return Err(Error::index(format!(
                "The shape of the mask {} at index {i} does not match the shape of the indexed tensor {} at index {}",
                shape_str(mask.shape()),
                shape_str(shape),
                at + i
            )));
        }
    }
    Ok(())
}

/// The positions of a mask's `true` elements, one int64 vector per mask dim.
pub(crate) fn mask_positions(mask: &Tensor) -> Result<Vec<Tensor>> {
    let nz = backend::nonzero(mask)?;
    let (n, strides) = (nz.shape()[0], nz.strides());
    Ok((0..mask.ndim())
        .map(|j| {
            nz.with_layout(Layout {
                shape: smallvec![n],
                strides: smallvec![strides[0]],
                offset: nz.offset() + j * strides[1],
            })
        })
        .collect())
}

fn plan(shape: &[usize], indices: &[Option<Tensor>]) -> Result<Plan> {
    let mut per_dim: Vec<Option<Tensor>> = Vec::new();
    for entry in indices {
        match entry {
            None => per_dim.push(None),
            Some(t) if t.dtype() == DType::Bool => {
                check_mask(t, shape, per_dim.len())?;
                per_dim.extend(mask_positions(t)?.into_iter().map(Some));
            }
            Some(t) if matches!(t.dtype(), DType::Int64 | DType::Int32) => {
                per_dim.push(Some(as_int64(t)?))
            }
            Some(_) => {
                return Err(Error::index(
                    "tensors used as indices must be long, int, byte or bool tensors",
                ))
            }
        }
    }
    if per_dim.len() > shape.len() {
        return Err(Error::index(format!(
            "too many indices for tensor of dimension {}",
            shape.len()
        )));
    }
    let defined: Vec<usize> = (0..per_dim.len())
        .filter(|&d| per_dim[d].is_some())
        .collect();
    let mut grid = Dims::new();
    for &d in &defined {
        let t = per_dim[d].as_ref().expect("defined");
        grid = broadcast_shapes(&grid, t.shape()).map_err(|_| {
            let shapes: Vec<String> = defined
                .iter()
                .map(|&d| shape_str(per_dim[d].as_ref().expect("defined").shape()))
                .collect();
            Error::index(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                shapes.join(", ")
            ))
        })?;
    }
    for t in per_dim.iter_mut().flatten() {
        *t = backend::broadcast_to(t, &grid)?;
    }
    let others: Vec<usize> = (0..shape.len()).filter(|d| !defined.contains(d)).collect();
    let perm: Vec<usize> = defined.iter().chain(&others).copied().collect();
    let first = defined.first().copied().unwrap_or(0);
    let adjacent = defined.windows(2).all(|w| w[1] == w[0] + 1);
    let move_to = (adjacent && first > 0).then_some(first);
    let rest = |ds: &[usize]| ds.iter().map(|&d| shape[d]).collect::<Dims>();
    let result_shape: Dims = match move_to {
        Some(p) => {
            let mut s: Dims = shape[..p].into();
            s.extend_from_slice(&grid);
            s.extend_from_slice(&shape[p + defined.len()..]);
            s
        }
        None => grid.iter().copied().chain(rest(&others)).collect(),
    };
    Ok(Plan {
        per_dim,
        perm,
        move_to,
        grid_ndim: grid.len(),
        result_shape,
    })
}

impl Plan {
    fn kernel_indices(&self) -> Vec<Tensor> {
        self.per_dim.iter().flatten().cloned().collect()
    }

    /// `x` with its indexed dims first, as the kernels read and write it.
    fn kernel_view(&self, x: &Tensor) -> Tensor {
        x.with_layout(x.layout().permute(&self.perm))
    }

    /// The order of the kernel's dims (grid, then the rest) as result dims.
    fn result_order(&self, ndim: usize) -> Vec<usize> {
        let p = self.move_to.unwrap_or(0);
        let g = self.grid_ndim;
        (p..p + g).chain(0..p).chain(p + g..ndim).collect()
    }

    /// A tensor laid out like the result, seen in the kernel's dim order.
    fn to_kernel_order(&self, t: &Tensor) -> Tensor {
        t.with_layout(t.layout().permute(&self.result_order(t.ndim())))
    }

    /// Saved entries: the defined indices (int64, on the grid) and where they were.
    fn saved(&self) -> (Vec<bool>, smallvec::SmallVec<[Option<SavedTensor>; 2]>) {
        let at = self.per_dim.iter().map(Option::is_some).collect();
        let saved = self
            .kernel_indices()
            .iter()
            .map(|t| Some(SavedTensor::input(t)))
            .collect();
        (at, saved)
    }
}

/// The index list a backward node saved, rebuilt.
fn saved_indices(ctx: &BackwardCtx, at: &[bool]) -> Result<Vec<Option<Tensor>>> {
    let mut k = 0;
    at.iter()
        .map(|&defined| {
            if defined {
                k += 1;
                ctx.saved(k - 1).map(|t| Some(t.clone()))
            } else {
                Ok(None)
            }
        })
        .collect()
}

/// `x[indices]` (PyTorch's `index`): a new tensor, differentiable in `x`.
pub fn index(x: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    let plan = plan(x.shape(), indices)?;
    let out = backend::index(&plan.kernel_view(x), &plan.kernel_indices(), true)?;
    let out = match plan.move_to {
        None => out,
        Some(_) => {
            let order = plan.result_order(out.ndim());
            let mut inverse = vec![0; order.len()];
            for (i, &d) in order.iter().enumerate() {
                inverse[d] = i;
            }
            backend::copy(&out.with_layout(out.layout().permute(&inverse)))?
        }
    };
    if is_recording(&[x]) {
        let (at, saved) = plan.saved();
        record(
            IndexBackward {
                at,
                in_shape: x.shape_dims(),
            },
            &[Some(x)],
            saved,
            &[&out],
        )?;
    }
    Ok(out)
}

/// Checks `values` against the indexing result and returns them broadcast to it, in the
/// kernel's dim order.
fn put_values(x: &Tensor, plan: &Plan, values: &Tensor) -> Result<Tensor> {
    if values.dtype() != x.dtype() {
        return Err(Error::runtime(format!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            x.dtype().scalar_type_name(),
            values.dtype().scalar_type_name()
        )));
    }
    super::check_same_device("index_put_", &[x, values])?;
    if !is_expandable_to(values.shape(), &plan.result_shape) {
        return Err(Error::runtime(format!(
            "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
            shape_str(values.shape()),
            shape_str(&plan.result_shape)
        )));
    }
    let values = if values.storage().same(x.storage()) {
        backend::copy(values)?
    } else {
        values.clone()
    };
    Ok(plan.to_kernel_order(&backend::broadcast_to(&values, &plan.result_shape)?))
}

/// `x.index_put(indices, values, accumulate)`: a copy of `x` with `values` written (or
/// added) at `indices`; differentiable in `x` and `values`.
pub fn index_put(
    x: &Tensor,
    indices: &[Option<Tensor>],
    values: &Tensor,
    accumulate: bool,
) -> Result<Tensor> {
    let plan = plan(x.shape(), indices)?;
    let kernel_values = put_values(x, &plan, values)?;
    let out = backend::copy(x)?;
    backend::index_put(
        &plan.kernel_view(&out),
        &plan.kernel_indices(),
        &kernel_values,
        accumulate,
        true,
    )?;
    if is_recording(&[x, values]) {
        let (at, saved) = plan.saved();
        record(
            IndexPutBackward {
                at,
                accumulate,
                values_shape: values.shape_dims(),
            },
            &[Some(x), Some(values)],
            saved,
            &[&out],
        )?;
    }
    Ok(out)
}

/// `x.index_put_(indices, values, accumulate)`: [`index_put`] in place.
pub fn index_put_(
    x: &Tensor,
    indices: &[Option<Tensor>],
    values: &Tensor,
    accumulate: bool,
) -> Result<()> {
    let plan = plan(x.shape(), indices)?;
    let kernel_values = put_values(x, &plan, values)?;
    update(
        x,
        &[values],
        || {
            backend::index_put(
                &plan.kernel_view(x),
                &plan.kernel_indices(),
                &kernel_values,
                accumulate,
                true,
            )
        },
        |old| index_put(old, indices, values, accumulate),
    )
}

struct IndexBackward {
    at: Vec<bool>,
    in_shape: Dims,
}

impl Backward for IndexBackward {
    fn name(&self) -> &str {
        "IndexBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let zeros = super::creation::zeros(&self.in_shape, g.dtype(), g.device())?;
        let indices = saved_indices(ctx, &self.at)?;
        Ok(smallvec![Some(index_put(&zeros, &indices, g, true)?)])
    }
}

struct IndexPutBackward {
    at: Vec<bool>,
    accumulate: bool,
    values_shape: Dims,
}

impl Backward for IndexPutBackward {
    fn name(&self) -> &str {
        "IndexPutBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let indices = saved_indices(ctx, &self.at)?;
        let grad_x = match (ctx.needs(0), self.accumulate) {
            (false, _) => None,
            (true, true) => Some(g.clone()),
            (true, false) => {
                let zero = super::creation::zeros(&[], g.dtype(), g.device())?;
                Some(index_put(g, &indices, &zero, false)?)
            }
        };
        let grad_values = if ctx.needs(1) {
            Some(sum_to(&index(g, &indices)?, &self.values_shape)?)
        } else {
            None
        };
        Ok(smallvec![grad_x, grad_values])
    }
}
