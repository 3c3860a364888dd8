//! Elementwise kernels over strided, broadcast operands.
//!
//! Operands arrive already promoted to one dtype and broadcast to the output's shape (a
//! broadcast dim has stride 0). The output is written through raw pointers, so it may be one
//! of the inputs (in-place ops), as long as it has that input's exact layout.

use super::number::{Float, Number};
use super::parallel;
use super::simd::{alias_aware, multiversion};
use crate::error::Result;
use crate::ops::kinds::{BinaryOp, CompareOp, PredicateOp, TernaryOp, UnaryOp};
use crate::tensor::{DType, Element, Layout, Tensor};
use crate::{with_dtype, with_float_dtype};

multiversion! {
    /// `out[i] = f(a[i])` over contiguous runs: the loop the compiler vectorizes.
    unsafe fn contiguous1[A: Copy, O, F: Fn(A) -> O](po: *mut O, pa: *const A, len: usize, f: F) {
        alias_aware!(po, pa: A, {
            for i in 0..len {
                *po.add(i) = f(*pa.add(i));
            }
        })
    }
}

multiversion! {
    /// `out[i] = f(a[i], b[i])`; a step of 0 (a broadcast number) reads `b` once.
    unsafe fn contiguous2[A: Copy, B: Copy, O, F: Fn(A, B) -> O](
        po: *mut O,
        pa: *const A,
        pb: *const B,
        b_step: usize,
        len: usize,
        f: F,
    ) {
        alias_aware!(po, pa: A, {
            if b_step == 0 {
                let b = *pb;
                for i in 0..len {
                    *po.add(i) = f(*pa.add(i), b);
                }
            } else {
                for i in 0..len {
                    *po.add(i) = f(*pa.add(i), *pb.add(i));
                }
            }
        })
    }
}

multiversion! {
    /// `out[i] = f(a[i], b[i], c[i])`; `b` or `c` may be broadcast numbers (step 0).
    unsafe fn contiguous3[A: Copy, B: Copy, C: Copy, O, F: Fn(A, B, C) -> O](
        po: *mut O,
        pa: *const A,
        pb: *const B,
        pc: *const C,
        steps: (usize, usize),
        len: usize,
        f: F,
    ) {
        alias_aware!(po, pa: A, {
            match steps {
                (1, 1) => {
                    for i in 0..len {
                        *po.add(i) = f(*pa.add(i), *pb.add(i), *pc.add(i));
                    }
                }
                // A tensor with two numbers (clamp bounds, a lerp weight...).
                (0, 0) => {
                    let (b, c) = (*pb, *pc);
                    for i in 0..len {
                        *po.add(i) = f(*pa.add(i), b, c);
                    }
                }
                (1, 0) => {
                    let c = *pc;
                    for i in 0..len {
                        *po.add(i) = f(*pa.add(i), *pb.add(i), c);
                    }
                }
                (tb, tc) => {
                    for i in 0..len {
                        *po.add(i) = f(*pa.add(i), *pb.add(i * tb), *pc.add(i * tc));
                    }
                }
            }
        })
    }
}

/// Applies `f` to every element of `x` (laid out as `xl`), writing `out` (laid out as `ol`).
///
/// `f` is copied into each run's loop: a closure that captured its numbers by value (`move`)
/// then keeps them in registers, so the loop vectorizes even though `out` is a raw pointer
/// the compiler cannot prove apart from the numbers. Contiguous runs use the CPU's widest
/// vectors (`simd`), and large jobs every core (`parallel`).
///
/// # Safety
/// The layouts must address memory inside the pointers' allocations, and `f` must be a pure
/// function of its arguments (it may run on several threads).
#[inline(always)]
pub(super) unsafe fn map1<A: Copy, O>(
    po: *mut O,
    ol: &Layout,
    pa: *const A,
    al: &Layout,
    f: impl Fn(A) -> O + Copy,
) {
    parallel::for_each_run(
        &ol.shape,
        [&ol.strides, &al.strides],
        |[so, sa], [to, ta], len| {
            let (po, pa) = (po.add(so), pa.add(sa));
            if to == 1 && ta == 1 {
                contiguous1(po, pa, len, f);
            } else {
                for i in 0..len {
                    *po.add(i * to) = f(*pa.add(i * ta));
                }
            }
        },
    );
}

