//! 2-D convolution on the GPU as unfold (im2col, `shaders/conv.wgsl`) + batched matmul
//! (`matmul.rs`) + fold (col2im) for the input gradient: everything stays on the device.
//! Per group, the products are:
//! - forward: `y[n] = W[g] @ cols[n]` (`[cout_g, K] @ [K, L]`),
//! - input gradient: `gcols[n] = W[g]^T @ gy[n]`, folded back into the image,
//! - weight gradient: `gW[g] = gy[:, g] @ cols^T`, with the samples summed by laying both
//!   out as `[.., N * L]`.
//!
//! Here `K = cin_g * kh * kw` (patch rows) and `L = oh * ow` (output positions).

use super::elementwise::copy_into;
use super::indexed::{run_kernel, Binding};
use super::matmul::bmm_into;
use super::word;
use crate::error::Result;
use crate::ops::nn_conv::{ConvForm, ConvGeometry};
use crate::tensor::{Layout, Tensor};

/// The family name (for the pipeline cache) and its WGSL.
const FAMILY: (&str, &str) = ("conv", include_str!("../../../shaders/conv.wgsl"));

/// `t`'s storage seen as `shape` with `strides` from element `offset`.
fn view(t: &Tensor, shape: &[usize], strides: &[usize], offset: usize) -> Tensor {
    t.with_layout(Layout {
        shape: shape.into(),
        strides: strides.into(),
        offset,
    })
}

/// The parameter words of `g` with the patch matrix's strides for (n, group, kk, l).
fn params(count: usize, g: &ConvGeometry, strides: [usize; 4]) -> Result<Vec<u32>> {
    let sizes = [
        count,
        g.groups,
        g.in_channels / g.groups,
        g.kernel[0],
        g.kernel[1],
        g.input[0],
        g.input[1],
        g.output[0],
        g.output[1],
        g.stride[0],
        g.stride[1],
        g.padding[0],
        g.padding[1],
        g.dilation[0],
        g.dilation[1],
    ];
    sizes
        .iter()
        .chain(&strides)
        .chain(&[g.batch])
        .map(|&n| word(n))
        .collect()
}

/// The patch matrix of contiguous `x` with entry (n, group, kk, l) at `strides`.
fn unfold(x: &Tensor, g: &ConvGeometry, [k, l]: [usize; 2], strides: [usize; 4]) -> Result<Tensor> {
    let count = g.batch * g.groups * k * l;
    let cols = Tensor::empty(&[count], x.dtype(), x.device())?;
    run_kernel(
        FAMILY,
        &["unfold"],
        &params(count, g, strides)?,
        count,
        &[Binding("out", &cols)],
        &[Binding("x", x)],
    )?;
    Ok(cols)
}

/// `dst = a @ c` for (B, M, K) and (B, K, N) views; `dst` is a view of a fresh tensor,
/// written directly when it is that tensor's contiguous start, else through a copy.
fn product_into(a: &Tensor, c: &Tensor, dst: &Tensor) -> Result<()> {
    if dst.is_contiguous() && dst.offset() == 0 {
        return bmm_into(a, c, dst);
    }
    let part = Tensor::empty(dst.shape(), a.dtype(), a.device())?;
    bmm_into(a, c, &part)?;
    copy_into(&part, dst)
}

/// One of the three products of a convolution on contiguous 4-D operands.
pub fn conv2d(form: ConvForm, a: &Tensor, b: &Tensor, g: &ConvGeometry) -> Result<Tensor> {
    let (n, groups) = (g.batch, g.groups);
    let (cin_g, cout_g, cout) = (
        g.in_channels / groups,
        g.out_channels / groups,
        g.out_channels,
    );
    let k = cin_g * g.kernel[0] * g.kernel[1];
    let l = g.output[0] * g.output[1];
    let out = Tensor::empty(&g.shape_of(form), a.dtype(), a.device())?;
    match form {
        ConvForm::Forward => {
            // cols laid out [G, N, K, L]; y[:, g] = W[g] (broadcast over N) @ cols[g].
            let cols = unfold(a, g, [k, l], [k * l, n * k * l, l, 1])?;
            for gi in 0..groups {
                let w = view(b, &[n, cout_g, k], &[0, k, 1], gi * cout_g * k);
                let c = view(&cols, &[n, k, l], &[k * l, l, 1], gi * n * k * l);
                let y = view(&out, &[n, cout_g, l], &[cout * l, l, 1], gi * cout_g * l);
                product_into(&w, &c, &y)?;
            }
        }
        ConvForm::InputGrad => {
            // gcols[g] = W[g]^T @ gy[:, g], laid out [G, N, K, L], then folded.
            let gcols = Tensor::empty(&[groups, n, k, l], a.dtype(), a.device())?;
            for gi in 0..groups {
                let wt = view(b, &[n, k, cout_g], &[0, 1, k], gi * cout_g * k);
                let gy = view(a, &[n, cout_g, l], &[cout * l, l, 1], gi * cout_g * l);
                let dst = view(&gcols, &[n, k, l], &[k * l, l, 1], gi * n * k * l);
                product_into(&wt, &gy, &dst)?;
            }
            run_kernel(
                FAMILY,
                &["fold"],
                &params(out.numel(), g, [k * l, n * k * l, l, 1])?,
                out.numel(),
                &[Binding("out", &out)],
                &[Binding("cols", &gcols)],
            )?;
        }
        ConvForm::WeightGrad => {
            // cols laid out [G, N, L, K] and gy copied to [G, cout_g, N, L]: per group one
            // [cout_g, N L] @ [N L, K] product sums over the samples.
            let cols = unfold(a, g, [k, l], [l * k, n * l * k, 1, k])?;
            let gy = Tensor::empty(&[groups, cout_g, n, l], b.dtype(), b.device())?;
            let strides = [cout_g * l, l, cout * l, 1];
            copy_into(&view(b, &[groups, cout_g, n, l], &strides, 0), &gy)?;
            for gi in 0..groups {
                let gy_g = view(
                    &gy,
                    &[1, cout_g, n * l],
                    &[0, n * l, 1],
                    gi * cout_g * n * l,
                );
                let c = view(&cols, &[1, n * l, k], &[0, k, 1], gi * n * l * k);
                let dst = view(&out, &[1, cout_g, k], &[cout_g * k, k, 1], gi * cout_g * k);
                product_into(&gy_g, &c, &dst)?;
            }
        }
    }
    Ok(out)
}
