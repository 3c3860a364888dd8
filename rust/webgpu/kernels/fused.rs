//! Fused ops as one elementwise kernel each, rounding where PyTorch rounds: `a + alpha * b`,
//! `addcmul` and `lerp` are one `fma` on floats; `addcdiv` keeps its division unfused (as
//! `cpu::fused`). Operands share `out`'s dtype and are broadcast to its shape; `out` may be
//! the first operand (in-place ops).

use super::elementwise::{run, Op};
use crate::error::Result;
use crate::tensor::{DType, Scalar, Tensor};

/// How `a * b + c` is written for `dtype`: `fma` on floats (one rounding), plain arithmetic
/// on integers, `and`/`or` on bools.
fn mul_add(dtype: DType, a: &str, b: &str, c: &str) -> String {
    match dtype {
        DType::Bool => format!("(({a} && {b}) || {c})"),
        d if d.is_floating_point() => format!("fma({a}, {b}, {c})"),
        _ => format!("({a} * {b} + {c})"),
    }
}

/// `out = a + alpha * b`.
pub fn add_scaled_into(a: &Tensor, b: &Tensor, alpha: Scalar, out: &Tensor) -> Result<()> {
    run(Op {
        scalars: &[alpha],
        ..Op::plain(
            "add_scaled",
            mul_add(out.dtype(), "x2", "op_scalar(0u)", "x1"),
            out,
            &[a, b],
        )
    })
}

/// `out = s + (value * t1) * t2`.
pub fn addcmul_into(
    s: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    out: &Tensor,
) -> Result<()> {
    let product = if out.dtype() == DType::Bool {
        "(op_scalar(0u) && x2)"
    } else {
        "(op_scalar(0u) * x2)"
    };
    run(Op {
        scalars: &[value],
        ..Op::plain(
            "addcmul",
            mul_add(out.dtype(), product, "x3", "x1"),
            out,
            &[s, t1, t2],
        )
    })
}

/// `out = s + (value * t1) / t2` (floating dtypes).
pub fn addcdiv_into(
    s: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    out: &Tensor,
) -> Result<()> {
    run(Op {
        scalars: &[value],
        ..Op::plain(
            "addcdiv",
            "(x1 + op_scalar(0u) * x2 / x3)".into(),
            out,
            &[s, t1, t2],
        )
    })
}

/// PyTorch's lerp of `s`, `e` by `w` (floating dtypes): `s + w (e - s)` for `|w| < 1/2`,
/// else `e + (w - 1)(e - s)`, so both ends are exact.
fn lerp(s: &str, e: &str, w: &str) -> String {
    format!("select(fma({w} - 1.0, {e} - {s}, {e}), fma({w}, {e} - {s}, {s}), abs({w}) < 0.5)")
}

/// `out = lerp(s, e, weight)` for a number `weight` (floating dtypes).
pub fn lerp_scalar_into(s: &Tensor, e: &Tensor, weight: Scalar, out: &Tensor) -> Result<()> {
    run(Op {
        scalars: &[weight],
        ..Op::plain(
            "lerp_scalar",
            lerp("x1", "x2", "op_scalar(0u)"),
            out,
            &[s, e],
        )
    })
}

/// `out = lerp(s, e, w)` elementwise (floating dtypes).
pub fn lerp_into(s: &Tensor, e: &Tensor, w: &Tensor, out: &Tensor) -> Result<()> {
    run(Op::plain("lerp", lerp("x1", "x2", "x3"), out, &[s, e, w]))
}
