//! The Python extension module `ferrograd._core`: the only place PyO3 appears.

mod args;
mod autograd;
mod convert;
mod creation;
mod dtype;
mod errors;
mod functional;
mod hooks;
mod nn_functional;
mod node;
mod random;
mod tensor;
mod tensor_math;
mod tensor_shape;

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
    m.add_function(wrap_pyfunction!(
        functional::binary_cross_entropy_with_logits,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(functional::where_, m)?)?;
    nn_functional::register(m)?;
    Ok(())
}
