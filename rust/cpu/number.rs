//! Arithmetic on element types: the per-element math the CPU kernels apply.

use crate::tensor::Element;

/// Arithmetic every element type supports, with PyTorch's meaning for bool (`+` is `or`,
/// `*` is `and`) and wrapping integer overflow.
pub trait Number: Element {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// Only reached for floats: the op layer turns integer true division into float division.
    fn div(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn sign(self) -> Self;
    /// C's `fmod`: the remainder has the dividend's sign. Integer division by zero is
    /// rejected by the op layer; the kernel gives 0.
    fn fmod(self, o: Self) -> Self;
    /// Python's `%`: the remainder has the divisor's sign.
    fn remainder(self, o: Self) -> Self;
    /// Python's `//`.
    fn floor_div(self, o: Self) -> Self;
    /// Bitwise and/or/xor: logical on bools; the op layer never sends floats.
    fn bit_and(self, o: Self) -> Self;
    fn bit_or(self, o: Self) -> Self;
    fn bit_xor(self, o: Self) -> Self;
    fn is_nan(self) -> bool {
        false
    }
    /// Larger of two, NaN winning (PyTorch's `maximum`/`max` semantics).
    fn max_nan(self, o: Self) -> Self {
        if self.is_nan() {
            self
        } else if o.is_nan() || o > self {
            o
        } else {
            self
        }
    }
    /// Smaller of two, NaN winning.
    fn min_nan(self, o: Self) -> Self {
        if self.is_nan() {
            self
        } else if o.is_nan() || o < self {
            o
        } else {
            self
        }
    }
}

macro_rules! number_int {
    ($t:ty) => {
        impl Number for $t {
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                if o == 0 {
                    0
                } else {
                    self.wrapping_div(o)
                }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                match o {
                    e if e >= 0 => self.wrapping_pow(u32::try_from(e).unwrap_or(u32::MAX)),
                    // Negative powers are rejected by the op layer except for bases 1 and -1.
                    _ if self == 1 => 1,
                    _ if self == -1 => {
                        if o % 2 == 0 {
                            1
                        } else {
                            -1
                        }
                    }
                    _ => 0,
                }
            }
            #[inline(always)]
            fn neg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.wrapping_abs()
            }
            #[inline(always)]
            fn sign(self) -> Self {
                self.signum()
            }
            #[inline(always)]
            fn fmod(self, o: Self) -> Self {
                if o == 0 {
                    0
                } else {
                    self.wrapping_rem(o)
                }
            }
            #[inline(always)]
            fn remainder(self, o: Self) -> Self {
                let r = self.fmod(o);
                if r != 0 && (r < 0) != (o < 0) {
                    r + o
                } else {
                    r
                }
            }
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let q = self.wrapping_div(o);
                if self.wrapping_rem(o) != 0 && (self < 0) != (o < 0) {
                    q - 1
                } else {
                    q
                }
            }
            #[inline(always)]
            fn bit_and(self, o: Self) -> Self {
                self & o
            }
            #[inline(always)]
            fn bit_or(self, o: Self) -> Self {
                self | o
            }
            #[inline(always)]
            fn bit_xor(self, o: Self) -> Self {
                self ^ o
            }
        }
    };
}

number_int!(i32);
number_int!(i64);

macro_rules! number_float {
    ($t:ty) => {
        impl Number for $t {
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self / o
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                if o == 2.0 {
                    self * self
                } else {
                    self.powf(o)
                }
            }
            #[inline(always)]
            fn neg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.abs()
            }
            #[inline(always)]
            fn sign(self) -> Self {
                if self > 0.0 {
                    1.0
                } else if self < 0.0 {
                    -1.0
                } else {
                    self // keeps 0, -0 and NaN
                }
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                self.is_nan()
            }
            #[inline(always)]
            fn fmod(self, o: Self) -> Self {
                self % o
            }
            #[inline(always)]
            fn remainder(self, o: Self) -> Self {
                let r = self % o;
                if r != 0.0 && (r < 0.0) != (o < 0.0) {
                    r + o
                } else {
                    r
                }
            }
            /// Python's algorithm: exact for every representable quotient.
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                if o == 0.0 {
                    return self / o;
                }
                let m = self % o;
                let mut div = (self - m) / o;
                if m != 0.0 && (o < 0.0) != (m < 0.0) {
                    div -= 1.0;
                }
                if div == 0.0 {
                    return (0.0 as $t).copysign(self / o);
                }
                let floor = div.floor();
                if div - floor > 0.5 {
                    floor + 1.0
                } else {
                    floor
                }
            }
            // Bit patterns: never reached (the op layer rejects floats), but total.
            #[inline(always)]
            fn bit_and(self, o: Self) -> Self {
                <$t>::from_bits(self.to_bits() & o.to_bits())
            }
            #[inline(always)]
            fn bit_or(self, o: Self) -> Self {
                <$t>::from_bits(self.to_bits() | o.to_bits())
            }
            #[inline(always)]
            fn bit_xor(self, o: Self) -> Self {
                <$t>::from_bits(self.to_bits() ^ o.to_bits())
            }
        }
    };
}

