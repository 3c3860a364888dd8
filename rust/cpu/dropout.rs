//! Dropout masks: each element `1 / (1 - p)` with probability `1 - p`, else 0, drawn from
//! a generator (so `manual_seed` makes them reproducible).

use super::random::Generator;
use super::rows::slice_mut;
use crate::error::Result;
use crate::tensor::{DType, Device, Element, Tensor};
use crate::with_float_dtype;

/// A fresh dropout mask of `shape` in floating `dtype`.
pub fn mask(shape: &[usize], dtype: DType, p: f64, gen: &mut Generator) -> Result<Tensor> {
    let out = Tensor::empty(shape, dtype, Device::Cpu)?;
    let keep = 1.0 - p;
    with_float_dtype!(dtype, T => {
        let scale = if keep > 0.0 { T::from_f64(1.0 / keep) } else { T::zero() };
        // SAFETY: `out` is fresh and contiguous.
        for v in unsafe { slice_mut::<T>(&out) } {
            *v = if gen.uniform_f64() < keep { scale } else { T::zero() };
        }
    });
    Ok(out)
}
