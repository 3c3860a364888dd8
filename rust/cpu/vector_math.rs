//! Elementary functions written so that loops over them vectorize: straight-line float and
//! integer arithmetic on bit patterns, no calls into libm, no data-dependent branches (the
//! `if`s below become selects). `exp`, `exp_m1`, `ln`, `ln_1p`, `tanh` to about 1-2 ulp, and
//! exact rounding.
//!
//! `exp(x) = 2^n exp(r)` with `n = round(x / ln 2)` and `|r| <= ln(2) / 2`; `exp(r)` is its
//! Taylor polynomial (the next term is below half an ulp) and `2^n` is built in the exponent
//! bits, in two halves so results near the ends of the range stay exact or subnormal.
//! `ln(x) = k ln 2 + ln(m)` with `m` in `[sqrt(1/2), sqrt(2))` read off the bits, and
//! `ln(m) = 2 atanh(s)`, `s = (m - 1) / (m + 1)`, an odd series in `|s| <= 0.172`.

macro_rules! vector_math {
    (
        $t:ty, $bits:ty, $ubits:ty, $mod:ident,
        mantissa: $mant:expr, bias: $bias:expr,
        ln2_hi: $hi:expr, ln2_lo: $lo:expr,
        range: ($min:expr, $max:expr),
        taylor: $taylor:expr,
        atanh: $atanh:expr,
        sqrt_half_bits: $sqrt_half:expr,
        subnormal_scale: $sub:expr,
        tanh_saturates: $tanh_max:expr $(,)?
    ) => {
        pub mod $mod {
            /// `1.5 * 2^mantissa`: adding it rounds to an integer (ties to even) kept in the
            /// low mantissa bits.
            const MAGIC: $t = 1.5 * (1u64 << $mant) as $t;
            /// `2^mantissa`: from here on every float is an integer.
            const INTEGRAL: $t = (1u64 << $mant) as $t;

            /// The integer a float holding an integral value `v` (|v| < 2^(mantissa - 1)) has,
            /// read off the bits of `v + MAGIC`. Plain integer subtraction: it vectorizes on
            /// every x86 level, where float-to-int64 conversions do not.
            #[inline(always)]
            fn to_int(v: $t) -> $bits {
                ((v + MAGIC).to_bits() as $bits).wrapping_sub(MAGIC.to_bits() as $bits)
            }

            /// The float of a small integer, the inverse of [`to_int`].
            #[inline(always)]
            fn to_float(k: $bits) -> $t {
                <$t>::from_bits((MAGIC.to_bits() as $bits).wrapping_add(k) as $ubits) - MAGIC
            }

            /// `e^x`.
            #[inline(always)]
            pub fn exp(x: $t) -> $t {
                // Past these bounds the result is 0 or inf anyway (NaN passes through). Two
                // plain selects: a chained `else if` compiles to slower code.
                let x = if x < $min { $min } else { x };
                let x = if x > $max { $max } else { x };
                let n = (x * core::f64::consts::LOG2_E as $t + MAGIC) - MAGIC;
                let r = (x - n * $hi) - n * $lo;
                let poly = $taylor
                    .iter()
                    .rev()
                    .fold(0.0 as $t, |acc: $t, &c: &$t| acc * r + c);
                // 2^n in two factors; wrapping: a NaN input gives arbitrary bits here, and a
                // NaN result anyway.
                let half = to_int(n * 0.5);
                let rest = to_int(n).wrapping_sub(half);
                let scale =
                    |k: $bits| <$t>::from_bits(k.wrapping_add($bias).wrapping_shl($mant) as $ubits);
                poly * scale(half) * scale(rest)
            }

            /// `e^x - 1`, accurate near 0 (where `exp(x) - 1` would cancel).
            #[inline(always)]
            pub fn exp_m1(x: $t) -> $t {
                let near_zero = x * $taylor[1..]
                    .iter()
                    .rev()
                    .fold(0.0 as $t, |acc: $t, &c: &$t| acc * x + c);
                let far = exp(x) - 1.0;
                if x.abs() < 0.5 * core::f64::consts::LN_2 as $t {
                    near_zero
                } else {
                    far
                }
            }

            /// The natural logarithm.
            #[inline(always)]
            pub fn ln(x: $t) -> $t {
                // Subnormals are scaled into the normal range first.
                let subnormal = x < <$t>::MIN_POSITIVE;
                let (y, k_shift): ($t, $bits) = if subnormal {
                    (x * $sub.0, $sub.1)
                } else {
                    (x, 0)
                };
                let one = (1.0 as $t).to_bits() as $bits;
                let bits = (y.to_bits() as $bits).wrapping_add(one.wrapping_sub($sqrt_half));
                // A logical shift (the sign bit is clear for the inputs kept below).
                let exponent = ((bits as $ubits) >> $mant) as $bits;
                let k = exponent.wrapping_sub($bias + k_shift);
                let mask: $bits = (1 << $mant) - 1;
                let m = <$t>::from_bits(((bits & mask) + $sqrt_half) as $ubits);
                let f = m - 1.0;
                let s = f / (2.0 + f);
                let z = s * s;
                let series = $atanh
                    .iter()
                    .rev()
                    .fold(0.0 as $t, |acc: $t, &c: &$t| acc * z + c);
                let k = to_float(k);
                let finite = k * $hi + (s * series + k * $lo);
                // ln(inf) = inf, ln(0) = -inf, NaN for negatives and NaN.
                let out = if x == <$t>::INFINITY { x } else { finite };
                let out = if x == 0.0 { <$t>::NEG_INFINITY } else { out };
                if x >= 0.0 {
                    out
                } else {
                    <$t>::NAN
                }
            }

            /// `ln(1 + x)`, accurate near 0: `ln(u) x / (u - 1)` for `u = 1 + x` corrects
            /// the rounding of `u`.
            #[inline(always)]
            pub fn ln_1p(x: $t) -> $t {
                let u = 1.0 + x;
                let d = u - 1.0;
                let corrected = ln(u) * (x / d);
                // Tiny x (u rounded to 1) and +inf are their own answers.
                if d == 0.0 || x == <$t>::INFINITY {
                    x
                } else {
                    corrected
                }
            }

            /// `tanh(x) = t / (t + 2)` with `t = e^(2|x|) - 1`, signed.
            #[inline(always)]
            pub fn tanh(x: $t) -> $t {
                let a = x.abs();
                // Past this tanh is 1 to the last bit; clamping keeps t finite.
                let a = if a > $tanh_max { $tanh_max } else { a };
                let t = exp_m1(a + a);
                (t / (t + 2.0)).copysign(x)
            }

            /// The logistic function `1 / (1 + e^-x)`, never exponentiating a large number.
            #[inline(always)]
            pub fn sigmoid(x: $t) -> $t {
                let e = exp(-x.abs());
                let r = 1.0 / (1.0 + e);
                if x >= 0.0 {
                    r
                } else {
                    e * r
                }
            }

            /// Round half to even.
            #[inline(always)]
            pub fn round(x: $t) -> $t {
                let a = x.abs();
                let r = ((a + INTEGRAL) - INTEGRAL).copysign(x);
                // Large values, infinities and NaN are already integral.
                if a < INTEGRAL {
                    r
                } else {
                    x
                }
            }

            #[inline(always)]
            pub fn floor(x: $t) -> $t {
                let r = round(x);
                // The result has x's sign (floor(-0.0) is -0.0).
                if r > x { r - 1.0 } else { r }.copysign(x)
            }

            #[inline(always)]
            pub fn ceil(x: $t) -> $t {
                let r = round(x);
                // The result has x's sign (ceil(-0.7) is -0.0).
                if r < x { r + 1.0 } else { r }.copysign(x)
            }

            #[inline(always)]
            pub fn trunc(x: $t) -> $t {
                floor(x.abs()).copysign(x)
            }
        }
    };
}

