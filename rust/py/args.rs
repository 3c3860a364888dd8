//! Reading Python arguments the way PyTorch does: sizes given as `f(2, 3)` or `f((2, 3))`,
//! numbers as right-hand operands, dims as an int or a sequence.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple};

use super::tensor::PyTensor;
use crate::ops::Rhs;
use crate::tensor::{Scalar, Tensor};

/// A Python number as a [`Scalar`] (bool before int: `True` is an int in Python). NumPy
/// scalars and 0-d arrays count as numbers through `__float__`/`__index__`.
pub fn extract_scalar(obj: &Bound<'_, PyAny>) -> Option<Scalar> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Some(Scalar::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return i.extract::<i64>().ok().map(Scalar::Int);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Some(Scalar::Float(f.value()));
    }
    numpy_scalar(obj)
}

/// NumPy's scalar types (`np.float32(2)`, `np.int64(3)`, `np.bool_`), by their dtype kind.
fn numpy_scalar(obj: &Bound<'_, PyAny>) -> Option<Scalar> {
    let module = obj.get_type().module().ok()?;
    if module.to_str().ok()? != "numpy" {
        return None;
    }
    let kind: String = obj
        .getattr("dtype")
        .ok()?
        .getattr("kind")
        .ok()?
        .extract()
        .ok()?;
    match kind.as_str() {
        "b" => obj.extract::<bool>().ok().map(Scalar::Bool),
        "i" | "u" => obj
            .call_method0("__index__")
            .ok()?
            .extract::<i64>()
            .ok()
            .map(Scalar::Int),
        "f" => obj.extract::<f64>().ok().map(Scalar::Float),
        _ => None,
    }
}

/// A right-hand operand owned for the duration of a call.
pub enum Operand {
    Tensor(Tensor),
    Scalar(Scalar),
}

impl Operand {
    pub fn as_rhs(&self) -> Rhs<'_> {
        match self {
            Operand::Tensor(t) => Rhs::Tensor(t),
            Operand::Scalar(s) => Rhs::Scalar(*s),
        }
    }
}

/// A tensor or a number; `None` for anything else (operators then return NotImplemented).
pub fn extract_operand(obj: &Bound<'_, PyAny>) -> Option<Operand> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Some(Operand::Tensor(t.borrow().t.clone()));
    }
    extract_scalar(obj).map(Operand::Scalar)
}

/// Like [`extract_operand`], with PyTorch's TypeError when it is neither.
pub fn operand_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Operand> {
    extract_operand(obj).ok_or_else(|| type_error(fname, arg, "Tensor", obj))
}

/// The tensor behind an argument, with PyTorch's TypeError when it is not one.
pub fn tensor_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Tensor> {
    obj.cast::<PyTensor>()
        .map(|t| t.borrow().t.clone())
        .map_err(|_| type_error(fname, arg, "Tensor", obj))
}

pub fn type_error(fname: &str, arg: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    argument_error(fname, &format!("'{arg}'"), expected, got)
}

/// [`type_error`] for a positional argument, which PyTorch names with its position.
pub fn type_error_at(
    fname: &str,
    arg: &str,
    position: usize,
    expected: &str,
    got: &Bound<'_, PyAny>,
) -> PyErr {
    argument_error(
        fname,
        &format!("'{arg}' (position {position})"),
        expected,
        got,
    )
}

fn argument_error(fname: &str, arg: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let got = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into());
    PyTypeError::new_err(format!(
        "{fname}(): argument {arg} must be {expected}, not {got}"
    ))
}

fn int_of(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if obj.cast::<PyFloat>().is_ok() {
        return Err(PyTypeError::new_err(
            "'float' object cannot be interpreted as an integer",
        ));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow();
        if t.t.numel() == 1 && !t.t.dtype().is_floating_point() {
            return Ok(t.t.item_f64()? as i64);
        }
    }
    obj.call_method0("__index__")
        .and_then(|v| v.extract::<i64>())
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "expected an integer, got {}",
                obj.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })
}

/// Ints given either as separate arguments or as one sequence: `view(2, 3)` == `view((2, 3))`.
pub fn int_list(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let first = args.get_item(0)?;
        if first.cast::<PyTuple>().is_ok()
            || first.cast::<PyList>().is_ok()
            || first.cast::<PySequence>().is_ok() && first.cast::<PyTensor>().is_err()
        {
            return first.try_iter()?.map(|v| int_of(&v?)).collect();
        }
    }
    args.iter().map(|v| int_of(&v)).collect()
}

/// A sequence of ints (`dims=(0, 1)`) or a single int.
pub fn int_or_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if obj.cast::<PyTuple>().is_ok() || obj.cast::<PyList>().is_ok() {
        return obj.try_iter()?.map(|v| int_of(&v?)).collect();
    }
    Ok(vec![int_of(obj)?])
}

/// Sizes for creation functions, with PyTorch's error for negative ones.
pub fn sizes(args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    let raw = int_list(args)?;
    sizes_from(&raw)
}

/// The `*size` of a creation function `fname`; a single argument that is neither an int nor a
/// sequence gets PyTorch's TypeError.
pub fn size_arg(args: &Bound<'_, PyTuple>, fname: &str) -> PyResult<Vec<usize>> {
    match args.iter().next() {
        Some(first)
            if args.len() == 1
                && (first.cast::<PySequence>().is_err() || first.cast::<PyString>().is_ok())
                && first.call_method0("__index__").is_err() =>
        {
            Err(type_error_at(fname, "size", 1, "tuple of ints", &first))
        }
        _ => sizes(args),
    }
}

pub fn sizes_from(raw: &[i64]) -> PyResult<Vec<usize>> {
    if let Some(&neg) = raw.iter().find(|&&d| d < 0) {
        return Err(PyRuntimeError::new_err(format!(
            "Trying to create tensor with negative dimension {neg}: {raw:?}"
        )));
    }
    Ok(raw.iter().map(|&d| d as usize).collect())
}
