//! `ferrograd.dtype` and `ferrograd.device`: the objects users pass as `dtype=` and `device=`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::tensor::{DType, Device};

/// A tensor element type. There is one object per dtype, so `x.dtype is ferrograd.float32`.
#[pyclass(name = "dtype", module = "ferrograd", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDType {
    pub dtype: DType,
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("ferrograd.{}", self.dtype.name())
    }

    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dtype.is_floating_point()
    }

    #[getter]
    fn is_complex(&self) -> bool {
        false
    }

    #[getter]
    fn is_signed(&self) -> bool {
        self.dtype != DType::Bool
    }

    #[getter]
    fn itemsize(&self) -> usize {
        self.dtype.size()
    }

    fn __reduce__(&self) -> String {
        self.dtype.name().to_string()
    }
}

static DTYPES: PyOnceLock<[Py<PyDType>; 5]> = PyOnceLock::new();

/// The shared Python object for `dtype`.
pub fn dtype_object(py: Python<'_>, dtype: DType) -> Bound<'_, PyDType> {
    let all = DTYPES.get_or_init(py, || {
        DType::ALL.map(|d| Py::new(py, PyDType { dtype: d }).expect("allocating a dtype object"))
    });
    let i = DType::ALL
        .iter()
        .position(|d| *d == dtype)
        .expect("every dtype is in ALL");
    all[i].bind(py).clone()
}

/// Reads a `dtype=` argument: a ferrograd dtype, or the Python types `float`, `int`, `bool`
/// (which PyTorch maps to float64, int64, bool).
pub fn extract_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().dtype);
    }
    if let Ok(t) = obj.cast::<PyType>() {
        let py = obj.py();
        if t.is(py.get_type::<pyo3::types::PyFloat>()) {
            return Ok(DType::Float64);
        }
        if t.is(py.get_type::<pyo3::types::PyBool>()) {
            return Ok(DType::Bool);
        }
        if t.is(py.get_type::<pyo3::types::PyInt>()) {
            return Ok(DType::Int64);
        }
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "dtype must be a ferrograd.dtype, got {}",
        obj.get_type().name()?
    )))
}

pub fn extract_dtype_opt(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match obj {
        Some(o) if !o.is_none() => extract_dtype(o).map(Some),
        _ => Ok(None),
    }
}

/// `ferrograd.device("cpu")`, `device("webgpu")` (alias `"gpu"`), `device("webgpu:0")`.
#[pyclass(name = "device", module = "ferrograd", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDevice {
    pub device: Device,
    pub index: Option<i64>,
}

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (type_or_device, index=None))]
    fn new(type_or_device: &Bound<'_, PyAny>, index: Option<i64>) -> PyResult<PyDevice> {
        if let Ok(d) = type_or_device.cast::<PyDevice>() {
            return Ok(*d.get());
        }
        let s: String = type_or_device.extract()?;
        let (kind, parsed_index) = match s.split_once(':') {
            Some((k, i)) => (
                k,
                Some(i.parse::<i64>().map_err(|_| {
                    pyo3::exceptions::PyRuntimeError::new_err(format!(
                        "Invalid device string: '{s}'"
                    ))
                })?),
            ),
            None => (s.as_str(), None),
        };
        let device = Device::parse(kind)?;
        Ok(PyDevice {
            device,
            index: index.or(parsed_index),
        })
    }

    #[getter]
    fn r#type(&self) -> &'static str {
        self.device.type_name()
    }

    #[getter]
    fn index(&self) -> Option<i64> {
        self.index
    }

    fn __repr__(&self) -> String {
        match self.index {
            Some(i) => format!("device(type='{}', index={i})", self.device.type_name()),
            None => format!("device(type='{}')", self.device.type_name()),
        }
    }

    fn __str__(&self) -> String {
        match self.index {
            Some(i) => format!("{}:{i}", self.device.type_name()),
            None => self.device.type_name().to_string(),
        }
    }
}

/// The device object a tensor reports (`cpu`, or `webgpu:0`).
pub fn device_object(device: Device) -> PyDevice {
    match device {
        Device::Cpu => PyDevice {
            device,
            index: None,
        },
        Device::WebGpu => PyDevice {
            device,
            index: Some(0),
        },
    }
}

/// Reads a `device=` argument: a device object or a string.
pub fn extract_device_opt(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Device>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(PyDevice::new(o, None)?.device)),
        _ => Ok(None),
    }
}
