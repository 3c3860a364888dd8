//! 2-D pooling: `max_pool2d` (with indices), `avg_pool2d` and `adaptive_avg_pool2d`, with
//! PyTorch's checks and messages.
//!
//! Each pooling is linear once its windows (or, for max pooling, its indices) are fixed, so
//! its gradient is the adjoint map and the gradient of that is the pooling again: max
//! pooling gathers through the indices and its gradient scatters back; average pooling
//! spreads back evenly. Gradients of any order stay these two kernels.

use std::sync::Arc;

use smallvec::smallvec;

use super::backend;
use super::reduce::mean_dims;
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads, SavedTensor};
use crate::error::{Error, Result};
use crate::tensor::{shape_str, DType, Tensor};

/// Where max-pooling windows sit on a `[h, w]` plane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaxPoolGeometry {
    pub input: [usize; 2],
    pub output: [usize; 2],
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
}

/// One average-pooling window along one axis: inputs `lo..hi`, and its length counting
/// padding (`count_include_pad`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub lo: usize,
    pub hi: usize,
    pub padded: usize,
}

/// What an average divides by.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Divisor {
    /// `divisor_override`.
    Fixed(i64),
    /// The window's size including padding.
    Padded,
    /// The number of input elements in the window.
    Inside,
}

/// The windows of an average pooling, per output row and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvgPoolWindows {
    pub input: [usize; 2],
    pub rows: Vec<Window>,
    pub cols: Vec<Window>,
    pub divisor: Divisor,
}

/// The arguments of `max_pool2d` / `avg_pool2d` as given (each list 1 or 2 long; an empty
/// `stride` means the kernel size).
#[derive(Clone, Debug)]
pub struct PoolArgs {
    pub kernel: Vec<i64>,
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub ceil_mode: bool,
}

/// `[a, b]` from a list of one or two values, or PyTorch's message.
fn pair(v: &[i64], message: impl FnOnce() -> String) -> Result<[i64; 2]> {
    match v {
        [a] => Ok([*a, *a]),
        [a, b] => Ok([*a, *b]),
        _ => Err(Error::runtime(message())),
    }
}

/// PyTorch's pooling output size, with its checks.
fn output_size(input: i64, k: i64, pad: i64, stride: i64, dil: i64, ceil: bool) -> Result<i64> {
    if stride == 0 {
        return Err(Error::runtime("stride should not be zero"));
    }
    if pad < 0 {
        return Err(Error::runtime(format!(
            "pad must be non-negative, but got pad: {pad}"
        )));
    }
    if pad > ((k - 1) * dil + 1) / 2 {
        return Err(Error::runtime(format!(
            "pad should be at most half of effective kernel size, but got pad={pad}, kernel_size={k} and dilation={dil}"
        )));
    }
    let span = input + 2 * pad - dil * (k - 1) - 1 + if ceil { stride - 1 } else { 0 };
    // Division rounding toward negative infinity, as PyTorch's `div_rtn`.
    let floor = span / stride - i64::from(span % stride != 0 && (span < 0) != (stride < 0));
    let mut out = floor + 1;
    if ceil && (out - 1) * stride >= input + pad {
        out -= 1;
    }
    Ok(out)
}

/// The checks shared by the poolings, once the output size is known.
#[allow(clippy::too_many_arguments)]
fn check_shape(
    x: &Tensor,
    k: [i64; 2],
    s: [i64; 2],
    p: [i64; 2],
    d: [i64; 2],
    out: [i64; 2],
) -> Result<()> {
    if k[0] <= 0 || k[1] <= 0 {
        return Err(Error::runtime(format!(
            "kernel size should be greater than zero, but got kH: {} kW: {}",
            k[0], k[1]
        )));
    }
    if s[0] <= 0 || s[1] <= 0 {
        return Err(Error::runtime(format!(
            "stride should be greater than zero, but got dH: {} dW: {}",
            s[0], s[1]
        )));
    }
    if d[0] <= 0 || d[1] <= 0 {
        return Err(Error::runtime(format!(
            "dilation should be greater than zero, but got dilationH: {} dilationW: {}",
            d[0], d[1]
        )));
    }
    let sh = x.shape();
    let n = sh.len();
    let nonempty_planes = sh[n - 3] != 0 || n == 4;
    if sh[n - 2] == 0 || sh[n - 1] == 0 || !nonempty_planes || (n == 4 && sh[1] == 0) {
        return Err(Error::runtime(format!(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{}",
            shape_str(sh)
        )));
    }
    if k[1] / 2 < p[1] || k[0] / 2 < p[0] {
        return Err(Error::runtime(format!(
            "pad should be smaller than or equal to half of kernel size, but got padW = {}, padH = {}, kW = {}, kH = {}",
            p[1], p[0], k[1], k[0]
        )));
    }
    if out[0] < 1 || out[1] < 1 {
        return Err(Error::runtime(format!(
            "Given input size: ({}x{}x{}). Calculated output size: ({}x{}x{}). Output size is too small",
            sh[n - 3],
            sh[n - 2],
            sh[n - 1],
            sh[n - 3],
            out[0],
            out[1]
        )));
    }
    Ok(())
}