/// Two-input form of [`map1`]; a step of 0 (a broadcast operand) gets its own loop.
#[inline(always)]
pub(super) unsafe fn map2<A: Copy, B: Copy, O>(
    po: *mut O,
    ol: &Layout,
    pa: *const A,
    al: &Layout,
    pb: *const B,
    bl: &Layout,
    f: impl Fn(A, B) -> O + Copy,
) {
    parallel::for_each_run(
        &ol.shape,
        [&ol.strides, &al.strides, &bl.strides],
        |[so, sa, sb], steps, len| {
            let (po, pa, pb) = (po.add(so), pa.add(sa), pb.add(sb));
            match steps {
                [1, 1, tb @ (0 | 1)] => contiguous2(po, pa, pb, tb, len, f),
                [1, 0, 1] => contiguous2(po, pb, pa, 0, len, move |y: B, x: A| f(x, y)),
                [to, ta, tb] => {
                    for i in 0..len {
                        *po.add(i * to) = f(*pa.add(i * ta), *pb.add(i * tb));
                    }
                }
            }
        },
    );
}

/// Like [`map2`] with three inputs (for fused backward formulas).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) unsafe fn map3<A: Copy, B: Copy, C: Copy, O>(
    po: *mut O,
    ol: &Layout,
    pa: *const A,
    al: &Layout,
    pb: *const B,
    bl: &Layout,
    pc: *const C,
    cl: &Layout,
    f: impl Fn(A, B, C) -> O + Copy,
) {
    parallel::for_each_run(
        &ol.shape,
        [&ol.strides, &al.strides, &bl.strides, &cl.strides],
        |[so, sa, sb, sc], steps, len| {
            let (po, pa, pb, pc) = (po.add(so), pa.add(sa), pb.add(sb), pc.add(sc));
            match steps {
                [1, 1, tb @ (0 | 1), tc @ (0 | 1)] => contiguous3(po, pa, pb, pc, (tb, tc), len, f),
                [to, ta, tb, tc] => {
                    for i in 0..len {
                        *po.add(i * to) = f(*pa.add(i * ta), *pb.add(i * tb), *pc.add(i * tc));
                    }
                }
            }
        },
    );
}

// Generic over every dtype, bool included, where `<` is what PyTorch means.
#[allow(clippy::bool_comparison)]
/// `out = op(x)` for a floating `x` (or `Neg`/`Abs`/`Sign`/`Square` on any dtype).
pub fn unary_into(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    let (xl, ol) = (x.layout(), out.layout());
    if x.dtype().is_floating_point() {
        with_float_dtype!(x.dtype(), T => unsafe {
            let (px, po) = (x.cpu_ptr::<T>(), out.cpu_ptr::<T>());
            match op {
                UnaryOp::Neg => map1(po, ol, px, xl, |v: T| -v),
                UnaryOp::Abs => map1(po, ol, px, xl, |v: T| v.abs()),
                UnaryOp::Sign => map1(po, ol, px, xl, |v: T| Number::sign(v)),
                UnaryOp::Exp => map1(po, ol, px, xl, |v: T| Float::exp(v)),
                UnaryOp::Log => map1(po, ol, px, xl, |v: T| Float::ln(v)),
                UnaryOp::Sqrt => map1(po, ol, px, xl, |v: T| Float::sqrt(v)),
                UnaryOp::Rsqrt => map1(po, ol, px, xl, |v: T| 1.0 / Float::sqrt(v)),
                UnaryOp::Sin => map1(po, ol, px, xl, |v: T| Float::sin(v)),
                UnaryOp::Cos => map1(po, ol, px, xl, |v: T| Float::cos(v)),
                UnaryOp::Tanh => map1(po, ol, px, xl, |v: T| Float::tanh(v)),
                UnaryOp::Sigmoid => map1(po, ol, px, xl, |v: T| Float::sigmoid(v)),
                UnaryOp::Relu => map1(po, ol, px, xl, |v: T| if v > 0.0 || v.is_nan() { v } else { 0.0 }),
                UnaryOp::Reciprocal => map1(po, ol, px, xl, |v: T| 1.0 / v),
                UnaryOp::Square => map1(po, ol, px, xl, |v: T| v * v),
                UnaryOp::Exp2 => map1(po, ol, px, xl, |v: T| Float::exp2(v)),
                UnaryOp::Expm1 => map1(po, ol, px, xl, |v: T| Float::exp_m1(v)),
                UnaryOp::Log2 => map1(po, ol, px, xl, |v: T| Float::log2(v)),
                UnaryOp::Log10 => map1(po, ol, px, xl, |v: T| Float::log10(v)),
                UnaryOp::Log1p => map1(po, ol, px, xl, |v: T| Float::ln_1p(v)),
                UnaryOp::Floor => map1(po, ol, px, xl, |v: T| Float::floor(v)),
                UnaryOp::Ceil => map1(po, ol, px, xl, |v: T| Float::ceil(v)),
                UnaryOp::Round => map1(po, ol, px, xl, |v: T| Float::round(v)),
                UnaryOp::Trunc => map1(po, ol, px, xl, |v: T| Float::trunc(v)),
                UnaryOp::Frac => map1(po, ol, px, xl, |v: T| v - Float::trunc(v)),
                UnaryOp::Sinh => map1(po, ol, px, xl, |v: T| Float::sinh(v)),
                UnaryOp::Cosh => map1(po, ol, px, xl, |v: T| Float::cosh(v)),
                UnaryOp::Tan => map1(po, ol, px, xl, |v: T| Float::tan(v)),
                UnaryOp::Asin => map1(po, ol, px, xl, |v: T| Float::asin(v)),
                UnaryOp::Acos => map1(po, ol, px, xl, |v: T| Float::acos(v)),
                UnaryOp::Atan => map1(po, ol, px, xl, |v: T| Float::atan(v)),
                UnaryOp::Erf => map1(po, ol, px, xl, |v: T| Float::erf(v)),
                UnaryOp::Erfinv => map1(po, ol, px, xl, |v: T| Float::erfinv(v)),
            }
        });
        return Ok(());
    }
    with_dtype!(x.dtype(), T => unsafe {
        let (px, po) = (x.cpu_ptr::<T>(), out.cpu_ptr::<T>());
        match op {
            UnaryOp::Neg => map1(po, ol, px, xl, |v: T| Number::neg(v)),
            UnaryOp::Abs => map1(po, ol, px, xl, |v: T| Number::abs(v)),
            UnaryOp::Sign => map1(po, ol, px, xl, |v: T| Number::sign(v)),
            UnaryOp::Square => map1(po, ol, px, xl, |v: T| Number::mul(v, v)),
            UnaryOp::Relu => map1(po, ol, px, xl, |v: T| if v > T::zero() { v } else { T::zero() }),
            // Rounding an integer keeps it.
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc => map1(po, ol, px, xl, |v: T| v),
            other => unreachable!("{other:?} on an integer tensor reaches the kernel only as a float"),
        }
    });
    Ok(())
}

