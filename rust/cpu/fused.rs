//! Kernels of ops that PyTorch rounds once: `a + alpha * b` (`add`/`sub` with `alpha`),
//! `self + (value * t1) * t2` (`addcmul`) and `lerp`, each a fused multiply-add on floats;
//! and `self + (value * t1) / t2` (`addcdiv`), whose division keeps it unfused. Optimizers
//! are written with these, so matching PyTorch's rounding here makes their updates match
//! PyTorch's bit for bit.
//!
//! Operands arrive in one dtype, broadcast to the output's shape.

use super::number::Number;
use super::parallel;
use super::simd::{alias_aware, multiversion};
use crate::error::Result;
use crate::tensor::{Element, Scalar, Tensor};
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

multiversion! {
    /// `out[i] = f(inputs[i])` over one run of elements (pointers with their steps). With
    /// FMA instructions (AVX2 and up), `mul_add` is one instruction rather than a call into
    /// libm.
    unsafe fn run[T: Copy, F: Fn([T; N]) -> T, const N: usize](
        out: (*mut T, usize),
        inputs: [(*const T, usize); N],
        len: usize,
        f: F,
    ) {
        let (po, to) = out;
        if to == 1 && inputs.iter().all(|&(_, step)| step == 1) {
            let first = inputs[0].0;
            alias_aware!(po, first: T, {
                let mut inputs = inputs;
                inputs[0].0 = first;
                for i in 0..len {
                    *po.add(i) = f(inputs.map(|(p, _)| *p.add(i)));
                }
            })
        } else {
            for i in 0..len {
                *po.add(i * to) = f(inputs.map(|(p, step)| *p.add(i * step)));
            }
        }
    }
}

/// `out = f([a, b])` elementwise; `a` and `b` are broadcast to `out`'s shape.
unsafe fn zip2<T: Element>(out: &Tensor, a: &Tensor, b: &Tensor, f: impl Fn([T; 2]) -> T + Copy) {
    let (ol, al, bl) = (out.layout(), a.layout(), b.layout());
    let (po, pa, pb) = (out.cpu_ptr::<T>(), a.cpu_ptr::<T>(), b.cpu_ptr::<T>());
    parallel::for_each_run(
        &ol.shape,
        [&ol.strides, &al.strides, &bl.strides],
        |[so, sa, sb], [to, ta, tb], len| {
            run(
                (po.add(so), to),
                [(pa.add(sa), ta), (pb.add(sb), tb)],
                len,
                f,
            )
        },
    );
}

/// `out = f([a, b, c])` elementwise; the inputs are broadcast to `out`'s shape.
unsafe fn zip3<T: Element>(
    out: &Tensor,
    a: &Tensor,
    b: &Tensor,
    c: &Tensor,
    f: impl Fn([T; 3]) -> T + Copy,
) {
    let ol = out.layout();
    let (po, pa, pb, pc) = (
        out.cpu_ptr::<T>(),
        a.cpu_ptr::<T>(),
        b.cpu_ptr::<T>(),
        c.cpu_ptr::<T>(),
    );
    parallel::for_each_run(
        &ol.shape,
        [
            &ol.strides,
            &a.layout().strides,
            &b.layout().strides,
            &c.layout().strides,
        ],
        |[so, sa, sb, sc], [to, ta, tb, tc], len| {
            let inputs = [
                (pa.add(sa) as *const T, ta),
                (pb.add(sb) as *const T, tb),
                (pc.add(sc) as *const T, tc),
            ];
            run((po.add(so), to), inputs, len, f)
        },
    );
}

/// `out = a + alpha * b`.
pub fn add_scaled_into(a: &Tensor, b: &Tensor, alpha: Scalar, out: &Tensor) -> Result<()> {
    with_dtype!(out.dtype(), T => unsafe {
        let alpha = alpha.cast::<T>();
        zip2(out, a, b, |[x, y]: [T; 2]| MulAdd::mul_add(y, alpha, x))
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
        zip3(out, s, t1, t2, |[x, y, z]: [T; 3]| MulAdd::mul_add(Number::mul(value, y), z, x))
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
        zip3(out, s, t1, t2, |[x, y, z]: [T; 3]| x + value * y / z)
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
        zip2(out, s, e, |[x, y]: [T; 2]| lerp(x, y, w))
    });
    Ok(())
}

/// `out = lerp(s, e, w)` elementwise (floating dtypes).
pub fn lerp_into(s: &Tensor, e: &Tensor, w: &Tensor, out: &Tensor) -> Result<()> {
    with_float_dtype!(out.dtype(), T => unsafe { zip3(out, s, e, w, |[x, y, z]: [T; 3]| lerp(x, y, z)) });
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
