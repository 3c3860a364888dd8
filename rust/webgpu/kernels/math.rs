//! Unary and binary math (every `UnaryOp` and `BinaryOp`) as expressions for the
//! elementwise kernel: floats through the float-math prelude (`float_math.rs`), integers
//! with wrapping arithmetic, bools with PyTorch's logical meanings (as `cpu::number`).

use super::elementwise::{nan_extremes, run, Op};
use super::float_math;
use crate::error::{Error, Result};
use crate::ops::kinds::{BinaryOp, UnaryOp};
use crate::tensor::{DType, Tensor};
use crate::webgpu::element::GpuElement;

/// `out = op(x)` (same dtype).
pub fn unary_into(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    let e = GpuElement::of(x.dtype())?;
    let (expr, helpers) = match x.dtype() {
        DType::Bool => (unary_bool(op)?, String::new()),
        d if d.is_floating_point() => (unary_float(op, e.value), float_math::prelude(e.value)),
        _ => (unary_int(op, e.value)?, String::new()),
    };
    run(Op {
        helpers,
        ..Op::plain(&format!("{op:?}"), expr, out, &[x])
    })
}

fn unary_float(op: UnaryOp, t: &str) -> String {
    let call = |f: &str| format!("{f}(x1)");
    match op {
        UnaryOp::Neg => "(-x1)".into(),
        UnaryOp::Abs => call("abs"),
        UnaryOp::Sign => format!("select(sign(x1), x1, x1 == {t}(0) || f_is_nan(x1))"),
        UnaryOp::Exp => call("f_exp"),
        UnaryOp::Log => call("f_log"),
        UnaryOp::Sqrt => call("sqrt"),
        UnaryOp::Rsqrt => format!("({t}(1) / sqrt(x1))"),
        UnaryOp::Sin => call("f_sin"),
        UnaryOp::Cos => call("f_cos"),
        UnaryOp::Tanh => call("f_tanh"),
        UnaryOp::Sigmoid => call("f_sigmoid"),
        UnaryOp::Relu => format!("select({t}(0), x1, x1 > {t}(0) || f_is_nan(x1))"),
        UnaryOp::Reciprocal => format!("({t}(1) / x1)"),
        UnaryOp::Square => "(x1 * x1)".into(),
        UnaryOp::Exp2 => call("f_exp2"),
        UnaryOp::Expm1 => call("f_expm1"),
        UnaryOp::Log2 => call("f_log2"),
        UnaryOp::Log10 => call("f_log10"),
        UnaryOp::Log1p => call("f_log1p"),
        UnaryOp::Floor => call("floor"),
        UnaryOp::Ceil => call("ceil"),
        // WGSL's round is half to even, as PyTorch's.
        UnaryOp::Round => call("round"),
        UnaryOp::Trunc => call("trunc"),
        UnaryOp::Frac => "(x1 - trunc(x1))".into(),
        UnaryOp::Sinh => call("f_sinh"),
        UnaryOp::Cosh => call("f_cosh"),
        UnaryOp::Tan => call("f_tan"),
        UnaryOp::Asin => call("f_asin"),
        UnaryOp::Acos => call("f_acos"),
        UnaryOp::Atan => call("f_atan"),
        UnaryOp::Erf => call("f_erf"),
        UnaryOp::Erfinv => call("f_erfinv"),
    }
}

/// Integer ops wrap (`-i32::MIN` is itself); rounding keeps an integer.
fn unary_int(op: UnaryOp, t: &str) -> Result<String> {
    Ok(match op {
        UnaryOp::Neg => "(-x1)".into(),
        UnaryOp::Abs => "abs(x1)".into(),
        UnaryOp::Sign => "sign(x1)".into(),
        UnaryOp::Square => "(x1 * x1)".into(),
        UnaryOp::Relu => format!("max(x1, {t}(0))"),
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc => "x1".into(),
        other => return Err(not_for(other, "integer")),
    })
}

/// On bools `-`, `abs`, `sign`, squaring, relu and rounding keep the value.
fn unary_bool(op: UnaryOp) -> Result<String> {
    match op {
        UnaryOp::Neg
        | UnaryOp::Abs
        | UnaryOp::Sign
        | UnaryOp::Square
        | UnaryOp::Relu
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Trunc => Ok("x1".into()),
        other => Err(not_for(other, "bool")),
    }
}

fn not_for(op: impl std::fmt::Debug, kind: &str) -> Error {
    Error::runtime(format!(
        "internal error: the op layer does not send {op:?} on {kind} tensors to a kernel"
    ))
}

/// `out = a op b` (one dtype, already broadcast); `out` may be `a` itself.
pub fn binary_into(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let e = GpuElement::of(out.dtype())?;
    let (expr, helpers) = match out.dtype() {
        DType::Bool => (binary_bool(op).to_string(), String::new()),
        d if d.is_floating_point() => binary_float(op, e.value)?,
        _ => binary_int(op, e.value)?,
    };
    run(Op {
        helpers: helpers + &e.nan_helper(),
        ..Op::plain(&format!("{op:?}"), expr, out, &[a, b])
    })
}