/// `out = a op b`; all three share one dtype and `a`, `b` are broadcast to `out`'s shape.
pub fn binary_into(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let (al, bl, ol) = (a.layout(), b.layout(), out.layout());
    with_dtype!(out.dtype(), T => unsafe {
        let (pa, pb, po) = (a.cpu_ptr::<T>(), b.cpu_ptr::<T>(), out.cpu_ptr::<T>());
        match op {
            BinaryOp::Add => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::add(x, y)),
            BinaryOp::Sub => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::sub(x, y)),
            BinaryOp::Mul => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::mul(x, y)),
            BinaryOp::Div => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::div(x, y)),
            BinaryOp::Pow => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::pow(x, y)),
            BinaryOp::Maximum => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::max_nan(x, y)),
            BinaryOp::Minimum => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::min_nan(x, y)),
            BinaryOp::Atan2 => map2(po, ol, pa, al, pb, bl, |x: T, y: T| T::from_f64(x.to_f64().atan2(y.to_f64()))),
            BinaryOp::Fmod => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::fmod(x, y)),
            BinaryOp::Remainder => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::remainder(x, y)),
            BinaryOp::FloorDivide => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::floor_div(x, y)),
            BinaryOp::BitAnd => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::bit_and(x, y)),
            BinaryOp::BitOr => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::bit_or(x, y)),
            BinaryOp::BitXor => map2(po, ol, pa, al, pb, bl, |x: T, y: T| Number::bit_xor(x, y)),
        }
    });
    Ok(())
}

#[allow(clippy::bool_comparison)]
/// `out = a cmp b` with a bool `out`; `a` and `b` share one dtype.
pub fn compare_into(op: CompareOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let (al, bl, ol) = (a.layout(), b.layout(), out.layout());
    with_dtype!(a.dtype(), T => unsafe {
        let (pa, pb, po) = (a.cpu_ptr::<T>(), b.cpu_ptr::<T>(), out.cpu_ptr::<bool>());
        match op {
            CompareOp::Eq => map2(po, ol, pa, al, pb, bl, |x: T, y: T| x == y),
            CompareOp::Ne => map2(po, ol, pa, al, pb, bl, |x: T, y: T| x != y),
            CompareOp::Lt => map2(po, ol, pa, al, pb, bl, |x: T, y: T| x < y),
            CompareOp::Le => map2(po, ol, pa, al, pb, bl, |x: T, y: T| x <= y),
            CompareOp::Gt => map2(po, ol, pa, al, pb, bl, |x: T, y: T| x > y),
            CompareOp::Ge => map2(po, ol, pa, al, pb, bl, |x: T, y: T| x >= y),
        }
    });
    Ok(())
}

