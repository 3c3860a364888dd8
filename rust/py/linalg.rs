//! Products from Python beyond the `Tensor` math methods: `einsum`, and `outer` (`ger`).

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::tensor_arg;
use super::tensor::PyTensor;
use super::tensor_join::tensor_seq;
use crate::ops::einsum as ops_einsum;

/// `einsum(equation, *operands)`; the operands may also come as one list.
#[pyfunction]
#[pyo3(signature = (equation, *operands))]
pub fn einsum(equation: &str, operands: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
    let tensors = match operands.len() {
        1 if operands.get_item(0)?.cast::<PyTensor>().is_err() => {
            tensor_seq(&operands.get_item(0)?, "einsum")?
        }
        _ => tensor_seq(operands.as_any(), "einsum")?,
    };
    Ok(ops_einsum::einsum(equation, &tensors)?.into())
}

#[pymethods]
impl PyTensor {
    fn outer(&self, vec2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        Ok(ops_einsum::outer(&self.t, &tensor_arg(vec2, "outer", "vec2")?)?.into())
    }

    fn ger(&self, vec2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.outer(vec2)
    }
}
