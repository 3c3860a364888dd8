//! The Python `Tensor` class: construction, metadata, conversion to Python data, printing,
//! and the autograd surface (`requires_grad`, `grad`, `grad_fn`, `backward`, hooks).
//! Math and shape methods are in `tensor_math.rs` and `tensor_shape.rs`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::IntoPyObjectExt;

use super::args;
use super::convert;
use super::dtype::{
    device_object, dtype_object, extract_dtype, extract_dtype_opt, PyDType, PyDevice,
};
use super::hooks::{python_hook, python_post_accumulate_hook, RemovableHandle};
use super::node::node_object;
use crate::autograd::graph::with_node;
use crate::autograd::hooks::next_hook_key;
use crate::autograd::node::NodeExtras;
use crate::ops;
use crate::tensor::{DType, Device, Tensor};

/// A multi-dimensional array that can record operations for automatic differentiation.
#[pyclass(name = "Tensor", module = "ferrograd", subclass, weakref, dict)]
pub struct PyTensor {
    pub t: Tensor,
}

impl From<Tensor> for PyTensor {
    fn from(t: Tensor) -> Self {
        PyTensor { t }
    }
}

static SIZE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static REPR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A `ferrograd.Size` (a tuple subclass) for `shape`.
pub fn size_object<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let cls = SIZE.import(py, "ferrograd._size", "Size")?;
    cls.call1((PyTuple::new(py, shape)?,))
}

const NON_LEAF_GRAD_WARNING: &str = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.";

