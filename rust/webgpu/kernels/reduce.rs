//! Reductions (`shaders/reduce.wgsl`, `shaders/arg_reduce.wgsl`): every `ReduceOp` over
//! any set of dims, and max/min with indices along one dim.

use super::{buffer, float_math, grid, launch, shader, word, MAX_DIMS};
use crate::cpu::reduce::split;
use crate::cpu::strided::coalesce;
use crate::error::{Error, Result};
use crate::ops::kinds::ReduceOp;
use crate::tensor::{DType, Layout, Tensor};
use crate::webgpu::element::GpuElement;

const TEMPLATE: &str = include_str!("../../../shaders/reduce.wgsl");
const ARG_TEMPLATE: &str = include_str!("../../../shaders/arg_reduce.wgsl");

/// Reduced elements per output above which a reduction with few outputs runs in two passes.
const SPLIT_ABOVE: usize = 8192;
/// Target chunk length of the first pass.
const CHUNK: usize = 4096;

/// How one pass folds values.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Fold {
    Sum,
    SumOfSquares,
    Max,
    Min,
    Prod,
    /// Whether every value is nonzero (a minimum over 0 and 1).
    All,
    /// Whether some value is nonzero (a maximum over 0 and 1).
    Any,
    /// `log(sum(exp(x)))` through (running maximum, sum of `exp(x - maximum)`) pairs.
    LogSumExp,
    /// Sum of squares of deviations from the output's mean, given the output's sum.
    SquaredDeviation,
}

/// `layout` with adjacent dims merged (at most `MAX_DIMS` remain).
fn merged(layout: &Layout) -> Result<(Vec<usize>, Vec<usize>)> {
    let (sizes, [strides]) = coalesce(&layout.shape, [&layout.strides]);
    if sizes.len() > MAX_DIMS {
        return Err(Error::runtime(format!(
            "WebGPU: reductions handle at most {MAX_DIMS} non-mergeable dims"
        )));
    }
    Ok((sizes.to_vec(), strides.to_vec()))
}

/// The value type `out` is accumulated in: its value type, with bools counted as `u32`.
fn value_of(e: &GpuElement) -> &'static str {
    if e.dtype == DType::Bool {
        "u32"
    } else {
        e.value
    }
}

/// WGSL for src[j] as value type `t` (bools read raw, as 0 or 1).
fn load_as(src: &GpuElement, t: &str) -> String {
    let raw = if src.dtype == DType::Bool {
        "src[j]".to_string()
    } else {
        src.load("src", "j")
    };
    if value_of(src) == t {
        raw
    } else {
        format!("{t}({raw})")
    }
}

/// The lowest (`lowest`) or highest value of type `t`, infinities for floats.
fn extreme_of(t: &str, lowest: bool) -> String {
    match (t, lowest) {
        ("f32", true) => "bitcast<f32>(0xff800000u)".into(),
        ("f32", false) => "bitcast<f32>(0x7f800000u)".into(),
        ("f64", true) => "f64(bitcast<f32>(0xff800000u))".into(),
        ("f64", false) => "f64(bitcast<f32>(0x7f800000u))".into(),
        ("i32", true) => "i32(-2147483647 - 1)".into(),
        ("i32", false) => "i32(2147483647)".into(),
        ("i64", true) => "(i64(-9223372036854775807) - i64(1))".into(),
        ("i64", false) => "i64(9223372036854775807)".into(),
        (_, true) => "0u".into(),
        (_, false) => "1u".into(),
    }
}

