//! 2-D convolution as matrix products: each sample's input is unfolded into a matrix whose
//! columns are the receptive fields ("im2col"), so the convolution is one GEMM per sample
//! and group. A 1x1 convolution with no stride or padding needs no unfolding.
//!
//! The three products of a convolution (see [`ConvForm`]) share that unfolding: the input
//! gradient is a GEMM followed by folding the columns back ("col2im"), and the weight
//! gradient sums one GEMM per sample.

use gemm::Parallelism;
use rayon::prelude::*;

use super::number::Number;
use super::rows::{slice, slice_mut};
use crate::error::Result;
use crate::ops::nn_conv::{ConvForm, ConvGeometry};
use crate::tensor::{Element, Tensor};
use crate::with_float_dtype;

/// Below this many multiply-adds a convolution runs on one thread.
const PARALLEL_FLOPS: usize = 1 << 18;

/// Runs `form` on contiguous 4-D operands: `(x, w)` for `Forward`, `(grad_out, w)` for
/// `InputGrad`, `(x, grad_out)` for `WeightGrad`.
pub fn conv2d(form: ConvForm, a: &Tensor, b: &Tensor, g: &ConvGeometry) -> Result<Tensor> {
    let out = Tensor::empty(&g.shape_of(form), a.dtype(), a.device())?;
    with_float_dtype!(a.dtype(), T => {
        // SAFETY: the operands are contiguous (the backend's contract); `out` is fresh.
        let (a, b, o) = unsafe { (slice::<T>(a), slice::<T>(b), slice_mut::<T>(&out)) };
        let sizes = Sizes::of(g);
        match form {
            ConvForm::Forward => forward(a, b, o, g, &sizes),
            ConvForm::InputGrad => input_grad(a, b, o, g, &sizes),
            ConvForm::WeightGrad => weight_grad(a, b, o, g, &sizes),
        }
    });
    Ok(out)
}

/// Sizes derived from a geometry, per group.
struct Sizes {
    cin_g: usize,
    cout_g: usize,
    /// Rows of the unfolded matrix: `cin_g * kh * kw`.
    k: usize,
    /// Output positions: `oh * ow`.
    l: usize,
    /// Input positions: `h * w`.
    hw: usize,
    /// No unfolding needed: the input already is the `[k, l]` matrix.
    pointwise: bool,
}

impl Sizes {
    fn of(g: &ConvGeometry) -> Sizes {
        let cin_g = g.in_channels / g.groups;
        Sizes {
            cin_g,
            cout_g: g.out_channels / g.groups,
            k: cin_g * g.kernel[0] * g.kernel[1],
            l: g.output[0] * g.output[1],
            hw: g.input[0] * g.input[1],
            pointwise: g.kernel == [1, 1]
                && g.stride == [1, 1]
                && g.padding == [0, 0]
                && g.output == g.input,
        }
    }

    fn flops_per_sample(&self, groups: usize) -> usize {
        groups * self.cout_g * self.k * self.l
    }
}

/// How to spread `batch` independent samples of `flops` each over the thread pool: across
/// samples, inside each GEMM, or (for small jobs) not at all.
fn plan(batch: usize, flops: usize) -> (bool, Parallelism) {
    let threads = rayon::current_num_threads();
    if batch * flops < PARALLEL_FLOPS || threads == 1 {
        (false, Parallelism::None)
    } else if batch >= threads {
        (true, Parallelism::None)
    } else if batch > 1 {
        (true, Parallelism::Rayon(threads.div_ceil(batch)))
    } else {
        (false, Parallelism::Rayon(threads))
    }
}

/// A matrix operand: element `(i, j)` at `ptr + i * rs + j * cs`.
#[derive(Copy, Clone)]
struct Mat<T> {
    ptr: *const T,
    rs: usize,
    cs: usize,
}

fn row_major<T>(s: &[T], cols: usize) -> Mat<T> {
    Mat {
        ptr: s.as_ptr(),
        rs: cols,
        cs: 1,
    }
}

fn transposed<T>(s: &[T], cols: usize) -> Mat<T> {
    Mat {
        ptr: s.as_ptr(),
        rs: 1,
        cs: cols,
    }
}

/// `dst (+)= a @ b` with `a` (m, k), `b` (k, n) and `dst` a row-major (m, n) slice.
fn gemm_into<T: Element>(
    (m, n, k): (usize, usize, usize),
    dst: &mut [T],
    accumulate: bool,
    a: Mat<T>,
    b: Mat<T>,
    par: Parallelism,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(T::zero());
        }
        return;
    }
    debug_assert!(dst.len() >= m * n);
    let alpha = if accumulate { T::one() } else { T::zero() };
    // SAFETY: the callers pass slices holding the (m, k), (k, n) and (m, n) elements the
    // strides address.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.ptr,
            a.cs as isize,
            a.rs as isize,
            b.ptr,
            b.cs as isize,
            b.rs as isize,
            alpha,
            T::one(),
            false,
            false,
            false,
            par,
        )
    }
}

