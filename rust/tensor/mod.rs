//! Tensors: dtypes, shapes and strides, device-tagged storage, and the `Tensor` handle.

pub mod dtype;
pub mod host_pool;
pub mod scalar;
pub mod shape;
pub mod storage;
#[allow(clippy::module_inception)]
pub mod tensor;

pub use dtype::{result_type, Category, DType, Element, Operand};
pub use scalar::Scalar;
pub use shape::{
    broadcast_shapes, contiguous_strides, infer_shape, is_expandable_to, numel, shape_str,
    wrap_dim, wrap_dims, Dims, Layout,
};
pub use storage::{Device, Storage};
pub use tensor::Tensor;
