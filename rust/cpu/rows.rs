//! What the neural-network kernels share: contiguous tensors seen as slices, a loop over
//! independent rows that uses every core when there is enough work, and running a kernel
//! compiled for AVX2 + FMA on CPUs that have them.

use rayon::prelude::*;

use crate::tensor::{Element, Tensor};

/// Below this many elements of work a loop stays on the calling thread: handing work to
/// other threads costs more than it saves.
pub const PARALLEL_MIN: usize = 1 << 15;

/// The elements of a contiguous tensor.
///
/// # Safety
/// `t` must be contiguous, on the CPU, of element type `T`, and not written while the slice
/// lives.
pub unsafe fn slice<T: Element>(t: &Tensor) -> &[T] {
    debug_assert!(t.is_contiguous() && T::DTYPE == t.dtype());
    if t.numel() == 0 {
        return &[];
    }
    std::slice::from_raw_parts(t.cpu_ptr::<T>(), t.numel())
}

/// The elements of a contiguous tensor, writable.
///
/// # Safety
/// As [`slice`], and nothing else may read or write `t` while the slice lives (a tensor the
/// kernel has just allocated).
#[allow(clippy::mut_from_ref)]
pub unsafe fn slice_mut<T: Element>(t: &Tensor) -> &mut [T] {
    debug_assert!(t.is_contiguous() && T::DTYPE == t.dtype());
    if t.numel() == 0 {
        return &mut [];
    }
    std::slice::from_raw_parts_mut(t.cpu_ptr::<T>(), t.numel())
}

/// Calls `f(i, row)` for every `row_len`-long row `i` of `out`, in parallel when the whole
/// job (`work_per_row` elements of work per row) is large enough.
pub fn for_each_row<T: Send>(
    out: &mut [T],
    row_len: usize,
    work_per_row: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    if out.is_empty() || row_len == 0 {
        return;
    }
    let rows = out.len() / row_len;
    if rows < 2 || rows * work_per_row < PARALLEL_MIN {
        out.chunks_mut(row_len)
            .enumerate()
            .for_each(|(i, r)| f(i, r));
        return;
    }
    let per_task = (PARALLEL_MIN / work_per_row.max(1)).max(1);
    out.par_chunks_mut(row_len)
        .enumerate()
        .with_min_len(per_task)
        .for_each(|(i, r)| f(i, r));
}

/// Defines `fn $name<T: $bound>(args)` that runs the `#[inline(always)]` function `$kernel`
/// compiled with AVX-512 or AVX2 (and FMA) on CPUs that have them, so its loops over plain
/// slices vectorize 16 or 8 lanes wide, and as ordinary code elsewhere. Results are the same up to FMA
/// rounding. (The kernel must be inlined into the `target_feature` function to get the
/// features, hence a named function rather than a closure.)
macro_rules! avx2_dispatch {
    ($(#[$doc:meta])* fn $name:ident<$t:ident: $bound:path>($($arg:ident: $ty:ty),* $(,)?) => $kernel:path) => {
        $(#[$doc])*
        fn $name<$t: $bound>($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                use std::arch::is_x86_feature_detected as has;
                if has!("avx512f") && has!("avx2") && has!("fma") {
                    #[target_feature(enable = "avx512f,avx2,fma")]
                    unsafe fn with_avx512<$t: $bound>($($arg: $ty),*) {
                        $kernel($($arg),*)
                    }
                    // SAFETY: the features were detected just above.
                    return unsafe { with_avx512($($arg),*) };
                }
                if has!("avx2") && has!("fma") {
                    #[target_feature(enable = "avx2,fma")]
                    unsafe fn with_avx2<$t: $bound>($($arg: $ty),*) {
                        $kernel($($arg),*)
                    }
                    // SAFETY: the features were detected just above.
                    return unsafe { with_avx2($($arg),*) };
                }
            }
            $kernel($($arg),*)
        }
    };
}
pub(crate) use avx2_dispatch;

/// A raw pointer that parallel tasks may share. Each task must write a region no other
/// task touches; the kernels that use it say which.
#[derive(Copy, Clone)]
pub struct SharedPtr<T>(pub *mut T);

// SAFETY: only a pointer; the kernels guarantee the regions written through it are disjoint.
unsafe impl<T> Send for SharedPtr<T> {}
unsafe impl<T> Sync for SharedPtr<T> {}

impl<T> SharedPtr<T> {
    /// The pointer (a method, so closures capture the whole `Send` wrapper).
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}
