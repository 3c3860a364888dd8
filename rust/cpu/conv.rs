//! 2-D convolution as matrix products: the input is unfolded into a matrix whose columns
//! are the receptive fields ("im2col"), so the convolution is one GEMM per tile of output
//! positions and group. A 1x1 convolution with no stride or padding needs no unfolding.
//!
//! The three products of a convolution (see [`ConvForm`]) share that unfolding: the input
//! gradient is a GEMM followed by folding the columns back ("col2im"), and the weight
//! gradient sums GEMMs over the tiles.
//!
//! Tiles are blocks of output rows when a sample unfolds large, so the block is still in
//! cache when its GEMM reads it, and several samples side by side when samples are small,
//! so GEMMs are few and large. Units of samples run in parallel.
//!
//! Without stride or padding the unfolding is "wide": each output row is given the input's
//! width, so every row of the unfolded matrix is one contiguous run of the input (one copy
//! instead of one per output row); the extra columns are computed and dropped.

use std::ops::Range;

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

/// Elements of one unfolded tile: small enough to stay in cache between its unfolding and
/// the GEMM that reads it.
const TILE_ELEMS: usize = 1 << 16;

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
    ow: usize,
    /// No unfolding needed: the input already is the `[k, l]` matrix.
    pointwise: bool,
    /// Columns per output row in the unfolded matrix: `ow`, or the input width when the
    /// unfolding is wide (no stride, no padding).
    pitch: usize,
}

impl Sizes {
    fn of(g: &ConvGeometry) -> Sizes {
        let cin_g = g.in_channels / g.groups;
        let pointwise =
            g.kernel == [1, 1] && g.stride == [1, 1] && g.padding == [0, 0] && g.output == g.input;
        let wide = !pointwise && g.stride == [1, 1] && g.padding == [0, 0];
        Sizes {
            cin_g,
            cout_g: g.out_channels / g.groups,
            k: cin_g * g.kernel[0] * g.kernel[1],
            l: g.output[0] * g.output[1],
            hw: g.input[0] * g.input[1],
            ow: g.output[1],
            pointwise,
            pitch: if wide { g.input[1] } else { g.output[1] },
        }
    }

    fn wide(&self) -> bool {
        self.pitch != self.ow
    }

    fn flops_per_sample(&self, groups: usize) -> usize {
        groups * self.cout_g * self.k * self.l
    }
}

/// Output rows `rows` of samples `samples`: the columns of one unfolded matrix, the samples
/// side by side.
#[derive(Clone, Debug)]
struct Tile {
    samples: Range<usize>,
    rows: Range<usize>,
}

impl Tile {
    /// Columns each sample contributes.
    fn per_sample(&self, s: &Sizes) -> usize {
        if self.rows.is_empty() {
            return 0;
        }
        (self.rows.len() - 1) * s.pitch + s.ow
    }

    fn width(&self, s: &Sizes) -> usize {
        self.samples.len() * self.per_sample(s)
    }

    /// Whether the GEMM can read or write the tile's outputs in place (one sample, output
    /// rows of `ow` columns), rather than through a copy laid out like the unfolding.
    fn in_place(&self, s: &Sizes) -> bool {
        self.samples.len() == 1 && !s.wide()
    }
}

/// The tiles covering `samples`: several whole samples per tile when a sample unfolds
/// small (fewer, larger GEMMs), blocks of output rows of one sample when it unfolds large
/// (the unfolded block stays in cache). A pointwise convolution reads its input in place,
/// one sample per tile.
fn tiles(samples: Range<usize>, g: &ConvGeometry, s: &Sizes) -> Vec<Tile> {
    let oh = g.output[0];
    let columns = (TILE_ELEMS / s.k.max(1)).max(s.pitch);
    let whole = Tile {
        samples: 0..1,
        rows: 0..oh,
    };
    if s.pointwise || whole.per_sample(s) > columns {
        let rows_per = if s.pointwise {
            oh
        } else {
            columns / s.pitch.max(1)
        };
        let rows_per = rows_per.max(1);
        samples
            .flat_map(|n| {
                (0..oh).step_by(rows_per).map(move |r| Tile {
                    samples: n..n + 1,
                    rows: r..(r + rows_per).min(oh),
                })
            })
            .collect()
    } else {
        let per = (columns / whole.per_sample(s).max(1)).max(1);
        let (start, end) = (samples.start, samples.end);
        (start..end)
            .step_by(per)
            .map(|n| Tile {
                samples: n..(n + per).min(end),
                rows: 0..oh,
            })
            .collect()
    }
}

