//! Boolean masks: `masked_fill` (out of place and in place), `masked_select`, `nonzero`.

use smallvec::smallvec;

use super::advanced_index::{index_put, mask_positions};
use super::arith::Rhs;
use super::backend;
use super::conditional::where_;
use super::inplace::update;
use super::reduce::{sum, sum_to};
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, shape_str, DType, Dims, Scalar, Tensor};

/// PyTorch's C type names in some messages ("float", "long int").
pub(crate) fn c_type(dtype: DType) -> &'static str {
    match dtype {
        DType::Float32 => "float",
        DType::Float64 => "double",
        DType::Int64 => "long int",
        DType::Int32 => "int",
        DType::Bool => "bool",
    }
}

/// Checks `masked_fill`'s mask and value; returns the value as a 0-d tensor of `x`'s dtype.
fn fill_value(x: &Tensor, mask: &Tensor, value: &Rhs) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        return Err(Error::runtime(format!(
            "masked_fill_ only supports boolean masks, but got mask with dtype {}",
            c_type(mask.dtype())
        )));
    }
    if let Some(v) = value.tensor() {
        if v.ndim() != 0 {
            return Err(Error::runtime(format!(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                v.ndim()
            )));
        }
    }
    super::check_same_device("masked_fill_", &[x, mask])?;
    super::arith::rhs_tensor(value, x.dtype(), x.device())
}

/// `x.masked_fill(mask, value)`: `value` (a number or 0-d tensor) where `mask` is true; `x`
/// and `mask` broadcast together.
pub fn masked_fill(x: &Tensor, mask: &Tensor, value: Rhs) -> Result<Tensor> {
    let v = fill_value(x, mask, &value)?;
    let out = backend::where_(mask, &v, x)?;
    let inputs: Vec<&Tensor> = std::iter::once(x).chain(value.tensor()).collect();
    if is_recording(&inputs) {
        record(
            MaskedFillBackward {
                tensor_value: value.tensor().is_some(),
            },
            &[Some(x), value.tensor()],
            smallvec![Some(SavedTensor::input(mask))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `x.masked_fill_(mask, value)`; `mask` must broadcast to `x`'s shape.
pub fn masked_fill_(x: &Tensor, mask: &Tensor, value: Rhs) -> Result<()> {
    let v = fill_value(x, mask, &value)?;
    let shape = broadcast_shapes(x.shape(), mask.shape())?;
    if shape.as_slice() != x.shape() {
        return Err(Error::runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            shape_str(x.shape()),
            shape_str(&shape)
        )));
    }
    let others: Vec<&Tensor> = value.tensor().into_iter().collect();
    update(
        x,
        &others,
        || {
            let mask = if mask.storage().same(x.storage()) {
                backend::copy(mask)?
            } else {
                mask.clone()
            };
            let filled = backend::where_(&mask, &v, x)?;
            backend::copy_into(&filled, x)
        },
        |old| masked_fill(old, mask, value),
    )
}

/// `x.masked_select(mask)`: the elements where `mask` is true, as a 1-D tensor (`x` and
/// `mask` broadcast together).
pub fn masked_select(x: &Tensor, mask: &Tensor) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        return Err(Error::runtime(
            "masked_select: expected BoolTensor for mask",
        ));
    }
    super::check_same_device("masked_select", &[x, mask])?;
    let shape = broadcast_shapes(x.shape(), mask.shape())?;
    let one_d = |t: &Tensor| -> Result<Tensor> {
        let t = backend::broadcast_to(t, &shape)?;
        Ok(if t.ndim() == 0 {
            t.with_layout(t.layout().unsqueeze(0))
        } else {
            t
        })
    };
    let positions = mask_positions(&one_d(mask)?)?;
    let out = backend::index(&one_d(x)?, &positions, false)?;
    if is_recording(&[x]) {
        record(
            MaskedSelectBackward {
                in_shape: x.shape_dims(),
                shape,
            },
            &[Some(x)],
            smallvec![Some(SavedTensor::input(mask))],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `x.nonzero()`: the int64 coordinates `[n, ndim]` of the nonzero elements.
pub fn nonzero(x: &Tensor) -> Result<Tensor> {
    backend::nonzero(x)
}

/// `x.nonzero(as_tuple=True)`: one int64 vector of coordinates per dim (a 0-d input counts
/// as 1-D).
pub fn nonzero_tuple(x: &Tensor) -> Result<Vec<Tensor>> {
    let x = if x.ndim() == 0 {
        x.with_layout(x.layout().unsqueeze(0))
    } else {
        x.clone()
    };
    mask_positions(&x)
}

struct MaskedFillBackward {
    tensor_value: bool,
}

impl Backward for MaskedFillBackward {
    fn name(&self) -> &str {
        if self.tensor_value {
            "MaskedFillBackward1"
        } else {
            "MaskedFillBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, mask) = (ctx.grad(), ctx.saved(0)?);
        let zero = Rhs::Scalar(Scalar::Int(0));
        let grad_x = if ctx.needs(0) {
            Some(where_(mask, zero, Rhs::Tensor(g))?)
        } else {
            None
        };
        let grad_value = if ctx.needs(1) {
            Some(sum(&where_(mask, Rhs::Tensor(g), zero)?)?)
        } else {
            None
        };
        Ok(smallvec![grad_x, grad_value])
    }
}

struct MaskedSelectBackward {
    in_shape: Dims,
    shape: Dims,
}

impl Backward for MaskedSelectBackward {
    fn name(&self) -> &str {
        "MaskedSelectBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, mask) = (ctx.grad(), ctx.saved(0)?);
        let mut shape = self.shape.clone();
        if shape.is_empty() {
            shape.push(1);
        }
        let mask = super::view::reshape(&backend::broadcast_to(mask, &self.shape)?, &shape)?;
        let zeros = super::creation::zeros(&shape, g.dtype(), g.device())?;
        let spread = index_put(&zeros, &[Some(mask)], g, false)?;
        let spread = super::view::reshape(&spread, &self.shape)?;
        Ok(smallvec![Some(sum_to(&spread, &self.in_shape)?)])
    }
}
