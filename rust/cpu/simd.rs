//! Running hot loops with the widest vector instructions the CPU has, in a wheel built for
//! baseline x86-64 (SSE2).
//!
//! [`multiversion!`] stamps out a function three times: as written, compiled for AVX2 + FMA
//! (x86-64-v3) and compiled for AVX-512 (x86-64-v4); each call runs the copy for [`level()`].
//! The loops inside are plain Rust that the compiler vectorizes, so the wider copies do the
//! same IEEE operations in the same order, 8 or 16 lanes at a time: results are bit for bit
//! the same on every CPU. (Rust never contracts `a * b + c` into an FMA by itself; only an
//! explicit `mul_add` is fused, and it rounds once on every level.)
//!
//! The closures a multiversioned loop calls are inlined into each copy (they are small and
//! generic), so they are compiled with its instructions too.

use std::sync::atomic::{AtomicU8, Ordering};

/// Which copy of a multiversioned function runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// What the wheel is built for: SSE2 on x86-64, the target's baseline elsewhere.
    Baseline,
    /// AVX2, FMA, BMI (x86-64-v3).
    Avx2,
    /// AVX-512 F/BW/CD/DQ/VL on top of v3 (x86-64-v4).
    Avx512,
}

/// The detected level, plus one (0: not detected yet).
static LEVEL: AtomicU8 = AtomicU8::new(0);

/// The widest level this CPU supports (detected once).
#[inline]
pub fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        1 => Level::Baseline,
        2 => Level::Avx2,
        3 => Level::Avx512,
        _ => detect(),
    }
}

#[cold]
fn detect() -> Level {
    let found = detect_features();
    LEVEL.store(found as u8 + 1, Ordering::Relaxed);
    found
}

#[cfg(target_arch = "x86_64")]
fn detect_features() -> Level {
    use std::arch::is_x86_feature_detected as has;
    let v3 = has!("avx2") && has!("fma") && has!("bmi1") && has!("bmi2") && has!("lzcnt");
    let v4 = v3
        && has!("avx512f")
        && has!("avx512bw")
        && has!("avx512cd")
        && has!("avx512dq")
        && has!("avx512vl");
    match (v3, v4) {
        (_, true) => Level::Avx512,
        (true, false) => Level::Avx2,
        _ => Level::Baseline,
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect_features() -> Level {
    Level::Baseline
}

/// Defines `unsafe fn name<generics>(args) -> ret { body }` that runs `body` compiled for the
/// CPU's [`level()`]. Generics go in square brackets, bounds inline:
///
/// ```ignore
/// multiversion! {
///     /// `out[i] = f(a[i])`.
///     pub(super) unsafe fn apply[A: Copy, O, F: Fn(A) -> O](out: *mut O, a: *const A, len: usize, f: F) {
///         for i in 0..len { *out.add(i) = f(*a.add(i)); }
///     }
/// }
/// ```
///
/// The caller's safety contract is the body's: the CPU features are checked here.
macro_rules! multiversion {
    (
        $(#[$attr:meta])*
        $vis:vis unsafe fn $name:ident [$($generics:tt)*] ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$attr])*
        #[inline(always)]
        #[allow(clippy::too_many_arguments)]
        $vis unsafe fn $name<$($generics)*>($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            unsafe fn portable<$($generics)*>($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
                #[allow(clippy::too_many_arguments)]
                unsafe fn avx512<$($generics)*>($($arg: $ty),*) $(-> $ret)? {
                    portable($($arg),*)
                }
                #[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
                #[allow(clippy::too_many_arguments)]
                unsafe fn avx2<$($generics)*>($($arg: $ty),*) $(-> $ret)? {
                    portable($($arg),*)
                }
                match $crate::cpu::simd::level() {
                    $crate::cpu::simd::Level::Avx512 => return avx512($($arg),*),
                    $crate::cpu::simd::Level::Avx2 => return avx2($($arg),*),
                    $crate::cpu::simd::Level::Baseline => {}
                }
            }
            portable($($arg),*)
        }
    };
}
pub(crate) use multiversion;

/// Runs `$body` (a loop writing through `$po` and reading through `$pa`) as two copies: one
/// where `$pa` is `$po` itself, for in-place ops (`a += b`), and one for distinct buffers.
/// Given two pointers the compiler checks at run time that they do not overlap before it
/// uses vector instructions; the exact alias of an in-place op fails that check and the loop
/// ran scalar (several times slower). Through one pointer it knows each element is read
/// before it is written.
macro_rules! alias_aware {
    ($po:ident, $pa:ident: $t:ty, $body:block) => {
        if $po as usize == $pa as usize {
            let $pa = $po.cast_const().cast::<$t>();
            $body
        } else $body
    };
}
pub(crate) use alias_aware;

#[cfg(test)]
mod tests {
    use super::*;

    multiversion! {
        /// Sums of squares, for checking that every level computes the same bits.
        unsafe fn squares[](out: *mut f32, a: *const f32, len: usize) {
            for i in 0..len {
                *out.add(i) = *a.add(i) * *a.add(i) + 0.5;
            }
        }
    }

    #[test]
    fn detection_is_stable_and_the_dispatched_copy_computes() {
        assert_eq!(level(), level());
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.37).collect();
        let mut out = vec![0.0f32; 37];
        unsafe { squares(out.as_mut_ptr(), a.as_ptr(), a.len()) };
        for (o, x) in out.iter().zip(&a) {
            assert_eq!(*o, x * x + 0.5);
        }
    }
}
