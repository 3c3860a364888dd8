//! The kernels behind `ferrograd.nn.functional`, as the submodule `ferrograd._core._nn`.
//! The Python package wraps them where PyTorch's Python layer does work of its own
//! (legacy `size_average`/`reduce` arguments, implicit softmax dims, warnings).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use pyo3::IntoPyObjectExt;

use super::args::{extract_scalar, int_or_list, tensor_arg};
use super::dtype::extract_dtype_opt;
use super::tensor::PyTensor;
use crate::ops::loss::Reduction;
use crate::ops::nn_conv::{ConvOptions, ConvPadding};
use crate::ops::nn_loss::Pointwise;
use crate::ops::nn_pad::PadMode;
use crate::ops::nn_pool::PoolArgs;
use crate::ops::{
    nn_attention, nn_conv, nn_dropout, nn_embedding, nn_linear, nn_loss, nn_norm, nn_pool,
    nn_softmax,
};
use crate::tensor::Tensor;

type Arg<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// An optional tensor argument (`None` allowed).
fn opt_tensor(obj: Arg<'_, '_>, fname: &str, arg: &str) -> PyResult<Option<Tensor>> {
    match obj {
        Some(o) if !o.is_none() => tensor_arg(o, fname, arg).map(Some),
        _ => Ok(None),
    }
}

/// An int or a sequence of ints; `None` (when allowed) is the empty list.
fn ints(obj: Arg<'_, '_>) -> PyResult<Vec<i64>> {
    match obj {
        Some(o) if !o.is_none() => int_or_list(o),
        _ => Ok(vec![]),
    }
}

fn tensor(t: crate::Result<Tensor>) -> PyResult<PyTensor> {
    Ok(t?.into())
}

#[pyfunction]
#[pyo3(signature = (input, dim, dtype=None))]
fn softmax(input: PyRef<'_, PyTensor>, dim: i64, dtype: Arg<'_, '_>) -> PyResult<PyTensor> {
    tensor(nn_softmax::softmax(
        &input.t,
        dim,
        extract_dtype_opt(dtype)?,
        false,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, dim, dtype=None))]
fn log_softmax(input: PyRef<'_, PyTensor>, dim: i64, dtype: Arg<'_, '_>) -> PyResult<PyTensor> {
    tensor(nn_softmax::softmax(
        &input.t,
        dim,
        extract_dtype_opt(dtype)?,
        true,
    ))
}

#[pymethods]
impl PyTensor {
    /// `x.softmax(dim, dtype=None)`.
    #[pyo3(name = "softmax", signature = (dim, dtype=None))]
    fn softmax_method(&self, dim: i64, dtype: Arg<'_, '_>) -> PyResult<PyTensor> {
        tensor(nn_softmax::softmax(
            &self.t,
            dim,
            extract_dtype_opt(dtype)?,
            false,
        ))
    }

    /// `x.log_softmax(dim, dtype=None)`.
    #[pyo3(name = "log_softmax", signature = (dim, dtype=None))]
    fn log_softmax_method(&self, dim: i64, dtype: Arg<'_, '_>) -> PyResult<PyTensor> {
        tensor(nn_softmax::softmax(
            &self.t,
            dim,
            extract_dtype_opt(dtype)?,
            true,
        ))
    }
}

#[pyfunction]
#[pyo3(signature = (input, p=0.5, training=true, noise_shape=None, inplace=false))]
fn dropout(
    input: PyRef<'_, PyTensor>,
    p: f64,
    training: bool,
    noise_shape: Option<Vec<usize>>,
    inplace: bool,
) -> PyResult<PyTensor> {
    tensor(nn_dropout::dropout(
        &input.t,
        p,
        training,
        noise_shape.as_deref(),
        inplace,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, weight, bias=None))]
fn linear(
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    bias: Arg<'_, '_>,
) -> PyResult<PyTensor> {
    let f = "linear";
    tensor(nn_linear::linear(
        &tensor_arg(input, f, "input")?,
        &tensor_arg(weight, f, "weight")?,
        opt_tensor(bias, f, "bias")?.as_ref(),
    ))
}