#[pymethods]
impl PyTensor {
    /// `Tensor(data)` copies data into a float32 tensor; `Tensor(2, 3)` makes an
    /// uninitialised (here: zeroed) 2x3 float32 tensor. Subclasses (`nn.Parameter`) pass
    /// `_data=` to wrap an existing tensor's storage.
    #[new]
    #[pyo3(signature = (*args, _data=None))]
    fn new(args: &Bound<'_, PyTuple>, _data: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        if let Some(d) = _data {
            return Ok(PyTensor {
                t: args::tensor_arg(d, "Tensor", "data")?.detach(),
            });
        }
        legacy_constructor(args, DType::Float32).map(PyTensor::from)
    }

    // ---- metadata ----

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        size_object(py, self.t.shape())
    }

    /// `size()` is the shape; `size(dim)` one dimension.
    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => size_object(py, self.t.shape()),
            Some(d) => Ok(self.t.shape()[crate::tensor::wrap_dim(d, self.t.ndim())?]
                .into_pyobject(py)?
                .into_any()),
        }
    }

    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => Ok(self.t.strides()[crate::tensor::wrap_dim(d, self.t.ndim())?]
                .into_pyobject(py)?
                .into_any()),
        }
    }

    fn storage_offset(&self) -> usize {
        self.t.offset()
    }

    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, PyDType> {
        dtype_object(py, self.t.dtype())
    }

    #[getter]
    fn device(&self) -> PyDevice {
        device_object(self.t.device())
    }

    #[getter]
    fn is_cuda(&self) -> bool {
        false
    }

    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }

    fn dim(&self) -> usize {
        self.t.ndim()
    }

    fn ndimension(&self) -> usize {
        self.t.ndim()
    }

    fn numel(&self) -> usize {
        self.t.numel()
    }

    fn nelement(&self) -> usize {
        self.t.numel()
    }

    fn element_size(&self) -> usize {
        self.t.dtype().size()
    }

    fn is_contiguous(&self) -> bool {
        self.t.is_contiguous()
    }

    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_floating_point()
    }

    /// The address of the first element; for a WebGPU tensor, the `WGPUBuffer` handle (its
    /// elements are not host-addressable).
    fn data_ptr(&self) -> usize {
        match self.t.storage().gpu_buffer() {
            Some(b) => b.raw() as usize,
            None => self.t.storage().cpu_ptr() as usize + self.t.offset() * self.t.dtype().size(),
        }
    }

    #[getter]
    fn _version(&self) -> u64 {
        self.t.version()
    }

    /// `type()` names the legacy type (`'ferrograd.FloatTensor'`); `type(dtype)` converts.
    #[pyo3(signature = (dtype=None))]
    fn r#type<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match dtype {
            None => Ok(format!("ferrograd.{}", self.t.dtype().legacy_type_name())
                .into_pyobject(py)?
                .into_any()),
            Some(d) => {
                PyTensor::from(ops::to_dtype(&self.t, extract_dtype(d)?)?).into_bound_py_any(py)
            }
        }
    }

    // ---- autograd ----

    #[getter]
    fn get_requires_grad(&self) -> bool {
        self.t.requires_grad()
    }

    #[setter]
    fn set_requires_grad(&self, flag: bool) -> PyResult<()> {
        check_can_require_grad(
            &self.t,
            flag,
            "only Tensors of floating point and complex dtype can require gradients",
        )?;
        Ok(self.t.set_requires_grad(flag)?)
    }

    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_(slf: Bound<'_, Self>, requires_grad: bool) -> PyResult<Bound<'_, Self>> {
        slf.borrow().t.set_requires_grad(requires_grad)?;
        Ok(slf)
    }

    #[getter]
    fn is_leaf(&self) -> bool {
        self.t.is_leaf()
    }

    #[getter]
    fn grad_fn<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.t
            .grad_fn()
            .map(|g| node_object(py, g.node))
            .transpose()
    }

    #[getter]
    fn get_grad(&self, py: Python<'_>) -> PyResult<Option<Py<PyTensor>>> {
        if !self.t.is_leaf() && !self.t.autograd_meta().is_some_and(|m| m.retains_grad()) {
            PyErr::warn(
                py,
                &py.get_type::<PyUserWarning>(),
                &std::ffi::CString::new(NON_LEAF_GRAD_WARNING).unwrap(),
                1,
            )?;
        }
        let Some(meta) = self.t.autograd_meta() else {
            return Ok(None);
        };
        let (Some(grad), handle) = meta.grad_handle() else {
            return Ok(None);
        };
        // The same Python object for as long as the gradient is the same tensor.
        if let Some(obj) = handle.and_then(|h| h.downcast::<Py<PyTensor>>().ok()) {
            return Ok(Some(obj.clone_ref(py)));
        }
        let obj = Py::new(py, PyTensor::from(grad.clone()))?;
        meta.set_grad_handle(&grad, std::sync::Arc::new(obj.clone_ref(py)));
        Ok(Some(obj))
    }

    #[setter]
    fn set_grad(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let grad = match value {
            None => None,
            Some(g) if g.is_none() => None,
            Some(g) => Some(g.cast::<PyTensor>().map(|g| g.borrow().t.clone()).map_err(|_| {
                let name = g.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                PyTypeError::new_err(format!("assigned grad expected to be a Tensor or None but got grad of type {name}"))
            })?),
        };
        if let Some(g) = &grad {
            if g.shape() != self.t.shape() {
                return Err(PyRuntimeError::new_err(format!(
                    "attempting to assign a gradient of size '{}' to a tensor of size '{}'. Please ensure that the gradient and the tensor are the same size",
                    crate::tensor::shape_str(g.shape()),
                    crate::tensor::shape_str(self.t.shape())
                )));
            }
            if g.dtype() != self.t.dtype() {
                return Err(PyRuntimeError::new_err(format!(
                    "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.",
                    c_dtype(g.dtype()),
                    self.t.dtype().scalar_type_name()
                )));
            }
        }
        self.t.set_grad(grad.clone());
        // `x.grad = g` then `x.grad is g`, as in PyTorch.
        if let (Some(g), Some(obj), Some(meta)) = (&grad, value, self.t.autograd_meta()) {
            if let Ok(obj) = obj.cast::<PyTensor>() {
                meta.set_grad_handle(g, std::sync::Arc::new(obj.clone().unbind()));
            }
        }
        Ok(())
    }

    #[getter]
    fn retains_grad(&self) -> bool {
        self.t.autograd_meta().is_some_and(|m| m.retains_grad())
    }

    /// Keeps `.grad` for this non-leaf tensor after backward (a no-op on leaves).
    fn retain_grad(&self) -> PyResult<()> {
        Ok(crate::autograd::backward::retain_grad(&self.t)?)
    }

    /// Registers `hook(grad) -> Tensor | None`, called with this tensor's gradient.
    fn register_hook(&self, hook: Py<PyAny>) -> PyResult<RemovableHandle> {
        if !self.t.requires_grad() {
            return Err(PyRuntimeError::new_err(
                "cannot register a hook on a tensor that doesn't require gradient",
            ));
        }
        let key = next_hook_key();
        let hook = python_hook(hook);
        match self.t.grad_fn() {
            None => {
                let meta = self.t.autograd_meta_or_init();
                meta.add_hook(key, hook);
                Ok(RemovableHandle::leaf(key, meta))
            }
            Some(g) => {
                let id = g.node.id();
                with_node(id, |n| {
                    n.extras
                        .get_or_insert_with(|| Box::new(NodeExtras::default()))
                        .tensor_hooks
                        .push((key, g.output_nr, hook))
                });
                Ok(RemovableHandle::node(key, id))
            }
        }
    }

    /// Registers `hook(tensor) -> None` on a leaf, called after its `.grad` was updated.
    fn register_post_accumulate_grad_hook(
        slf: &Bound<'_, Self>,
        hook: Py<PyAny>,
    ) -> PyResult<RemovableHandle> {
        let t = slf.borrow().t.clone();
        if !t.requires_grad() {
            return Err(PyRuntimeError::new_err(
                "cannot register a hook on a tensor that doesn't require gradient",
            ));
        }
        if !t.is_leaf() {
            return Err(PyRuntimeError::new_err(
                "post accumulate grad hooks cannot be registered on non-leaf tensors",
            ));
        }
        let key = next_hook_key();
        let hook = python_post_accumulate_hook(hook, slf)?;
        let meta = t.autograd_meta_or_init();
        meta.add_post_accumulate_hook(key, hook);
        Ok(RemovableHandle::leaf(key, meta))
    }

    /// Computes the gradient of this tensor with respect to the graph's leaves (or only
    /// `inputs`), accumulated into their `.grad`.
    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(
        &self,
        py: Python<'_>,
        gradient: Option<&Bound<'_, PyAny>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        super::autograd::run_backward(
            py,
            std::slice::from_ref(&self.t),
            gradient,
            retain_graph,
            create_graph,
            inputs,
        )
    }

    fn detach(&self) -> PyTensor {
        self.t.detach().into()
    }

    fn detach_(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        {
            let t = &slf.borrow().t;
            if t.view_base().is_some_and(|b| b.requires_grad()) {
                return Err(PyRuntimeError::new_err("Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."));
            }
            if let Some(m) = t.autograd_meta() {
                m.detach();
            }
        }
        Ok(slf)
    }

    /// `.data`: the same values, cut from autograd (in-place changes through it are not seen
    /// by autograd's checks).
    #[getter]
    fn get_data(&self) -> PyTensor {
        self.t.data().into()
    }

    #[setter]
    fn set_data(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let source = args::tensor_arg(value, "data", "data")?;
        self.t = self.t.with_data_of(&source);
        Ok(())
    }

    // ---- conversion to Python ----

    fn item<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::item(py, &self.t)
    }

    fn tolist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::to_list(py, &self.t)
    }

    #[pyo3(signature = (force=false))]
    fn numpy<'py>(&self, py: Python<'py>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        if self.t.device() != Device::Cpu {
            return Err(PyTypeError::new_err(format!(
                "can't convert {}:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
                self.t.device().type_name()
            )));
        }
        if self.t.requires_grad() && !force {
            return Err(PyRuntimeError::new_err("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."));
        }
        convert::to_numpy(py, &self.t)
    }

    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = copy;
        let arr = self.numpy(py, false)?;
        match dtype {
            Some(d) if !d.is_none() => arr.call_method1("astype", (d,)),
            _ => Ok(arr),
        }
    }

    #[classattr]
    fn __array_priority__() -> i64 {
        1000
    }

    fn __float__(&self) -> PyResult<f64> {
        self.one_value()?;
        Ok(self.t.item_f64()?)
    }

    fn __int__(&self) -> PyResult<i64> {
        self.one_value()?;
        Ok(self.t.item_f64()?.trunc() as i64)
    }

    fn __index__(&self) -> PyResult<i64> {
        if self.t.dtype().is_floating_point() || self.t.numel() != 1 {
            return Err(PyTypeError::new_err(
                "only integer tensors of a single element can be converted to an index",
            ));
        }
        Ok(self.t.item_f64()? as i64)
    }

    fn __bool__(&self) -> PyResult<bool> {
        match self.t.numel() {
            0 => Err(PyRuntimeError::new_err(
                "Boolean value of Tensor with no values is ambiguous",
            )),
            1 => Ok(self.t.item_f64()? != 0.0),
            _ => Err(PyRuntimeError::new_err(
                "Boolean value of Tensor with more than one value is ambiguous",
            )),
        }
    }

    fn __len__(&self) -> PyResult<usize> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(self.t.shape()[0])
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d tensor"));
        }
        let rows = (0..self.t.shape()[0] as i64)
            .map(|i| ops::view::select(&self.t, 0, i).map(PyTensor::from))
            .collect::<crate::Result<Vec<_>>>()?;
        pyo3::types::PyList::new(py, rows)?
            .try_iter()
            .map(|i| i.into_any())
    }

    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    // ---- printing ----

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let f = REPR.import(slf.py(), "ferrograd._tensor_str", "tensor_repr")?;
        f.call1((slf,))?.extract()
    }

    /// f-strings format a 0-d tensor as its number (`f"{t:.2f}"`), as PyTorch does.
    fn __format__(slf: &Bound<'_, Self>, spec: &str) -> PyResult<String> {
        let t = &slf.borrow().t;
        if t.ndim() == 0 && slf.get_type().is(slf.py().get_type::<PyTensor>()) {
            return convert::item(slf.py(), t)?
                .call_method1("__format__", (spec,))?
                .extract();
        }
        if spec.is_empty() {
            return slf.str()?.extract();
        }
        Err(PyTypeError::new_err(
            "unsupported format string passed to Tensor.__format__",
        ))
    }
}