vector_math!(
    f64, i64, u64, f64_math,
    mantissa: 52, bias: 1023,
    // ln 2 cut to 21 significant bits, so n * ln2_hi is exact; ln2_lo is the rest.
    ln2_hi: 0.6931467056274414, ln2_lo: 4.749_325_039_031_672_6e-7,
    range: (-746.0, 710.0),
    taylor: [
        1.0f64,
        1.0,
        0.5,
        0.166_666_666_666_666_66,
        0.041_666_666_666_666_664,
        0.008_333_333_333_333_333,
        0.001_388_888_888_888_889,
        0.000_198_412_698_412_698_4,
        2.480_158_730_158_73e-5,
        2.755_731_922_398_589_3e-6,
        2.755_731_922_398_589e-7,
        2.505_210_838_544_172e-8,
        2.087_675_698_786_81e-9,
        1.605_904_383_682_161_3e-10,
    ],
    atanh: [
        2.0f64,
        0.666_666_666_666_666_6,
        0.4,
        0.285_714_285_714_285_7,
        0.222_222_222_222_222_2,
        0.181_818_181_818_181_82,
        0.153_846_153_846_153_85,
        0.133_333_333_333_333_33,
        0.117_647_058_823_529_41,
        0.105_263_157_894_736_84,
        0.095_238_095_238_095_23,
    ],
    sqrt_half_bits: 0x3fe6_a09e_667f_3bcd,
    subnormal_scale: (18014398509481984.0, 54),
    tanh_saturates: 20.0,
);

