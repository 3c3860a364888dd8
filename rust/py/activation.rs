//! Activation functions of `ferrograd.nn.functional` (and `ferrograd.selu`/`celu`), with
//! PyTorch's signatures. `inplace=True` writes the result into `input` and returns it.

use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use super::args::tensor_arg;
use super::tensor::PyTensor;
use crate::ops::activation::{self, activation as act};
use crate::ops::kinds::Activation;
use crate::tensor::Tensor;

type Out = PyResult<Py<PyAny>>;

/// `f(input)`, or written into `input` when `inplace`.
fn apply(
    input: &Bound<'_, PyAny>,
    fname: &str,
    inplace: bool,
    f: impl Fn(&Tensor) -> crate::Result<Tensor>,
) -> Out {
    let t = tensor_arg(input, fname, "input")?;
    if inplace {
        crate::ops::inplace::map_(&t, f)?;
        return Ok(input.clone().unbind());
    }
    PyTensor::from(f(&t)?).into_py_any(input.py())
}

/// `gelu(input, approximate='none')`; `approximate='tanh'` uses the tanh formula.
#[pyfunction]
#[pyo3(signature = (input, approximate="none"))]
pub fn gelu(input: &Bound<'_, PyAny>, approximate: &str) -> Out {
    let a = match approximate {
        "none" => Activation::Gelu,
        "tanh" => Activation::GeluTanh,
        _ => {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "approximate argument must be either none or tanh.",
            ))
        }
    };
    apply(input, "gelu", false, |t| act(a, t))
}

/// `silu(input, inplace=False)`: `x * sigmoid(x)`.
#[pyfunction]
#[pyo3(signature = (input, inplace=false))]
pub fn silu(input: &Bound<'_, PyAny>, inplace: bool) -> Out {
    apply(input, "silu", inplace, |t| act(Activation::Silu, t))
}

/// `mish(input, inplace=False)`: `x * tanh(softplus(x))`.
#[pyfunction]
#[pyo3(signature = (input, inplace=false))]
pub fn mish(input: &Bound<'_, PyAny>, inplace: bool) -> Out {
    apply(input, "mish", inplace, |t| act(Activation::Mish, t))
}

/// `softplus(input, beta=1.0, threshold=20.0)`.
#[pyfunction]
#[pyo3(signature = (input, beta=1.0, threshold=20.0))]
pub fn softplus(input: &Bound<'_, PyAny>, beta: f64, threshold: f64) -> Out {
    apply(input, "softplus", false, |t| {
        act(Activation::Softplus { beta, threshold }, t)
    })
}

/// `elu(input, alpha=1.0, inplace=False)`.
#[pyfunction]
#[pyo3(signature = (input, alpha=1.0, inplace=false))]
pub fn elu(input: &Bound<'_, PyAny>, alpha: f64, inplace: bool) -> Out {
    let a = Activation::Elu {
        alpha,
        scale: 1.0,
        input_scale: 1.0,
    };
    apply(input, "elu", inplace, |t| act(a, t))
}

/// `selu(input, inplace=False)`.
#[pyfunction]
#[pyo3(signature = (input, inplace=false))]
pub fn selu(input: &Bound<'_, PyAny>, inplace: bool) -> Out {
    apply(input, "selu", inplace, activation::selu)
}

/// `celu(input, alpha=1.0, inplace=False)`.
#[pyfunction]
#[pyo3(signature = (input, alpha=1.0, inplace=false))]
pub fn celu(input: &Bound<'_, PyAny>, alpha: f64, inplace: bool) -> Out {
    apply(input, "celu", inplace, |t| activation::celu(t, alpha))
}

/// `leaky_relu(input, negative_slope=0.01, inplace=False)`.
#[pyfunction]
#[pyo3(signature = (input, negative_slope=0.01, inplace=false))]
pub fn leaky_relu(input: &Bound<'_, PyAny>, negative_slope: f64, inplace: bool) -> Out {
    apply(input, "leaky_relu", inplace, |t| {
        act(Activation::LeakyRelu { negative_slope }, t)
    })
}

/// `hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False)`.
#[pyfunction]
#[pyo3(signature = (input, min_val=-1.0, max_val=1.0, inplace=false))]
pub fn hardtanh(input: &Bound<'_, PyAny>, min_val: f64, max_val: f64, inplace: bool) -> Out {
    apply(input, "hardtanh", inplace, |t| {
        activation::hardtanh(t, min_val, max_val)
    })
}

/// `relu6(input, inplace=False)`: `hardtanh(input, 0, 6)`.
#[pyfunction]
#[pyo3(signature = (input, inplace=false))]
pub fn relu6(input: &Bound<'_, PyAny>, inplace: bool) -> Out {
    apply(input, "relu6", inplace, |t| {
        activation::hardtanh(t, 0.0, 6.0)
    })
}

/// `hardswish(input, inplace=False)`.
#[pyfunction]
#[pyo3(signature = (input, inplace=false))]
pub fn hardswish(input: &Bound<'_, PyAny>, inplace: bool) -> Out {
    apply(input, "hardswish", inplace, |t| {
        act(Activation::Hardswish, t)
    })
}

/// `hardsigmoid(input, inplace=False)`.
#[pyfunction]
#[pyo3(signature = (input, inplace=false))]
pub fn hardsigmoid(input: &Bound<'_, PyAny>, inplace: bool) -> Out {
    apply(input, "hardsigmoid", inplace, |t| {
        act(Activation::Hardsigmoid, t)
    })
}

/// `logsigmoid(input)`: `log(sigmoid(x))`, stable for any `x`.
#[pyfunction]
pub fn logsigmoid(input: &Bound<'_, PyAny>) -> Out {
    apply(input, "logsigmoid", false, |t| {
        act(Activation::LogSigmoid, t)
    })
}

/// `softsign(input)`: `x / (1 + |x|)`.
#[pyfunction]
pub fn softsign(input: &Bound<'_, PyAny>) -> Out {
    apply(input, "softsign", false, activation::softsign)
}

/// `glu(input, dim=-1)`: `a * sigmoid(b)` for the halves `a`, `b` of `input` along `dim`.
#[pyfunction]
#[pyo3(signature = (input, dim=-1))]
pub fn glu(input: &Bound<'_, PyAny>, dim: i64) -> Out {
    apply(input, "glu", false, |t| activation::glu(t, dim))
}
