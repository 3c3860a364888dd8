//! Creation functions: `tensor`, `zeros`, `ones`, `full`, `arange`, `randn`, ... with
//! PyTorch's arguments (`dtype=`, `device=`, `requires_grad=`, `generator=`).

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{extract_scalar, size_arg, sizes, sizes_from, tensor_arg};
use super::convert;
use super::random::{with_generator, PyGenerator};
use super::tensor::{Options, PyTensor};
use crate::ops::creation;
use crate::tensor::{DType, Scalar, Tensor};

/// `ferrograd.tensor(data)`: a new tensor (a copy) from nested lists, numbers, arrays.
#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<PyTensor> {
    let _ = pin_memory;
    let mut o = Options::read(dtype, device, requires_grad)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        if device.is_none_or(|d| d.is_none()) {
            o.device = t.borrow().t.device();
        }
        PyErr::warn(
            py,
            &py.get_type::<PyUserWarning>(),
            c"To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), rather than ferrograd.tensor(sourceTensor).",
            1,
        )?;
    }
    o.finish(convert::tensor_from_data(data, o.dtype)?)
}

/// `as_tensor(data)`: shares memory with a tensor or NumPy array when no conversion is needed.
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor<'py>(
    data: &Bound<'py, PyAny>,
    dtype: Option<&Bound<'py, PyAny>>,
    device: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let o = Options::read(dtype, device, false)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let inner = t.borrow().t.clone();
        let target = match device {
            Some(d) if !d.is_none() => o.device,
            _ => inner.device(),
        };
        let moved = crate::ops::copy::to_device(&inner, target)?;
        let converted = crate::ops::to_dtype(&moved, o.dtype.unwrap_or(inner.dtype()))?;
        return if converted.same(&inner) {
            Ok(data.clone())
        } else {
            Ok(Bound::new(data.py(), PyTensor::from(converted))?.into_any())
        };
    }
    let t = if convert::is_ndarray(data) {
        let shared = convert::from_numpy(data)?;
        match o.dtype {
            Some(d) if d != shared.dtype() => crate::ops::arith::cast(&shared, d)?,
            _ => shared,
        }
    } else {
        convert::tensor_from_data(data, o.dtype)?
    };
    let t = crate::ops::backend::to_device(&t, o.device)?;
    Ok(Bound::new(data.py(), PyTensor::from(t))?.into_any())
}

#[pyfunction]
pub fn from_numpy(array: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    Ok(convert::from_numpy(array)?.into())
}

macro_rules! sized {
    ($name:ident, $doc:literal, |$shape:ident, $dtype:ident, $device:ident| $make:expr) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (*size, dtype=None, device=None, requires_grad=false, out=None))]
        pub fn $name(
            size: &Bound<'_, PyTuple>,
            dtype: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
            out: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<PyTensor> {
            let _ = out;
            let o = Options::read(dtype, device, requires_grad)?;
            let ($shape, $dtype, $device) = (
                size_arg(size, stringify!($name))?,
                o.dtype.unwrap_or(DType::Float32),
                o.device,
            );
            o.finish($make?)
        }
    };
}

sized!(zeros, "Zeros of the given size.", |shape, dtype, device| {
    creation::zeros(&shape, dtype, device)
});
sized!(ones, "Ones of the given size.", |shape, dtype, device| {
    creation::ones(&shape, dtype, device)
});
sized!(
    empty,
    "A tensor of the given size (zero-filled here; do not rely on it).",
    |shape, dtype, device| creation::zeros(&shape, dtype, device)
);

/// `full(size, fill_value)`: the dtype follows the value (float32, int64 or bool).
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full(
    size: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<PyTensor> {
    let o = Options::read(dtype, device, requires_grad)?;
    let value = scalar_arg(fill_value, "full", "fill_value", 2)?;
    let shape = size_arg(&PyTuple::new(size.py(), [size])?, "full")?;
    o.finish(creation::full(
        &shape,
        value,
        o.dtype.unwrap_or(value_dtype(value)),
        o.device,
    )?)
}

fn value_dtype(v: Scalar) -> DType {
    match v {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) => DType::Int64,
        Scalar::Float(_) => DType::Float32,
    }
}

fn scalar_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str, position: usize) -> PyResult<Scalar> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow();
        if t.t.numel() == 1 {
            return Ok(if t.t.dtype().is_floating_point() {
                Scalar::Float(t.t.item_f64()?)
            } else {
                Scalar::Int(t.t.item_f64()? as i64)
            });
        }
    }
    extract_scalar(obj)
        .ok_or_else(|| super::args::type_error_at(fname, arg, position, "Number", obj))
}

