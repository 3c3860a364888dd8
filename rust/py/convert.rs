//! Python data in, Python data out: nested lists and numbers to tensors (with PyTorch's
//! dtype inference), NumPy arrays shared or copied, and `tolist()` / `item()` / `numpy()`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySequence, PyString, PyTuple};

use super::args::extract_scalar;
use super::tensor::PyTensor;
use crate::tensor::{DType, Element, Layout, Scalar, Storage, Tensor};
use crate::with_dtype;

/// The dtype PyTorch gives a Python number: floats take the default dtype (float32).
fn scalar_dtype(s: Scalar) -> DType {
    match s {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) => DType::Int64,
        Scalar::Float(_) => DType::Float32,
    }
}

/// A NumPy scalar's own dtype (`np.float64(2)` stays float64), if `obj` is one.
fn numpy_scalar_dtype(obj: &Bound<'_, PyAny>) -> Option<DType> {
    let module = obj.get_type().module().ok()?;
    if module.to_str().ok()? != "numpy" || is_ndarray(obj) {
        return None;
    }
    let name: String = obj
        .getattr("dtype")
        .ok()?
        .getattr("name")
        .ok()?
        .extract()
        .ok()?;
    DType::from_name(&name)
}

pub fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type().name().is_ok_and(|n| n == "ndarray")
        && obj
            .get_type()
            .module()
            .is_ok_and(|m| m.to_str().is_ok_and(|m| m == "numpy"))
}

/// Whether `obj` is a sequence to descend into (strings and bytes are not).
fn as_sequence<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Option<&'a Bound<'py, PySequence>> {
    if obj.cast::<PyString>().is_ok()
        || obj.cast::<PyBytes>().is_ok()
        || obj.cast::<PyDict>().is_ok()
    {
        return None;
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        if t.borrow().t.ndim() == 0 {
            return None;
        }
    }
    obj.cast::<PySequence>().ok()
}

/// Values gathered from nested Python data, with the dtype PyTorch infers for them.
struct Gathered {
    values: Vec<Scalar>,
    dtype: Option<DType>,
}

impl Gathered {
    fn push(&mut self, s: Scalar, d: DType) {
        self.values.push(s);
        self.dtype = Some(self.dtype.map_or(d, |cur| cur.promote(d)));
    }
}

/// Walks nested sequences, checking every level has the length the first element had.
fn gather(obj: &Bound<'_, PyAny>, shape: &[usize], dim: usize, out: &mut Gathered) -> PyResult<()> {
    if dim == shape.len() {
        if let Ok(t) = obj.cast::<PyTensor>() {
            let t = t.borrow();
            let host = crate::ops::backend::to_device(&t.t, crate::tensor::Device::Cpu)?;
            let v = with_dtype!(t.t.dtype(), T => Scalar::from_element(unsafe { *host.cpu_ptr::<T>() }));
            out.push(v, t.t.dtype());
            return Ok(());
        }
        let s = extract_scalar(obj).ok_or_else(|| invalid_type(obj))?;
        let d = numpy_scalar_dtype(obj).unwrap_or_else(|| scalar_dtype(s));
        out.push(s, d);
        return Ok(());
    }
    let seq = as_sequence(obj).ok_or_else(|| {
        PyValueError::new_err(format!(
            "expected sequence of length {} at dim {} (got {})",
            shape[dim], dim, "a scalar"
        ))
    })?;
    let n = seq.len()?;
    if n != shape[dim] {
        return Err(PyValueError::new_err(format!(
            "expected sequence of length {} at dim {} (got {})",
            shape[dim], dim, n
        )));
    }
    for i in 0..n {
        gather(&seq.get_item(i)?, shape, dim + 1, out)?;
    }
    Ok(())
}

fn invalid_type(obj: &Bound<'_, PyAny>) -> PyErr {
    if obj.cast::<pyo3::types::PyInt>().is_ok() {
        return PyValueError::new_err("Overflow when unpacking long long");
    }
    let name = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    PyTypeError::new_err(format!("new(): invalid data type '{name}'"))
}

/// The shape of nested data, read off the first element at each level.
fn nested_shape(obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let mut shape = Vec::new();
    let mut cur = obj.clone();
    while let Some(seq) = as_sequence(&cur) {
        let n = seq.len()?;
        shape.push(n);
        if n == 0 {
            break;
        }
        cur = seq.get_item(0)?;
    }
    Ok(shape)
}

/// A tensor built from values in `dtype`.
fn from_scalars(values: &[Scalar], shape: &[usize], dtype: DType) -> PyResult<Tensor> {
    Ok(
        with_dtype!(dtype, T => Tensor::from_vec(values.iter().map(|s| s.cast::<T>()).collect::<Vec<T>>(), shape)?),
    )
}

/// `ferrograd.tensor(data)`: always a copy, with PyTorch's dtype inference.
pub fn tensor_from_data(data: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = data.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        let copy = crate::ops::backend::copy(&t)?;
        return Ok(match dtype {
            Some(d) => crate::ops::arith::cast(&copy, d)?,
            None => copy,
        });
    }
    if is_ndarray(data) {
        let shared = from_numpy(data)?;
        return Ok(
            crate::ops::backend::contiguous_as(&shared, dtype.unwrap_or(shared.dtype())).and_then(
                |t| {
                    if t.same(&shared) {
                        crate::ops::backend::copy(&t)
                    } else {
                        Ok(t)
                    }
                },
            )?,
        );
    }
    let shape = nested_shape(data)?;
    let mut g = Gathered {
        values: Vec::with_capacity(shape.iter().product()),
        dtype: None,
    };
    gather(data, &shape, 0, &mut g)?;
    let dtype = dtype.or(g.dtype).unwrap_or(DType::Float32);
    from_scalars(&g.values, &shape, dtype)
}

