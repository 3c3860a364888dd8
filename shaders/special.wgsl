// Float math written once for both precisions: F is f32 or f64 (an alias declared before
// this file, with the primitives f_exp, f_exp2, f_sin, f_cos, f_tan, f_pow, raw_log,
// raw_log2, raw_log10, f_is_nan, f_signbit, f_nan, f_inf and the constants F_MAX,
// F_EXP_LIMIT and F_LDEXP_STEP; see rust/webgpu/kernels/float_math.rs). The primitives are
// WGSL's built-ins for f32 and f64.wgsl's functions for f64.
//
// Why these are not WGSL's built-ins: Vulkan lets the f32 built-ins be coarse (asin is off
// by 4e-4 on llvmpipe, atan and tanh near 0 by 1e-4, log near 1 has an absolute error of
// 2^-21), and f64 has none of them. The algorithms follow rust/cpu/special.rs and the
// usual argument reductions; each is accurate to a few ulp in F.

const PI = 3.14159265358979311600e+00;
const PI_2 = 1.57079632679489655800e+00;
const PI_4 = 7.85398163397448278999e-01;
const TWO_OVER_SQRT_PI = 1.12837916709551255856e+00;
const FRAC_1_SQRT_2 = 7.07106781186547572737e-01;
const INV_SQRT_2PI = 3.98942280401432702863e-01;

fn f_is_inf(x: F) -> bool {
    return abs(x) > F_MAX;
}

// log(1 + x): where 1 + x is within [1/2, 2] (the built-in log loses relative accuracy
// there) a series in s = x / (2 + x), log(1 + x) = 2 atanh(s); the built-in beyond.
fn f_log1p(x: F) -> F {
    if (x >= -0.5 && x <= 1.0) {
        let s = x / (2.0 + x);
        let s2 = s * s;
        var t = F(0.0);
        for (var k = 17; k >= 0; k--) {
            t = t * s2 + 1.0 / F(2 * k + 1);
        }
        return 2.0 * s * t;
    }
    if (x > F_MAX) { return x; }
    return raw_log(1.0 + x);
}

fn f_log(x: F) -> F {
    if (abs(x - 1.0) < 0.5) { return f_log1p(x - 1.0); }
    return raw_log(x);
}

fn f_log2(x: F) -> F {
    if (abs(x - 1.0) < 0.5) { return f_log1p(x - 1.0) * F(1.44269504088896338700); }
    return raw_log2(x);
}

fn f_log10(x: F) -> F {
    if (abs(x - 1.0) < 0.5) { return f_log1p(x - 1.0) * F(0.434294481903251816668); }
    return raw_log10(x);
}

// exp(x) - 1: a Taylor series near 0, where exp(x) - 1 cancels.
fn f_expm1(x: F) -> F {
    if (abs(x) < 0.5) {
        var t = F(1.0);
        for (var k = 17; k >= 2; k--) {
            t = 1.0 + t * x / F(k);
        }
        return x * t;
    }
    return f_exp(x) - 1.0;
}

fn f_tanh(x: F) -> F {
    let e = f_expm1(-2.0 * abs(x));
    let t = -e / (2.0 + e);
    return select(t, -t, f_signbit(x));
}

fn f_sinh(x: F) -> F {
    let a = abs(x);
    var r: F;
    if (a < F_EXP_LIMIT) {
        // With e = exp(a) - 1: exp(a) - exp(-a) = e + e / (e + 1), free of cancellation.
        let e = f_expm1(a);
        r = 0.5 * (e + e / (e + 1.0));
    } else {
        // exp(a) / 2 as exp(a / 2)^2 / 2: finite up to sinh's own overflow.
        let h = f_exp(0.5 * a);
        r = (0.5 * h) * h;
    }
    return select(r, -r, f_signbit(x));
}

fn f_cosh(x: F) -> F {
    let a = abs(x);
    if (a < F_EXP_LIMIT) {
        let e = f_exp(a);
        return 0.5 * (e + 1.0 / e);
    }
    let h = f_exp(0.5 * a);
    return (0.5 * h) * h;
}

