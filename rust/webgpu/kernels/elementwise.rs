//! Elementwise kernels (`shaders/elementwise.wgsl`): comparisons, predicates, `where`,
//! `clamp`, dtype-converting copies and fills, over strided and broadcast operands; the
//! math ops (`math.rs`), activations (`activation.rs`) and fused ops (`fused.rs`) run
//! through the same [`run`].
//!
//! Every op is the same kernel with a different expression: [`run`] merges the dims all
//! operands walk as one, writes shape and strides into the parameters, and compiles one
//! variant per (op, dtypes, aliasing).

use super::{buffer, float_math, grid, launch, shader, word, MAX_DIMS};
use crate::cpu::strided::coalesce;
use crate::error::{Error, Result};
use crate::ops::kinds::{CompareOp, PredicateOp, TernaryOp};
use crate::tensor::{DType, Scalar, Tensor};
use crate::webgpu::element::GpuElement;

const TEMPLATE: &str = include_str!("../../../shaders/elementwise.wgsl");
/// Parameter word where the op's numbers start (two words each, read by `op_scalar(k)`).
const SCALARS: usize = 56;
/// How many numbers an op can carry.
const MAX_SCALARS: usize = 4;

/// `op` and the expression it computes, written with `x1`, `x2`, `x3` (the inputs' values)
/// and `op_scalar(k)` (its numbers, in the output's value type).
pub struct Op<'a> {
    /// Names the variant in the pipeline cache.
    pub name: String,
    pub expr: String,
    /// WGSL functions the expression calls.
    pub helpers: String,
    pub scalars: &'a [Scalar],
    pub out: &'a Tensor,
    pub inputs: &'a [&'a Tensor],
}

impl Op<'_> {
    /// An op without numbers or helpers.
    pub fn plain<'a>(
        name: &str,
        expr: String,
        out: &'a Tensor,
        inputs: &'a [&'a Tensor],
    ) -> Op<'a> {
        Op {
            name: name.to_string(),
            expr,
            helpers: String::new(),
            scalars: &[],
            out,
            inputs,
        }
    }
}

/// Merged sizes and per-operand strides for `shape` (at most `MAX_DIMS` dims).
fn merged_dims(shape: &[usize], strides: &[&[usize]]) -> Result<(Vec<usize>, Vec<Vec<usize>>)> {
    fn to_vecs<const N: usize>(
        (sizes, strides): (
            smallvec::SmallVec<[usize; 6]>,
            [smallvec::SmallVec<[usize; 6]>; N],
        ),
    ) -> (Vec<usize>, Vec<Vec<usize>>) {
        (sizes.to_vec(), strides.iter().map(|s| s.to_vec()).collect())
    }
    let merged = match strides {
        [a] => to_vecs(coalesce(shape, [a])),
        [a, b] => to_vecs(coalesce(shape, [a, b])),
        [a, b, c] => to_vecs(coalesce(shape, [a, b, c])),
        [a, b, c, d] => to_vecs(coalesce(shape, [a, b, c, d])),
        _ => unreachable!("elementwise kernels take 1 to 4 operands"),
    };
    if merged.0.len() > MAX_DIMS {
        return Err(Error::runtime(format!(
            "WebGPU: elementwise kernels handle at most {MAX_DIMS} non-mergeable dims, got {}",
            merged.0.len()
        )));
    }
    Ok(merged)
}

/// Records `op` over every element of `op.out`.
pub fn run(op: Op) -> Result<()> {
    let numel = op.out.numel();
    if numel == 0 {
        return Ok(());
    }
    let operands: Vec<&Tensor> = std::iter::once(op.out)
        .chain(op.inputs.iter().copied())
        .collect();
    let strides: Vec<&[usize]> = operands.iter().map(|t| t.strides()).collect();
    let (sizes, merged) = merged_dims(op.out.shape(), &strides)?;
    let contiguous = sizes.len() <= 1 && merged.iter().all(|s| s.iter().all(|&x| x == 1));

    let mut params = vec![0u32; 64];
    params[0] = word(numel)?;
    params[1] = sizes.len() as u32;
    params[2] = contiguous as u32;
    for (d, &n) in sizes.iter().enumerate() {
        params[4 + d] = word(n)?;
    }
    for (k, t) in operands.iter().enumerate() {
        params[12 + 9 * k] = word(t.offset())?;
        for (d, &s) in merged[k].iter().enumerate() {
            params[13 + 9 * k + d] = word(s)?;
        }
    }
    let out_element = GpuElement::of(op.out.dtype())?;
    debug_assert!(op.scalars.len() <= MAX_SCALARS);
    for (k, &v) in op.scalars.iter().enumerate() {
        params[SCALARS + 2 * k..SCALARS + 2 * k + 2].copy_from_slice(&out_element.words(v)?);
    }

    let elements = operands
        .iter()
        .map(|t| GpuElement::of(t.dtype()))
        .collect::<Result<Vec<_>>>()?;
    let out_raw = buffer(op.out).raw();
    // An input sharing the output's buffer (an in-place op) must be bound writable too:
    // WebGPU forbids a buffer being read-only and writable in one dispatch.
    let aliased = op.inputs.iter().any(|t| buffer(t).raw() == out_raw);
    let key = format!(
        "elementwise:{}:{}:{}",
        op.name,
        elements
            .iter()
            .map(|e| e.dtype.name())
            .collect::<Vec<_>>()
            .join(","),
        if aliased { "aliased" } else { "distinct" }
    );
    let source = || {
        let mut bindings = elements[0].declare(1, "out", true);
        let mut body = String::new();
        for (k, e) in elements.iter().enumerate().skip(1) {
            bindings += &e.declare(k as u32 + 1, &format!("in{k}"), aliased);
            body += &format!(
                "let x{k} = {};\n    ",
                e.load(&format!("in{k}"), &format!("at[{k}]"))
            );
        }
        body += &elements[0].store("out", "at[0]", &op.expr);
        bindings += &op.helpers;
        bindings += &format!(
            "fn op_scalar(k: u32) -> {} {{\n    return {};\n}}\n",
            out_element.value,
            out_element.from_words(
                &format!("param({SCALARS}u + 2u * k)"),
                &format!("param({}u + 2u * k)", SCALARS + 1)
            )
        );
        shader(
            TEMPLATE,
            &[
                ("BINDINGS", &bindings),
                ("OPERANDS", &operands.len().to_string()),
                ("BODY", &body),
            ],
        )
    };
    let buffers: Vec<_> = operands.iter().map(|t| buffer(t)).collect();
    launch(
        &key,
        source,
        &params,
        &buffers,
        grid(numel.div_ceil(256) as u64, 1)?,
    )
}