/// One value per spatial dim, as PyTorch's `IntArrayRef[n]` arguments read a single int (or
/// a one-element list); other lengths pass through for the op to reject.
fn per_dim(values: Vec<i64>, spatial: usize) -> Vec<i64> {
    match values.as_slice() {
        [v] => vec![*v; spatial],
        _ => values,
    }
}

/// Runs a convolution for `conv1d`, `conv2d` or `conv_transpose2d` (`name`).
#[allow(clippy::too_many_arguments)]
fn convolution(
    name: &str,
    spatial: usize,
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    bias: Arg<'_, '_>,
    stride: &Bound<'_, PyAny>,
    padding: &Bound<'_, PyAny>,
    dilation: &Bound<'_, PyAny>,
    groups: i64,
    output_padding: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let transposed = output_padding.is_some();
    let padding = if let Ok(s) = padding.cast::<PyString>() {
        if transposed {
            return Err(PyTypeError::new_err(format!(
                "{name}(): argument 'padding' must be tuple of ints, not str"
            )));
        }
        match s.to_str()? {
            "same" => ConvPadding::Same,
            "valid" => ConvPadding::Valid,
            other => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "Invalid padding string: '{other}'"
                )))
            }
        }
    } else {
        ConvPadding::Explicit(per_dim(int_or_list(padding)?, spatial))
    };
    let opts = ConvOptions {
        stride: per_dim(int_or_list(stride)?, spatial),
        padding,
        dilation: per_dim(int_or_list(dilation)?, spatial),
        groups,
        transposed,
        output_padding: per_dim(ints(output_padding)?, spatial),
    };
    tensor(nn_conv::convolution(
        &tensor_arg(input, name, "input")?,
        &tensor_arg(weight, name, "weight")?,
        opt_tensor(bias, name, "bias")?.as_ref(),
        &opts,
        name,
        spatial,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, weight, bias=None, stride=None, padding=None, dilation=None, groups=1))]
#[allow(clippy::too_many_arguments)]
fn conv1d(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    bias: Arg<'_, '_>,
    stride: Arg<'_, '_>,
    padding: Arg<'_, '_>,
    dilation: Arg<'_, '_>,
    groups: i64,
) -> PyResult<PyTensor> {
    let (one, zero) = (1i64.into_bound_py_any(py)?, 0i64.into_bound_py_any(py)?);
    convolution(
        "conv1d",
        1,
        input,
        weight,
        bias,
        stride.unwrap_or(&one),
        padding.unwrap_or(&zero),
        dilation.unwrap_or(&one),
        groups,
        None,
    )
}

#[pyfunction]
#[pyo3(signature = (input, weight, bias=None, stride=None, padding=None, dilation=None, groups=1))]
#[allow(clippy::too_many_arguments)]
fn conv2d(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    bias: Arg<'_, '_>,
    stride: Arg<'_, '_>,
    padding: Arg<'_, '_>,
    dilation: Arg<'_, '_>,
    groups: i64,
) -> PyResult<PyTensor> {
    let (one, zero) = (1i64.into_bound_py_any(py)?, 0i64.into_bound_py_any(py)?);
    convolution(
        "conv2d",
        2,
        input,
        weight,
        bias,
        stride.unwrap_or(&one),
        padding.unwrap_or(&zero),
        dilation.unwrap_or(&one),
        groups,
        None,
    )
}

#[pyfunction]
#[pyo3(signature = (input, weight, bias=None, stride=None, padding=None, output_padding=None, groups=1, dilation=None))]
#[allow(clippy::too_many_arguments)]
fn conv_transpose2d(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    bias: Arg<'_, '_>,
    stride: Arg<'_, '_>,
    padding: Arg<'_, '_>,
    output_padding: Arg<'_, '_>,
    groups: i64,
    dilation: Arg<'_, '_>,
) -> PyResult<PyTensor> {
    let (one, zero) = (1i64.into_bound_py_any(py)?, 0i64.into_bound_py_any(py)?);
    convolution(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride.unwrap_or(&one),
        padding.unwrap_or(&zero),
        dilation.unwrap_or(&one),
        groups,
        Some(output_padding.unwrap_or(&zero)),
    )
}