/// Walks the unfolded matrix in segments: row `r` (input channel `c`, kernel offset
/// `(ki, kj)`) times output row `oh` is the `ow`-long segment at `r * l + oh * ow`. For each
/// segment `f(start, input_row, lo, hi, shift)` learns which input row it reads (`None`:
/// all padding) and that columns `lo..hi` read input column `col * stride + shift`.
fn for_each_segment(
    g: &ConvGeometry,
    cin_g: usize,
    mut f: impl FnMut(usize, Option<usize>, usize, usize, isize),
) {
    let [h, w] = g.input;
    let [oh, ow] = g.output;
    let [kh, kw] = g.kernel;
    let (sh, sw) = (g.stride[0] as isize, g.stride[1] as isize);
    let mut r = 0;
    for c in 0..cin_g {
        for ki in 0..kh {
            let row_shift = (ki * g.dilation[0]) as isize - g.padding[0] as isize;
            for kj in 0..kw {
                let shift = (kj * g.dilation[1]) as isize - g.padding[1] as isize;
                let (lo, hi) = valid_range(shift, sw, w, ow);
                for o in 0..oh {
                    let ih = o as isize * sh + row_shift;
                    let input_row = (0..h as isize)
                        .contains(&ih)
                        .then(|| (c * h + ih as usize) * w);
                    f((r * oh + o) * ow, input_row, lo, hi, shift);
                }
                r += 1;
            }
        }
    }
}

/// The outputs `o` in `0..count` whose input index `o * stride + shift` lies in `0..size`.
fn valid_range(shift: isize, stride: isize, size: usize, count: usize) -> (usize, usize) {
    let lo = if shift >= 0 {
        0
    } else {
        ((-shift) + stride - 1) / stride
    };
    let last = size as isize - 1 - shift;
    let hi = if last < 0 {
        0
    } else {
        (last / stride + 1).min(count as isize)
    };
    let lo = (lo as usize).min(count);
    (lo, (hi as usize).max(lo))
}

/// Unfolds one group of one sample (`x`: `[cin_g, h, w]`) into `cols` (`[k, l]`).
fn im2col<T: Element>(x: &[T], cols: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let ow = g.output[1];
    let sw = g.stride[1];
    for_each_segment(g, s.cin_g, |start, row, lo, hi, shift| {
        let seg = &mut cols[start..start + ow];
        let Some(row) = row else {
            seg.fill(T::zero());
            return;
        };
        seg[..lo].fill(T::zero());
        seg[hi..].fill(T::zero());
        let first = (row as isize + lo as isize * sw as isize + shift) as usize;
        if sw == 1 {
            seg[lo..hi].copy_from_slice(&x[first..first + (hi - lo)]);
        } else {
            for (i, v) in seg[lo..hi].iter_mut().enumerate() {
                *v = x[first + i * sw];
            }
        }
    });
}

/// Folds `cols` (`[k, l]`) back onto one group of one sample, adding into `x`.
fn col2im<T: Number>(cols: &[T], x: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let sw = g.stride[1];
    for_each_segment(g, s.cin_g, |start, row, lo, hi, shift| {
        let Some(row) = row else { return };
        let first = (row as isize + lo as isize * sw as isize + shift) as usize;
        for (i, &v) in cols[start + lo..start + hi].iter().enumerate() {
            let dst = &mut x[first + i * sw];
            *dst = dst.add(v);
        }
    });
}

/// Runs `f(n, out_n, scratch)` for every sample, each with its `per_sample` slice of `out`
/// and a scratch buffer of `scratch_len` elements, spread as [`plan`] says.
fn for_each_sample<T: Element>(
    out: &mut [T],
    per_sample: usize,
    scratch_len: usize,
    spread: bool,
    f: impl Fn(usize, &mut [T], &mut [T]) + Sync + Send,
) {
    if out.is_empty() || per_sample == 0 {
        return;
    }
    if spread {
        out.par_chunks_mut(per_sample).enumerate().for_each_init(
            || vec![T::zero(); scratch_len],
            |scratch, (n, o)| f(n, o, scratch),
        );
    } else {
        let mut scratch = vec![T::zero(); scratch_len];
        for (n, o) in out.chunks_mut(per_sample).enumerate() {
            f(n, o, &mut scratch);
        }
    }
}

