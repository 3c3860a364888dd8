//! The Python extension module `ferrograd._core`: the only place PyO3 appears.

mod activation;
mod anomaly;
mod args;
mod autograd;
mod convert;
mod creation;
mod device;
mod dtype;
mod errors;
mod function;
mod functional;
mod hooks;
mod inference;
mod linalg;
mod nn_functional;
mod node;
mod random;
mod tensor;
mod tensor_copy;
mod tensor_elementwise;
mod tensor_fused;
mod tensor_indexing;
mod tensor_inplace_math;
mod tensor_join;
mod tensor_math;
mod tensor_random;
mod tensor_reductions;
mod tensor_shape;
mod tensor_shape_ops;
mod webgpu;
mod webgpu_interop;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<tensor::PyTensor>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<dtype::PyDevice>()?;
    m.add_class::<node::PyNode>()?;
    m.add_class::<hooks::RemovableHandle>()?;
    m.add_class::<random::PyGenerator>()?;
    m.add_class::<convert::HostArray>()?;

    let py = m.py();
    for d in crate::tensor::DType::ALL {
        m.add(d.name(), dtype::dtype_object(py, d))?;
    }

    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(creation::tensor, m)?)?;
    m.add_function(wrap_pyfunction!(creation::_legacy_new, m)?)?;
    m.add_function(wrap_pyfunction!(creation::as_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(creation::from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(creation::zeros, m)?)?;
    m.add_function(wrap_pyfunction!(creation::ones, m)?)?;
    m.add_function(wrap_pyfunction!(creation::empty, m)?)?;
    m.add_function(wrap_pyfunction!(creation::full, m)?)?;
    m.add_function(wrap_pyfunction!(creation::zeros_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::ones_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::empty_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::full_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::rand_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::randn_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::eye, m)?)?;
    m.add_function(wrap_pyfunction!(creation::arange, m)?)?;
    m.add_function(wrap_pyfunction!(creation::linspace, m)?)?;
    m.add_function(wrap_pyfunction!(creation::rand, m)?)?;
    m.add_function(wrap_pyfunction!(creation::randn, m)?)?;
    m.add_function(wrap_pyfunction!(creation::randint, m)?)?;
    m.add_function(wrap_pyfunction!(random::manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::initial_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::seed, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::_backward, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::_grad, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::_live_nodes, m)?)?;
    m.add_function(wrap_pyfunction!(function::_function_record, m)?)?;
    m.add_function(wrap_pyfunction!(function::_function_saved_tensors, m)?)?;
    m.add_function(wrap_pyfunction!(function::_delayed_error, m)?)?;
    m.add_function(wrap_pyfunction!(anomaly::_set_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(anomaly::is_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(anomaly::is_anomaly_check_nan_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(inference::_set_inference_mode, m)?)?;
    m.add_function(wrap_pyfunction!(inference::is_inference_mode_enabled, m)?)?;
    anomaly::install();
    m.add_function(wrap_pyfunction!(
        functional::binary_cross_entropy_with_logits,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(functional::where_, m)?)?;
    m.add_function(wrap_pyfunction!(device::set_default_device, m)?)?;
    m.add_function(wrap_pyfunction!(device::get_default_device, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu::_webgpu_device_name, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu::_webgpu_compile, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu::_webgpu_synchronize, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu::_webgpu_memory_allocated, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu::_webgpu_memory_reserved, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu::_webgpu_empty_cache, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu::_host_fallbacks, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu_interop::_webgpu_export_buffer, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu_interop::_webgpu_import_buffer, m)?)?;
    m.add_function(wrap_pyfunction!(webgpu_interop::_webgpu_element_size, m)?)?;
    webgpu::register_provider();
    m.add_function(wrap_pyfunction!(tensor_random::randperm, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_random::_trunc_normal_, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_copy::_rebuild_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_join::cat, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_join::concat, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_join::concatenate, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_join::stack, m)?)?;
    m.add_function(wrap_pyfunction!(linalg::einsum, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_elementwise::remainder, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_reductions::var_mean, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_reductions::std_mean, m)?)?;
    m.add_function(wrap_pyfunction!(activation::gelu, m)?)?;
    m.add_function(wrap_pyfunction!(activation::silu, m)?)?;
    m.add_function(wrap_pyfunction!(activation::mish, m)?)?;
    m.add_function(wrap_pyfunction!(activation::softplus, m)?)?;
    m.add_function(wrap_pyfunction!(activation::elu, m)?)?;
    m.add_function(wrap_pyfunction!(activation::selu, m)?)?;
    m.add_function(wrap_pyfunction!(activation::celu, m)?)?;
    m.add_function(wrap_pyfunction!(activation::leaky_relu, m)?)?;
    m.add_function(wrap_pyfunction!(activation::hardtanh, m)?)?;
    m.add_function(wrap_pyfunction!(activation::relu6, m)?)?;
    m.add_function(wrap_pyfunction!(activation::hardswish, m)?)?;
    m.add_function(wrap_pyfunction!(activation::hardsigmoid, m)?)?;
    m.add_function(wrap_pyfunction!(activation::logsigmoid, m)?)?;
    m.add_function(wrap_pyfunction!(activation::softsign, m)?)?;
    m.add_function(wrap_pyfunction!(activation::glu, m)?)?;
    nn_functional::register(m)?;
    Ok(())
}