// atan: |x| > 1 folds to 1 / |x| (atan x = pi/2 - atan(1/x)), then t > tan(pi/8) to
// (t - 1) / (t + 1) (atan t = pi/4 + atan(...)); the rest is a Taylor series in t^2 < 0.172.
fn f_atan(x: F) -> F {
    var t = abs(x);
    let inverted = t > 1.0;
    if (inverted) { t = 1.0 / t; }
    var base = F(0.0);
    if (t > 0.41421356237309504880) {
        t = (t - 1.0) / (t + 1.0);
        base = F(PI_4);
    }
    let t2 = t * t;
    var s = F(0.0);
    for (var k = 22; k >= 0; k--) {
        s = 1.0 / F(2 * k + 1) - t2 * s;
    }
    var r = base + t * s;
    if (inverted) { r = F(PI_2) - r; }
    return select(r, -r, f_signbit(x));
}

// (1 - x)(1 + x) keeps its relative accuracy as |x| nears 1, where 1 - x * x cancels.
fn f_asin(x: F) -> F {
    if (abs(x) > 1.0) { return f_nan(); }
    return f_atan(x / sqrt((1.0 - x) * (1.0 + x)));
}

fn f_acos(x: F) -> F {
    if (abs(x) > 1.0) { return f_nan(); }
    return 2.0 * f_atan(sqrt((1.0 - x) / (1.0 + x)));
}

// C's atan2, signed zeros and infinities included.
fn f_atan2(y: F, x: F) -> F {
    if (f_is_nan(x) || f_is_nan(y)) { return x + y; }
    let ax = abs(x);
    let ay = abs(y);
    var t: F;
    if (ay == 0.0) {
        t = 0.0;
    } else if (f_is_inf(ax) && f_is_inf(ay)) {
        t = F(PI_4);
    } else if (ax == 0.0 || f_is_inf(ay)) {
        t = F(PI_2);
    } else {
        t = f_atan(ay / ax);
    }
    if (f_signbit(x)) { t = F(PI) - t; }
    return select(t, -t, f_signbit(y));
}

// C's fmod, exact: the largest |b| 2^k not above |a| is found by doubling in big steps,
// then long division subtracts each |b| 2^j that fits (every subtraction is exact).
fn f_fmod(a: F, b: F) -> F {
    if (f_is_nan(a) || f_is_nan(b) || f_is_inf(a) || b == 0.0) { return f_nan(); }
    let d = abs(b);
    var r = abs(a);
    if (r < d || f_is_inf(b)) { return a; }
    var t = d;
    for (var step = F_LDEXP_STEP; step >= 1; step /= 2) {
        loop {
            let u = ldexp(t, step);
            if (!(u <= r)) { break; }
            t = u;
        }
    }
    loop {
        if (r >= t) { r = r - t; }
        if (t <= d) { break; }
        t = t * 0.5;
    }
    return select(r, -r, f_signbit(a));
}

// Python's %: the remainder takes the divisor's sign.
fn f_remainder(a: F, b: F) -> F {
    let r = f_fmod(a, b);
    if (r != 0.0 && (r < 0.0) != (b < 0.0)) { return r + b; }
    return r;
}

// Python's //, exact for every representable quotient (its algorithm, as the CPU's).
fn f_floor_divide(a: F, b: F) -> F {
    if (b == 0.0) { return a / b; }
    let m = f_fmod(a, b);
    var q = (a - m) / b;
    if (m != 0.0 && (b < 0.0) != (m < 0.0)) { q -= 1.0; }
    if (q == 0.0) { return select(F(0.0), -F(0.0), f_signbit(a / b)); }
    let f = floor(q);
    return select(f, f + 1.0, q - f > 0.5);
}

fn f_sigmoid(x: F) -> F {
    let e = f_exp(-abs(x));
    let r = 1.0 / (1.0 + e);
    return select(e * r, r, x >= 0.0);
}

// log(1 + exp(x)) without overflow.
fn f_softplus(x: F) -> F {
    return max(x, F(0.0)) + f_log1p(f_exp(-abs(x)));
}

