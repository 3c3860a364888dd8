//! The negative log-likelihood loss picks one class entry per element: for `x` seen as
//! `[n, c, s]` and targets `[n, s]`, element `(n, s)` is `-weight[t] * x[n, t, s]` with
//! `t = target[n, s]`, and 0 where `t` is the ignored index. Its adjoint places values back
//! at the target classes.

use super::rows::{slice, slice_mut};
use crate::error::{Error, Result};
use crate::tensor::{Element, Tensor};
use crate::with_float_dtype;

/// The class of each element, checked: `None` when ignored, PyTorch's error when outside
/// `0..classes`.
fn classes_of(target: &[i64], classes: usize, ignore_index: i64) -> Result<Vec<Option<usize>>> {
    target
        .iter()
        .map(|&t| {
            if t == ignore_index {
                Ok(None)
            } else if t < 0 || t as usize >= classes {
                Err(Error::index(format!("Target {t} is out of bounds.")))
            } else {
                Ok(Some(t as usize))
            }
        })
        .collect()
}

/// Per-element losses (`[n * s]`) of contiguous `x` and `target`, and the summed weight of
/// the counted elements (a 0-d tensor): what `reduction="mean"` divides by.
pub fn forward(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    [n, c, s]: [usize; 3],
) -> Result<(Tensor, Tensor)> {
    // SAFETY: contiguous operands (the backend's contract).
    let classes = classes_of(unsafe { slice::<i64>(target) }, c, ignore_index)?;
    let losses = Tensor::empty(&[n * s], x.dtype(), x.device())?;
    let total = Tensor::empty(&[], x.dtype(), x.device())?;
    with_float_dtype!(x.dtype(), T => {
        // SAFETY: as above; the outputs are fresh.
        let (xs, ls) = unsafe { (slice::<T>(x), slice_mut::<T>(&losses)) };
        let ws = weight.map(|w| unsafe { slice::<T>(w) });
        let mut total_weight = 0.0f64;
        for (e, class) in classes.iter().enumerate() {
            ls[e] = match *class {
                None => T::zero(),
                Some(t) => {
                    let w = ws.map_or(1.0, |w| w[t].to_f64());
                    total_weight += w;
                    let (ni, si) = (e / s, e % s);
                    T::from_f64(-w * xs[(ni * c + t) * s + si].to_f64())
                }
            };
        }
        unsafe { *total.cpu_ptr::<T>() = T::from_f64(total_weight) };
    });
    Ok((losses, total))
}

/// The adjoint of [`forward`]'s per-element losses: zeros `[n, c, s]` with
/// `-weight[t] * g[n, s]` at each counted target. `g` is contiguous, `[n * s]`.
pub fn backward(
    g: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    [n, c, s]: [usize; 3],
) -> Result<Tensor> {
    // SAFETY: contiguous operands (the backend's contract).
    let classes = classes_of(unsafe { slice::<i64>(target) }, c, ignore_index)?;
    let out = crate::ops::creation::zeros(&[n, c, s], g.dtype(), g.device())?;
    with_float_dtype!(g.dtype(), T => {
        // SAFETY: as above; `out` is fresh.
        let (gs, os) = unsafe { (slice::<T>(g), slice_mut::<T>(&out)) };
        let ws = weight.map(|w| unsafe { slice::<T>(w) });
        for (e, class) in classes.iter().enumerate() {
            if let Some(t) = *class {
                let w = ws.map_or(1.0, |w| w[t].to_f64());
                let (ni, si) = (e / s, e % s);
                os[(ni * c + t) * s + si] = T::from_f64(-w * gs[e].to_f64());
            }
        }
    });
    Ok(out)
}