number_float!(f32);
number_float!(f64);

impl Number for bool {
    fn add(self, o: Self) -> Self {
        self | o
    }
    fn sub(self, o: Self) -> Self {
        self ^ o
    }
    fn mul(self, o: Self) -> Self {
        self & o
    }
    fn div(self, o: Self) -> Self {
        self & o
    }
    fn pow(self, o: Self) -> Self {
        self | !o
    }
    fn neg(self) -> Self {
        self
    }
    fn abs(self) -> Self {
        self
    }
    fn sign(self) -> Self {
        self
    }
    fn fmod(self, o: Self) -> Self {
        self & !o
    }
    fn remainder(self, o: Self) -> Self {
        self & !o
    }
    fn floor_div(self, o: Self) -> Self {
        self & o
    }
    fn bit_and(self, o: Self) -> Self {
        self & o
    }
    fn bit_or(self, o: Self) -> Self {
        self | o
    }
    fn bit_xor(self, o: Self) -> Self {
        self ^ o
    }
}

/// Transcendental math on the two float types, with operators so formulas read as math.
pub trait Float:
    Number
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
{
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tanh(self) -> Self;
    fn sigmoid(self) -> Self;
    fn exp2(self) -> Self;
    fn exp_m1(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn ln_1p(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    /// Half to even.
    fn round(self) -> Self;
    fn trunc(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn atan2(self, o: Self) -> Self;
    fn erf(self) -> Self;
    /// `1 - erf(x)`, accurate where it is tiny.
    fn erfc(self) -> Self;
    fn erfinv(self) -> Self;
    fn is_finite(self) -> bool;
    fn is_infinite(self) -> bool;
    /// The constant `v` in this type.
    fn of(v: f64) -> Self;
}

/// `$vector`: the type's module in `vector_math`; `$erf`/`$erfc`: its error functions.
macro_rules! float_math {
    ($t:ty, $vector:ident, $erf:path, $erfc:path) => {
        impl Float for $t {
            #[inline(always)]
            fn exp(self) -> Self {
                super::vector_math::$vector::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                super::vector_math::$vector::ln(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                super::vector_math::$vector::tanh(self)
            }
            #[inline(always)]
            fn sigmoid(self) -> Self {
                super::vector_math::$vector::sigmoid(self)
            }
            #[inline(always)]
            fn exp2(self) -> Self {
                <$t>::exp2(self)
            }
            #[inline(always)]
            fn exp_m1(self) -> Self {
                super::vector_math::$vector::exp_m1(self)
            }
            #[inline(always)]
            fn log2(self) -> Self {
                <$t>::log2(self)
            }
            #[inline(always)]
            fn log10(self) -> Self {
                <$t>::log10(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                super::vector_math::$vector::ln_1p(self)
            }
            #[inline(always)]
            fn floor(self) -> Self {
                super::vector_math::$vector::floor(self)
            }
            #[inline(always)]
            fn ceil(self) -> Self {
                super::vector_math::$vector::ceil(self)
            }
            #[inline(always)]
            fn round(self) -> Self {
                super::vector_math::$vector::round(self)
            }
            #[inline(always)]
            fn trunc(self) -> Self {
                super::vector_math::$vector::trunc(self)
            }
            #[inline(always)]
            fn sinh(self) -> Self {
                <$t>::sinh(self)
            }
            #[inline(always)]
            fn cosh(self) -> Self {
                <$t>::cosh(self)
            }
            #[inline(always)]
            fn tan(self) -> Self {
                <$t>::tan(self)
            }
            #[inline(always)]
            fn asin(self) -> Self {
                <$t>::asin(self)
            }
            #[inline(always)]
            fn acos(self) -> Self {
                <$t>::acos(self)
            }
            #[inline(always)]
            fn atan(self) -> Self {
                <$t>::atan(self)
            }
            #[inline(always)]
            fn atan2(self, o: Self) -> Self {
                <$t>::atan2(self, o)
            }
            #[inline(always)]
            fn erf(self) -> Self {
                $erf(self as f64) as $t
            }
            #[inline(always)]
            fn erfc(self) -> Self {
                $erfc(self as f64) as $t
            }
            #[inline(always)]
            fn erfinv(self) -> Self {
                super::special::erfinv(self as f64) as $t
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn is_infinite(self) -> bool {
                <$t>::is_infinite(self)
            }
            #[inline(always)]
            fn of(v: f64) -> Self {
                v as $t
            }
        }
    };
}

float_math!(
    f32,
    f32_math,
    super::special::erf_single,
    super::special::erfc_single
);
float_math!(f64, f64_math, super::special::erf, super::special::erfc);
