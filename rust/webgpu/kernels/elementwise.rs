//! Elementwise kernels (`shaders/elementwise.wgsl`): unary and binary math, comparisons,
//! `where`, dtype-converting copies and fills, over strided and broadcast operands.
//!
//! Every op is the same kernel with a different expression: [`run`] merges the dims all
//! operands walk as one, writes shape and strides into the parameters, and compiles one
//! variant per (op, dtypes, aliasing).

use super::{buffer, grid, launch, shader, word, MAX_DIMS};
use crate::cpu::strided::coalesce;
use crate::error::{Error, Result};
use crate::ops::kinds::{BinaryOp, CompareOp, UnaryOp};
use crate::tensor::{DType, Scalar, Tensor};
use crate::webgpu::element::GpuElement;

const TEMPLATE: &str = include_str!("../../../shaders/elementwise.wgsl");
/// Parameter word where op scalars (two words) start.
const SCALARS: usize = 56;

/// `op` and the expression it computes, written with `x1`, `x2`, `x3` (the inputs' values).
struct Op<'a> {
    /// Names the variant in the pipeline cache.
    name: String,
    expr: String,
    /// WGSL functions the expression calls.
    helpers: String,
    scalar: [u32; 2],
    out: &'a Tensor,
    inputs: &'a [&'a Tensor],
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
fn run(op: Op) -> Result<()> {
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
    params[SCALARS..SCALARS + 2].copy_from_slice(&op.scalar);

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

/// Whether WGSL implements `op` yet; `ops::backend` runs the others on the host.
pub fn has_unary(op: UnaryOp) -> bool {
    matches!(
        op,
        UnaryOp::Neg
            | UnaryOp::Abs
            | UnaryOp::Sign
            | UnaryOp::Exp
            | UnaryOp::Log
            | UnaryOp::Sqrt
            | UnaryOp::Rsqrt
            | UnaryOp::Sin
            | UnaryOp::Cos
            | UnaryOp::Tanh
            | UnaryOp::Sigmoid
            | UnaryOp::Relu
            | UnaryOp::Reciprocal
            | UnaryOp::Square
    )
}

/// Whether WGSL implements `op` yet; `ops::backend` runs the others on the host.
pub fn has_binary(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::Pow
            | BinaryOp::Maximum
            | BinaryOp::Minimum
    )
}

/// `out = op(x)` (same dtype).
pub fn unary_into(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    let e = GpuElement::of(x.dtype())?;
    let (t, float) = (e.value, x.dtype().is_floating_point());
    let [exp, log, sin, cos, tanh] = ["exp", "log", "sin", "cos", "tanh"].map(|f| e.math(f));
    let expr = match op {
        UnaryOp::Neg => "(-x1)".to_string(),
        UnaryOp::Abs => "abs(x1)".into(),
        UnaryOp::Sign => "sign(x1)".into(),
        UnaryOp::Exp => format!("{exp}(x1)"),
        UnaryOp::Log => format!("{log}(x1)"),
        UnaryOp::Sqrt => "sqrt(x1)".into(),
        UnaryOp::Rsqrt => format!("({t}(1) / sqrt(x1))"),
        UnaryOp::Sin => format!("{sin}(x1)"),
        UnaryOp::Cos => format!("{cos}(x1)"),
        // tanh's exp-based lowering overflows to NaN on some drivers past |x| ~ 44.
        UnaryOp::Tanh => format!("select({tanh}(x1), sign(x1), abs(x1) > {t}(20))"),
        UnaryOp::Sigmoid => format!("({t}(1) / ({t}(1) + {exp}(-x1)))"),
        UnaryOp::Relu if float => format!("select({t}(0), x1, x1 > {t}(0) || is_nan(x1))"),
        UnaryOp::Relu => format!("select({t}(0), x1, x1 > {t}(0))"),
        UnaryOp::Reciprocal => format!("({t}(1) / x1)"),
        UnaryOp::Square => "(x1 * x1)".into(),
        other => {
            return Err(Error::runtime(format!(
                "internal error: no WGSL for {other:?}"
            )))
        }
    };
    run(Op {
        name: format!("{op:?}"),
        expr,
        helpers: e.nan_helper(),
        scalar: [0; 2],
        out,
        inputs: &[x],
    })
}

