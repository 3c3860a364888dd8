//! A Python number on the Rust side: operands like the `2` in `x * 2`.

use super::dtype::{Category, DType, Element};

/// A number that is not a tensor. It keeps its Python kind, which decides type promotion.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    pub fn category(self) -> Category {
        match self {
            Scalar::Bool(_) => Category::Bool,
            Scalar::Int(_) => Category::Integral,
            Scalar::Float(_) => Category::Floating,
        }
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }

    /// The value converted to element type `T` (floats truncate toward zero for ints).
    pub fn cast<T: Element>(self) -> T {
        match self {
            Scalar::Float(f) => T::from_f64(f),
            other => T::from_i64(other.to_i64()),
        }
    }

    /// Reads element `T` back into the matching Python kind.
    pub fn from_element<T: Element>(v: T) -> Scalar {
        match T::DTYPE {
            DType::Bool => Scalar::Bool(v.to_i64() != 0),
            DType::Int32 | DType::Int64 => Scalar::Int(v.to_i64()),
            DType::Float32 | DType::Float64 => Scalar::Float(v.to_f64()),
        }
    }

    pub fn is_zero(self) -> bool {
        self.to_f64() == 0.0
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar::Float(v)
    }
}

impl From<i64> for Scalar {
    fn from(v: i64) -> Self {
        Scalar::Int(v)
    }
}

impl From<bool> for Scalar {
    fn from(v: bool) -> Self {
        Scalar::Bool(v)
    }
}