/// NumPy's `typestr` for a dtype (little-endian).
fn typestr(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "|b1",
        DType::Int32 => "<i4",
        DType::Int64 => "<i8",
        DType::Float32 => "<f4",
        DType::Float64 => "<f8",
    }
}

/// `ferrograd.from_numpy(array)`: a tensor sharing the array's memory.
pub fn from_numpy(array: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    if !is_ndarray(array) {
        let name = array.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "expected np.ndarray (got {name})"
        )));
    }
    let interface = array.getattr("__array_interface__")?;
    let ts: String = interface.get_item("typestr")?.extract()?;
    let dtype = DType::ALL.into_iter().find(|d| typestr(*d) == ts || (ts.starts_with('=') && typestr(*d)[1..] == ts[1..])).ok_or_else(|| {
        let name = array.getattr("dtype").and_then(|d| d.str()).map(|s| s.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!(
            "can't convert np.ndarray of type numpy.{name}. The only supported types are: float64, float32, int64, int32, and bool."
        ))
    })?;
    let (ptr, _readonly): (usize, bool) = interface.get_item("data")?.extract()?;
    let shape: Vec<usize> = interface.get_item("shape")?.extract()?;
    let item = dtype.size() as isize;
    let strides: Vec<usize> = match interface
        .get_item("strides")?
        .extract::<Option<Vec<isize>>>()?
    {
        None => crate::tensor::contiguous_strides(&shape).to_vec(),
        Some(bytes) => {
            if bytes.iter().any(|&b| b < 0) {
                return Err(PyValueError::new_err(
                    "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) ",
                ));
            }
            if bytes.iter().any(|&b| b % item != 0) || ptr % dtype.size() != 0 {
                // Unaligned or oddly strided memory: share nothing, copy instead.
                let copy = py_copy(array)?;
                return from_numpy(&copy);
            }
            bytes.iter().map(|&b| (b / item) as usize).collect()
        }
    };
    let layout = Layout {
        shape: shape.into_iter().collect(),
        strides: strides.into_iter().collect(),
        offset: 0,
    };
    let nbytes = layout.storage_extent() * dtype.size();
    let owner: Box<dyn Send + Sync> = Box::new(array.clone().unbind());
    // SAFETY: the array keeps its buffer alive and `owner` keeps the array alive.
    let storage = unsafe { Storage::from_foreign(ptr as *mut u8, nbytes, owner) };
    let storage = match storage {
        Ok(s) => s,
        Err(_) => Storage::cpu_zeroed(0)?, // zero-size arrays may report a null pointer
    };
    Ok(Tensor::from_parts(storage, layout, dtype))
}

fn py_copy<'py>(array: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    array
        .py()
        .import("numpy")?
        .call_method1("ascontiguousarray", (array,))
}

/// Exposes a CPU tensor's memory to NumPy through `__array_interface__`; the NumPy array
/// keeps this object (and so the storage) alive as its base.
#[pyclass(module = "ferrograd._core", frozen)]
pub struct HostArray {
    t: Tensor,
}

#[pymethods]
impl HostArray {
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let item = self.t.dtype().size();
        d.set_item("shape", PyTuple::new(py, self.t.shape())?)?;
        d.set_item(
            "strides",
            PyTuple::new(py, self.t.strides().iter().map(|s| s * item))?,
        )?;
        d.set_item("typestr", typestr(self.t.dtype()))?;
        d.set_item(
            "data",
            (
                self.t.storage().cpu_ptr() as usize + self.t.offset() * item,
                false,
            ),
        )?;
        d.set_item("version", 3)?;
        Ok(d)
    }
}

/// A NumPy array viewing `t`'s memory (a CPU tensor).
pub fn to_numpy<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let holder = Bound::new(py, HostArray { t: t.clone() })?;
    py.import("numpy")?.call_method1("asarray", (holder,))
}

/// One element as a Python number.
pub fn scalar_to_py<'py, T: Element>(py: Python<'py>, v: T) -> PyResult<Bound<'py, PyAny>> {
    Ok(match Scalar::from_element(v) {
        Scalar::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any(),
    })
}

/// `tolist()`: nested lists of Python numbers (a number for a 0-d tensor).
pub fn to_list<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    with_dtype!(t.dtype(), T => {
        let values = t.to_vec::<T>()?;
        build_nested::<T>(py, &values, t.shape())
    })
}

fn build_nested<'py, T: Element>(
    py: Python<'py>,
    values: &[T],
    shape: &[usize],
) -> PyResult<Bound<'py, PyAny>> {
    match shape.split_first() {
        None => scalar_to_py(py, values[0]),
        Some((&n, rest)) => {
            let chunk = rest.iter().product::<usize>();
            let items = (0..n)
                .map(|i| build_nested::<T>(py, &values[i * chunk..(i + 1) * chunk], rest))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
    }
}

/// `item()`: the value of a one-element tensor.
pub fn item<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    t.check_one_element()?;
    let c = crate::cpu::contiguous(&crate::ops::backend::to_device(
        t,
        crate::tensor::Device::Cpu,
    )?)?;
    with_dtype!(c.dtype(), T => scalar_to_py(py, unsafe { *c.cpu_ptr::<T>() }))
}
