//! `scaled_dot_product_attention`: `softmax(q @ k.T * scale + bias) @ v`, with a boolean or
//! additive mask, a causal mask, dropout on the attention weights and a custom scale.
//!
//! PyTorch answers with one fused node when it can (3-D or 4-D inputs, equal head sizes,
//! no dropout, no mask that wants a gradient) and with plain matmul / softmax ops
//! otherwise; the graph here has the same shape. Rows whose every score is masked attend
//! to nothing (zeros), as in PyTorch.

use smallvec::smallvec;

use super::arith::{add, mul, mul_scalar, sub};
use super::conditional::where_;
use super::matmul::matmul;
use super::nn_softmax::softmax;
use super::reduce::sum_dims;
use super::view::{squeeze, transpose, unsqueeze};
use super::Rhs;
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{DType, Scalar, Tensor};

/// C++ names of dtypes as PyTorch's attention messages print them.
fn c_name(d: DType) -> &'static str {
    match d {
        DType::Float32 => "float",
        DType::Float64 => "double",
        DType::Int64 => "long int",
        DType::Int32 => "int",
        DType::Bool => "bool",
    }
}

/// `scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, scale)`.
pub fn scaled_dot_product_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Tensor>,
    dropout_p: f64,
    is_causal: bool,
    scale: Option<f64>,
) -> Result<Tensor> {
    if is_causal && mask.is_some() {
        return Err(Error::runtime(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True",
        ));
    }
    if q.dtype() != k.dtype() || q.dtype() != v.dtype() {
        return Err(Error::runtime(format!(
            "Expected query, key, and value to have the same dtype, but got query.dtype: {} key.dtype: {} and value.dtype: {} instead.",
            c_name(q.dtype()),
            c_name(k.dtype()),
            c_name(v.dtype())
        )));
    }
    if q.ndim() < 2 || k.ndim() < 2 || v.ndim() < 2 {
        return Err(Error::runtime(
            "scaled_dot_product_attention: query, key and value must have at least 2 dimensions",
        ));
    }
    let head = q.shape()[q.ndim() - 1];
    let scale = scale.unwrap_or(1.0 / (head as f64).sqrt());
    let bias = attention_bias(q, k, mask, is_causal)?;
    let fused = dropout_p == 0.0
        && (q.ndim() == 3 || q.ndim() == 4)
        && k.ndim() == q.ndim()
        && v.ndim() == q.ndim()
        && v.shape()[v.ndim() - 1] == head
        && !mask.is_some_and(|m| m.requires_grad());
    if !fused {
        return attention(q, k, v, bias.as_ref(), dropout_p, scale);
    }
    if q.ndim() == 3 {
        let one = |t: &Tensor| unsqueeze(t, 0);
        let bias = bias
            .map(|b| if b.ndim() == 3 { one(&b) } else { Ok(b) })
            .transpose()?;
        let out = fused_attention(&one(q)?, &one(k)?, &one(v)?, bias.as_ref(), scale)?;
        return squeeze(&out, Some(0));
    }
    fused_attention(q, k, v, bias.as_ref(), scale)
}

/// What is added to the scores: the float mask, or 0 / -inf from a boolean or causal mask.
fn attention_bias(
    q: &Tensor,
    k: &Tensor,
    mask: Option<&Tensor>,
    causal: bool,
) -> Result<Option<Tensor>> {
    let (l, s) = (q.shape()[q.ndim() - 2], k.shape()[k.ndim() - 2]);
    let keep = if causal {
        let _plain = GradModeGuard::new(false);
        let range = |n: usize| {
            super::creation::arange(
                Scalar::Int(0),
                Scalar::Int(n as i64),
                Scalar::Int(1),
                DType::Int64,
                q.device(),
            )
        };
        let rows = super::view::reshape(&range(l)?, &[l, 1])?;
        let cols = super::view::reshape(&range(s)?, &[1, s])?;
        super::compare::compare(super::kinds::CompareOp::Le, &cols, Rhs::Tensor(&rows))?
    } else {
        match mask {
            None => return Ok(None),
            Some(m) if m.dtype() != DType::Bool => return Ok(Some(m.clone())),
            Some(m) => m.clone(),
        }
    };
    let _plain = GradModeGuard::new(false);
    let zero = super::creation::zeros(&[], q.dtype(), q.device())?;
    let minus_inf =
        super::creation::full(&[], Scalar::Float(f64::NEG_INFINITY), q.dtype(), q.device())?;
    Ok(Some(where_(
        &keep,
        Rhs::Tensor(&zero),
        Rhs::Tensor(&minus_inf),
    )?))
}