/// `out = a op b` (one dtype, already broadcast); `out` may be `a` itself.
pub fn binary_into(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let e = GpuElement::of(out.dtype())?;
    let t = e.value;
    let boolean = out.dtype() == DType::Bool;
    let float = out.dtype().is_floating_point();
    let (expr, helpers) = match op {
        BinaryOp::Add if boolean => ("(x1 || x2)".to_string(), String::new()),
        BinaryOp::Mul if boolean => ("(x1 && x2)".into(), String::new()),
        BinaryOp::Maximum if boolean => ("(x1 || x2)".into(), String::new()),
        BinaryOp::Minimum if boolean => ("(x1 && x2)".into(), String::new()),
        _ if boolean => {
            return Err(Error::runtime(format!(
                "WebGPU: {op:?} is not defined for bool tensors"
            )))
        }
        BinaryOp::Add => ("(x1 + x2)".into(), String::new()),
        BinaryOp::Sub => ("(x1 - x2)".into(), String::new()),
        BinaryOp::Mul => ("(x1 * x2)".into(), String::new()),
        BinaryOp::Div => ("(x1 / x2)".into(), String::new()),
        BinaryOp::Pow if float => ("power(x1, x2)".into(), float_power(t, &e.math("pow"))),
        BinaryOp::Pow => ("power(x1, x2)".into(), int_power(t)),
        BinaryOp::Maximum if float => (
            "select(max(x1, x2), x1 + x2, is_nan(x1) || is_nan(x2))".into(),
            String::new(),
        ),
        BinaryOp::Minimum if float => (
            "select(min(x1, x2), x1 + x2, is_nan(x1) || is_nan(x2))".into(),
            String::new(),
        ),
        BinaryOp::Maximum => ("max(x1, x2)".into(), String::new()),
        BinaryOp::Minimum => ("min(x1, x2)".into(), String::new()),
        other => {
            return Err(Error::runtime(format!(
                "internal error: no WGSL for {other:?}"
            )))
        }
    };
    run(Op {
        name: format!("{op:?}"),
        expr,
        helpers: helpers + &e.nan_helper(),
        scalar: [0; 2],
        out,
        inputs: &[a, b],
    })
}

/// `a ** b` for floats with PyTorch's results where WGSL's `pow` is undefined (a < 0, b = 0).
fn float_power(t: &str, pow: &str) -> String {
    format!(
        "
fn power(a: {t}, b: {t}) -> {t} {{
    if (b == {t}(0)) {{ return {t}(1); }}
    let r = {pow}(abs(a), b);
    if (a >= {t}(0) || is_nan(a)) {{ return r; }}
    // A negative base to a fractional power: NaN, made at run time.
    if (floor(b) != b) {{ return (a - a) / (a - a); }}
    let odd = b - {t}(2) * floor(b / {t}(2)) == {t}(1);
    return select(r, -r, odd);
}}
"
    )
}

/// Integer `a ** b` by squaring (negative exponents give 0 unless |a| = 1, as integer math).
fn int_power(t: &str) -> String {
    format!(
        "
fn power(a: {t}, b: {t}) -> {t} {{
    if (b < {t}(0)) {{
        if (a == {t}(1)) {{ return {t}(1); }}
        if (a == {t}(-1)) {{ return select({t}(1), {t}(-1), (b % {t}(2)) != {t}(0)); }}
        return {t}(0);
    }}
    var result = {t}(1);
    var base = a;
    var e = b;
    loop {{
        if (e == {t}(0)) {{ break; }}
        if ((e % {t}(2)) != {t}(0)) {{ result = result * base; }}
        base = base * base;
        e = e / {t}(2);
    }}
    return result;
}}
"
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
    run(Op {
        name: format!("{op:?}"),
        expr,
        helpers: String::new(),
        scalar: [0; 2],
        out,
        inputs: &[a, b],
    })
}

/// `out = cond ? a : b`.
pub fn where_into(cond: &Tensor, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    run(Op {
        name: "where".into(),
        expr: "select(x3, x2, x1)".into(),
        helpers: String::new(),
        scalar: [0; 2],
        out,
        inputs: &[cond, a, b],
    })
}

/// `out = src` converted to `out`'s dtype (same shape; `src` may be broadcast).
pub fn copy_into(src: &Tensor, out: &Tensor) -> Result<()> {
    let (from, to) = (GpuElement::of(src.dtype())?, GpuElement::of(out.dtype())?);
    run(Op {
        name: "copy".into(),
        expr: to.convert_from(&from, "x1"),
        helpers: String::new(),
        scalar: [0; 2],
        out,
        inputs: &[src],
    })
}

/// Every element of `out` set to `value`.
pub fn fill(out: &Tensor, value: Scalar) -> Result<()> {
    let e = GpuElement::of(out.dtype())?;
    run(Op {
        name: "fill".into(),
        expr: e.from_words(
            &format!("param({SCALARS}u)"),
            &format!("param({}u)", SCALARS + 1),
        ),
        helpers: String::new(),
        scalar: e.words(value)?,
        out,
        inputs: &[],
    })
}
