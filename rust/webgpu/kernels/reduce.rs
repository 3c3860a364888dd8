//! Reductions (`shaders/reduce.wgsl`, `shaders/arg_reduce.wgsl`): sum, max, min and the
//! 2-norm over any set of dims, and max/min with indices along one dim.

use super::{buffer, grid, launch, shader, word, MAX_DIMS};
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

/// The accumulator type for `e`: its value type, with bools counted as `u32`.
fn accumulator(e: &GpuElement) -> &'static str {
    if e.dtype == DType::Bool {
        "u32"
    } else {
        e.value
    }
}

/// WGSL for src[j] as accumulator type `acc` (bools read raw, as 0 or 1).
fn load_as(src: &GpuElement, acc: &str) -> String {
    let raw = if src.dtype == DType::Bool {
        "src[j]".to_string()
    } else {
        src.load("src", "j")
    };
    let value = if src.dtype == DType::Bool {
        "u32"
    } else {
        src.value
    };
    if value == acc {
        raw
    } else {
        format!("{acc}({raw})")
    }
}

/// The lowest (`lowest`) or highest value of accumulator type `acc`, infinities for floats.
fn extreme_of(acc: &str, lowest: bool) -> String {
    match (acc, lowest) {
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

/// One pass: folds `src` (viewed through `kept` x `reduced`) into `out`, `chunks` partial
/// results per kept element; `sqrt` takes the square root of each final result.
fn pass(
    fold: Fold,
    sqrt: bool,
    src: &Tensor,
    kept: &(Vec<usize>, Vec<usize>),
    reduced: &(Vec<usize>, Vec<usize>),
    chunks: usize,
    out: &Tensor,
) -> Result<()> {
    let n_out: usize = kept.0.iter().product();
    let inner: usize = reduced.0.iter().product();
    if n_out == 0 {
        return Ok(());
    }
    let (se, oe) = (GpuElement::of(src.dtype())?, GpuElement::of(out.dtype())?);
    let acc = accumulator(&oe);
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
        let load = load_as(&se, acc);
        let float = matches!(acc, "f32" | "f64");
        let (init, combine) = match fold {
            Fold::Sum | Fold::SumOfSquares => (format!("{acc}(0)"), "return a + b;".to_string()),
            Fold::Max | Fold::Min => {
                let f = if fold == Fold::Max { "max" } else { "min" };
                let nan = if float {
                    "if (is_nan(a)) { return a; }\n    if (is_nan(b)) { return b; }\n    "
                } else {
                    ""
                };
                (
                    extreme_of(acc, fold == Fold::Max),
                    format!("{nan}return {f}(a, b);"),
                )
            }
        };
        let accumulate = match fold {
            Fold::Sum => format!("return acc + {load};"),
            Fold::SumOfSquares => format!("let v = {load};\n    return acc + v * v;"),
            Fold::Max | Fold::Min => format!("return combine(acc, {load});"),
        };
        let result = match (sqrt, oe.dtype) {
            (true, _) => "sqrt(acc)".to_string(),
            (false, DType::Bool) => "(acc != 0u)".to_string(),
            (false, _) => "acc".to_string(),
        };
        let bindings = oe.declare(1, "out", true) + &se.declare(2, "src", false) + &oe.nan_helper();
        shader(
            TEMPLATE,
            &[
                ("BINDINGS", &bindings),
                ("ACC", acc),
                ("INIT", &init),
                ("COMBINE", &combine),
                ("ACCUMULATE", &accumulate),
                ("FINISH", &oe.store("out", "w", &result)),
            ],
        )
    };
    launch(
        &key,
        source,
        &params,
        &[buffer(out), buffer(src)],
        grid((n_out * chunks) as u64, 1)?,
    )
}

/// Whether WGSL implements `op` yet; `ops::backend` runs the others on the host.
pub fn has_reduce(op: ReduceOp) -> bool {
    matches!(
        op,
        ReduceOp::Sum | ReduceOp::Norm2 | ReduceOp::Max | ReduceOp::Min
    )
}

/// Reduces `x` over `dims`; the output drops them. Sums of integers and bools are int64.
pub fn reduce(op: ReduceOp, x: &Tensor, dims: &[usize]) -> Result<Tensor> {
    let dtype = match op {
        ReduceOp::Sum if !x.dtype().is_floating_point() => DType::Int64,
        _ => x.dtype(),
    };
    let (kept, reduced) = split(x.layout(), dims);
    let out = Tensor::empty(&kept.shape, dtype, x.device())?;
    let (kept, reduced) = (merged(&kept)?, merged(&reduced)?);
    let (n_out, inner) = (out.numel(), reduced.0.iter().product::<usize>());
    let (first, second) = match op {
        ReduceOp::Sum => (Fold::Sum, Fold::Sum),
        ReduceOp::Norm2 => (Fold::SumOfSquares, Fold::Sum),
        ReduceOp::Max => (Fold::Max, Fold::Max),
        ReduceOp::Min => (Fold::Min, Fold::Min),
        other => {
            return Err(Error::runtime(format!(
                "internal error: no WGSL for {other:?}"
            )))
        }
    };
    let sqrt = op == ReduceOp::Norm2;
    if inner <= SPLIT_ABOVE || n_out >= 256 {
        pass(first, sqrt, x, &kept, &reduced, 1, &out)?;
        return Ok(out);
    }
    // Many chunks per output into partials, then one pass over each output's partials.
    let chunks = inner.div_ceil(CHUNK);
    let partial = Tensor::empty(&[n_out, chunks], dtype, x.device())?;
    pass(first, false, x, &kept, &reduced, chunks, &partial)?;
    let per_output = (vec![n_out], vec![chunks]);
    let across = (vec![chunks], vec![1]);
    pass(second, sqrt, &partial, &per_output, &across, 1, &out)?;
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
