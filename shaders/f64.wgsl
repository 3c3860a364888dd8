// Double precision helpers, included in every kernel that computes in f64.
//
// Vulkan's GLSL.std.450 exp, log, sin, cos, tanh and pow accept only 16- and 32-bit floats,
// so WGSL's built-ins on f64 do not reach the driver as valid SPIR-V. These are built from
// +, *, /, floor and ldexp, which do take f64, and are accurate to a few ulp.

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;

// The double with IEEE bits hi:lo (WGSL cannot bitcast to 64-bit types).
fn f64_from_bits(lo: u32, hi: u32) -> f64 {
    let e = i32((hi >> 20u) & 0x7ffu);
    let m = f64(hi & 0xfffffu) * 4294967296.0 + f64(lo);
    var v: f64;
    if (e == 0x7ff) {
        let zero = m - m; // a run-time zero: a constant 1/0 does not compile
        v = select(f64(1.0) / zero, zero / zero, m != zero);
    } else if (e == 0) {
        v = ldexp(m, -1074);
    } else {
        v = ldexp(m + 4503599627370496.0, e - 1075);
    }
    return select(v, -v, (hi >> 31u) != 0u);
}

// f64 cannot be bitcast; a NaN stays NaN when narrowed to f32.
fn is_nan_f64(x: f64) -> bool {
    return is_nan_f32(f32(x));
}

fn exp64(x: f64) -> f64 {
    if (is_nan_f64(x)) { return x; }
    if (x > 709.8) { return x * 1e308; }
    if (x < -745.2) { return x - x; }
    // x = k ln 2 + r with |r| <= ln(2) / 2, then a Taylor polynomial for exp(r).
    let k = floor(x * 1.44269504088896338700 + 0.5);
    let r = (x - k * LN2_HI) - k * LN2_LO;
    var s = f64(1.0);
    for (var i = 14; i >= 1; i--) {
        s = 1.0 + s * r / f64(i);
    }
    return ldexp(s, i32(k));
}

fn log64(x: f64) -> f64 {
    if (is_nan_f64(x) || x < 0.0) { return (x - x) / (x - x); }
    if (x == 0.0) { return -1.0 / x; }
    if (x > 1.7976931348623157e308) { return x; }
    // x = m 2^e with m in [sqrt(1/2), sqrt(2)), by exact power-of-two scaling (frexp on
    // f64 crashes llvmpipe's compiler).
    var m = x;
    var e = 0;
    if (m < 1e-290) {
        m = ldexp(m, 600);
        e = -600;
    }
    for (var step = 512; step >= 1; step /= 2) {
        if (m >= ldexp(f64(1.0), step)) {
            m = ldexp(m, -step);
            e += step;
        }
        if (m < ldexp(f64(1.0), 1 - step)) {
            m = ldexp(m, step);
            e -= step;
        }
    }
    if (m > 1.41421356237309504880) {
        m = m * 0.5;
        e = e + 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    var t = f64(0.0);
    for (var k = 12; k >= 0; k--) {
        t = t * s2 + 1.0 / f64(2 * k + 1);
    }
    return 2.0 * s * t + f64(e) * LN2_LO + f64(e) * LN2_HI;
}

// (sin x, cos x): x = n pi/2 + r with |r| <= pi/4 (three-part Cody-Waite reduction), then
// Taylor polynomials for sin r and cos r, rotated by the quadrant n mod 4.
fn sincos64(x: f64) -> vec2<f64> {
    let n = floor(x * 0.63661977236758134308 + 0.5);
    let r = ((x - n * 1.57079632673412561417e+00) - n * 6.07710050630396597660e-11)
        - n * 2.02226624871116645580e-21;
    let r2 = r * r;
    var ps = f64(1.0);
    var pc = f64(1.0);
    for (var k = 11; k >= 1; k--) {
        ps = 1.0 - ps * r2 / f64((2 * k) * (2 * k + 1));
        pc = 1.0 - pc * r2 / f64((2 * k - 1) * (2 * k));
    }
    let s = r * ps;
    let q = i32(n - 4.0 * floor(n / 4.0));
    switch q {
        case 0: { return vec2<f64>(s, pc); }
        case 1: { return vec2<f64>(pc, -s); }
        case 2: { return vec2<f64>(-s, -pc); }
        default: { return vec2<f64>(-pc, s); }
    }
}

fn sin64(x: f64) -> f64 {
    return sincos64(x).x;
}

fn cos64(x: f64) -> f64 {
    return sincos64(x).y;
}

fn tanh64(x: f64) -> f64 {
    if (abs(x) < 1e-5) {
        return x - x * x * x / 3.0;
    }
    let e = exp64(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(t, -t, x < 0.0);
}

fn pow64(a: f64, b: f64) -> f64 {
    return exp64(b * log64(a));
}