fn pool_args(
    kernel_size: &Bound<'_, PyAny>,
    stride: Arg<'_, '_>,
    padding: &Bound<'_, PyAny>,
    dilation: Option<&Bound<'_, PyAny>>,
    ceil_mode: bool,
) -> PyResult<PoolArgs> {
    Ok(PoolArgs {
        kernel: int_or_list(kernel_size)?,
        stride: ints(stride)?,
        padding: int_or_list(padding)?,
        dilation: match dilation {
            Some(d) => int_or_list(d)?,
            None => vec![1],
        },
        ceil_mode,
    })
}

#[pyfunction]
#[pyo3(signature = (input, kernel_size, stride=None, padding=None, dilation=None, ceil_mode=false, return_indices=false))]
#[allow(clippy::too_many_arguments)]
fn max_pool2d<'py>(
    py: Python<'py>,
    input: PyRef<'_, PyTensor>,
    kernel_size: &Bound<'py, PyAny>,
    stride: Arg<'_, 'py>,
    padding: Arg<'_, 'py>,
    dilation: Arg<'_, 'py>,
    ceil_mode: bool,
    return_indices: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let zero = 0i64.into_bound_py_any(py)?;
    let args = pool_args(
        kernel_size,
        stride,
        padding.unwrap_or(&zero),
        dilation,
        ceil_mode,
    )?;
    let (values, indices) = nn_pool::max_pool2d(&input.t, &args)?;
    if return_indices {
        PyTuple::new(py, [PyTensor::from(values), PyTensor::from(indices)])?.into_bound_py_any(py)
    } else {
        PyTensor::from(values).into_bound_py_any(py)
    }
}

#[pyfunction]
#[pyo3(signature = (input, kernel_size, stride=None, padding=None, ceil_mode=false, count_include_pad=true, divisor_override=None))]
#[allow(clippy::too_many_arguments)]
fn avg_pool2d(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    kernel_size: &Bound<'_, PyAny>,
    stride: Arg<'_, '_>,
    padding: Arg<'_, '_>,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<i64>,
) -> PyResult<PyTensor> {
    let zero = 0i64.into_bound_py_any(py)?;
    let args = pool_args(
        kernel_size,
        stride,
        padding.unwrap_or(&zero),
        None,
        ceil_mode,
    )?;
    tensor(nn_pool::avg_pool2d(
        &input.t,
        &args,
        count_include_pad,
        divisor_override,
    ))
}

#[pyfunction]
fn adaptive_avg_pool2d(
    input: PyRef<'_, PyTensor>,
    output_size: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let sizes: Vec<Option<i64>> = if output_size.is_instance_of::<pyo3::types::PyInt>() {
        let v: i64 = output_size.extract()?;
        vec![Some(v), Some(v)]
    } else {
        output_size
            .try_iter()?
            .map(|v| v.and_then(|v| v.extract::<Option<i64>>()))
            .collect::<PyResult<_>>()?
    };
    tensor(nn_pool::adaptive_avg_pool2d(&input.t, &sizes))
}

#[pyfunction]
#[pyo3(signature = (input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=false))]
fn embedding(
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    padding_idx: Option<usize>,
    max_norm: Option<f64>,
    norm_type: f64,
    scale_grad_by_freq: bool,
) -> PyResult<PyTensor> {
    let f = "embedding";
    tensor(nn_embedding::embedding(
        &tensor_arg(input, f, "input")?,
        &tensor_arg(weight, f, "weight")?,
        padding_idx,
        max_norm,
        norm_type,
        scale_grad_by_freq,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, normalized_shape, weight=None, bias=None, eps=1e-5))]
fn layer_norm(
    input: PyRef<'_, PyTensor>,
    normalized_shape: &Bound<'_, PyAny>,
    weight: Arg<'_, '_>,
    bias: Arg<'_, '_>,
    eps: f64,
) -> PyResult<PyTensor> {
    let f = "layer_norm";
    tensor(nn_norm::layer_norm(
        &input.t,
        &int_or_list(normalized_shape)?,
        opt_tensor(weight, f, "weight")?.as_ref(),
        opt_tensor(bias, f, "bias")?.as_ref(),
        eps,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, num_groups, weight=None, bias=None, eps=1e-5))]
