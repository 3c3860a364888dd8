//! `linear(x, w, b) = x @ w.T + b`, dispatched as PyTorch does so the graph has the same
//! nodes: `addmm` for a matrix (and for a contiguous input flattened to one), `matmul`
//! plus a bias add otherwise.

use smallvec::smallvec;

use super::backend;
use super::kinds::BinaryOp;
use super::matmul::{is_column_major, matmul, mm, mm_for_grad};
use super::reduce::sum_to;
use super::view::{reshape, t, view_named};
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// `linear(input, weight, bias)`.
pub fn linear(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    let wt = t(weight)?;
    let Some(b) = bias else {
        return matmul(x, &wt);
    };
    if x.ndim() == 2 {
        return addmm(b, x, &wt);
    }
    if x.is_contiguous() && (x.ndim() == 3 || b.ndim() == 1) && x.ndim() > 0 {
        let k = x.shape()[x.ndim() - 1];
        let lead = &x.shape()[..x.ndim() - 1];
        let rows: usize = lead.iter().product();
        let out = addmm(b, &reshape(x, &[rows, k])?, &wt)?;
        let mut shape = lead.to_vec();
        shape.push(out.shape()[1]);
        return view_named(&out, &shape, "UnsafeViewBackward0");
    }
    // PyTorch adds in place, onto a fresh tensor: the node is the same `AddBackward0`.
    super::arith::add(&matmul(x, &wt)?, b)
}

/// `bias + m1 @ m2` (`AddmmBackward0`), the bias broadcast to the product's shape.
pub fn addmm(bias: &Tensor, m1: &Tensor, m2: &Tensor) -> Result<Tensor> {
    if m2.ndim() != 2 {
        return Err(Error::runtime(format!(
            "addmm: mat2 must be a matrix, got {}-D tensor",
            m2.ndim()
        )));
    }
    if m1.ndim() == 2 && m1.shape()[1] != m2.shape()[0] {
        return Err(Error::runtime(format!(
            "addmm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            m1.shape()[0],
            m1.shape()[1],
            m2.shape()[0],
            m2.shape()[1]
        )));
    }
    let product = {
        let _plain = crate::autograd::grad_mode::GradModeGuard::new(false);
        mm(m1, m2)?
    };
    if bias.dtype() != product.dtype() {
        return Err(Error::runtime(format!(
            "self and mat2 must have the same dtype, but got {} and {}",
            bias.dtype().scalar_type_name(),
            m2.dtype().scalar_type_name()
        )));
    }
    let b = super::view::expand(bias, product.shape())?;
    backend::binary_into(BinaryOp::Add, &product, &b, &product)?;
    if is_recording(&[bias, m1, m2]) {
        let saved = smallvec![
            save_if(m2.requires_grad(), m1),
            save_if(m1.requires_grad(), m2)
        ];
        record(
            AddmmBackward {
                bias_shape: bias.shape_dims(),
                column_major: [is_column_major(m1), is_column_major(m2)],
            },
            &[Some(bias), Some(m1), Some(m2)],
            saved,
            &[&product],
        )?;
    }
    Ok(product)
}

struct AddmmBackward {
    bias_shape: crate::tensor::Dims,
    /// [`is_column_major`] of `m1` and `m2`.
    column_major: [bool; 2],
}

impl Backward for AddmmBackward {
    fn name(&self) -> &str {
        "AddmmBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let grad_bias = if ctx.needs(0) {
            Some(sum_to(g, &self.bias_shape)?)
        } else {
            None
        };
        let grad_m1 = if ctx.needs(1) {
            Some(mm_for_grad(g, &t(ctx.saved(1)?)?, self.column_major[0])?)
        } else {
            None
        };
        let grad_m2 = if ctx.needs(2) {
            Some(mm_for_grad(&t(ctx.saved(0)?)?, g, self.column_major[1])?)
        } else {
            None
        };
        Ok(smallvec![grad_bias, grad_m1, grad_m2])
    }
}