/// `out = a cmp b` (bool out; a, b share a dtype).
pub fn compare_into(op: CompareOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let symbol = match op {
        CompareOp::Eq => "==",
        CompareOp::Ne => "!=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
    };
    // WGSL orders numbers only: bools compare as 0 and 1.
    let expr = if a.dtype() == DType::Bool {
        format!("(u32(x1) {symbol} u32(x2))")
    } else {
        format!("(x1 {symbol} x2)")
    };
    run(Op::plain(&format!("{op:?}"), expr, out, &[a, b]))
}

/// `out = cond ? a : b`.
pub fn where_into(cond: &Tensor, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    run(Op::plain(
        "where",
        "select(x3, x2, x1)".into(),
        out,
        &[cond, a, b],
    ))
}

/// `out = src` converted to `out`'s dtype (same shape; `src` may be broadcast).
pub fn copy_into(src: &Tensor, out: &Tensor) -> Result<()> {
    let (from, to) = (GpuElement::of(src.dtype())?, GpuElement::of(out.dtype())?);
    run(Op::plain("copy", to.convert_from(&from, "x1"), out, &[src]))
}

/// Every element of `out` set to `value`.
pub fn fill(out: &Tensor, value: Scalar) -> Result<()> {
    run(Op {
        scalars: &[value],
        ..Op::plain("fill", "op_scalar(0u)".into(), out, &[])
    })
}

/// `out = min(max(x, lo), hi)` (one dtype): NaN anywhere gives NaN; `lo > hi` gives `hi`.
pub fn ternary_into(
    op: TernaryOp,
    x: &Tensor,
    lo: &Tensor,
    hi: &Tensor,
    out: &Tensor,
) -> Result<()> {
    let e = GpuElement::of(out.dtype())?;
    let TernaryOp::Clamp = op;
    let (expr, helpers) = match out.dtype() {
        DType::Bool => ("((x1 || x2) && x3)".to_string(), String::new()),
        d if d.is_floating_point() => (
            "min_nan(max_nan(x1, x2), x3)".to_string(),
            e.nan_helper() + &nan_extremes(e.value),
        ),
        _ => ("min(max(x1, x2), x3)".to_string(), String::new()),
    };
    run(Op {
        helpers,
        ..Op::plain(&format!("{op:?}"), expr, out, &[x, lo, hi])
    })
}

/// WGSL `max_nan` and `min_nan` for type `t`: the larger (smaller) of two, NaN winning.
pub fn nan_extremes(t: &str) -> String {
    format!(
        "
fn max_nan(a: {t}, b: {t}) -> {t} {{
    if (is_nan(a) || is_nan(b)) {{ return a + b; }}
    return max(a, b);
}}
fn min_nan(a: {t}, b: {t}) -> {t} {{
    if (is_nan(a) || is_nan(b)) {{ return a + b; }}
    return min(a, b);
}}
"
    )
}

/// `out = test(x)` (bool `out`); integers and bools are always finite.
pub fn predicate_into(op: PredicateOp, x: &Tensor, out: &Tensor) -> Result<()> {
    let e = GpuElement::of(x.dtype())?;
    if !x.dtype().is_floating_point() {
        return fill(out, Scalar::Bool(op == PredicateOp::IsFinite));
    }
    let expr = match op {
        PredicateOp::IsNan => "f_is_nan(x1)",
        PredicateOp::IsInf => "f_is_inf(x1)",
        PredicateOp::IsPosInf => "(x1 > F_MAX)",
        PredicateOp::IsNegInf => "(x1 < -F_MAX)",
        PredicateOp::IsFinite => "!(f_is_nan(x1) || f_is_inf(x1))",
    };
    run(Op {
        helpers: float_math::prelude(e.value),
        ..Op::plain(&format!("{op:?}"), expr.to_string(), out, &[x])
    })
}