impl PyTensor {
    fn one_value(&self) -> PyResult<()> {
        if self.t.numel() != 1 {
            return Err(PyValueError::new_err(
                "only one element tensors can be converted to Python scalars",
            ));
        }
        Ok(())
    }
}

/// PyTorch words the error for an integer tensor asked to require grad differently in each
/// place (`requires_grad_()`'s wording is the core's).
fn check_can_require_grad(t: &Tensor, flag: bool, message: &'static str) -> PyResult<()> {
    if flag && !t.dtype().is_floating_point() {
        return Err(PyRuntimeError::new_err(message));
    }
    Ok(())
}

/// C type names PyTorch uses in some messages.
fn c_dtype(d: DType) -> &'static str {
    match d {
        DType::Float32 => "float",
        DType::Float64 => "double",
        DType::Int64 => "long int",
        DType::Int32 => "int",
        DType::Bool => "bool",
    }
}

/// Legacy constructors (`Tensor(...)`, `FloatTensor(...)`): sizes give a zeroed tensor of that
/// shape, anything else is data.
pub fn legacy_constructor(args: &Bound<'_, PyTuple>, dtype: DType) -> PyResult<Tensor> {
    let all_ints = args.iter().all(|a| {
        a.cast::<pyo3::types::PyInt>().is_ok() && a.cast::<pyo3::types::PyBool>().is_err()
    });
    if args.is_empty() {
        return Ok(ops::creation::zeros(&[0], dtype, Device::Cpu)?);
    }
    if all_ints {
        let shape = args::sizes(args)?;
        return Ok(ops::creation::zeros(&shape, dtype, Device::Cpu)?);
    }
    if args.len() != 1 {
        return Err(PyTypeError::new_err(
            "new(): data must be a sequence (got multiple arguments)",
        ));
    }
    let data = args.get_item(0)?;
    if data.cast::<PyTuple>().is_ok() && data.get_type().name().is_ok_and(|n| n == "Size") {
        let shape: Vec<usize> = data.extract()?;
        return Ok(ops::creation::zeros(&shape, dtype, Device::Cpu)?);
    }
    convert::tensor_from_data(&data, Some(dtype))
}

