//! Losses of `ferrograd.nn.functional`: `nll_loss` and `cross_entropy` (class indices or
//! probabilities, `ignore_index`, `label_smoothing`, class weights), the pointwise
//! regression losses (`mse_loss`, `smooth_l1_loss`, `huber_loss`) and
//! `binary_cross_entropy`, with PyTorch's checks, messages and weighted-mean semantics.
//!
//! Each has PyTorch's backward node. The backward formulas are written with ops, so they
//! differentiate again; nll's is the adjoint of picking one class per element, a kernel
//! pair (pick / place) like the poolings'.

use smallvec::smallvec;

use super::arith::{add, cast, div, div_scalar, mul, mul_scalar, neg, rsub_scalar, sub};
use super::backend;
use super::compare::compare;
use super::conditional::where_;
use super::kinds::{BinaryOp, CompareOp};
use super::loss::Reduction;
use super::nn_softmax::softmax;
use super::reduce::{sum, sum_dims};
use super::unary::{abs, log, sign};
use super::view::{expand, reshape};
use super::Rhs;
use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{result_type, shape_str, DType, Dims, Scalar, Tensor};

/// How `nll_loss` sees its operands: input `[n, c, s]`, targets `[n, s]`.
#[derive(Clone, Debug)]
struct ClassLayout {
    dims: [usize; 3],
    input_shape: Dims,
    target_shape: Dims,
    ignore_index: i64,
}

/// `nll_loss(input, target, weight, reduction, ignore_index)`.
pub fn nll_loss(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    ignore_index: i64,
) -> Result<Tensor> {
    Ok(nll_loss_parts(input, target, weight, reduction, ignore_index)?.0)
}

/// `nll_loss` and the summed weight of the counted targets (what its mean divides by).
fn nll_loss_parts(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    ignore_index: i64,
) -> Result<(Tensor, Tensor)> {
    let layout = check_nll(input, target, weight, ignore_index)?;
    let (losses, total_weight) =
        backend::nll_loss(input, target, weight, ignore_index, layout.dims)?;
    let losses = losses.with_layout(crate::tensor::Layout::contiguous(&layout.target_shape));
    let out = {
        let _plain = GradModeGuard::new(false);
        match reduction {
            Reduction::None => losses,
            Reduction::Sum => sum(&losses)?,
            Reduction::Mean => div(&sum(&losses)?, &total_weight)?,
        }
    };
    if is_recording(&[input]) {
        let node = NllLossBackward {
            layout,
            reduction,
            name: if input.ndim() >= 3 {
                "NllLoss2DBackward0"
            } else {
                "NllLossBackward0"
            },
        };
        let saved = smallvec![
            Some(SavedTensor::input(target)),
            weight.map(SavedTensor::input),
            Some(SavedTensor::input(&total_weight)),
        ];
        record(node, &[Some(input)], saved, &[&out])?;
    }
    Ok((out, total_weight))
}

/// PyTorch's checks of `nll_loss`'s operands.
fn check_nll(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
) -> Result<ClassLayout> {
    if input.ndim() < 1 {
        return Err(Error::value(format!(
            "Expected 1 or more dimensions (got {})",
            input.ndim()
        )));
    }
    if input.ndim() != 1 && target.shape().first() != Some(&input.shape()[0]) {
        return Err(Error::value(format!(
            "Expected input batch_size ({}) to match target batch_size ({}).",
            input.shape()[0],
            target.shape().first().copied().unwrap_or(0)
        )));
    }
    let s = input.shape();
    let (n, c) = if input.ndim() == 1 {
        (1, s[0])
    } else {
        (s[0], s[1])
    };
    if input.ndim() <= 2 {
        if target.ndim() > 1 {
            return Err(Error::runtime(
                "0D or 1D target tensor expected, multi-target not supported",
            ));
        }
        if target.numel() != n {
            return Err(Error::runtime(format!(
                "size mismatch (got input: {}, target: {})",
                shape_str(input.shape()),
                shape_str(target.shape())
            )));
        }
    } else {
        let mut expected: Vec<usize> = vec![s[0]];
        expected.extend(&s[2..]);
        if target.shape() != expected.as_slice() {
            return Err(Error::runtime(format!(
                "Expected target size {}, got {}",
                shape_str(&expected),
                shape_str(target.shape())
            )));
        }
    }
    if let Some(w) = weight {
        if w.ndim() != 1 || w.numel() != c {
            return Err(Error::runtime(format!(
                "weight tensor should be defined either for all {c} classes or no classes but got weight tensor of shape: {}",
                shape_str(w.shape())
            )));
        }
        if w.dtype() != input.dtype() {
            return Err(Error::runtime(format!(
                "expected scalar type {} but found {}",
                input.dtype().scalar_type_name(),
                w.dtype().scalar_type_name()
            )));
        }
    }
    if target.dtype() != DType::Int64 {
        return Err(Error::runtime(format!(
            "expected target dtype to be Long or Byte, but got {}",
            target.dtype().scalar_type_name()
        )));
    }
    let kernel = if input.ndim() >= 3 {
        "nll_loss2d_forward"
    } else {
        "nll_loss_forward"
    };
    not_differentiable(weight, kernel)?;
    super::check_same_device("nll_loss", &[input, target])?;
    if !input.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"nll_loss_out_frame\" not implemented for '{}'",
            input.dtype().scalar_type_name()
        )));
    }
    Ok(ClassLayout {
        dims: [n, c, s[2.min(s.len())..].iter().product()],
        input_shape: input.shape_dims(),
        target_shape: target.shape_dims(),
        ignore_index,
    })
}