/// The WGSL pieces of `fold` for output value type `t` reading `src`: (accumulator type,
/// its start, `combine(a, b)` body, `accumulate(acc, j, o)` body, the final value of `acc`,
/// extra helpers).
fn pieces(fold: Fold, t: &str, src: &GpuElement) -> [String; 6] {
    let load = load_as(src, t);
    let nan_first = "if (is_nan(a)) { return a; }\n    if (is_nan(b)) { return b; }\n    ";
    let nan = if matches!(t, "f32" | "f64") {
        nan_first
    } else {
        ""
    };
    let (acc, init, combine, accumulate, result) = match fold {
        Fold::Sum | Fold::SumOfSquares | Fold::SquaredDeviation => {
            let term = match fold {
                Fold::Sum => load,
                Fold::SumOfSquares => format!("square({load})"),
                _ => format!("square({load} - sums[o] / {t}(param(1u)))"),
            };
            (
                t.into(),
                format!("{t}(0)"),
                "return a + b;".into(),
                format!("return acc + {term};"),
                "acc".into(),
            )
        }
        Fold::Prod => (
            t.into(),
            format!("{t}(1)"),
            "return a * b;".into(),
            format!("return acc * {load};"),
            "acc".into(),
        ),
        Fold::Max | Fold::Min => {
            let f = if fold == Fold::Max { "max" } else { "min" };
            (
                t.into(),
                extreme_of(t, fold == Fold::Max),
                format!("{nan}return {f}(a, b);"),
                format!("return combine(acc, {load});"),
                "acc".into(),
            )
        }
        Fold::All | Fold::Any => {
            let f = if fold == Fold::All { "min" } else { "max" };
            let nonzero = if src.dtype == DType::Bool {
                "src[j]".to_string()
            } else {
                format!(
                    "select(0u, 1u, {} != {}(0))",
                    src.load("src", "j"),
                    src.value
                )
            };
            (
                "u32".into(),
                format!("{}u", (fold == Fold::All) as u32),
                format!("return {f}(a, b);"),
                format!("return {f}(acc, {nonzero});"),
                "acc".into(),
            )
        }
        Fold::LogSumExp => (
            format!("vec2<{t}>"),
            format!("vec2<{t}>({}, {t}(0))", extreme_of(t, true)),
            format!(
                "if (is_nan(a.x)) {{ return a; }}
    if (is_nan(b.x)) {{ return b; }}
    if (a.x == b.x) {{ return vec2<{t}>(a.x, a.y + b.y); }}
    let m = max(a.x, b.x);
    if (f_is_inf(m) && m > {t}(0)) {{ return vec2<{t}>(m, {t}(1)); }}
    return vec2<{t}>(m, a.y * f_exp(a.x - m) + b.y * f_exp(b.x - m));"
            ),
            format!("return combine(acc, vec2<{t}>({load}, {t}(1)));"),
            "select(acc.x + f_log(acc.y), acc.x, f_is_inf(acc.x) || is_nan(acc.x))".into(),
        ),
    };
    let helpers = match fold {
        Fold::LogSumExp => float_math::prelude(t),
        Fold::SumOfSquares | Fold::SquaredDeviation => {
            format!("fn square(v: {t}) -> {t} {{\n    return v * v;\n}}\n")
        }
        _ => String::new(),
    };
    [acc, init, combine, accumulate, result, helpers]
}

/// One pass: folds `src` (viewed through `kept` x `reduced`) into `out`, `chunks` partial
/// results per kept element; `sqrt` takes the square root of each final result. `sums`
/// holds each output's sum for [`Fold::SquaredDeviation`].
#[allow(clippy::too_many_arguments)]
fn pass(
    fold: Fold,
    sqrt: bool,
    src: &Tensor,
    kept: &(Vec<usize>, Vec<usize>),
    reduced: &(Vec<usize>, Vec<usize>),
    chunks: usize,
    out: &Tensor,
    sums: Option<&Tensor>,
) -> Result<()> {
    let n_out: usize = kept.0.iter().product();
    let inner: usize = reduced.0.iter().product();
    if n_out == 0 {
        return Ok(());
    }
    let (se, oe) = (GpuElement::of(src.dtype())?, GpuElement::of(out.dtype())?);
    let t = value_of(&oe);
    let mut params = vec![0u32; 64];
    params[0] = word(n_out)?;
    params[1] = word(inner)?;
    params[2] = word(chunks)?;
    params[3] = word(inner.div_ceil(chunks).max(1))?;
    params[4] = kept.0.len() as u32;
    params[5] = reduced.0.len() as u32;
    params[6] = word(src.offset())?;
    for (base, values) in [
        (8, &kept.0),
        (16, &kept.1),
        (24, &reduced.0),
        (32, &reduced.1),
    ] {
        for (d, &v) in values.iter().enumerate() {
            params[base + d] = word(v)?;
        }
    }
    let key = format!(
        "reduce:{fold:?}:{sqrt}:{}:{}",
        se.dtype.name(),
        oe.dtype.name()
    );
    let source = || {
        let [acc, init, combine, accumulate, result, helpers] = pieces(fold, t, &se);
        let result = match (sqrt, oe.dtype) {
            (true, _) => format!("sqrt({result})"),
            (false, DType::Bool) => format!("({result} != 0u)"),
            (false, _) => result,
        };
        let mut bindings =
            oe.declare(1, "out", true) + &se.declare(2, "src", false) + &oe.nan_helper() + &helpers;
        if sums.is_some() {
            bindings += &oe.declare(3, "sums", false);
        }
        shader(
            TEMPLATE,
            &[
                ("BINDINGS", &bindings),
                ("ACC", &acc),
                ("INIT", &init),
                ("COMBINE", &combine),
                ("ACCUMULATE", &accumulate),
                ("FINISH", &oe.store("out", "w", &result)),
            ],
        )
    };
    let mut buffers = vec![buffer(out), buffer(src)];
    buffers.extend(sums.map(buffer));
    launch(
        &key,
        source,
        &params,
        &buffers,
        grid((n_out * chunks) as u64, 1)?,
    )
}