fn binary_float(op: BinaryOp, t: &str) -> Result<(String, String)> {
    let prelude = float_math::prelude(t);
    let call = |f: &str| format!("{f}(x1, x2)");
    let expr = match op {
        BinaryOp::Add => "(x1 + x2)".into(),
        BinaryOp::Sub => "(x1 - x2)".into(),
        BinaryOp::Mul => "(x1 * x2)".into(),
        BinaryOp::Div => "(x1 / x2)".into(),
        BinaryOp::Pow => return Ok((call("power"), prelude + &float_power(t))),
        BinaryOp::Maximum => return Ok((call("max_nan"), prelude + &nan_extremes(t))),
        BinaryOp::Minimum => return Ok((call("min_nan"), prelude + &nan_extremes(t))),
        BinaryOp::Atan2 => call("f_atan2"),
        BinaryOp::Fmod => call("f_fmod"),
        BinaryOp::Remainder => call("f_remainder"),
        BinaryOp::FloorDivide => call("f_floor_divide"),
        BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => {
            return Err(not_for(op, "floating"))
        }
    };
    Ok((expr, prelude))
}

fn bit_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::BitAnd => "&",
        BinaryOp::BitOr => "|",
        _ => "^",
    }
}

/// Integer arithmetic wraps; a zero divisor (rejected by the op layer) gives 0.
fn binary_int(op: BinaryOp, t: &str) -> Result<(String, String)> {
    let zero = format!("{t}(0)");
    let expr = match op {
        BinaryOp::Add => "(x1 + x2)".to_string(),
        BinaryOp::Sub => "(x1 - x2)".into(),
        BinaryOp::Mul => "(x1 * x2)".into(),
        BinaryOp::Div => format!("select(x1 / x2, {zero}, x2 == {zero})"),
        BinaryOp::Pow => return Ok(("power(x1, x2)".into(), int_power(t))),
        BinaryOp::Maximum => "max(x1, x2)".into(),
        BinaryOp::Minimum => "min(x1, x2)".into(),
        BinaryOp::Fmod => format!("select(x1 % x2, {zero}, x2 == {zero})"),
        BinaryOp::Remainder | BinaryOp::FloorDivide => {
            let f = if op == BinaryOp::Remainder {
                "int_remainder"
            } else {
                "int_floor_divide"
            };
            return Ok((format!("{f}(x1, x2)"), int_division(t)));
        }
        BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => {
            format!("(x1 {} x2)", bit_symbol(op))
        }
        BinaryOp::Atan2 => return Err(not_for(op, "integer")),
    };
    Ok((expr, String::new()))
}

/// Bools: `+` and max are or, `*`, `/`, min and `//` are and, `-` is xor, `a ** b` is
/// `a or not b`, `%` is `a and not b` (as `cpu::number`'s bool arithmetic).
fn binary_bool(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add | BinaryOp::Maximum | BinaryOp::BitOr => "(x1 || x2)",
        BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::Minimum
        | BinaryOp::FloorDivide
        | BinaryOp::BitAnd => "(x1 && x2)",
        BinaryOp::Sub | BinaryOp::BitXor => "(x1 != x2)",
        BinaryOp::Pow => "(x1 || !x2)",
        BinaryOp::Fmod | BinaryOp::Remainder => "(x1 && !x2)",
        // The op layer computes atan2 in a floating dtype.
        BinaryOp::Atan2 => "(x1 || x2)",
    }
}

/// Python's `%` and `//` on integers, from the truncating `%` and `/` (0 for a zero divisor).
fn int_division(t: &str) -> String {
    format!(
        "
fn int_remainder(a: {t}, b: {t}) -> {t} {{
    if (b == {t}(0)) {{ return {t}(0); }}
    let r = a % b;
    return select(r, r + b, r != {t}(0) && (r < {t}(0)) != (b < {t}(0)));
}}
fn int_floor_divide(a: {t}, b: {t}) -> {t} {{
    if (b == {t}(0)) {{ return {t}(0); }}
    let q = a / b;
    return select(q, q - {t}(1), (a % b) != {t}(0) && (a < {t}(0)) != (b < {t}(0)));
}}
"
    )
}

/// `a ** b` for floats with PyTorch's results where `pow` is undefined (a < 0, b = 0).
fn float_power(t: &str) -> String {
    format!(
        "
fn power(a: {t}, b: {t}) -> {t} {{
    if (b == {t}(0)) {{ return {t}(1); }}
    if (b == {t}(2)) {{ return a * a; }}
    let r = f_pow(abs(a), b);
    if (a >= {t}(0) || is_nan(a)) {{ return r; }}
    // A negative base to a fractional power: NaN.
    if (floor(b) != b) {{ return f_nan(); }}
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