/// `softmax(q @ k.T * scale + bias)` along the last dim; rows with every score -inf give 0.
fn attention_weights(q: &Tensor, k: &Tensor, bias: Option<&Tensor>, scale: f64) -> Result<Tensor> {
    let scores = mul_scalar(&matmul(q, &transpose(k, -2, -1)?)?, Scalar::Float(scale))?;
    let Some(bias) = bias else {
        return softmax(&scores, -1, None, false);
    };
    let scores = add(&scores, bias)?;
    let dead = {
        let _plain = GradModeGuard::new(false);
        let (row_max, _) = super::reduce::extreme_dim(&scores, -1, true, true)?;
        super::compare::eq_scalar(&row_max, Scalar::Float(f64::NEG_INFINITY))?
    };
    let zero = Rhs::Scalar(Scalar::Int(0));
    let live = where_(&dead, zero, Rhs::Tensor(&scores))?;
    where_(&dead, zero, Rhs::Tensor(&softmax(&live, -1, None, false)?))
}

/// The plain composition (PyTorch's math path).
fn attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    bias: Option<&Tensor>,
    dropout_p: f64,
    scale: f64,
) -> Result<Tensor> {
    let mut weights = attention_weights(q, k, bias, scale)?;
    if dropout_p > 0.0 {
        weights = super::nn_dropout::dropout(&weights, dropout_p, true, None, false)?;
    }
    matmul(&weights, v)
}

/// One node for the whole attention (PyTorch's fused CPU kernel's node).
fn fused_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    bias: Option<&Tensor>,
    scale: f64,
) -> Result<Tensor> {
    let out = {
        let _plain = GradModeGuard::new(false);
        attention(q, k, v, bias, 0.0, scale)?
    };
    if is_recording(&[q, k, v]) {
        let saved = smallvec![
            Some(SavedTensor::input(q)),
            Some(SavedTensor::input(k)),
            Some(SavedTensor::input(v)),
            bias.map(SavedTensor::input),
        ];
        record(
            AttentionBackward { scale },
            &[Some(q), Some(k), Some(v)],
            saved,
            &[&out],
        )?;
    }
    Ok(out)
}

struct AttentionBackward {
    scale: f64,
}

impl Backward for AttentionBackward {
    fn name(&self) -> &str {
        "ScaledDotProductFlashAttentionForCpuBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let (q, k, v) = (ctx.saved(0)?, ctx.saved(1)?, ctx.saved(2)?);
        let weights = attention_weights(q, k, ctx.saved(3).ok(), self.scale)?;
        let dv = matmul(&transpose(&weights, -2, -1)?, g)?;
        // Softmax backward, then the two products of the scores.
        let dw = matmul(g, &transpose(v, -2, -1)?)?;
        let inner = sum_dims(&mul(&dw, &weights)?, Some(&[-1]), true)?;
        let ds = mul_scalar(
            &mul(&weights, &sub(&dw, &inner)?)?,
            Scalar::Float(self.scale),
        )?;
        let dq = ctx.needs(0).then(|| matmul(&ds, k)).transpose()?;
        let dk = ctx
            .needs(1)
            .then(|| matmul(&transpose(&ds, -2, -1)?, q))
            .transpose()?;
        Ok(smallvec![dq, dk, ctx.needs(2).then_some(dv)])
    }
}
