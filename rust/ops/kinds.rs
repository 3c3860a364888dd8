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
