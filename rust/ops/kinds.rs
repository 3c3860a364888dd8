//! The elementwise and reduction operations, named once. Each backend (CPU now, WGSL later)
//! implements them by matching on these enums, so an op is added in one place per backend.

/// One-input elementwise ops on floating tensors (and `Neg`/`Abs`/`Sign` on any number).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sign,
    Exp,
    Log,
    Sqrt,
    Rsqrt,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Relu,
    Reciprocal,
    Square,
    Exp2,
    Expm1,
    Log2,
    Log10,
    Log1p,
    Floor,
    Ceil,
    /// Half to even, as in PyTorch.
    Round,
    Trunc,
    Frac,
    Sinh,
    Cosh,
    Tan,
    Asin,
    Acos,
    Atan,
    Erf,
    Erfinv,
}

/// Two-input elementwise ops with a result of the inputs' dtype.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
    Atan2,
    /// C's `fmod`: the remainder takes the dividend's sign.
    Fmod,
    /// Python's `%`: the remainder takes the divisor's sign.
    Remainder,
    /// Python's `//`: the quotient rounded toward negative infinity.
    FloorDivide,
    /// Bitwise on integers, logical on bools.
    BitAnd,
    BitOr,
    BitXor,
}

/// Two-input comparisons with a bool result.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Reductions over some dims.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Max,
    Min,
    /// Square root of the sum of squares (the 2-norm).
    Norm2,
    /// Integers and bools multiply in int64, floats in float64.
    Prod,
    /// Whether every element is nonzero (bool result).
    All,
    /// Whether some element is nonzero (bool result).
    Any,
    /// `log(sum(exp(x)))`, computed around the block's maximum so it never overflows.
    LogSumExp,
    /// Sum of squared deviations from the block's mean: the numerator of the variance.
    SquaredDeviation,
}

/// Three-input elementwise ops; all operands share one dtype and are broadcast together.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum TernaryOp {
    /// `min(max(x, lo), hi)`: NaN anywhere gives NaN; `lo > hi` gives `hi`.
    Clamp,
}

/// Elementwise tests with a bool result, on any dtype.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PredicateOp {
    IsNan,
    IsInf,
    IsPosInf,
    IsNegInf,
    IsFinite,
}

/// Activation functions on floating tensors. Each has a forward kernel and a fused gradient
/// kernel `(grad, x) -> grad * f'(x)`; some carry numbers.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Activation {
    /// `x Φ(x)` with the exact normal CDF.
    Gelu,
    /// GELU's tanh approximation.
    GeluTanh,
    /// `x σ(x)`.
    Silu,
    /// `x tanh(softplus(x))`.
    Mish,
    /// `log(1 + exp(beta x)) / beta`, or `x` where `beta x > threshold`.
    Softplus {
        beta: f64,
        threshold: f64,
    },
    /// `scale x` for `x > 0`, else `scale alpha (exp(input_scale x) - 1)`.
    Elu {
        alpha: f64,
        scale: f64,
        input_scale: f64,
    },
    LeakyRelu {
        negative_slope: f64,
    },
    /// `x` clamped to `[min, max]`, with a zero gradient at the bounds.
    Hardtanh {
        min: f64,
        max: f64,
    },
    /// `x relu6(x + 3) / 6`.
    Hardswish,
    /// `relu6(x + 3) / 6`.
    Hardsigmoid,
    /// `log σ(x)`.
    LogSigmoid,
}

/// Scans (inclusive prefix reductions) along one dim.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ScanOp {
    Sum,
    Prod,
}

/// What a random fill draws.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Distribution {
    /// Uniform in [0, 1).
    Uniform,
    /// Standard normal.
    Normal,
    /// Uniform integers in [low, high).
    Integers { low: i64, high: i64 },
}
