//! Tensor arithmetic from Python: the operator slots (`+`, `*`, `@`, `==`, `+=`, ...) and the
//! math methods (`exp`, `sum`, `max`, `matmul`, in-place `add_`, ...).

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::IntoPyObjectExt;

use super::args::{extract_operand, int_or_list, operand_arg, tensor_arg, Operand};
use super::tensor::PyTensor;
use super::tensor_fused::multiplier;
use crate::ops::kinds::{BinaryOp, CompareOp, UnaryOp};
use crate::ops::{self, Rhs};
use crate::tensor::{DType, Scalar, Tensor};

pub(super) type Out = PyResult<Py<PyAny>>;

/// `NotImplemented` lets Python try the other operand's reflected method.
pub(super) fn not_implemented(py: Python<'_>) -> Out {
    Ok(py.NotImplemented())
}

pub(super) fn wrap(py: Python<'_>, r: crate::Result<Tensor>) -> Out {
    PyTensor::from(r?).into_py_any(py)
}

/// `a op b` for an operator slot.
fn binary(py: Python<'_>, op: BinaryOp, a: &Tensor, other: &Bound<'_, PyAny>) -> Out {
    match extract_operand(other) {
        Some(b) => wrap(py, ops::arith::binary(op, a, b.as_rhs())),
        None => not_implemented(py),
    }
}

/// `b op a` for a reflected slot (`2 - x`, `2 ** x`, `2 / x`).
fn reflected(py: Python<'_>, op: BinaryOp, a: &Tensor, other: &Bound<'_, PyAny>) -> Out {
    let Some(b) = extract_operand(other) else {
        return not_implemented(py);
    };
    let r = match (op, b) {
        (_, Operand::Tensor(b)) => ops::arith::binary(op, &b, Rhs::Tensor(a)),
        (BinaryOp::Add | BinaryOp::Mul, Operand::Scalar(s)) => {
            ops::arith::binary(op, a, Rhs::Scalar(s))
        }
        (BinaryOp::Sub, Operand::Scalar(s)) => ops::arith::rsub_scalar(a, s),
        (BinaryOp::Div, Operand::Scalar(s)) => ops::arith::rdiv_scalar(a, s),
        (BinaryOp::Pow, Operand::Scalar(s)) => ops::arith::rpow_scalar(a, s),
        (op, _) => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "unsupported reflected op {op:?}"
            )))
        }
    };
    wrap(py, r)
}

fn compare(py: Python<'_>, op: CompareOp, a: &Tensor, other: &Bound<'_, PyAny>) -> Out {
    match extract_operand(other) {
        Some(b) => wrap(py, ops::compare::compare(op, a, b.as_rhs())),
        None => not_implemented(py),
    }
}

/// `x op= y`: in place on `x` (Python then rebinds the name to `x` itself).
fn inplace(t: &Tensor, op: BinaryOp, other: &Bound<'_, PyAny>) -> PyResult<()> {
    let b = operand_arg(other, "inplace operator", "other")?;
    Ok(ops::inplace::binary_(op, t, b.as_rhs())?)
}

/// `dims=None|int|sequence` as an optional list.
pub(super) fn dims_arg(dim: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<i64>>> {
    match dim {
        Some(d) if !d.is_none() => Ok(Some(int_or_list(d)?)),
        _ => Ok(None),
    }
}

/// A `(values, indices)` result as `ferrograd.return_types.<name>`.
pub(super) fn values_indices(py: Python<'_>, name: &str, values: Tensor, indices: Tensor) -> Out {
    let cls = py.import("ferrograd.return_types")?.getattr(name)?;
    Ok(cls
        .call1((PyTensor::from(values), PyTensor::from(indices)))?
        .unbind())
}

macro_rules! unary_methods {
    ($($name:ident => $op:ident),* $(,)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self) -> PyResult<PyTensor> {
                    Ok(ops::unary::unary(UnaryOp::$op, &self.t)?.into())
                }
            )*
        }
    };
}

unary_methods!(neg => Neg, negative => Neg, abs => Abs, sign => Sign, exp => Exp, log => Log, sqrt => Sqrt,
    rsqrt => Rsqrt, sin => Sin, cos => Cos, tanh => Tanh, sigmoid => Sigmoid, relu => Relu,
    reciprocal => Reciprocal, square => Square);

