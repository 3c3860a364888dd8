//! What the neural-network kernels share: contiguous tensors seen as slices, and a loop over
//! independent rows that uses every core when there is enough work. (Kernels compiled for
//! the CPU's widest vector instructions go through `simd.rs`'s `multiversion!`.)

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