/// Options of a `*_like` function: the input's dtype and device unless they are given.
fn like(
    input: &Bound<'_, PyAny>,
    fname: &str,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<(Tensor, Options)> {
    let t = tensor_arg(input, fname, "input")?;
    let mut o = Options::read(dtype, device, requires_grad)?;
    o.dtype = Some(o.dtype.unwrap_or(t.dtype()));
    if device.is_none_or(|d| d.is_none()) {
        o.device = t.device();
    }
    Ok((t, o))
}

macro_rules! like_fn {
    ($name:ident, |$t:ident, $dtype:ident, $device:ident| $make:expr) => {
        #[pyfunction]
        #[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false, memory_format=None))]
        pub fn $name(input: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
            let _ = memory_format;
            let ($t, o) = like(input, stringify!($name), dtype, device, requires_grad)?;
            let ($dtype, $device) = (o.dtype.unwrap(), o.device);
            o.finish($make?)
        }
    };
}

like_fn!(zeros_like, |t, dtype, device| creation::zeros(
    t.shape(),
    dtype,
    device
));
like_fn!(ones_like, |t, dtype, device| creation::ones(
    t.shape(),
    dtype,
    device
));
like_fn!(empty_like, |t, dtype, device| creation::zeros(
    t.shape(),
    dtype,
    device
));
like_fn!(rand_like, |t, dtype, device| with_generator(None, |g| {
    creation::rand(t.shape(), dtype, device, g)
}));
like_fn!(randn_like, |t, dtype, device| with_generator(None, |g| {
    creation::randn(t.shape(), dtype, device, g)
}));

#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full_like(
    input: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<PyTensor> {
    let (t, o) = like(input, "full_like", dtype, device, requires_grad)?;
    let value = scalar_arg(fill_value, "full_like", "fill_value", 2)?;
    o.finish(creation::full(
        t.shape(),
        value,
        o.dtype.unwrap(),
        o.device,
    )?)
}

/// `eye(n, m=n)`: the identity matrix.
#[pyfunction]
#[pyo3(signature = (n, m=None, *, dtype=None, device=None, requires_grad=false))]
pub fn eye(
    n: i64,
    m: Option<i64>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<PyTensor> {
    let o = Options::read(dtype, device, requires_grad)?;
    for (name, v) in [("n", n), ("m", m.unwrap_or(n))] {
        if v < 0 {
            return Err(PyRuntimeError::new_err(format!(
                "{name} must be greater or equal to 0, got {v}"
            )));
        }
    }
    let dims = sizes_from(&[n, m.unwrap_or(n)])?;
    o.finish(creation::eye(
        dims[0],
        dims[1],
        o.dtype.unwrap_or(DType::Float32),
        o.device,
    )?)
}

/// `arange(end)` or `arange(start, end, step=1)`: int64 unless a bound or step is a float.
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, dtype=None, device=None, requires_grad=false))]
pub fn arange(
    start: &Bound<'_, PyAny>,
    end: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<PyTensor> {
    let o = Options::read(dtype, device, requires_grad)?;
    let first = scalar_arg(start, "arange", "start", 1)?;
    let (start, end) = match end.filter(|e| !e.is_none()) {
        Some(e) => (first, scalar_arg(e, "arange", "end", 2)?),
        None => (Scalar::Int(0), first),
    };
    let step = match step.filter(|s| !s.is_none()) {
        Some(s) => scalar_arg(s, "arange", "step", 3)?,
        None => Scalar::Int(1),
    };
    let inferred = if [start, end, step]
        .iter()
        .any(|v| matches!(v, Scalar::Float(_)))
    {
        DType::Float32
    } else {
        DType::Int64
    };
    o.finish(creation::arange(
        start,
        end,
        step,
        o.dtype.unwrap_or(inferred),
        o.device,
    )?)
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, *, dtype=None, device=None, requires_grad=false))]
pub fn linspace(
    start: f64,
    end: f64,
    steps: i64,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<PyTensor> {
    let o = Options::read(dtype, device, requires_grad)?;
    if steps < 0 {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "number of steps must be non-negative",
        ));
    }
    o.finish(creation::linspace(
        start,
        end,
        steps as usize,
        o.dtype.unwrap_or(DType::Float32),
        o.device,
    )?)
}

macro_rules! random_fn {
    ($name:ident, $doc:literal, $kernel:path) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (*size, generator=None, dtype=None, device=None, requires_grad=false, out=None))]
        pub fn $name(size: &Bound<'_, PyTuple>, generator: Option<PyRef<'_, PyGenerator>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
            let _ = out;
            let o = Options::read(dtype, device, requires_grad)?;
            let shape = size_arg(size, stringify!($name))?;
            let t = with_generator(generator.as_deref(), |g| $kernel(&shape, o.dtype.unwrap_or(DType::Float32), o.device, g))?;
            o.finish(t)
        }
    };
}

random_fn!(rand, "Uniform samples from [0, 1).", creation::rand);
random_fn!(
    randn,
    "Samples from the standard normal distribution.",
    creation::randn
);

/// `randint(high, size)` or `randint(low, high, size)`: int64 by default.
#[pyfunction]
#[pyo3(signature = (*args, size=None, generator=None, dtype=None, device=None, requires_grad=false))]
pub fn randint(
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    generator: Option<PyRef<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<PyTensor> {
    let o = Options::read(dtype, device, requires_grad)?;
    let mut pos: Vec<Bound<'_, PyAny>> = args.iter().collect();
    let size = match size {
        Some(s) => s.clone(),
        None => pos
            .pop()
            .ok_or_else(|| PyTypeError::new_err("randint() missing required argument 'size'"))?,
    };
    let (low, high) = match pos.as_slice() {
        [h] => (0, h.extract::<i64>()?),
        [l, h] => (l.extract::<i64>()?, h.extract::<i64>()?),
        _ => {
            return Err(PyTypeError::new_err(
                "randint() received an invalid combination of arguments",
            ))
        }
    };
    let shape = sizes(&PyTuple::new(size.py(), [size])?)?;
    let t = with_generator(generator.as_deref(), |g| {
        creation::randint(
            low,
            high,
            &shape,
            o.dtype.unwrap_or(DType::Int64),
            o.device,
            g,
        )
    })?;
    o.finish(t)
}

/// `FloatTensor(...)` and the other legacy constructors.
#[pyfunction]
#[pyo3(signature = (dtype, *args))]
pub fn _legacy_new(dtype: &Bound<'_, PyAny>, args: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
    let dtype = super::dtype::extract_dtype(dtype)?;
    Ok(super::tensor::legacy_constructor(args, dtype)?.into())
}