/// How to spread `batch` samples of `flops` each over the thread pool: how many units of
/// samples run in parallel, and the parallelism of each unit's GEMMs.
fn plan(batch: usize, flops: usize) -> (usize, Parallelism) {
    let threads = rayon::current_num_threads();
    if batch * flops < PARALLEL_FLOPS || threads == 1 {
        (1, Parallelism::None)
    } else if batch >= threads {
        (threads, Parallelism::None)
    } else if batch > 1 {
        (batch, Parallelism::Rayon(threads.div_ceil(batch)))
    } else {
        (1, Parallelism::Rayon(threads))
    }
}

/// Runs `f(samples, out)` for units of consecutive samples, in parallel when `units > 1`;
/// `out` is the units' part of an output holding `per_sample` elements per sample.
fn for_each_unit<T: Send>(
    out: &mut [T],
    per_sample: usize,
    batch: usize,
    units: usize,
    f: impl Fn(Range<usize>, &mut [T]) + Sync + Send,
) {
    let per_unit = batch.div_ceil(units.max(1)).max(1);
    if units <= 1 || per_sample == 0 {
        f(0..batch, out);
        return;
    }
    out.par_chunks_mut(per_unit * per_sample)
        .enumerate()
        .for_each(|(i, o)| f(i * per_unit..((i + 1) * per_unit).min(batch), o));
}

/// A matrix operand: element `(i, j)` at `ptr + i * rs + j * cs`.
#[derive(Copy, Clone)]
struct Mat<T> {
    ptr: *const T,
    rs: usize,
    cs: usize,
}

/// `s` as a row-major matrix with rows `rs` apart.
fn rows_of<T>(s: &[T], rs: usize) -> Mat<T> {
    Mat {
        ptr: s.as_ptr(),
        rs,
        cs: 1,
    }
}

/// The transpose of [`rows_of`]`(s, rs)`.
fn columns_of<T>(s: &[T], rs: usize) -> Mat<T> {
    Mat {
        ptr: s.as_ptr(),
        rs: 1,
        cs: rs,
    }
}

/// `dst (+)= a @ b` for `a` (m, k), `b` (k, n) and `dst` (m, n) with rows `dst_rs` apart.
fn gemm_into<T: Element>(
    (m, n, k): (usize, usize, usize),
    dst: &mut [T],
    dst_rs: usize,
    accumulate: bool,
    a: Mat<T>,
    b: Mat<T>,
    par: Parallelism,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        dst.len() >= (m - 1) * dst_rs + n,
        "GEMM destination too short"
    );
    if k == 0 {
        if !accumulate {
            for row in 0..m {
                dst[row * dst_rs..row * dst_rs + n].fill(T::zero());
            }
        }
        return;
    }
    let alpha = if accumulate { T::one() } else { T::zero() };
    // SAFETY: `dst` holds the (m, n) elements checked above; the callers pass operands
    // holding the (m, k) and (k, n) elements their strides address.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_rs as isize,
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

/// One kernel tap of the unfolded matrix: row `r` reads input channel `c` at kernel offset
/// `(ki, kj)`. Output rows `rows` read input rows `o * sh + row_shift` (inside the input);
/// the tile's other rows are padding. Output columns `lo..hi` read input column
/// `col * sw + shift`; the others are padding.
struct Tap {
    r: usize,
    c: usize,
    row_shift: isize,
    rows: Range<usize>,
    lo: usize,
    hi: usize,
    shift: isize,
}