vector_math!(
    f32, i32, u32, f32_math,
    mantissa: 23, bias: 127,
    // 2839 / 4096: 12 bits, so n * ln2_hi is exact.
    ln2_hi: 2839.0 / 4096.0, ln2_lo: 3.194_618_3e-5,
    range: (-104.0, 89.0),
    taylor: [
        1.0f32,
        1.0,
        0.5,
        0.166_666_67,
        0.041_666_668,
        0.008_333_334,
        0.001_388_888_9,
        0.000_198_412_7,
    ],
    atanh: [2.0f32, 0.666_666_7, 0.4, 0.285_714_3, 0.222_222_22, 0.181_818_19],
    sqrt_half_bits: 0x3f35_04f3,
    subnormal_scale: (33554432.0, 25),
    tanh_saturates: 10.0,
);

#[cfg(test)]
mod tests {
    use super::{f32_math, f64_math};

    fn ulps64(a: f64, b: f64) -> f64 {
        ((a - b) / (b.abs() * f64::EPSILON)).abs()
    }

    #[test]
    fn exp_f64_is_within_two_ulps() {
        let mut x = -745.0;
        while x < 709.7 {
            let (got, want) = (f64_math::exp(x), x.exp());
            if want >= f64::MIN_POSITIVE {
                assert!(ulps64(got, want) <= 2.0, "exp({x}) = {got}, want {want}");
            } else {
                // Subnormal: an ulp is the smallest subnormal.
                assert!(
                    (got - want).abs() <= 2.0 * 5e-324,
                    "exp({x}) = {got}, want {want}"
                );
            }
            x += 0.0137;
        }
        assert_eq!(f64_math::exp(0.0), 1.0);
        assert_eq!(f64_math::exp(710.0), f64::INFINITY);
        assert_eq!(f64_math::exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(f64_math::exp(-800.0), 0.0);
        assert_eq!(f64_math::exp(f64::NEG_INFINITY), 0.0);
        assert!(f64_math::exp(f64::NAN).is_nan());
    }

    #[test]
    fn exp_f32_is_within_two_ulps() {
        let mut x = -103.0f32;
        while x < 88.7 {
            let (got, want) = (f32_math::exp(x), (x as f64).exp());
            if want >= f32::MIN_POSITIVE as f64 {
                let ulps = ((got as f64 - want) / (want * f32::EPSILON as f64)).abs();
                assert!(ulps <= 2.0, "exp({x}) = {got}, want {want}");
            }
            x += 0.00731;
        }
        assert_eq!(f32_math::exp(89.0), f32::INFINITY);
        assert_eq!(f32_math::exp(-200.0), 0.0);
        assert!(f32_math::exp(f32::NAN).is_nan());
    }

    /// Checks `f` against `reference` (in f64) over `xs`, in ulps of the result.
    fn within_ulps<T: Copy + Into<f64> + std::fmt::Display>(
        name: &str,
        xs: impl Iterator<Item = T>,
        f: impl Fn(T) -> T,
        reference: impl Fn(f64) -> f64,
        eps: f64,
        max_ulps: f64,
    ) {
        for x in xs {
            let (got, want) = (f(x).into(), reference(x.into()));
            let ulps = ((got - want) / (want.abs().max(1e-300) * eps)).abs();
            assert!(
                ulps <= max_ulps,
                "{name}({x}) = {got}, want {want} ({ulps} ulps)"
            );
        }
    }

    fn grid(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        (0..=n).map(move |i| lo + (hi - lo) * i as f64 / n as f64)
    }

    #[test]
    fn exp_m1_ln_ln_1p_tanh_sigmoid_f64() {
        let e = f64::EPSILON;
        within_ulps(
            "exp_m1",
            grid(-40.0, 40.0, 20011),
            f64_math::exp_m1,
            f64::exp_m1,
            e,
            2.0,
        );
        within_ulps(
            "exp_m1",
            grid(-1e-6, 1e-6, 2001),
            f64_math::exp_m1,
            f64::exp_m1,
            e,
            2.0,
        );
        let positives = grid(-300.0, 300.0, 20011).map(|p| 10f64.powf(p));
        within_ulps("ln", positives, f64_math::ln, f64::ln, e, 2.0);
        within_ulps("ln", grid(0.5, 2.0, 20011), f64_math::ln, f64::ln, e, 2.0);
        within_ulps(
            "ln_1p",
            grid(-0.999, 1e3, 20011),
            f64_math::ln_1p,
            f64::ln_1p,
            e,
            2.0,
        );
        within_ulps(
            "ln_1p",
            grid(-1e-9, 1e-9, 2001),
            f64_math::ln_1p,
            f64::ln_1p,
            e,
            2.0,
        );
        within_ulps(
            "tanh",
            grid(-25.0, 25.0, 20011),
            f64_math::tanh,
            f64::tanh,
            e,
            3.0,
        );
        within_ulps(
            "tanh",
            grid(-1e-5, 1e-5, 2001),
            f64_math::tanh,
            f64::tanh,
            e,
            3.0,
        );
        let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
        within_ulps(
            "sigmoid",
            grid(-700.0, 700.0, 20011),
            f64_math::sigmoid,
            sigmoid,
            e,
            3.0,
        );
        assert_eq!(f64_math::ln(5e-324), (5e-324f64).ln());
        assert_eq!(f64_math::ln(0.0), f64::NEG_INFINITY);
        assert_eq!(f64_math::ln(f64::INFINITY), f64::INFINITY);
        assert!(f64_math::ln(-1.0).is_nan() && f64_math::ln(f64::NAN).is_nan());
        assert_eq!(f64_math::ln_1p(-1.0), f64::NEG_INFINITY);
        assert_eq!(f64_math::ln_1p(f64::INFINITY), f64::INFINITY);
        assert!(f64_math::ln_1p(-2.0).is_nan());
        assert_eq!(f64_math::tanh(f64::INFINITY), 1.0);
        assert_eq!(f64_math::tanh(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(f64_math::tanh(f64::NAN).is_nan() && f64_math::exp_m1(f64::NAN).is_nan());
        assert_eq!(f64_math::exp_m1(f64::NEG_INFINITY), -1.0);
    }

    #[test]
    fn exp_m1_ln_ln_1p_tanh_sigmoid_f32() {
        let e = f32::EPSILON as f64;
        let g = |lo: f64, hi: f64, n| grid(lo, hi, n).map(|v| v as f32);
        within_ulps(
            "exp_m1",
            g(-20.0, 20.0, 20011),
            f32_math::exp_m1,
            f64::exp_m1,
            e,
            2.0,
        );
        let positives = grid(-37.0, 38.0, 20011).map(|p| 10f64.powf(p) as f32);
        within_ulps("ln", positives, f32_math::ln, f64::ln, e, 2.0);
        within_ulps(
            "ln_1p",
            g(-0.999, 1e3, 20011),
            f32_math::ln_1p,
            f64::ln_1p,
            e,
            2.0,
        );
        within_ulps(
            "tanh",
            g(-12.0, 12.0, 20011),
            f32_math::tanh,
            f64::tanh,
            e,
            3.0,
        );
        let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
        within_ulps(
            "sigmoid",
            g(-80.0, 80.0, 20011),
            f32_math::sigmoid,
            sigmoid,
            e,
            3.0,
        );
        assert_eq!(f32_math::ln(0.0), f32::NEG_INFINITY);
        assert!(f32_math::ln(-1.0).is_nan());
        assert_eq!(f32_math::ln(1e-45), (1e-45f32 as f64).ln() as f32);
    }

    #[test]
    fn rounding_matches_the_standard_library() {
        let values = [
            0.0,
            -0.0,
            0.3,
            -0.3,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.7,
            -0.7,
            3.0,
            -3.0,
            1e15 + 0.5,
            4503599627370497.0,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in values {
            let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
            assert!(same(f64_math::round(v), v.round_ties_even()), "round({v})");
            assert!(same(f64_math::floor(v), v.floor()), "floor({v})");
            assert!(same(f64_math::ceil(v), v.ceil()), "ceil({v})");
            assert!(same(f64_math::trunc(v), v.trunc()), "trunc({v})");
            let w = v as f32;
            let same32 = |a: f32, b: f32| a.to_bits() == b.to_bits();
            assert!(
                same32(f32_math::round(w), w.round_ties_even()),
                "round({w})"
            );
            assert!(same32(f32_math::floor(w), w.floor()), "floor({w})");
            assert!(same32(f32_math::ceil(w), w.ceil()), "ceil({w})");
            assert!(same32(f32_math::trunc(w), w.trunc()), "trunc({w})");
        }
        assert!(f64_math::floor(f64::NAN).is_nan() && f32_math::round(f32::NAN).is_nan());
    }
}