fn group_norm(
    input: PyRef<'_, PyTensor>,
    num_groups: i64,
    weight: Arg<'_, '_>,
    bias: Arg<'_, '_>,
    eps: f64,
) -> PyResult<PyTensor> {
    let f = "group_norm";
    tensor(nn_norm::group_norm(
        &input.t,
        num_groups,
        opt_tensor(weight, f, "weight")?.as_ref(),
        opt_tensor(bias, f, "bias")?.as_ref(),
        eps,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, running_mean, running_var, weight=None, bias=None, training=false, momentum=0.1, eps=1e-5))]
#[allow(clippy::too_many_arguments)]
fn batch_norm(
    input: PyRef<'_, PyTensor>,
    running_mean: Arg<'_, '_>,
    running_var: Arg<'_, '_>,
    weight: Arg<'_, '_>,
    bias: Arg<'_, '_>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> PyResult<PyTensor> {
    let f = "batch_norm";
    let (mean, var) = (
        opt_tensor(running_mean, f, "running_mean")?,
        opt_tensor(running_var, f, "running_var")?,
    );
    let running = match (&mean, &var) {
        (Some(mean), Some(var)) => Some(nn_norm::RunningStats { mean, var }),
        (None, None) => None,
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "running_mean and running_var must either both be None or neither be None",
            ))
        }
    };
    tensor(nn_norm::batch_norm(
        &input.t,
        running,
        opt_tensor(weight, f, "weight")?.as_ref(),
        opt_tensor(bias, f, "bias")?.as_ref(),
        training,
        momentum,
        eps,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, pad, mode="constant", value=None))]
fn pad(
    input: PyRef<'_, PyTensor>,
    pad: &Bound<'_, PyAny>,
    mode: &str,
    value: Arg<'_, '_>,
) -> PyResult<PyTensor> {
    let value = match value {
        Some(v) if !v.is_none() => Some(
            extract_scalar(v)
                .ok_or_else(|| PyTypeError::new_err("pad(): argument 'value' must be float"))?,
        ),
        _ => None,
    };
    tensor(crate::ops::nn_pad::pad(
        &input.t,
        &int_or_list(pad)?,
        PadMode::parse(mode, value)?,
    ))
}

#[pyfunction]
#[pyo3(signature = (query, key, value, attn_mask=None, dropout_p=0.0, is_causal=false, scale=None, enable_gqa=false))]
#[allow(clippy::too_many_arguments)]
fn scaled_dot_product_attention(
    query: &Bound<'_, PyAny>,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    attn_mask: Arg<'_, '_>,
    dropout_p: f64,
    is_causal: bool,
    scale: Option<f64>,
    enable_gqa: bool,
) -> PyResult<PyTensor> {
    let f = "scaled_dot_product_attention";
    if enable_gqa {
        return Err(pyo3::exceptions::PyNotImplementedError::new_err(
            "scaled_dot_product_attention: enable_gqa=True is not supported",
        ));
    }
    tensor(nn_attention::scaled_dot_product_attention(
        &tensor_arg(query, f, "query")?,
        &tensor_arg(key, f, "key")?,
        &tensor_arg(value, f, "value")?,
        opt_tensor(attn_mask, f, "attn_mask")?.as_ref(),
        dropout_p,
        is_causal,
        scale,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, target, weight=None, ignore_index=-100, reduction="mean"))]
fn nll_loss(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    weight: Arg<'_, '_>,
    ignore_index: i64,
    reduction: &str,
) -> PyResult<PyTensor> {
    let f = "nll_loss";
    tensor(nn_loss::nll_loss(
        &tensor_arg(input, f, "input")?,
        &tensor_arg(target, f, "target")?,
        opt_tensor(weight, f, "weight")?.as_ref(),
        Reduction::parse(reduction)?,
        ignore_index,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0))]
fn cross_entropy(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    weight: Arg<'_, '_>,
    ignore_index: i64,
    reduction: &str,
    label_smoothing: f64,
) -> PyResult<PyTensor> {
    let f = "cross_entropy";
    tensor(nn_loss::cross_entropy(
        &tensor_arg(input, f, "input")?,
        &tensor_arg(target, f, "target")?,
        opt_tensor(weight, f, "weight")?.as_ref(),
        Reduction::parse(reduction)?,
        ignore_index,
        label_smoothing,
    ))
}

