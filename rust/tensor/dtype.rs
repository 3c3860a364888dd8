//! Element types, PyTorch's promotion lattice, and the `Element` trait kernels are generic over.

use crate::error::{Error, Result};

/// The element type of a tensor. float32 is the default, as in PyTorch.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    // Order matters: it is the promotion order (a later variant wins).
    Bool,
    Int32,
    Int64,
    Float32,
    Float64,
}

/// Broad kinds used by PyTorch's type promotion: a higher category always wins.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Integral,
    Floating,
}

impl DType {
    pub const ALL: [DType; 5] = [
        DType::Bool,
        DType::Int32,
        DType::Int64,
        DType::Float32,
        DType::Float64,
    ];

    /// PyTorch's name, as in `torch.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Legacy tensor type name, as in `torch.FloatTensor`.
    pub fn legacy_type_name(self) -> &'static str {
        match self {
            DType::Bool => "BoolTensor",
            DType::Int32 => "IntTensor",
            DType::Int64 => "LongTensor",
            DType::Float32 => "FloatTensor",
            DType::Float64 => "DoubleTensor",
        }
    }

    /// PyTorch's C++ scalar type name, used in some error messages ("Float", "Long").
    pub fn scalar_type_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::Int32 => "Int",
            DType::Int64 => "Long",
            DType::Float32 => "Float",
            DType::Float64 => "Double",
        }
    }

    pub fn size(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }

    pub fn is_floating_point(self) -> bool {
        matches!(self, DType::Float32 | DType::Float64)
    }

    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::Int32 | DType::Int64 => Category::Integral,
            DType::Float32 | DType::Float64 => Category::Floating,
        }
    }

    /// `torch.promote_types`: for the five dtypes here it is the later one in the lattice.
    pub fn promote(self, other: DType) -> DType {
        self.max(other)
    }

    /// The floating type an integral input computes in (PyTorch uses the default dtype).
    pub fn to_floating(self) -> DType {
        if self.is_floating_point() {
            self
        } else {
            DType::Float32
        }
    }
}

/// What PyTorch's `result_type` needs to know about one operand.
#[derive(Copy, Clone, Debug)]
pub enum Operand {
    /// A tensor with at least one dimension.
    Dimensioned(DType),
    /// A zero-dimensional tensor.
    ZeroDim(DType),
    /// A Python number (a "wrapped number" in PyTorch): bool, int or float.
    Scalar(Category),
}

/// `torch.result_type`: dimensioned tensors decide unless a zero-dim tensor or a Python
/// scalar is of a higher category; a Python float then gives the default dtype (float32).
pub fn result_type(operands: &[Operand]) -> DType {
    let mut dim: Option<DType> = None;
    let mut zero: Option<DType> = None;
    let mut wrapped: Option<DType> = None;
    let join = |slot: &mut Option<DType>, d: DType| *slot = Some(slot.map_or(d, |s| s.promote(d)));
    for op in operands {
        match *op {
            Operand::Dimensioned(d) => join(&mut dim, d),
            Operand::ZeroDim(d) => join(&mut zero, d),
            Operand::Scalar(c) => join(
                &mut wrapped,
                match c {
                    Category::Bool => DType::Bool,
                    Category::Integral => DType::Int64,
                    Category::Floating => DType::Float32,
                },
            ),
        }
    }
    combine(dim, combine(zero, wrapped)).unwrap_or(DType::Float32)
}

/// Joins a higher-priority state with a lower one: the lower only matters when it is of a
/// strictly higher category.
fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (h, None) => h,
        (Some(h), Some(l)) => Some(if l.category() > h.category() {
            h.promote(l)
        } else {
            h
        }),
    }
}

/// A Rust type that can live in a tensor's storage.
pub trait Element: Copy + Send + Sync + PartialOrd + std::fmt::Debug + 'static {
    const DTYPE: DType;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
    fn zero() -> Self;
    fn one() -> Self;
}

macro_rules! element_number {
    ($t:ty, $d:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn zero() -> Self {
                0 as $t
            }
            #[inline(always)]
            fn one() -> Self {
                1 as $t
            }
        }
    };
}

element_number!(f32, DType::Float32);
element_number!(f64, DType::Float64);
element_number!(i64, DType::Int64);
element_number!(i32, DType::Int32);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn zero() -> Self {
        false
    }
    fn one() -> Self {
        true
    }
}

/// Runs `$body` with `$t` bound to the Rust element type of `$dtype`.
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::tensor::DType::Bool => {
                type $t = bool;
                $body
            }
            $crate::tensor::DType::Int32 => {
                type $t = i32;
                $body
            }
            $crate::tensor::DType::Int64 => {
                type $t = i64;
                $body
            }
            $crate::tensor::DType::Float32 => {
                type $t = f32;
                $body
            }
            $crate::tensor::DType::Float64 => {
                type $t = f64;
                $body
            }
        }
    };
}

/// Like [`with_dtype!`] for the two floating types; other dtypes are a caller bug.
#[macro_export]
macro_rules! with_float_dtype {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::tensor::DType::Float32 => {
                type $t = f32;
                $body
            }
            $crate::tensor::DType::Float64 => {
                type $t = f64;
                $body
            }
            other => unreachable!("floating kernel called with {:?}", other),
        }
    };
}

/// The error PyTorch raises when an op needs a floating input.
pub fn require_floating(dtype: DType, what: &str) -> Result<()> {
    if dtype.is_floating_point() {
        Ok(())
    } else {
        Err(Error::runtime(format!(
            "{what}: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            dtype.scalar_type_name()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_follows_pytorch() {
        use Operand::*;
        assert_eq!(
            result_type(&[Dimensioned(DType::Int64), Scalar(Category::Floating)]),
            DType::Float32
        );
        assert_eq!(
            result_type(&[Dimensioned(DType::Float32), Scalar(Category::Floating)]),
            DType::Float32
        );
        assert_eq!(
            result_type(&[Dimensioned(DType::Float32), ZeroDim(DType::Float64)]),
            DType::Float32
        );
        assert_eq!(
            result_type(&[Dimensioned(DType::Int32), ZeroDim(DType::Float64)]),
            DType::Float64
        );
        assert_eq!(
            result_type(&[Dimensioned(DType::Int32), Scalar(Category::Integral)]),
            DType::Int32
        );
        assert_eq!(
            result_type(&[Dimensioned(DType::Bool), Scalar(Category::Integral)]),
            DType::Int64
        );
        assert_eq!(
            result_type(&[ZeroDim(DType::Int64), ZeroDim(DType::Float64)]),
            DType::Float64
        );
        assert_eq!(
            result_type(&[Dimensioned(DType::Int32), Dimensioned(DType::Float64)]),
            DType::Float64
        );
    }
}