/// PyTorch's error for a class weight that requires grad (its gradient is not defined).
fn not_differentiable(weight: Option<&Tensor>, function: &str) -> Result<()> {
    if weight.is_some_and(|w| is_recording(&[w])) {
        return Err(Error::runtime(format!(
            "The function '{function}' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True."
        )));
    }
    Ok(())
}

/// `-weight[t] * x[n, t, s]` per element (`place: false`), or its adjoint placing per-element
/// values at the target classes (`place: true`); recorded.
fn class_op(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    layout: &ClassLayout,
    place: bool,
) -> Result<Tensor> {
    let out = if place {
        let g = backend::nll_loss_backward(x, target, weight, layout.ignore_index, layout.dims)?;
        g.with_layout(crate::tensor::Layout::contiguous(&layout.input_shape))
    } else {
        let (losses, _) = backend::nll_loss(x, target, weight, layout.ignore_index, layout.dims)?;
        losses.with_layout(crate::tensor::Layout::contiguous(&layout.target_shape))
    };
    if is_recording(&[x]) {
        let node = ClassBackward {
            layout: layout.clone(),
            place,
        };
        let saved = smallvec![
            Some(SavedTensor::input(target)),
            weight.map(SavedTensor::input)
        ];
        record(node, &[Some(x)], saved, &[&out])?;
    }
    Ok(out)
}

struct NllLossBackward {
    layout: ClassLayout,
    reduction: Reduction,
    name: &'static str,
}

impl Backward for NllLossBackward {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, target) = (ctx.grad(), ctx.saved(0)?);
        let weight = ctx.saved(1).ok();
        let shape = &self.layout.target_shape;
        let per_element = match self.reduction {
            Reduction::None => g.clone(),
            Reduction::Sum => expand(g, shape)?,
            Reduction::Mean => expand(&div(g, ctx.saved(2)?)?, shape)?,
        };
        Ok(smallvec![Some(class_op(
            &per_element,
            target,
            weight,
            &self.layout,
            true
        )?)])
    }
}

struct ClassBackward {
    layout: ClassLayout,
    place: bool,
}

