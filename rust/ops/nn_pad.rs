//! `pad`: constant (negative sizes crop), reflect, replicate and circular, with PyTorch's
//! checks and messages.
//!
//! Constant padding's gradient is constant padding by the negated sizes (a crop). The other
//! modes gather, so their gradient scatter-adds back, and the gradient of that gathers
//! again.

use smallvec::smallvec;

use super::backend;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{shape_str, Dims, Scalar, Tensor};

/// How padding fills.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum PadMode {
    Constant(Scalar),
    Reflect,
    Replicate,
    Circular,
}

impl PadMode {
    /// Parses `mode=` (with `value` for constant mode), with PyTorch's errors.
    pub fn parse(mode: &str, value: Option<Scalar>) -> Result<PadMode> {
        let m = match mode {
            "constant" => return Ok(PadMode::Constant(value.unwrap_or(Scalar::Int(0)))),
            "reflect" => PadMode::Reflect,
            "replicate" => PadMode::Replicate,
            "circular" => PadMode::Circular,
            other => {
                return Err(Error::not_implemented(format!(
                    "Unrecognised padding mode {other}"
                )))
            }
        };
        if value.is_some_and(|v| v.to_f64() != 0.0) {
            return Err(Error::runtime(format!(
                "Padding mode \"{mode}\" doesn't take in value argument"
            )));
        }
        Ok(m)
    }
}

/// `pad(x, pad, mode, value)`: `pad` lists `(before, after)` pairs from the last dim back.
pub fn pad(x: &Tensor, pad: &[i64], mode: PadMode) -> Result<Tensor> {
    if pad.len() % 2 != 0 {
        return Err(Error::runtime("Padding length must be divisible by 2"));
    }
    let k = pad.len() / 2;
    if k > x.ndim() {
        return Err(Error::runtime(format!(
            "Padding length should be less than or equal to two times the input dimension but got padding length {} and input of dimension {}",
            pad.len(),
            x.ndim()
        )));
    }
    let mut pads = vec![[0i64; 2]; x.ndim()];
    for i in 0..k {
        pads[x.ndim() - 1 - i] = [pad[2 * i], pad[2 * i + 1]];
    }
    if !matches!(mode, PadMode::Constant(_)) {
        check_non_constant(x, &pads, k, mode)?;
    } else if x
        .shape()
        .iter()
        .zip(&pads)
        .any(|(&n, p)| n as i64 + p[0] + p[1] < 0)
    {
        return Err(Error::runtime("narrow(): length must be non-negative."));
    }
    padded(x, &pads, mode, k)
}

/// PyTorch's checks for reflect / replicate / circular padding of the last `k` dims.
fn check_non_constant(x: &Tensor, pads: &[[i64; 2]], k: usize, mode: PadMode) -> Result<()> {
    let n = x.ndim();
    if k == 0 || k > 3 || (n != k + 1 && n != k + 2) {
        return Err(Error::not_implemented(format!(
            "Padding size {} is not supported for {n}D input tensor.\nSupported combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)",
            2 * k
        )));
    }
    if mode == PadMode::Circular {
        for (d, p) in pads.iter().enumerate().skip(n - k) {
            if p[0] > x.shape()[d] as i64 || p[1] > x.shape()[d] as i64 {
                return Err(Error::runtime(
                    "Padding value causes wrapping around more than once.",
                ));
            }
        }
        return Ok(());
    }
    if x.shape()[n - k - 1] == 0 || x.shape()[n - k..].contains(&0) {
        return Err(Error::runtime(format!(
            "Expected {}D or {}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {}",
            k + 1,
            k + 2,
            shape_str(x.shape())
        )));
    }
    if mode == PadMode::Reflect {
        for (i, d) in (n - k..n).rev().enumerate() {
            let size = x.shape()[d] as i64;
            if pads[d][0] >= size || pads[d][1] >= size {
                return Err(Error::runtime(format!(
                    "Argument #{}: Padding size should be less than the corresponding input dimension, but got: padding ({}, {}) at dimension {d} of input {}",
                    4 + 2 * i,
                    pads[d][0],
                    pads[d][1],
                    shape_str(x.shape())
                )));
            }
        }
    }
    Ok(())
}

/// Pads, recorded. `k` is the number of padded dims (for the node's name).
fn padded(x: &Tensor, pads: &[[i64; 2]], mode: PadMode, k: usize) -> Result<Tensor> {
    let out = backend::pad(x, pads, mode)?;
    if is_recording(&[x]) {
        let node = PadBackward {
            pads: pads.to_vec(),
            mode,
            k,
            in_shape: x.shape_dims(),
            adjoint: false,
        };
        record(node, &[Some(x)], smallvec![], &[&out])?;
    }
    Ok(out)
}

/// The scatter-add adjoint of a non-constant pad, recorded.
fn unpadded(
    g: &Tensor,
    pads: &[[i64; 2]],
    mode: PadMode,
    k: usize,
    in_shape: &[usize],
) -> Result<Tensor> {
    let out = backend::pad_backward(g, pads, mode, in_shape)?;
    if is_recording(&[g]) {
        let node = PadBackward {
            pads: pads.to_vec(),
            mode,
            k,
            in_shape: in_shape.into(),
            adjoint: true,
        };
        record(node, &[Some(g)], smallvec![], &[&out])?;
    }
    Ok(out)
}

struct PadBackward {
    pads: Vec<[i64; 2]>,
    mode: PadMode,
    k: usize,
    in_shape: Dims,
    /// This node is the scatter-add adjoint rather than the pad.
    adjoint: bool,
}

impl Backward for PadBackward {
    fn name(&self) -> &str {
        let k = self.k.clamp(1, 3) - 1;
        match (self.mode, self.adjoint) {
            (PadMode::Constant(_), _) => "ConstantPadNdBackward0",
            (PadMode::Circular, _) => "CopySlices",
            (PadMode::Reflect, false) => [
                "ReflectionPad1DBackward0",
                "ReflectionPad2DBackward0",
                "ReflectionPad3DBackward0",
            ][k],
            (PadMode::Reflect, true) => [
                "ReflectionPad1DBackwardBackward0",
                "ReflectionPad2DBackwardBackward0",
                "ReflectionPad3DBackwardBackward0",
            ][k],
            (PadMode::Replicate, false) => [
                "ReplicationPad1DBackward0",
                "ReplicationPad2DBackward0",
                "ReplicationPad3DBackward0",
            ][k],
            (PadMode::Replicate, true) => [
                "ReplicationPad1DBackwardBackward0",
                "ReplicationPad2DBackwardBackward0",
                "ReplicationPad3DBackwardBackward0",
            ][k],
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let grad = match (self.mode, self.adjoint) {
            (PadMode::Constant(_), _) => {
                let negated: Vec<[i64; 2]> = self.pads.iter().map(|[a, b]| [-a, -b]).collect();
                padded(g, &negated, PadMode::Constant(Scalar::Int(0)), self.k)?
            }
            (mode, false) => unpadded(g, &self.pads, mode, self.k, &self.in_shape)?,
            (mode, true) => padded(g, &self.pads, mode, self.k)?,
        };
        Ok(smallvec![Some(grad)])
    }
}