// exp(-x^2), with x^2 split into its rounded value and the rounding error (by fma), so the
// rounding of x^2 does not pass into the result.
fn exp_neg_square(x: F) -> F {
    let h = x * x;
    let l = fma(x, x, -h);
    return f_exp(-h) * (1.0 - l);
}

// Chebyshev-fitted tables from rust/cpu/special.rs; each is evaluated at
// t = 2 (x - a) / (b - a) - 1 for its interval [a, b].
const ERF_SMALL = array<F, 11>(
    0.9654687386698669, -0.14053608902272138, 0.019852496688984915, -0.002285485561059992,
    0.00021751715603107307, -1.75371699080936e-05, 1.223382775912038e-06,
    -7.511463225516192e-08, 4.115737334015917e-09, -2.0457701251181985e-10,
    9.217097997476298e-12,
);
const ERFCX_1_2 = array<F, 15>(
    0.3215854164543178, -0.08181145886627621, 0.019037759963875724, -0.004116363162394184,
    0.0008360838093120613, -0.00016081117414031517, 2.947085901262734e-05,
    -5.171325009657059e-06, 8.72300319255244e-07, -1.4192031677157684e-07,
    2.2334247748759334e-08, -3.3957090975202666e-09, 5.002354117544334e-10,
    -7.88045873374147e-11, 1.1835444548370445e-11,
);
const ERFCX_2_35 = array<F, 15>(
    0.19366209627906927, -0.047428228170480896, 0.011114208555349548,
    -0.0025035488001166925, 0.000544086456225065, -0.00011442715589302879,
    2.3347539858254507e-05, -4.6316960482967945e-06, 8.950322082067658e-07,
    -1.6876582145555619e-07, 3.107297348005651e-08, -5.5721833970778694e-09,
    9.955047924229069e-10, -1.9026150812786609e-10, 2.850839951322427e-11,
);
const ERFCX_35_6 = array<F, 17>(
    0.11630270721024716, -0.029379310747703332, 0.007283322451510156,
    -0.0017736306582735845, 0.0004246296487814917, -0.00010002374600187886,
    2.3197609654782436e-05, -5.300368786997746e-06, 1.1938360924157839e-06,
    -2.652059131509923e-07, 5.8135493118502363e-08, -1.2588013434988841e-08,
    2.687347540165562e-09, -5.606306795186578e-10, 1.2112084571030062e-10,
    -2.8854882411772176e-11, 4.4687239372348335e-12,
);
const ERFC_FAR = array<F, 9>(
    0.9928664108310903, -0.006327646075773321, 0.00011776410942628145,
    -3.5593585642220016e-06, 1.4689401366892544e-07, -7.608129975511604e-09,
    4.705141765531858e-10, -3.4182212940368204e-11, 2.7713738236159927e-12,
);
const ERFINV_CENTRAL = array<F, 9>(
    0.9640216434413197, 0.09346752508605025, 0.01969086955814237, 0.005176749013039309,
    0.001511967386538402, 0.0004555315039709826, 0.00014533134198674788,
    6.659587380296493e-05, 2.3543167979428688e-05,
);
const ERFINV_TAIL = array<F, 9>(
    3.5584404216841814, 2.7243081276724244, -0.032061127144195636, 0.005843542556600241,
    0.003646149071502523, 0.00625095152252251, -0.004642609992812291,
    -0.013776654700491612, 0.010617821776396348,
);

// Horner evaluation of a table (copied into a variable: WGSL indexes values only by constants).
fn poly11(c: array<F, 11>, t: F) -> F {
    var k = c;
    var acc = F(0.0);
    for (var i = 10; i >= 0; i--) { acc = acc * t + k[i]; }
    return acc;
}

fn poly15(c: array<F, 15>, t: F) -> F {
    var k = c;
    var acc = F(0.0);
    for (var i = 14; i >= 0; i--) { acc = acc * t + k[i]; }
    return acc;
}