impl Backward for ClassBackward {
    fn name(&self) -> &str {
        if self.place {
            "NllLossBackwardBackward0"
        } else {
            "NllLossBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, target) = (ctx.grad(), ctx.saved(0)?);
        let grad = class_op(g, target, ctx.saved(1).ok(), &self.layout, !self.place)?;
        Ok(smallvec![Some(grad)])
    }
}

/// `cross_entropy(input, target, weight, reduction, ignore_index, label_smoothing)`: class
/// indices, or class probabilities when `target` has `input`'s shape.
pub fn cross_entropy(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    ignore_index: i64,
    label_smoothing: f64,
) -> Result<Tensor> {
    let class_dim: i64 = if input.ndim() == 1 { 0 } else { 1 };
    if input.shape() == target.shape() {
        if !target.dtype().is_floating_point() {
            return Err(Error::runtime(format!(
                "Expected floating point type for target with class probabilities, got {}",
                target.dtype().scalar_type_name()
            )));
        }
        if ignore_index >= 0 {
            return Err(Error::runtime(
                "ignore_index is not supported for floating point target",
            ));
        }
        check_smoothing(label_smoothing)?;
        return cross_entropy_probabilities(
            input,
            target,
            weight,
            reduction,
            label_smoothing,
            class_dim,
        );
    }
    let log_p = softmax(input, class_dim, None, true)?;
    if label_smoothing <= 0.0 {
        return nll_loss(&log_p, target, weight, reduction, ignore_index);
    }
    check_smoothing(label_smoothing)?;
    let (nll, total_weight) = nll_loss_parts(&log_p, target, weight, reduction, ignore_index)?;
    let classes = input.shape()[class_dim as usize] as f64;
    // The smoothing term: minus the (weighted) sum of log-probabilities over the classes,
    // 0 at ignored targets.
    let weighted = match weight {
        Some(w) => mul(&log_p, &class_view(w, input, class_dim)?)?,
        None => log_p.clone(),
    };
    let smooth = neg(&sum_dims(&weighted, Some(&[class_dim]), false)?)?;
    let ignored = compare(
        CompareOp::Eq,
        target,
        Rhs::Scalar(Scalar::Int(ignore_index)),
    )?;
    let smooth = where_(&ignored, Rhs::Scalar(Scalar::Int(0)), Rhs::Tensor(&smooth))?;
    let smooth = match reduction {
        Reduction::None => smooth,
        Reduction::Sum => sum(&smooth)?,
        Reduction::Mean if weight.is_some() => div(&sum(&smooth)?, &total_weight)?,
        Reduction::Mean => {
            let counted = compare(
                CompareOp::Ne,
                target,
                Rhs::Scalar(Scalar::Int(ignore_index)),
            )?;
            div(&sum(&smooth)?, &cast(&sum(&counted)?, smooth.dtype())?)?
        }
    };
    add(
        &mul_scalar(&nll, Scalar::Float(1.0 - label_smoothing))?,
        &mul_scalar(&smooth, Scalar::Float(label_smoothing / classes))?,
    )
}

fn check_smoothing(label_smoothing: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&label_smoothing) {
        return Err(Error::runtime(format!(
            "label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
        )));
    }
    Ok(())
}

/// `w` (per class) viewed to broadcast along `input`'s class dim.
fn class_view(w: &Tensor, input: &Tensor, class_dim: i64) -> Result<Tensor> {
    let mut shape = vec![1; input.ndim()];
    shape[class_dim as usize] = w.numel();
    reshape(w, &shape)
}

/// Cross entropy against class probabilities: `-sum(target * log_softmax(input))`.
fn cross_entropy_probabilities(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    label_smoothing: f64,
    class_dim: i64,
) -> Result<Tensor> {
    let classes = input.shape()[class_dim as usize];
    let log_p = softmax(input, class_dim, None, true)?;
    let target = if label_smoothing > 0.0 {
        super::arith::add_scalar(
            &mul_scalar(target, Scalar::Float(1.0 - label_smoothing))?,
            Scalar::Float(label_smoothing / classes as f64),
        )?
    } else {
        target.clone()
    };
    let mut product = mul(&log_p, &target)?;
    if let Some(w) = weight {
        product = mul(&product, &class_view(w, input, class_dim)?)?;
    }
    match reduction {
        Reduction::None => neg(&sum_dims(&product, Some(&[class_dim]), false)?),
        Reduction::Sum => neg(&sum(&product)?),
        Reduction::Mean => {
            let count = input.numel().checked_div(classes).unwrap_or(0);
            divide_by_count(&neg(&sum(&product)?)?, count as f64)
        }
    }
}