/// A pointwise regression loss (`kind`) from Python arguments.
fn pointwise(
    kind: Pointwise,
    name: &str,
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    reduction: &str,
) -> PyResult<PyTensor> {
    tensor(nn_loss::pointwise_loss(
        kind,
        &tensor_arg(input, name, "input")?,
        &tensor_arg(target, name, "target")?,
        Reduction::parse(reduction)?,
    ))
}

#[pyfunction]
#[pyo3(signature = (input, target, reduction="mean"))]
fn mse_loss(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    reduction: &str,
) -> PyResult<PyTensor> {
    pointwise(Pointwise::Mse, "mse_loss", input, target, reduction)
}

#[pyfunction]
#[pyo3(signature = (input, target, reduction="mean", beta=1.0))]
fn smooth_l1_loss(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    reduction: &str,
    beta: f64,
) -> PyResult<PyTensor> {
    pointwise(
        Pointwise::SmoothL1 { beta },
        "smooth_l1_loss",
        input,
        target,
        reduction,
    )
}

#[pyfunction]
#[pyo3(signature = (input, target, reduction="mean", delta=1.0))]
fn huber_loss(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    reduction: &str,
    delta: f64,
) -> PyResult<PyTensor> {
    pointwise(
        Pointwise::Huber { delta },
        "huber_loss",
        input,
        target,
        reduction,
    )
}

#[pyfunction]
#[pyo3(signature = (input, target, weight=None, reduction="mean"))]
fn binary_cross_entropy(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    weight: Arg<'_, '_>,
    reduction: &str,
) -> PyResult<PyTensor> {
    let f = "binary_cross_entropy";
    tensor(nn_loss::binary_cross_entropy(
        &tensor_arg(input, f, "input")?,
        &tensor_arg(target, f, "target")?,
        opt_tensor(weight, f, "weight")?.as_ref(),
        Reduction::parse(reduction)?,
    ))
}

/// Adds the submodule `_nn` to `ferrograd._core`.
pub fn register(core: &Bound<'_, PyModule>) -> PyResult<()> {
    let m = PyModule::new(core.py(), "_nn")?;
    m.add_function(wrap_pyfunction!(softmax, &m)?)?;
    m.add_function(wrap_pyfunction!(log_softmax, &m)?)?;
    m.add_function(wrap_pyfunction!(dropout, &m)?)?;
    m.add_function(wrap_pyfunction!(linear, &m)?)?;
    m.add_function(wrap_pyfunction!(conv1d, &m)?)?;
    m.add_function(wrap_pyfunction!(conv2d, &m)?)?;
    m.add_function(wrap_pyfunction!(conv_transpose2d, &m)?)?;
    m.add_function(wrap_pyfunction!(max_pool2d, &m)?)?;
    m.add_function(wrap_pyfunction!(avg_pool2d, &m)?)?;
    m.add_function(wrap_pyfunction!(adaptive_avg_pool2d, &m)?)?;
    m.add_function(wrap_pyfunction!(embedding, &m)?)?;
    m.add_function(wrap_pyfunction!(layer_norm, &m)?)?;
    m.add_function(wrap_pyfunction!(group_norm, &m)?)?;
    m.add_function(wrap_pyfunction!(batch_norm, &m)?)?;
    m.add_function(wrap_pyfunction!(pad, &m)?)?;
    m.add_function(wrap_pyfunction!(scaled_dot_product_attention, &m)?)?;
    m.add_function(wrap_pyfunction!(nll_loss, &m)?)?;
    m.add_function(wrap_pyfunction!(cross_entropy, &m)?)?;
    m.add_function(wrap_pyfunction!(mse_loss, &m)?)?;
    m.add_function(wrap_pyfunction!(smooth_l1_loss, &m)?)?;
    m.add_function(wrap_pyfunction!(huber_loss, &m)?)?;
    m.add_function(wrap_pyfunction!(binary_cross_entropy, &m)?)?;
    core.add_submodule(&m)
}