/// Calls `f` with every tap of the unfolded matrix of output rows `rows`.
fn for_each_tap(g: &ConvGeometry, cin_g: usize, rows: &Range<usize>, mut f: impl FnMut(&Tap)) {
    let [h, w] = g.input;
    let [oh, ow] = g.output;
    let [kh, kw] = g.kernel;
    let (sh, sw) = (g.stride[0] as isize, g.stride[1] as isize);
    let mut r = 0;
    for c in 0..cin_g {
        for ki in 0..kh {
            let row_shift = (ki * g.dilation[0]) as isize - g.padding[0] as isize;
            let (top, bottom) = valid_range(row_shift, sh, h, oh);
            let inside = top.clamp(rows.start, rows.end)..bottom.clamp(rows.start, rows.end);
            for kj in 0..kw {
                let shift = (kj * g.dilation[1]) as isize - g.padding[1] as isize;
                let (lo, hi) = valid_range(shift, sw, w, ow);
                f(&Tap {
                    r,
                    c,
                    row_shift,
                    rows: inside.clone(),
                    lo,
                    hi,
                    shift,
                });
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

/// The input element that column `tap.lo` of output row `o` reads, within a group's
/// channels.
fn tap_start(tap: &Tap, o: usize, g: &ConvGeometry) -> usize {
    let [h, w] = g.input;
    let ih = (o * g.stride[0]) as isize + tap.row_shift;
    let iw = (tap.lo * g.stride[1]) as isize + tap.shift;
    ((tap.c * h) as isize + ih) as usize * w + iw as usize
}

/// Unfolds group `grp` of `tile` from `x` (`[n, cin, h, w]`) into `cols` (`[k, width]`).
fn im2col<T: Element>(
    x: &[T],
    cols: &mut [T],
    tile: &Tile,
    grp: usize,
    g: &ConvGeometry,
    s: &Sizes,
) {
    let (width, ps, ow, sw) = (tile.width(s), tile.per_sample(s), s.ow, g.stride[1]);
    let r0 = tile.rows.start;
    for (i, n) in tile.samples.clone().enumerate() {
        let xg = &x[(n * g.in_channels + grp * s.cin_g) * s.hw..][..s.cin_g * s.hw];
        for_each_tap(g, s.cin_g, &tile.rows, |tap| {
            // This sample's part of row `r`.
            let dst = &mut cols[tap.r * width + i * ps..][..ps];
            if s.wide() {
                let first = tap_start(tap, r0, g);
                dst.copy_from_slice(&xg[first..first + ps]);
                return;
            }
            dst[..(tap.rows.start - r0) * ow].fill(T::zero());
            dst[(tap.rows.end - r0) * ow..].fill(T::zero());
            for o in tap.rows.clone() {
                let seg = &mut dst[(o - r0) * ow..(o - r0 + 1) * ow];
                seg[..tap.lo].fill(T::zero());
                seg[tap.hi..].fill(T::zero());
                let (first, seg) = (tap_start(tap, o, g), &mut seg[tap.lo..tap.hi]);
                if sw == 1 {
                    seg.copy_from_slice(&xg[first..first + seg.len()]);
                } else {
                    for (j, v) in seg.iter_mut().enumerate() {
                        *v = xg[first + j * sw];
                    }
                }
            }
        });
    }
}

/// Folds `cols` (`[k, width]`) back onto group `grp` of the tile's samples, adding into
/// `x` (`[n, cin, h, w]` from sample `n0`).
#[allow(clippy::too_many_arguments)]
fn col2im<T: Number>(
    cols: &[T],
    x: &mut [T],
    n0: usize,
    tile: &Tile,
    grp: usize,
    g: &ConvGeometry,
    s: &Sizes,
) {
    let (width, ps, ow, sw) = (tile.width(s), tile.per_sample(s), s.ow, g.stride[1]);
    let r0 = tile.rows.start;
    let add = |dst: &mut [T], src: &[T]| {
        for (d, &v) in dst.iter_mut().zip(src) {
            *d = d.add(v);
        }
    };
    for (i, n) in tile.samples.clone().enumerate() {
        let xg = &mut x[((n - n0) * g.in_channels + grp * s.cin_g) * s.hw..][..s.cin_g * s.hw];
        for_each_tap(g, s.cin_g, &tile.rows, |tap| {
            let src = &cols[tap.r * width + i * ps..][..ps];
            if s.wide() {
                let first = tap_start(tap, r0, g);
                add(&mut xg[first..first + ps], src);
                return;
            }
            for o in tap.rows.clone() {
                let seg = &src[(o - r0) * ow + tap.lo..(o - r0) * ow + tap.hi];
                let first = tap_start(tap, o, g);
                if sw == 1 {
                    add(&mut xg[first..first + seg.len()], seg);
                } else {
                    for (j, &v) in seg.iter().enumerate() {
                        let d = &mut xg[first + j * sw];
                        *d = d.add(v);
                    }
                }
            }
        });
    }
}

/// Calls `f(at, from)` for every output row of channels `c0..c0 + cout_g` of the tile: `at`
/// where its `ow` values sit in the tile's `[cout_g, width]` matrix, `from` where they sit
/// in a `[n, channels, oh, ow]` tensor that starts at sample `n0`.
fn for_each_output_row(
    tile: &Tile,
    s: &Sizes,
    (n0, c0, channels): (usize, usize, usize),
    mut f: impl FnMut(usize, usize),
) {
    let (width, ps) = (tile.width(s), tile.per_sample(s));
    for c in 0..s.cout_g {
        for (i, n) in tile.samples.clone().enumerate() {
            for o in tile.rows.clone() {
                let at = c * width + i * ps + (o - tile.rows.start) * s.pitch;
                f(at, ((n - n0) * channels + c0 + c) * s.l + o * s.ow);
            }
        }
    }
}

/// Channels `c0..c0 + cout_g` of a `[n, channels, oh, ow]` tensor at the tile's positions,
/// as a `[cout_g, width]` matrix and its row stride: in place when the tile allows, else
/// copied into `stacked` (the columns a wide tile does not use are 0).
fn outputs<'a, T: Element>(
    t: &'a [T],
    stacked: &'a mut [T],
    tile: &Tile,
    s: &Sizes,
    (c0, channels): (usize, usize),
) -> (&'a [T], usize) {
    if tile.in_place(s) {
        let n = tile.samples.start;
        return (
            &t[(n * channels + c0) * s.l + tile.rows.start * s.ow..],
            s.l,
        );
    }
    if s.wide() {
        stacked.fill(T::zero());
    }
    for_each_output_row(tile, s, (0, c0, channels), |at, from| {
        stacked[at..at + s.ow].copy_from_slice(&t[from..from + s.ow]);
    });
    (stacked, tile.width(s))
}

fn forward<T: Element>(x: &[T], w: &[T], y: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let (units, par) = plan(g.batch, s.flops_per_sample(g.groups));
    for_each_unit(y, g.out_channels * s.l, g.batch, units, |samples, yu| {
        let n0 = samples.start;
        let tiles = tiles(samples, g, s);
        let widest = tiles.iter().map(|t| t.width(s)).max().unwrap_or(0);
        let mut cols = vec![T::zero(); if s.pointwise { 0 } else { s.k * widest }];
        let mut stacked = vec![T::zero(); s.cout_g * widest];
        for tile in &tiles {
            let width = tile.width(s);
            for grp in 0..g.groups {
                let wg = rows_of(&w[grp * s.cout_g * s.k..], s.k);
                let unfolded = if s.pointwise {
                    let n = tile.samples.start;
                    rows_of(&x[(n * g.in_channels + grp * s.cin_g) * s.hw..], s.hw)
                } else {
                    im2col(x, &mut cols, tile, grp, g, s);
                    rows_of(&cols[..], width)
                };
                let c0 = grp * s.cout_g;
                let shape = (s.cout_g, width, s.k);
                if tile.in_place(s) {
                    let n = tile.samples.start - n0;
                    let dst = &mut yu[(n * g.out_channels + c0) * s.l + tile.rows.start * s.ow..];
                    gemm_into(shape, dst, s.l, false, wg, unfolded, par);
                    continue;
                }
                gemm_into(shape, &mut stacked, width, false, wg, unfolded, par);
                for_each_output_row(tile, s, (n0, c0, g.out_channels), |at, to| {
                    yu[to..to + s.ow].copy_from_slice(&stacked[at..at + s.ow]);
                });
            }
        }
    });
}

fn input_grad<T: Element + Number>(gy: &[T], w: &[T], gx: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let (units, par) = plan(g.batch, s.flops_per_sample(g.groups));
    for_each_unit(gx, g.in_channels * s.hw, g.batch, units, |samples, gxu| {
        let n0 = samples.start;
        let tiles = tiles(samples, g, s);
        let widest = tiles.iter().map(|t| t.width(s)).max().unwrap_or(0);
        let mut cols = vec![T::zero(); if s.pointwise { 0 } else { s.k * widest }];
        let mut stacked = vec![T::zero(); s.cout_g * widest];
        if !s.pointwise {
            gxu.fill(T::zero());
        }
        for tile in &tiles {
            let width = tile.width(s);
            for grp in 0..g.groups {
                let wt = columns_of(&w[grp * s.cout_g * s.k..], s.k);
                let (gyt, rs) =
                    outputs(gy, &mut stacked, tile, s, (grp * s.cout_g, g.out_channels));
                let (gyt, shape) = (rows_of(gyt, rs), (s.k, width, s.cout_g));
                if s.pointwise {
                    let n = tile.samples.start - n0;
                    let dst = &mut gxu[(n * g.in_channels + grp * s.cin_g) * s.hw..];
                    gemm_into(shape, dst, s.hw, false, wt, gyt, par);
                } else {
                    gemm_into(shape, &mut cols, width, false, wt, gyt, par);
                    col2im(&cols, gxu, n0, tile, grp, g, s);
                }
            }
        }
    });
}

fn weight_grad<T: Element + Number>(x: &[T], gy: &[T], gw: &mut [T], g: &ConvGeometry, s: &Sizes) {
    let (units, par) = plan(g.batch, s.flops_per_sample(g.groups));
    let per_unit = g.batch.div_ceil(units.max(1)).max(1);
    let per_group = s.cout_g * s.k;
    // Each unit of samples sums into its own buffer; the buffers are added at the end.
    let partial = |samples: Range<usize>| -> Vec<T> {
        let mut acc = vec![T::zero(); gw.len()];
        let tiles = tiles(samples, g, s);
        let widest = tiles.iter().map(|t| t.width(s)).max().unwrap_or(0);
        let mut cols = vec![T::zero(); if s.pointwise { 0 } else { s.k * widest }];
        let mut stacked = vec![T::zero(); s.cout_g * widest];
        for tile in &tiles {
            let width = tile.width(s);
            for grp in 0..g.groups {
                let unfolded_t = if s.pointwise {
                    let n = tile.samples.start;
                    columns_of(&x[(n * g.in_channels + grp * s.cin_g) * s.hw..], s.hw)
                } else {
                    im2col(x, &mut cols, tile, grp, g, s);
                    columns_of(&cols[..], width)
                };
                let (gyt, rs) =
                    outputs(gy, &mut stacked, tile, s, (grp * s.cout_g, g.out_channels));
                let dst = &mut acc[grp * per_group..(grp + 1) * per_group];
                let shape = (s.cout_g, s.k, width);
                gemm_into(shape, dst, s.k, true, rows_of(gyt, rs), unfolded_t, par);
            }
        }
        acc
    };
    let sums: Vec<Vec<T>> = (0..units.max(1))
        .into_par_iter()
        .map(|u| partial(u * per_unit..((u + 1) * per_unit).min(g.batch)))
        .collect();
    gw.fill(T::zero());
    for sum in sums {
        for (d, v) in gw.iter_mut().zip(sum) {
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