/// `x / count` recorded as PyTorch records a tensor divided by a C++ number
/// (`DivBackward1`).
fn divide_by_count(x: &Tensor, count: f64) -> Result<Tensor> {
    let out = {
        let _plain = GradModeGuard::new(false);
        div_scalar(x, Scalar::Float(count))?
    };
    if is_recording(&[x]) {
        record(
            DivByNumberBackward { count },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

struct DivByNumberBackward {
    count: f64,
}

impl Backward for DivByNumberBackward {
    fn name(&self) -> &str {
        "DivBackward1"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        Ok(smallvec![Some(div_scalar(
            ctx.grad(),
            Scalar::Float(self.count)
        )?)])
    }
}

/// The pointwise regression losses of `d = input - target`.
#[derive(Copy, Clone, Debug)]
pub enum Pointwise {
    /// `d^2`.
    Mse,
    /// `0.5 d^2 / beta` where `|d| < beta`, else `|d| - 0.5 beta`.
    SmoothL1 { beta: f64 },
    /// `0.5 d^2` where `|d| < delta`, else `delta (|d| - 0.5 delta)`.
    Huber { delta: f64 },
}

impl Pointwise {
    fn kernel_name(self) -> &'static str {
        match self {
            Pointwise::Mse => "mse_cpu",
            Pointwise::SmoothL1 { .. } => "smooth_l1_cpu",
            Pointwise::Huber { .. } => "huber_cpu",
        }
    }

    /// The loss of each difference.
    fn loss(self, d: &Tensor) -> Result<Tensor> {
        let square = mul(d, d)?;
        let (width, scale) = match self {
            Pointwise::Mse => return Ok(square),
            Pointwise::SmoothL1 { beta } => (beta, 1.0),
            Pointwise::Huber { delta } => (delta, delta),
        };
        let a = abs(d)?;
        let inside = compare(CompareOp::Lt, &a, Rhs::Scalar(Scalar::Float(width)))?;
        let quadratic = mul_scalar(&square, Scalar::Float(0.5 * scale / width))?;
        let linear = mul_scalar(
            &super::arith::add_scalar(&a, Scalar::Float(-0.5 * width))?,
            Scalar::Float(scale),
        )?;
        where_(&inside, Rhs::Tensor(&quadratic), Rhs::Tensor(&linear))
    }

    /// The derivative of the loss in `d`.
    fn slope(self, d: &Tensor) -> Result<Tensor> {
        let (width, scale) = match self {
            Pointwise::Mse => return mul_scalar(d, Scalar::Int(2)),
            Pointwise::SmoothL1 { beta } => (beta, 1.0),
            Pointwise::Huber { delta } => (delta, delta),
        };
        let inside = compare(CompareOp::Lt, &abs(d)?, Rhs::Scalar(Scalar::Float(width)))?;
        let linear = mul_scalar(d, Scalar::Float(scale / width))?;
        let outside = mul_scalar(&sign(d)?, Scalar::Float(scale))?;
        where_(&inside, Rhs::Tensor(&linear), Rhs::Tensor(&outside))
    }

    fn node_name(self) -> &'static str {
        match self {
            Pointwise::Mse => "MseLossBackward0",
            Pointwise::SmoothL1 { .. } => "SmoothL1LossBackward0",
            Pointwise::Huber { .. } => "HuberLossBackward0",
        }
    }
}

/// `mse_loss`, `smooth_l1_loss` or `huber_loss` of `input` and `target` (broadcast).
pub fn pointwise_loss(
    kind: Pointwise,
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
) -> Result<Tensor> {
    match kind {
        Pointwise::SmoothL1 { beta } if beta < 0.0 => {
            return Err(Error::runtime(
                "smooth_l1_loss does not support negative values for beta.",
            ))
        }
        Pointwise::Huber { delta } if delta <= 0.0 => {
            return Err(Error::runtime(
                "huber_loss does not support non-positive values for delta.",
            ))
        }
        _ => {}
    }
    let dtype = result_type(&[super::arith::operand(input), super::arith::operand(target)]);
    if !dtype.is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"{}\" not implemented for '{}'",
            kind.kernel_name(),
            dtype.scalar_type_name()
        )));
    }
    let (out, numel) = {
        let _plain = GradModeGuard::new(false);
        let per_element = kind.loss(&sub(input, target)?)?;
        (reduction.apply(&per_element)?, per_element.numel())
    };
    if is_recording(&[input, target]) {
        let node = PointwiseBackward {
            kind,
            reduction,
            numel,
        };
        let saved = smallvec![
            Some(SavedTensor::input(input)),
            Some(SavedTensor::input(target))
        ];
        record(node, &[Some(input), Some(target)], saved, &[&out])?;
    }
    Ok(out)
}

/// The output gradient as seen by each element: divided by the count for a mean.
fn per_element_grad(g: &Tensor, reduction: Reduction, numel: usize) -> Result<Tensor> {
    match reduction {
        Reduction::Mean => div_scalar(g, Scalar::Float(numel as f64)),
        _ => Ok(g.clone()),
    }
}

struct PointwiseBackward {
    kind: Pointwise,
    reduction: Reduction,
    numel: usize,
}

impl Backward for PointwiseBackward {
    fn name(&self) -> &str {
        self.kind.node_name()
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, t) = (ctx.saved(0)?, ctx.saved(1)?);
        let g = per_element_grad(ctx.grad(), self.reduction, self.numel)?;
        let grad_input = mul(&self.kind.slope(&sub(x, t)?)?, &g)?;
        let grad_target = if ctx.needs(1) {
            Some(neg(&grad_input)?)
        } else {
            None
        };
        Ok(smallvec![ctx.needs(0).then_some(grad_input), grad_target])
    }
}