/// Reduces `x` over `dims`; the output drops them. Sums and products of integers and bools
/// are int64; `All` and `Any` give bools.
pub fn reduce(op: ReduceOp, x: &Tensor, dims: &[usize]) -> Result<Tensor> {
    let dtype = match op {
        ReduceOp::Sum | ReduceOp::Prod if !x.dtype().is_floating_point() => DType::Int64,
        ReduceOp::All | ReduceOp::Any => DType::Bool,
        _ => x.dtype(),
    };
    let sums = match op {
        ReduceOp::SquaredDeviation => Some(reduce(ReduceOp::Sum, x, dims)?),
        _ => None,
    };
    let (kept, reduced) = split(x.layout(), dims);
    let out = Tensor::empty(&kept.shape, dtype, x.device())?;
    let (kept, reduced) = (merged(&kept)?, merged(&reduced)?);
    let (n_out, inner) = (out.numel(), reduced.0.iter().product::<usize>());
    // How the elements fold, then how partial results of chunks fold.
    let (first, second) = match op {
        ReduceOp::Sum => (Fold::Sum, Fold::Sum),
        ReduceOp::Norm2 => (Fold::SumOfSquares, Fold::Sum),
        ReduceOp::Max => (Fold::Max, Fold::Max),
        ReduceOp::Min => (Fold::Min, Fold::Min),
        ReduceOp::Prod => (Fold::Prod, Fold::Prod),
        ReduceOp::All => (Fold::All, Fold::All),
        ReduceOp::Any => (Fold::Any, Fold::Any),
        ReduceOp::LogSumExp => (Fold::LogSumExp, Fold::LogSumExp),
        ReduceOp::SquaredDeviation => (Fold::SquaredDeviation, Fold::Sum),
    };
    let sqrt = op == ReduceOp::Norm2;
    if inner <= SPLIT_ABOVE || n_out >= 256 {
        pass(first, sqrt, x, &kept, &reduced, 1, &out, sums.as_ref())?;
        return Ok(out);
    }
    // Many chunks per output into partials, then one pass over each output's partials.
    let chunks = inner.div_ceil(CHUNK);
    let partial = Tensor::empty(&[n_out, chunks], dtype, x.device())?;
    pass(
        first,
        false,
        x,
        &kept,
        &reduced,
        chunks,
        &partial,
        sums.as_ref(),
    )?;
    let per_output = (vec![n_out], vec![chunks]);
    let across = (vec![chunks], vec![1]);
    pass(second, sqrt, &partial, &per_output, &across, 1, &out, None)?;
    Ok(out)
}

/// Max or min along `dim` with the index of the first extreme: (values, int64 indices).
pub fn arg_reduce(x: &Tensor, dim: usize, is_max: bool) -> Result<(Tensor, Tensor)> {
    let (kept, _) = split(x.layout(), &[dim]);
    let values = Tensor::empty(&kept.shape, x.dtype(), x.device())?;
    let indices = Tensor::empty(&kept.shape, DType::Int64, x.device())?;
    let n_out = values.numel();
    if n_out == 0 {
        return Ok((values, indices));
    }
    let kept = merged(&kept)?;
    let (xe, ie) = (GpuElement::of(x.dtype())?, GpuElement::of(DType::Int64)?);
    let mut params = vec![0u32; 64];
    params[0] = word(n_out)?;
    params[1] = word(x.shape()[dim])?;
    params[2] = word(x.strides()[dim])?;
    params[3] = word(x.offset())?;
    params[4] = kept.0.len() as u32;
    for (d, (&n, &s)) in kept.0.iter().zip(&kept.1).enumerate() {
        params[8 + d] = word(n)?;
        params[16 + d] = word(s)?;
    }
    let key = format!("arg_reduce:{is_max}:{}:{}", xe.dtype.name(), ie.storage);
    let source = || {
        // Bools compare as their stored 0 and 1.
        let (t, load, store_value) = if xe.dtype == DType::Bool {
            ("u32", "src[j]".to_string(), "values[w] = v;".to_string())
        } else {
            (xe.value, xe.load("src", "j"), xe.store("values", "w", "v"))
        };
        let bindings = xe.declare(1, "values", true)
            + &ie.declare(2, "indices", true)
            + &xe.declare(3, "src", false)
            + &GpuElement { value: t, ..xe }.nan_helper();
        let store = format!(
            "{store_value}\n        {}",
            ie.store("indices", "w", &format!("{}(idx)", ie.value))
        );
        shader(
            ARG_TEMPLATE,
            &[
                ("BINDINGS", &bindings),
                ("T", t),
                ("LOAD", &load),
                ("BETTER", if is_max { ">" } else { "<" }),
                ("STORE", &store),
            ],
        )
    };
    launch(
        &key,
        source,
        &params,
        &[buffer(&values), buffer(&indices), buffer(x)],
        grid(n_out as u64, 1)?,
    )?;
    Ok((values, indices))
}