fn poly17(c: array<F, 17>, t: F) -> F {
    var k = c;
    var acc = F(0.0);
    for (var i = 16; i >= 0; i--) { acc = acc * t + k[i]; }
    return acc;
}

fn poly9(c: array<F, 9>, t: F) -> F {
    var k = c;
    var acc = F(0.0);
    for (var i = 8; i >= 0; i--) { acc = acc * t + k[i]; }
    return acc;
}

// erfc(x) exp(x^2) for 1 <= x < 6.
fn erfcx_mid(x: F) -> F {
    if (x < 2.0) { return poly15(ERFCX_1_2, 2.0 * (x - 1.0) - 1.0); }
    if (x < 3.5) { return poly15(ERFCX_2_35, 2.0 * (x - 2.0) / 1.5 - 1.0); }
    return poly17(ERFCX_35_6, 2.0 * (x - 3.5) / 2.5 - 1.0);
}

fn f_erf(x: F) -> F {
    let a = abs(x);
    if (a < 1.0) {
        return x * poly11(ERF_SMALL, 2.0 * a * a - 1.0);
    }
    if (f_is_nan(x)) { return x; }
    var m = F(1.0);
    if (a < 6.0) {
        m = 1.0 - exp_neg_square(a) * erfcx_mid(a);
    }
    return select(m, -m, f_signbit(x));
}

// 1 - erf(x), keeping its relative accuracy where it is tiny.
fn f_erfc(x: F) -> F {
    if (f_is_nan(x)) { return x; }
    if (x < 1.0) { return 1.0 - f_erf(x); }
    if (x < 6.0) { return exp_neg_square(x) * erfcx_mid(x); }
    if (x < 27.3) {
        let u = 1.0 / (x * x);
        let t = 2.0 * (u - 1.0 / 729.0) / (1.0 / 36.0 - 1.0 / 729.0) - 1.0;
        return exp_neg_square(x) * F(0.5 * TWO_OVER_SQRT_PI) / x * poly9(ERFC_FAR, t);
    }
    return 0.0;
}

// One Halley step on erf(x) - y = 0, given f = erf(x) - y (erf'' = -2x erf').
fn erfinv_halley(x: F, f: F) -> F {
    let slope = F(TWO_OVER_SQRT_PI) * exp_neg_square(x);
    return x - f / (slope + x * f);
}

// erfinv(a) for 0 <= a < 1 given r = 1 - a exactly: a polynomial guess and two Halley
// steps, on erf in the middle and on erfc in the tail, where r keeps full relative accuracy.
fn erfinv_split(a: F, r: F) -> F {
    if (a <= 0.75) {
        var x = a * poly9(ERFINV_CENTRAL, 2.0 * a * a / 0.5625 - 1.0);
        x = erfinv_halley(x, f_erf(x) - a);
        return erfinv_halley(x, f_erf(x) - a);
    }
    let w = sqrt(-f_log(r));
    let lo = F(1.1774100225154747);
    let hi = F(6.44894028764391);
    var x = poly9(ERFINV_TAIL, 2.0 * (w - lo) / (hi - lo) - 1.0);
    x = erfinv_halley(x, r - f_erfc(x));
    return erfinv_halley(x, r - f_erfc(x));
}

fn f_erfinv(y: F) -> F {
    let a = abs(y);
    if (f_is_nan(y) || a > 1.0) { return f_nan(); }
    var x = f_inf();
    if (a < 1.0) { x = erfinv_split(a, 1.0 - a); }
    return select(x, -x, f_signbit(y));
}

// The standard normal CDF, accurate in both tails.
fn f_normal_cdf(x: F) -> F {
    return 0.5 * f_erfc(-x * F(FRAC_1_SQRT_2));
}

// The standard normal quantile of u in (0, 1): -sqrt(2) erfcinv(2u) below the median and
// its mirror above, so both tails keep their accuracy.
fn f_normal_quantile(u: F) -> F {
    let p = min(u, 1.0 - u);
    let r = 2.0 * p;
    let x = F(1.41421356237309504880) * erfinv_split(1.0 - r, r);
    return select(x, -x, u < 0.5);
}