/// `binary_cross_entropy(input, target, weight, reduction)` on probabilities, with logs
/// clamped at -100 as in PyTorch. `weight` is already broadcast to `input`'s shape.
pub fn binary_cross_entropy(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Tensor> {
    if target.shape() != input.shape() {
        return Err(Error::value(format!(
            "Using a target size (ferrograd.Size({})) that is different to the input size (ferrograd.Size({})) is deprecated. Please ensure they have the same size.",
            shape_str(target.shape()),
            shape_str(input.shape())
        )));
    }
    if !input.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"binary_cross_entropy\" not implemented for '{}'",
            input.dtype().scalar_type_name()
        )));
    }
    for t in [Some(target), weight].into_iter().flatten() {
        if t.dtype() != input.dtype() {
            return Err(Error::runtime(format!(
                "Found dtype {} but expected {}",
                t.dtype().scalar_type_name(),
                input.dtype().scalar_type_name()
            )));
        }
    }
    not_differentiable(weight, "binary_cross_entropy")?;
    let (out, numel) = {
        let _plain = GradModeGuard::new(false);
        let valid = backend::binary(
            BinaryOp::Mul,
            &compare(CompareOp::Ge, input, Rhs::Scalar(Scalar::Int(0)))?,
            &compare(CompareOp::Le, input, Rhs::Scalar(Scalar::Int(1)))?,
        )?;
        if sum(&valid)?.item_f64()? as usize != input.numel() {
            return Err(Error::runtime(
                "all elements of input should be between 0 and 1",
            ));
        }
        let clamped_log = |t: &Tensor| -> Result<Tensor> {
            let floor = super::creation::full(&[], Scalar::Int(-100), t.dtype(), t.device())?;
            backend::binary(BinaryOp::Maximum, &log(t)?, &floor)
        };
        let one = Scalar::Int(1);
        let per_element = neg(&add(
            &mul(target, &clamped_log(input)?)?,
            &mul(
                &rsub_scalar(target, one)?,
                &clamped_log(&rsub_scalar(input, one)?)?,
            )?,
        )?)?;
        let per_element = match weight {
            Some(w) => mul(&per_element, w)?,
            None => per_element,
        };
        (reduction.apply(&per_element)?, per_element.numel())
    };
    let inputs: Vec<&Tensor> = [Some(input), Some(target), weight]
        .into_iter()
        .flatten()
        .collect();
    if is_recording(&inputs) {
        let saved = smallvec![
            Some(SavedTensor::input(input)),
            Some(SavedTensor::input(target)),
            weight.map(SavedTensor::input),
        ];
        let node = BinaryCrossEntropyBackward { reduction, numel };
        record(node, &[Some(input), Some(target)], saved, &[&out])?;
    }
    Ok(out)
}

struct BinaryCrossEntropyBackward {
    reduction: Reduction,
    numel: usize,
}

impl Backward for BinaryCrossEntropyBackward {
    fn name(&self) -> &str {
        "BinaryCrossEntropyBackward0"
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (x, t) = (ctx.saved(0)?, ctx.saved(1)?);
        let mut g = per_element_grad(ctx.grad(), self.reduction, self.numel)?;
        if let Ok(w) = ctx.saved(2) {
            g = mul(&g, w)?;
        }
        let one = Scalar::Int(1);
        let grad_input = if ctx.needs(0) {
            // (x - t) / max(x (1 - x), 1e-12)
            let spread = mul(x, &rsub_scalar(x, one)?)?;
            let tiny = compare(CompareOp::Lt, &spread, Rhs::Scalar(Scalar::Float(1e-12)))?;
            let spread = where_(
                &tiny,
                Rhs::Scalar(Scalar::Float(1e-12)),
                Rhs::Tensor(&spread),
            )?;
            Some(mul(&g, &div(&sub(x, t)?, &spread)?)?)
        } else {
            None
        };
        let grad_target = if ctx.needs(1) {
            // log(1 - x) - log(x)
            let slope = sub(&log(&rsub_scalar(x, one)?)?, &log(x)?)?;
            Some(mul(&g, &slope)?)
        } else {
            None
        };
        Ok(smallvec![grad_input, grad_target])
    }
}