fn check_rank(x: &Tensor, op: &str) -> Result<()> {
    if x.ndim() != 3 && x.ndim() != 4 {
        return Err(Error::runtime(
            "non-empty 3D or 4D (batch mode) tensor expected for input",
        ));
    }
    if x.dtype() == DType::Bool {
        return Err(Error::not_implemented(format!(
            "\"{op}\" not implemented for 'Bool'"
        )));
    }
    Ok(())
}

fn plane(x: &Tensor) -> [usize; 2] {
    let n = x.ndim();
    [x.shape()[n - 2], x.shape()[n - 1]]
}

/// `max_pool2d(x, ...)`: the maxima and their flat indices within each plane.
pub fn max_pool2d(x: &Tensor, args: &PoolArgs) -> Result<(Tensor, Tensor)> {
    let name = "max_pool2d";
    let k = pair(&args.kernel, || {
        format!("{name}: kernel_size must either be a single int, or a tuple of two ints")
    })?;
    let s = if args.stride.is_empty() {
        k
    } else {
        pair(&args.stride, || {
            format!("{name}: stride must either be omitted, a single int, or a tuple of two ints")
        })?
    };
    let p = pair(&args.padding, || {
        format!("{name}: padding must either be a single int, or a tuple of two ints")
    })?;
    let d = pair(&args.dilation, || {
        format!("{name}: dilation must be either a single int, or a tuple of two ints")
    })?;
    check_rank(x, name)?;
    let [h, w] = plane(x);
    let out = [
        output_size(h as i64, k[0], p[0], s[0], d[0], args.ceil_mode)?,
        output_size(w as i64, k[1], p[1], s[1], d[1], args.ceil_mode)?,
    ];
    check_shape(x, k, s, p, d, out)?;
    let u = |v: [i64; 2]| v.map(|x| x as usize);
    let geom = MaxPoolGeometry {
        input: [h, w],
        output: u(out),
        kernel: u(k),
        stride: u(s),
        padding: u(p),
        dilation: u(d),
    };
    let (values, indices) = backend::max_pool2d(x, &geom)?;
    if is_recording(&[x]) {
        record_plane_node(true, [h, w], x, &indices, &values)?;
    }
    Ok((values, indices))
}

fn record_plane_node(
    gather: bool,
    plane: [usize; 2],
    input: &Tensor,
    idx: &Tensor,
    out: &Tensor,
) -> Result<()> {
    record(
        PlaneIndexBackward { gather, plane },
        &[Some(input)],
        smallvec![Some(SavedTensor::input(idx))],
        &[out],
    )
}

/// `out[p, k] = x[p, idx[p, k]]` per plane, recorded (the form max pooling takes).
fn plane_gather(x: &Tensor, idx: &Tensor, plane: [usize; 2]) -> Result<Tensor> {
    let out = backend::plane_gather(x, idx)?;
    if is_recording(&[x]) {
        record_plane_node(true, plane, x, idx, &out)?;
    }
    Ok(out)
}

/// The adjoint of [`plane_gather`]: scatter-add into planes of size `plane`, recorded.
fn plane_scatter(g: &Tensor, idx: &Tensor, plane: [usize; 2]) -> Result<Tensor> {
    let out = backend::plane_scatter_add(g, idx, plane)?;
    if is_recording(&[g]) {
        record_plane_node(false, plane, g, idx, &out)?;
    }
    Ok(out)
}

struct PlaneIndexBackward {
    gather: bool,
    plane: [usize; 2],
}

impl Backward for PlaneIndexBackward {
    fn name(&self) -> &str {
        if self.gather {
            "MaxPool2DWithIndicesBackward0"
        } else {
            "MaxPool2DWithIndicesBackwardBackward0"
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let (g, idx) = (ctx.grad(), ctx.saved(0)?);
        let grad = if self.gather {
            plane_scatter(g, idx, self.plane)?
        } else {
            plane_gather(g, idx, self.plane)?
        };
        Ok(smallvec![Some(grad)])
    }
}

/// `avg_pool2d(x, ...)`.
pub fn avg_pool2d(
    x: &Tensor,
    args: &PoolArgs,
    count_include_pad: bool,
    divisor_override: Option<i64>,
) -> Result<Tensor> {
    let name = "avg_pool2d";
    let k = pair(&args.kernel, || {
        format!("{name}: kernel_size must either be a single int, or a tuple of two ints")
    })?;
    let s = if args.stride.is_empty() {
        k
    } else {
        pair(&args.stride, || {
            format!("{name}: stride must either be omitted, a single int, or a tuple of two ints")
        })?
    };
    let p = pair(&args.padding, || {
        format!("{name}: padding must either be a single int, or a tuple of two ints")
    })?;
    if divisor_override == Some(0) {
        return Err(Error::runtime("divisor must be not zero"));
    }
    if x.ndim() < 3 {
        return Err(Error::index(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got -3)",
            -(x.ndim().max(1) as i64),
            x.ndim().max(1) as i64 - 1
        )));
    }
    check_rank(x, name)?;
    let [h, w] = plane(x);
    let out = [
        output_size(h as i64, k[0], p[0], s[0], 1, args.ceil_mode)?,
        output_size(w as i64, k[1], p[1], s[1], 1, args.ceil_mode)?,
    ];
    check_shape(x, k, s, p, [1, 1], out)?;
    let axis = |i: usize, size: usize| -> Vec<Window> {
        (0..out[i])
            .map(|o| {
                let start = o * s[i] - p[i];
                let end = (start + k[i]).min(size as i64 + p[i]);
                Window {
                    lo: start.max(0) as usize,
                    hi: end.min(size as i64).max(0) as usize,
                    padded: (end - start) as usize,
                }
            })
            .collect()
    };
    let windows = AvgPoolWindows {
        input: [h, w],
        rows: axis(0, h),
        cols: axis(1, w),
        divisor: match divisor_override {
            Some(d) => Divisor::Fixed(d),
            None if count_include_pad => Divisor::Padded,
            None => Divisor::Inside,
        },
    };
    avg_pool(x, Arc::new(windows), false, false)
}