#[pymethods]
impl PyTensor {
    fn __add__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        binary(py, BinaryOp::Add, &self.t, other)
    }
    fn __radd__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::Add, &self.t, other)
    }
    fn __sub__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        binary(py, BinaryOp::Sub, &self.t, other)
    }
    fn __rsub__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::Sub, &self.t, other)
    }
    fn __mul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        binary(py, BinaryOp::Mul, &self.t, other)
    }
    fn __rmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::Mul, &self.t, other)
    }
    fn __truediv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        binary(py, BinaryOp::Div, &self.t, other)
    }
    fn __rtruediv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        reflected(py, BinaryOp::Div, &self.t, other)
    }
    fn __pow__(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        modulo: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let _ = modulo;
        binary(py, BinaryOp::Pow, &self.t, other)
    }
    fn __rpow__(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        modulo: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let _ = modulo;
        reflected(py, BinaryOp::Pow, &self.t, other)
    }
    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        match other.cast::<PyTensor>() {
            Ok(b) => wrap(py, ops::matmul::matmul(&self.t, &b.borrow().t)),
            Err(_) => not_implemented(py),
        }
    }
    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        match other.cast::<PyTensor>() {
            Ok(b) => wrap(py, ops::matmul::matmul(&b.borrow().t, &self.t)),
            Err(_) => not_implemented(py),
        }
    }
    fn __neg__(&self) -> PyResult<PyTensor> {
        Ok(ops::neg(&self.t)?.into())
    }
    fn __pos__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }
    fn __abs__(&self) -> PyResult<PyTensor> {
        Ok(ops::unary::abs(&self.t)?.into())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Eq, &self.t, other)
    }
    fn __ne__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Ne, &self.t, other)
    }
    fn __lt__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Lt, &self.t, other)
    }
    fn __le__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Le, &self.t, other)
    }
    fn __gt__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Gt, &self.t, other)
    }
    fn __ge__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Ge, &self.t, other)
    }

    fn __iadd__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::Add, other)
    }
    fn __isub__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::Sub, other)
    }
    fn __imul__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::Mul, other)
    }
    fn __itruediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(&self.t, BinaryOp::Div, other)
    }

    // ---- named arithmetic ----

    #[pyo3(signature = (other, *, alpha=None))]
    fn add(
        &self,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        Ok(add_or_sub(&self.t, other, alpha, false, "add")?.into())
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub(
        &self,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        Ok(add_or_sub(&self.t, other, alpha, true, "sub")?.into())
    }
    fn mul(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = operand_arg(other, "mul", "other")?;
        Ok(ops::arith::binary(BinaryOp::Mul, &self.t, b.as_rhs())?.into())
    }
    fn div(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = operand_arg(other, "div", "other")?;
        Ok(ops::arith::binary(BinaryOp::Div, &self.t, b.as_rhs())?.into())
    }
    fn pow(&self, exponent: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = operand_arg(exponent, "pow", "exponent")?;
        Ok(ops::arith::binary(BinaryOp::Pow, &self.t, b.as_rhs())?.into())
    }

    #[pyo3(signature = (other, *, alpha=None))]
    fn add_<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        add_or_sub_(&slf.borrow().t, other, alpha, false, "add_")?;
        Ok(slf)
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        add_or_sub_(&slf.borrow().t, other, alpha, true, "sub_")?;
        Ok(slf)
    }
    fn mul_<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let b = operand_arg(other, "mul_", "other")?;
        ops::inplace::binary_(BinaryOp::Mul, &slf.borrow().t, b.as_rhs())?;
        Ok(slf)
    }
    fn div_<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let b = operand_arg(other, "div_", "other")?;
        ops::inplace::binary_(BinaryOp::Div, &slf.borrow().t, b.as_rhs())?;
        Ok(slf)
    }
    fn zero_(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        ops::inplace::zero_(&slf.borrow().t)?;
        Ok(slf)
    }
    fn fill_<'py>(slf: Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = match operand_arg(value, "fill_", "value")? {
            Operand::Scalar(s) => s,
            Operand::Tensor(t) => Scalar::Float(t.item_f64()?),
        };
        ops::inplace::fill_(&slf.borrow().t, v)?;
        Ok(slf)
    }
    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(
        slf: Bound<'py, Self>,
        src: &Bound<'py, PyAny>,
        non_blocking: bool,
    ) -> PyResult<Bound<'py, Self>> {
        let _ = non_blocking;
        let src = tensor_arg(src, "copy_", "src")?;
        ops::inplace::copy_(&slf.borrow().t, &src)?;
        Ok(slf)
    }

    fn eq(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Eq, &self.t, other)
    }
    fn ne(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Ne, &self.t, other)
    }
    fn lt(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Lt, &self.t, other)
    }
    fn le(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Le, &self.t, other)
    }
    fn gt(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Gt, &self.t, other)
    }
    fn ge(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Out {
        compare(py, CompareOp::Ge, &self.t, other)
    }

    // ---- reductions ----

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn sum(
        &self,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let x = match super::dtype::extract_dtype_opt(dtype)? {
            Some(d) => ops::to_dtype(&self.t, d)?,
            None => self.t.clone(),
        };
        Ok(ops::reduce::sum_dims(&x, dims_arg(dim)?.as_deref(), keepdim)?.into())
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn mean(
        &self,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let x = match super::dtype::extract_dtype_opt(dtype)? {
            Some(d) => ops::to_dtype(&self.t, d)?,
            None => self.t.clone(),
        };
        Ok(ops::reduce::mean_dims(&x, dims_arg(dim)?.as_deref(), keepdim)?.into())
    }

    /// `norm(p='fro', dim=None, keepdim=False)`: a vector norm over `dim` (all elements by
    /// default); `'fro'` is the 2-norm.
    #[pyo3(signature = (p=None, dim=None, keepdim=false, dtype=None))]
    fn norm(
        &self,
        p: Option<&Bound<'_, PyAny>>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let p = norm_order(p)?;
        let x = match super::dtype::extract_dtype_opt(dtype)? {
            Some(d) => ops::to_dtype(&self.t, d)?,
            None => self.t.clone(),
        };
        Ok(ops::reduce::norm(&x, p, dims_arg(dim)?.as_deref(), keepdim)?.into())
    }

    /// `max()`, `max(dim, keepdim)` -> (values, indices), or `max(other)` elementwise.
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn max(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> Out {
        extreme(py, &self.t, dim, keepdim, true)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn min(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> Out {
        extreme(py, &self.t, dim, keepdim, false)
    }

    // ---- products ----

    fn matmul(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(ops::matmul::matmul(&self.t, &tensor_arg(other, "matmul", "other")?)?.into())
    }
    fn mm(&self, mat2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(ops::matmul::mm(&self.t, &tensor_arg(mat2, "mm", "mat2")?)?.into())
    }
    fn bmm(&self, mat2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(ops::matmul::bmm(&self.t, &tensor_arg(mat2, "bmm", "mat2")?)?.into())
    }
    fn mv(&self, vec: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(ops::matmul::mv(&self.t, &tensor_arg(vec, "mv", "vec")?)?.into())
    }
    fn dot(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(ops::matmul::dot(&self.t, &tensor_arg(other, "dot", "tensor")?)?.into())
    }

    // ---- dtype conversion and copies ----

    fn float(&self) -> PyResult<PyTensor> {
        Ok(ops::to_dtype(&self.t, DType::Float32)?.into())
    }
    fn double(&self) -> PyResult<PyTensor> {
        Ok(ops::to_dtype(&self.t, DType::Float64)?.into())
    }
    fn long(&self) -> PyResult<PyTensor> {
        Ok(ops::to_dtype(&self.t, DType::Int64)?.into())
    }
    fn int(&self) -> PyResult<PyTensor> {
        Ok(ops::to_dtype(&self.t, DType::Int32)?.into())
    }
    fn bool(&self) -> PyResult<PyTensor> {
        Ok(ops::to_dtype(&self.t, DType::Bool)?.into())
    }
    fn clone(&self) -> PyResult<PyTensor> {
        Ok(ops::clone(&self.t)?.into())
    }
    fn contiguous(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let t = slf.borrow().t.clone();
        if t.is_contiguous() {
            return Ok(slf.into_any());
        }
        PyTensor::from(ops::contiguous(&t)?).into_bound_py_any(slf.py())
    }
    /// `x` itself on the CPU, else a copy there.
    fn cpu(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let t = slf.borrow().t.clone();
        if t.device() == crate::tensor::Device::Cpu {
            return Ok(slf.into_any());
        }
        PyTensor::from(ops::copy::to_device(&t, crate::tensor::Device::Cpu)?)
            .into_bound_py_any(slf.py())
    }

    /// `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`, with keyword forms.
    #[pyo3(signature = (*args, **kwargs))]
    fn to<'py>(
        slf: Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut dtype = None;
        let mut device = None;
        let mut items: Vec<Bound<'py, PyAny>> = args.iter().collect();
        if let Some(d) = super::tensor::kw(kwargs, "dtype")? {
            items.push(d);
        }
        if let Some(d) = super::tensor::kw(kwargs, "device")? {
            items.push(d);
        }
        for a in items {
            if a.is_none() {
                continue;
            }
            if let Ok(other) = a.cast::<PyTensor>() {
                dtype = Some(other.borrow().t.dtype());
                device = Some(other.borrow().t.device());
            } else if let Ok(d) = super::dtype::extract_dtype(&a) {
                dtype = Some(d);
            } else if let Some(d) = super::dtype::extract_device_opt(Some(&a))? {
                device = Some(d);
            } else {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "to() received an invalid combination of arguments",
                ));
            }
        }
        let t = slf.borrow().t.clone();
        let moved = match device {
            Some(d) => ops::copy::to_device(&t, d)?,
            None => t.clone(),
        };
        let converted = match dtype {
            Some(d) => ops::to_dtype(&moved, d)?,
            None => moved,
        };
        if converted.same(&t) {
            return Ok(slf.into_any());
        }
        PyTensor::from(converted).into_bound_py_any(slf.py())
    }
}

/// `t + other` or `t - other`; with `alpha`, `t +/- alpha * other` rounded once, as PyTorch.
fn add_or_sub(
    t: &Tensor,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    subtract: bool,
    fname: &str,
) -> PyResult<Tensor> {
    let b = operand_arg(other, fname, "other")?;
    Ok(match multiplier(fname, "alpha", alpha)? {
        Some(a) => ops::fused::add_scaled(t, b.as_rhs(), a, subtract)?,
        None if subtract => ops::arith::binary(BinaryOp::Sub, t, b.as_rhs())?,
        None => ops::arith::binary(BinaryOp::Add, t, b.as_rhs())?,
    })
}

/// In-place [`add_or_sub`].
fn add_or_sub_(
    t: &Tensor,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    subtract: bool,
    fname: &str,
) -> PyResult<()> {
    let b = operand_arg(other, fname, "other")?;
    match multiplier(fname, "alpha", alpha)? {
        Some(a) => ops::fused::add_scaled_(t, b.as_rhs(), a, subtract)?,
        None if subtract => ops::inplace::binary_(BinaryOp::Sub, t, b.as_rhs())?,
        None => ops::inplace::binary_(BinaryOp::Add, t, b.as_rhs())?,
    }
    Ok(())
}

/// The `p` of `norm`: a number, `inf`, or `'fro'` (the 2-norm).
fn norm_order(p: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    match p {
        None => Ok(2.0),
        Some(p) if p.is_none() => Ok(2.0),
        Some(p) => {
            if let Ok(s) = p.extract::<String>() {
                return match s.as_str() {
                    "fro" => Ok(2.0),
                    other => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                        "norm: unsupported p '{other}'"
                    ))),
                };
            }
            p.extract::<f64>()
        }
    }
}

/// `max`/`min` in their three forms.
fn extreme(
    py: Python<'_>,
    t: &Tensor,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    is_max: bool,
) -> Out {
    match dim {
        None => wrap(py, ops::reduce::extreme_all(t, is_max)),
        Some(d) if d.is_none() => wrap(py, ops::reduce::extreme_all(t, is_max)),
        Some(d) => {
            if let Ok(other) = d.cast::<PyTensor>() {
                let op = if is_max {
                    BinaryOp::Maximum
                } else {
                    BinaryOp::Minimum
                };
                return wrap(
                    py,
                    ops::arith::binary(op, t, Rhs::Tensor(&other.borrow().t)),
                );
            }
            let dim: i64 = d.extract()?;
            let (v, i) = ops::reduce::extreme_dim(t, dim, keepdim, is_max)?;
            values_indices(py, if is_max { "max" } else { "min" }, v, i)
        }
    }
}
