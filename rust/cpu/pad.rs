//! Padding: every output element reads one input element (or, in constant mode outside the
//! input, the fill value), chosen per dim by an index table. The backward of the
//! non-constant modes adds each output gradient into the element it read.

use super::number::Number;
use super::rows::{slice, slice_mut};
use crate::error::Result;
use crate::ops::nn_pad::PadMode;
use crate::tensor::{Scalar, Tensor};
use crate::with_dtype;

/// For each dim, the input index each output index reads (`None`: constant fill).
fn tables(in_shape: &[usize], pads: &[[i64; 2]], mode: PadMode) -> Vec<Vec<Option<usize>>> {
    in_shape
        .iter()
        .zip(pads)
        .map(|(&n, &[before, after])| {
            let out = (n as i64 + before + after).max(0);
            (0..out)
                .map(|o| {
                    let i = o - before;
                    let n = n as i64;
                    let src = match mode {
                        PadMode::Constant(_) => i,
                        PadMode::Reflect if i < 0 => -i,
                        PadMode::Reflect if i >= n => 2 * (n - 1) - i,
                        PadMode::Replicate => i.clamp(0, n - 1),
                        PadMode::Circular => i.rem_euclid(n),
                        PadMode::Reflect => i,
                    };
                    (0..n).contains(&src).then_some(src as usize)
                })
                .collect()
        })
        .collect()
}

/// Calls `f(out_index, in_offset)` for every output element in row-major order.
fn walk(
    tables: &[Vec<Option<usize>>],
    in_strides: &[usize],
    mut f: impl FnMut(usize, Option<usize>),
) {
    let out_shape: Vec<usize> = tables.iter().map(|t| t.len()).collect();
    if out_shape.contains(&0) {
        return;
    }
    let ndim = out_shape.len();
    let mut index = vec![0usize; ndim];
    let mut out_i = 0;
    loop {
        let src = (0..ndim).try_fold(0usize, |acc, d| {
            tables[d][index[d]].map(|i| acc + i * in_strides[d])
        });
        f(out_i, src);
        out_i += 1;
        let mut d = ndim;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < out_shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

/// `x` (contiguous) padded by `pads` (`[before, after]` per dim, negative crops).
pub fn pad(x: &Tensor, pads: &[[i64; 2]], mode: PadMode) -> Result<Tensor> {
    let shape: Vec<usize> = x
        .shape()
        .iter()
        .zip(pads)
        .map(|(&n, &[before, after])| (n as i64 + before + after).max(0) as usize)
        .collect();
    // Allocate first: an impossible size is an error here, before the tables are built.
    let out = Tensor::empty(&shape, x.dtype(), x.device())?;
    let t = tables(x.shape(), pads, mode);
    let fill = match mode {
        PadMode::Constant(v) => v,
        _ => Scalar::Int(0),
    };
    with_dtype!(x.dtype(), T => {
        // SAFETY: contiguous `x` (the backend's contract); `out` is fresh.
        let (xs, os) = unsafe { (slice::<T>(x), slice_mut::<T>(&out)) };
        let value = fill.cast::<T>();
        let strides = crate::tensor::contiguous_strides(x.shape());
        walk(&t, &strides, |o, src| os[o] = src.map_or(value, |i| xs[i]));
    });
    Ok(out)
}

/// The adjoint of [`pad`] in a non-constant mode: zeros of `in_shape` with each element of
/// `g` (contiguous) added where it was read from.
pub fn pad_backward(
    g: &Tensor,
    pads: &[[i64; 2]],
    mode: PadMode,
    in_shape: &[usize],
) -> Result<Tensor> {
    let t = tables(in_shape, pads, mode);
    let out = crate::ops::creation::zeros(in_shape, g.dtype(), g.device())?;
    let strides = crate::tensor::contiguous_strides(in_shape);
    with_dtype!(g.dtype(), T => {
        // SAFETY: contiguous `g` (the backend's contract); `out` is fresh.
        let (gs, os) = unsafe { (slice::<T>(g), slice_mut::<T>(&out)) };
        walk(&t, &strides, |o, src| {
            if let Some(i) = src {
                os[i] = os[i].add(gs[o]);
            }
        });
    });
    Ok(out)
}
