//! The float-math prelude: `shaders/special.wgsl` (transcendental and special functions
//! written once over a float type `F`) preceded by the primitives it builds on, which are
//! WGSL's built-ins for f32 and `shaders/f64.wgsl`'s functions for f64 (Vulkan has no f64
//! transcendental instructions).

const SPECIAL: &str = include_str!("../../../shaders/special.wgsl");

/// The primitives for f32: the built-ins, with NaN and the sign read from the bits. `exp`
/// and `exp2` are computed here (Vulkan allows the built-in `exp` an error growing with
/// |x|, 50 ulp near 50 on llvmpipe, and `exp2` may flush subnormal results): x = k ln 2 + r
/// (two-part ln 2) or k + f, and a Taylor polynomial for exp(r).
const F32_PRIMITIVES: &str = "
alias F = f32;
const F_MAX: F = 3.40282346638528859812e+38;
const F_EXP_LIMIT: F = 88.0;
const F_LDEXP_STEP: i32 = 64;
fn f_is_nan(x: F) -> bool { return is_nan_f32(x); }
fn f_signbit(x: F) -> bool { return (bitcast<u32>(x) >> 31u) != 0u; }
fn f_nan() -> F { return bitcast<f32>(0x7fc00000u); }
fn f_inf() -> F { return bitcast<f32>(0x7f800000u); }
fn f_exp(x: F) -> F {
    if (f_is_nan(x)) { return x; }
    if (x > 88.72284) { return f_inf(); }
    if (x < -103.98) { return 0.0; }
    let k = floor(x * 1.44269504088896 + 0.5);
    return ldexp(exp_reduced32((x - k * 0.693359375) + k * 2.12194440e-4), i32(k));
}
fn f_exp2(x: F) -> F {
    if (f_is_nan(x)) { return x; }
    if (x > 128.0) { return f_inf(); }
    if (x < -150.0) { return 0.0; }
    let k = floor(x + 0.5);
    return ldexp(exp_reduced32((x - k) * 0.693147180559945), i32(k));
}
// exp(r) for |r| <= ln(2) / 2.
fn exp_reduced32(r: F) -> F {
    var s = F(1.0);
    for (var i = 8; i >= 1; i--) { s = 1.0 + s * r / F(i); }
    return s;
}
fn raw_log(x: F) -> F { return log(x); }
fn raw_log2(x: F) -> F { return log2(x); }
fn raw_log10(x: F) -> F { return log2(x) * 0.301029995663981195; }
fn f_sin(x: F) -> F { return sin(x); }
fn f_cos(x: F) -> F { return cos(x); }
fn f_tan(x: F) -> F { return tan(x); }
fn f_pow(a: F, b: F) -> F { return pow(a, b); }
";

/// The primitives for f64, from `shaders/f64.wgsl`.
const F64_PRIMITIVES: &str = "
alias F = f64;
const F_MAX: F = 1.7976931348623157e308;
const F_EXP_LIMIT: F = 709.0;
const F_LDEXP_STEP: i32 = 512;
fn f_is_nan(x: F) -> bool { return is_nan_f64(x); }
fn f_signbit(x: F) -> bool { return signbit_f64(x); }
fn f_nan() -> F { return F(bitcast<f32>(0x7fc00000u)); }
fn f_inf() -> F { return F(bitcast<f32>(0x7f800000u)); }
fn f_exp(x: F) -> F { return exp64(x); }
fn f_exp2(x: F) -> F { return exp2_64(x); }
fn raw_log(x: F) -> F { return log64(x); }
fn raw_log2(x: F) -> F { return log2_64(x); }
fn raw_log10(x: F) -> F { return log10_64(x); }
fn f_sin(x: F) -> F { return sin64(x); }
fn f_cos(x: F) -> F { return cos64(x); }
fn f_tan(x: F) -> F { return tan64(x); }
fn f_pow(a: F, b: F) -> F { return pow64(a, b); }
";

/// WGSL declaring `F` as `value` (`f32` or `f64`) and the `f_*` functions over it.
pub fn prelude(value: &str) -> String {
    let primitives = if value == "f64" {
        F64_PRIMITIVES
    } else {
        F32_PRIMITIVES
    };
    format!("{primitives}\n{SPECIAL}\n")
}
