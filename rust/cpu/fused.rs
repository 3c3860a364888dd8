//! Kernels of ops that PyTorch rounds once: `a + alpha * b` (`add`/`sub` with `alpha`),
//! `self + (value * t1) * t2` (`addcmul`) and `lerp`, each a fused multiply-add on floats;
//! and `self + (value * t1) / t2` (`addcdiv`), whose division keeps it unfused. Optimizers
//! are written with these, so matching PyTorch's rounding here makes their updates match
//! PyTorch's bit for bit.
//!
//! Operands arrive in one dtype, broadcast to the output's shape.

use super::elementwise::{map2, map3};
use super::number::Number;
use crate::error::Result;
use crate::tensor::{Scalar, Tensor};
use crate::{with_dtype, with_float_dtype};

/// `self * b + c`: rounded once for floats (an FMA); plain arithmetic for integers and bool.
pub trait MulAdd: Number {
    fn mul_add(self, b: Self, c: Self) -> Self {
        Number::add(Number::mul(self, b), c)
    }
}

impl MulAdd for f32 {
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        f32::mul_add(self, b, c)
    }
}

impl MulAdd for f64 {
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        f64::mul_add(self, b, c)
    }
}

impl MulAdd for i64 {}
impl MulAdd for i32 {}
impl MulAdd for bool {}

/// `out = a + alpha * b`.
pub fn add_scaled_into(a: &Tensor, b: &Tensor, alpha: Scalar, out: &Tensor) -> Result<()> {
    with_dtype!(out.dtype(), T => unsafe {
        let alpha = alpha.cast::<T>();
        map2(out.cpu_ptr::<T>(), out.layout(), a.cpu_ptr::<T>(), a.layout(), b.cpu_ptr::<T>(), b.layout(),
            |x: T, y: T| MulAdd::mul_add(y, alpha, x))
    });
    Ok(())
}

/// `out = s + (value * t1) * t2`.
pub fn addcmul_into(
    s: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    out: &Tensor,
) -> Result<()> {
    with_dtype!(out.dtype(), T => unsafe {
        let value = value.cast::<T>();
        map3(out.cpu_ptr::<T>(), out.layout(), s.cpu_ptr::<T>(), s.layout(), t1.cpu_ptr::<T>(), t1.layout(),
            t2.cpu_ptr::<T>(), t2.layout(), |x: T, y: T, z: T| MulAdd::mul_add(Number::mul(value, y), z, x))
    });
    Ok(())
}

/// `out = s + (value * t1) / t2` (floating dtypes).
pub fn addcdiv_into(
    s: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    out: &Tensor,
) -> Result<()> {
    with_float_dtype!(out.dtype(), T => unsafe {
        let value = value.cast::<T>();
        map3(out.cpu_ptr::<T>(), out.layout(), s.cpu_ptr::<T>(), s.layout(), t1.cpu_ptr::<T>(), t1.layout(),
            t2.cpu_ptr::<T>(), t2.layout(), |x: T, y: T, z: T| Number::add(x, Number::div(Number::mul(value, y), z)))
    });
    Ok(())
}

/// PyTorch's lerp: `s + w * (e - s)` for `|w| < 0.5`, else `e + (w - 1) * (e - s)`, so that
/// both ends are exact.
#[inline(always)]
fn lerp<T: MulAdd>(s: T, e: T, w: T) -> T {
    let diff = Number::sub(e, s);
    if Number::abs(w) < T::from_f64(0.5) {
        MulAdd::mul_add(w, diff, s)
    } else {
        MulAdd::mul_add(Number::sub(w, T::one()), diff, e)
    }
}

/// `out = lerp(s, e, weight)` for a number `weight` (floating dtypes).
pub fn lerp_scalar_into(s: &Tensor, e: &Tensor, weight: Scalar, out: &Tensor) -> Result<()> {
    with_float_dtype!(out.dtype(), T => unsafe {
        let w = weight.cast::<T>();
        map2(out.cpu_ptr::<T>(), out.layout(), s.cpu_ptr::<T>(), s.layout(), e.cpu_ptr::<T>(), e.layout(),
            |x: T, y: T| lerp(x, y, w))
    });
    Ok(())
}

/// `out = lerp(s, e, w)` elementwise (floating dtypes).
pub fn lerp_into(s: &Tensor, e: &Tensor, w: &Tensor, out: &Tensor) -> Result<()> {
    with_float_dtype!(out.dtype(), T => unsafe {
        map3(out.cpu_ptr::<T>(), out.layout(), s.cpu_ptr::<T>(), s.layout(), e.cpu_ptr::<T>(), e.layout(),
            w.cpu_ptr::<T>(), w.layout(), |x: T, y: T, z: T| lerp(x, y, z))
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_scaled_rounds_once() {
        // 1 + 3 * (1/3 in f32): the product's exact value carries bits a separate rounding
        // would drop.
        let third = 1.0f32 / 3.0;
        let a = Tensor::from_vec(vec![1.0f32], &[1]).unwrap();
        let b = Tensor::from_vec(vec![third], &[1]).unwrap();
        let out = Tensor::from_vec(vec![0.0f32], &[1]).unwrap();
        add_scaled_into(&a, &b, Scalar::Float(3.0), &out).unwrap();
        assert_eq!(out.item_f64().unwrap() as f32, 3.0f32.mul_add(third, 1.0));
    }

    #[test]
    fn lerp_hits_both_ends() {
        let s = Tensor::from_vec(vec![0.1f32, -7.0], &[2]).unwrap();
        let e = Tensor::from_vec(vec![0.7f32, 3.3], &[2]).unwrap();
        let out = Tensor::from_vec(vec![0.0f32; 2], &[2]).unwrap();
        lerp_scalar_into(&s, &e, Scalar::Float(1.0), &out).unwrap();
        assert_eq!(out.to_vec::<f32>().unwrap(), vec![0.7, 3.3]);
        lerp_scalar_into(&s, &e, Scalar::Float(0.0), &out).unwrap();
        assert_eq!(out.to_vec::<f32>().unwrap(), vec![0.1, -7.0]);
    }
}