/// `adaptive_avg_pool2d(x, output_size)`; `None` keeps that dim's input size.
pub fn adaptive_avg_pool2d(x: &Tensor, output_size: &[Option<i64>]) -> Result<Tensor> {
    if x.ndim() != 3 && x.ndim() != 4 {
        return Err(Error::runtime(format!(
            "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {}",
            shape_str(x.shape())
        )));
    }
    if output_size.len() != 2 {
        return Err(Error::runtime("adaptive_avg_pool2d: output_size must be 2"));
    }
    let [h, w] = plane(x);
    let size = [
        output_size[0].unwrap_or(h as i64),
        output_size[1].unwrap_or(w as i64),
    ];
    if size[0] < 0 || size[1] < 0 {
        return Err(Error::runtime(format!(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {{{}, {}}}",
            size[0], size[1]
        )));
    }
    for d in x.ndim() - 2..x.ndim() {
        if x.shape()[d] == 0 {
            return Err(Error::runtime(format!(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {} with dimension {d} being empty",
                shape_str(x.shape())
            )));
        }
    }
    if !x.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"adaptive_avg_pool2d\" not implemented for '{}'",
            x.dtype().scalar_type_name()
        )));
    }
    if size == [1, 1] {
        return mean_dims(x, Some(&[-1, -2]), true);
    }
    let axis = |o_n: i64, i_n: usize| -> Result<Vec<Window>> {
        let o_n = o_n as usize;
        // The output size is the caller's: an impossible one is an error, not an abort.
        let mut windows = Vec::new();
        windows.try_reserve_exact(o_n).map_err(|_| {
            Error::runtime(format!(
                "adaptive_avg_pool2d: output size {o_n} is too large"
            ))
        })?;
        windows.extend((0..o_n).map(|o| {
            // In u128: `o * i_n` may pass 64 bits for a huge output.
            let (o, i, n) = (o as u128, i_n as u128, o_n as u128);
            let (lo, hi) = ((o * i / n) as usize, ((o + 1) * i).div_ceil(n) as usize);
            Window {
                lo,
                hi,
                padded: hi - lo,
            }
        }));
        Ok(windows)
    };
    let windows = AvgPoolWindows {
        input: [h, w],
        rows: axis(size[0], h)?,
        cols: axis(size[1], w)?,
        divisor: Divisor::Inside,
    };
    avg_pool(x, Arc::new(windows), false, true)
}

/// Average pooling over `windows` (`spread`: its adjoint, spreading back over the input),
/// recorded.
fn avg_pool(
    x: &Tensor,
    windows: Arc<AvgPoolWindows>,
    spread: bool,
    adaptive: bool,
) -> Result<Tensor> {
    let out = if spread {
        backend::avg_pool2d_backward(x, &windows)?
    } else {
        backend::avg_pool2d(x, &windows)?
    };
    if is_recording(&[x]) {
        record(
            AvgPoolBackward {
                windows,
                spread,
                adaptive,
            },
            &[Some(x)],
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

struct AvgPoolBackward {
    windows: Arc<AvgPoolWindows>,
    spread: bool,
    adaptive: bool,
}

impl Backward for AvgPoolBackward {
    fn name(&self) -> &str {
        match (self.adaptive, self.spread) {
            (false, false) => "AvgPool2DBackward0",
            (false, true) => "AvgPool2DBackwardBackward0",
            (true, false) => "AdaptiveAvgPool2DBackward0",
            (true, true) => "AdaptiveAvgPool2DBackwardBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let grad = avg_pool(
            ctx.grad(),
            self.windows.clone(),
            !self.spread,
            self.adaptive,
        )?;
        Ok(smallvec![Some(grad)])
    }
}