/// `out = op(a, b, c)`; all four share one dtype and the inputs are broadcast to `out`.
pub fn ternary_into(op: TernaryOp, a: &Tensor, b: &Tensor, c: &Tensor, out: &Tensor) -> Result<()> {
    let (al, bl, cl, ol) = (a.layout(), b.layout(), c.layout(), out.layout());
    with_dtype!(out.dtype(), T => unsafe {
        let (pa, pb, pc, po) = (a.cpu_ptr::<T>(), b.cpu_ptr::<T>(), c.cpu_ptr::<T>(), out.cpu_ptr::<T>());
        match op {
            TernaryOp::Clamp => map3(po, ol, pa, al, pb, bl, pc, cl, |x: T, lo: T, hi: T| {
                Number::min_nan(Number::max_nan(x, lo), hi)
            }),
        }
    });
    Ok(())
}

/// `out = test(x)` with a bool `out`.
pub fn predicate_into(op: PredicateOp, x: &Tensor, out: &Tensor) -> Result<()> {
    let (xl, ol) = (x.layout(), out.layout());
    if !x.dtype().is_floating_point() {
        // Integers are always finite.
        fill(out, op == PredicateOp::IsFinite);
        return Ok(());
    }
    with_float_dtype!(x.dtype(), T => unsafe {
        let (px, po) = (x.cpu_ptr::<T>(), out.cpu_ptr::<bool>());
        match op {
            PredicateOp::IsNan => map1(po, ol, px, xl, |v: T| v.is_nan()),
            PredicateOp::IsInf => map1(po, ol, px, xl, |v: T| v.is_infinite()),
            PredicateOp::IsPosInf => map1(po, ol, px, xl, |v: T| v == T::INFINITY),
            PredicateOp::IsNegInf => map1(po, ol, px, xl, |v: T| v == T::NEG_INFINITY),
            PredicateOp::IsFinite => map1(po, ol, px, xl, |v: T| v.is_finite()),
        }
    });
    Ok(())
}

/// `out = cond ? a : b` (cond is bool; a, b, out share a dtype).
pub fn where_into(cond: &Tensor, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    with_dtype!(out.dtype(), T => unsafe {
        map3(
            out.cpu_ptr::<T>(),
            out.layout(),
            cond.cpu_ptr::<bool>(),
            cond.layout(),
            a.cpu_ptr::<T>(),
            a.layout(),
            b.cpu_ptr::<T>(),
            b.layout(),
            |c: bool, x: T, y: T| if c { x } else { y },
        )
    });
    Ok(())
}

/// Copies `src` into `out` (same shape), converting the dtype if they differ.
pub fn copy_into(src: &Tensor, out: &Tensor) -> Result<()> {
    let (sl, ol) = (src.layout(), out.layout());
    with_dtype!(src.dtype(), S => with_dtype!(out.dtype(), O => unsafe {
        let (ps, po) = (src.cpu_ptr::<S>(), out.cpu_ptr::<O>());
        map1(po, ol, ps, sl, |v: S| convert::<S, O>(v))
    }));
    Ok(())
}

/// Element conversion with PyTorch's rules: float to int truncates, nonzero is `true`.
#[inline(always)]
fn convert<S: Element, O: Element>(v: S) -> O {
    if S::DTYPE.is_floating_point() {
        O::from_f64(v.to_f64())
    } else {
        O::from_i64(v.to_i64())
    }
}

/// Writes `value` into every element of `out`.
pub fn fill<T: Element>(out: &Tensor, value: T) {
    let ol = out.layout();
    // SAFETY: each run writes its own elements of `out`.
    unsafe {
        let po = out.cpu_ptr::<T>();
        parallel::for_each_run(&ol.shape, [&ol.strides], |[so], [to], len| {
            let po = po.add(so);
            for i in 0..len {
                *po.add(i * to) = value;
            }
        });
    }
}

/// `x` itself when its elements already sit contiguously in `dtype`, else a contiguous copy.
pub fn to_contiguous_dtype(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() == dtype && x.is_contiguous() {
        return Ok(x.clone());
    }
    let out = Tensor::empty(x.shape(), dtype, x.device())?;
    copy_into(x, &out)?;
    Ok(out)
}
