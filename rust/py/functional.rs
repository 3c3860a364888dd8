//! Functions of `ferrograd` and `ferrograd.nn.functional` that are not Tensor methods.

use pyo3::prelude::*;

use super::args::{extract_operand, tensor_arg, type_error};
use super::tensor::PyTensor;
use crate::ops;

#[pyfunction]
#[pyo3(signature = (input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None))]
#[allow(clippy::too_many_arguments)]
pub fn binary_cross_entropy_with_logits(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    weight: Option<&Bound<'_, PyAny>>,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
    pos_weight: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let fname = "binary_cross_entropy_with_logits";
    let reduction = match (size_average, reduce) {
        (None, None) => ops::loss::Reduction::parse(reduction)?,
        (_, Some(false)) => ops::loss::Reduction::None,
        (Some(false), _) => ops::loss::Reduction::Sum,
        _ => ops::loss::Reduction::Mean,
    };
    let opt =
        |t: Option<&Bound<'_, PyAny>>, arg: &str| -> PyResult<Option<crate::tensor::Tensor>> {
            match t {
                Some(t) if !t.is_none() => tensor_arg(t, fname, arg).map(Some),
                _ => Ok(None),
            }
        };
    let (w, pw) = (opt(weight, "weight")?, opt(pos_weight, "pos_weight")?);
    Ok(ops::loss::binary_cross_entropy_with_logits(
        &tensor_arg(input, fname, "input")?,
        &tensor_arg(target, fname, "target")?,
        w.as_ref(),
        pw.as_ref(),
        reduction,
    )?
    .into())
}

/// `where(condition, input, other)`: numbers allowed for `input` and `other`.
#[pyfunction]
#[pyo3(name = "where")]
pub fn where_(
    condition: &Bound<'_, PyAny>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let cond = tensor_arg(condition, "where", "condition")?;
    let a = extract_operand(input).ok_or_else(|| type_error("where", "input", "Tensor", input))?;
    let b = extract_operand(other).ok_or_else(|| type_error("where", "other", "Tensor", other))?;
    Ok(ops::conditional::where_(&cond, a.as_rhs(), b.as_rhs())?.into())
}