/// Keyword arguments creation functions share.
pub struct Options {
    pub dtype: Option<DType>,
    /// The given device, else the default one (`set_default_device`).
    pub device: Device,
    pub requires_grad: bool,
}

impl Options {
    pub fn read(
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
        requires_grad: bool,
    ) -> PyResult<Options> {
        Ok(Options {
            dtype: extract_dtype_opt(dtype)?,
            device: super::dtype::extract_device_opt(device)?
                .unwrap_or_else(super::device::default_device),
            requires_grad,
        })
    }

    /// Moves a freshly made tensor to the device and applies `requires_grad`.
    pub fn finish(&self, t: Tensor) -> PyResult<PyTensor> {
        let t = crate::ops::backend::to_device(&t, self.device)?;
        if self.requires_grad {
            check_can_require_grad(
                &t,
                true,
                "Only Tensors of floating point and complex dtype can require gradients",
            )?;
            t.set_requires_grad(true)?;
        }
        Ok(t.into())
    }
}

/// Reads `**kwargs` of `to()` style calls that accept `dtype` and `device` by keyword.
pub fn kw<'py>(
    kwargs: Option<&Bound<'py, PyDict>>,
    name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match kwargs {
        Some(k) => k.get_item(name),
        None => Ok(None),
    }
}