fn forward<T: Element>(x: &[T], w: &[T], y: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let (spread, par) = plan(g.batch, s.flops_per_sample(g.groups));
    let scratch = if s.pointwise { 0 } else { s.k * s.l };
    for_each_sample(y, g.out_channels * s.l, scratch, spread, |n, yn, cols| {
        let xn = &x[n * g.in_channels * s.hw..];
        for grp in 0..g.groups {
            let xg = &xn[grp * s.cin_g * s.hw..(grp + 1) * s.cin_g * s.hw];
            let unfolded: &[T] = if s.pointwise {
                xg
            } else {
                im2col(xg, cols, g, s);
                cols
            };
            gemm_into(
                (s.cout_g, s.l, s.k),
                &mut yn[grp * s.cout_g * s.l..],
                false,
                row_major(&w[grp * s.cout_g * s.k..], s.k),
                row_major(unfolded, s.l),
                par,
            );
        }
    });
}

fn input_grad<T: Element + Number>(gy: &[T], w: &[T], gx: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let (spread, par) = plan(g.batch, s.flops_per_sample(g.groups));
    let scratch = if s.pointwise { 0 } else { s.k * s.l };
    for_each_sample(gx, g.in_channels * s.hw, scratch, spread, |n, gxn, cols| {
        let gyn = &gy[n * g.out_channels * s.l..];
        if !s.pointwise {
            gxn.fill(T::zero());
        }
        for grp in 0..g.groups {
            let wt = transposed(&w[grp * s.cout_g * s.k..], s.k);
            let gyg = row_major(&gyn[grp * s.cout_g * s.l..], s.l);
            let gxg = &mut gxn[grp * s.cin_g * s.hw..(grp + 1) * s.cin_g * s.hw];
            if s.pointwise {
                gemm_into((s.k, s.l, s.cout_g), gxg, false, wt, gyg, par);
            } else {
                gemm_into((s.k, s.l, s.cout_g), cols, false, wt, gyg, par);
                col2im(cols, gxg, g, s);
            }
        }
    });
}

fn weight_grad<T: Element + Number>(x: &[T], gy: &[T], gw: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let per_group = s.cout_g * s.k;
    let threads = rayon::current_num_threads();
    let (spread, _) = plan(g.batch, s.flops_per_sample(g.groups));
    let chunks = if spread { g.batch.min(threads) } else { 1 };
    let par = if g.batch * s.flops_per_sample(g.groups) < PARALLEL_FLOPS {
        Parallelism::None
    } else {
        Parallelism::Rayon(threads.div_ceil(chunks))
    };
    // Each chunk of samples sums into its own buffer; the buffers are added at the end.
    let partial = |range: std::ops::Range<usize>, acc: &mut [T]| {
        let mut cols = vec![T::zero(); if s.pointwise { 0 } else { s.k * s.l }];
        for (i, n) in range.enumerate() {
            let xn = &x[n * g.in_channels * s.hw..];
            let gyn = &gy[n * g.out_channels * s.l..];
            for grp in 0..g.groups {
                let xg = &xn[grp * s.cin_g * s.hw..(grp + 1) * s.cin_g * s.hw];
                let unfolded: &[T] = if s.pointwise {
                    xg
                } else {
                    im2col(xg, &mut cols, g, s);
                    &cols
                };
                gemm_into(
                    (s.cout_g, s.k, s.l),
                    &mut acc[grp * per_group..(grp + 1) * per_group],
                    i > 0,
                    row_major(&gyn[grp * s.cout_g * s.l..], s.l),
                    transposed(unfolded, s.l),
                    par,
                );
            }
        }
    };
    if g.batch == 0 {
        gw.fill(T::zero());
        return;
    }
    if chunks <= 1 {
        partial(0..g.batch, gw);
        return;
    }
    let bounds: Vec<std::ops::Range<usize>> = (0..chunks)
        .map(|c| c * g.batch / chunks..(c + 1) * g.batch / chunks)
        .collect();
    let buffers: Vec<Vec<T>> = bounds
        .into_par_iter()
        .map(|range| {
            let mut acc = vec![T::zero(); gw.len()];
            partial(range, &mut acc);
            acc
        })
        .collect();
    gw.copy_from_slice(&buffers[0]);
    for b in &buffers[1..] {
        for (d, &v) in gw.iter_mut().zip(b) {
            *d = d.add(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_range;

    #[test]
    fn valid_ranges_clip_to_the_input() {
        // 5 outputs, stride 1, input 5, shift -1 (padding 1): output 0 reads -1.
        assert_eq!(valid_range(-1, 1, 5, 5), (1, 5));
        // shift +1 (kernel offset 2, padding 1): output 4 reads 5.
        assert_eq!(valid_range(1, 1, 5, 5), (0, 4));
        // stride 2, shift -1: outputs read -1, 1, 3, 5 -> 1..3.
        assert_eq!(valid_range(-1, 2, 5, 4), (1, 3));
        assert_eq!(valid_range(7, 1, 5, 3), (0, 0));
    }
}
