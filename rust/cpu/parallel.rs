//! Spreading large elementwise jobs over rayon's threads.
//!
//! A job is cut into fixed chunks of its row-major element range, so which elements a chunk
//! holds never depends on the number of threads or on scheduling: results are the same
//! however many threads run them.

use std::ops::Range;

use rayon::prelude::*;

use super::strided::{for_each_run_in, is_non_overlapping};

/// Below this many elements a job stays on the calling thread: waking the pool costs more
/// than it saves.
pub const PARALLEL_MIN: usize = 1 << 16;

/// Elements per chunk: large enough that a chunk costs far more than handing it to a thread.
pub const CHUNK: usize = 1 << 14;

/// A closure that parallel tasks may share although it captures raw pointers. Each task
/// writes a region no other task touches (the callers say why).
struct Shared<F>(F);

// SAFETY: see the type's documentation; only used through `for_each_chunk`'s contract.
unsafe impl<F> Sync for Shared<F> {}
unsafe impl<F> Send for Shared<F> {}

impl<F> Shared<F> {
    /// The closure (a method, so tasks capture the whole wrapper, not its field).
    fn get(&self) -> &F {
        &self.0
    }
}

/// Whether a job of `n` elements is worth splitting across threads.
pub fn worth_splitting(n: usize) -> bool {
    n >= PARALLEL_MIN && rayon::current_num_threads() > 1
}

/// Calls `f(i, range)` for the `n.div_ceil(chunk)` consecutive chunks of `0..n`, in parallel
/// when [`worth_splitting`].
///
/// # Safety
/// Calls for different chunks may run at once: `f` must only write memory that belongs to
/// its own chunk.
pub unsafe fn for_each_chunk(n: usize, chunk: usize, f: impl Fn(usize, Range<usize>)) {
    let count = n.div_ceil(chunk);
    let range = |i: usize| i * chunk..((i + 1) * chunk).min(n);
    if count < 2 || !worth_splitting(n) {
        (0..count).for_each(|i| f(i, range(i)));
        return;
    }
    let f = Shared(f);
    (0..count)
        .into_par_iter()
        .for_each(|i| f.get()(i, range(i)));
}

/// [`for_each_run`](super::strided::for_each_run) for a kernel writing the first operand:
/// large jobs run on several threads, each on whole chunks of the row-major order.
///
/// # Safety
/// `run` may be called from several threads at once. It must write only through the first
/// operand, at the offsets it is given; this splits work only when that operand's elements
/// do not overlap, so the threads' writes are disjoint.
pub unsafe fn for_each_run<const N: usize>(
    shape: &[usize],
    strides: [&[usize]; N],
    run: impl Fn([usize; N], [usize; N], usize),
) {
    let n: usize = shape.iter().product();
    if !worth_splitting(n) || !is_non_overlapping(shape, strides[0]) {
        for_each_run_in(shape, strides, 0..n, run);
        return;
    }
    // Elementwise results do not depend on the split, so a few large chunks per thread
    // (fewer hand-offs between threads) rather than the fixed chunks reductions need.
    let chunk = CHUNK.max(n.div_ceil(4 * rayon::current_num_threads()));
    for_each_chunk(n, chunk, |_, range| {
        for_each_run_in(shape, strides, range, &run)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn chunks_cover_the_range_once() {
        let n = 3 * CHUNK + 5;
        let seen: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
        unsafe {
            for_each_chunk(n.max(PARALLEL_MIN), CHUNK, |_, r| {
                for i in r.filter(|&i| i < n) {
                    seen[i].fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        assert!(seen.iter().all(|c| c.load(Ordering::Relaxed) == 1));
    }

    #[test]
    fn a_large_transposed_job_visits_each_element_once() {
        let (rows, cols) = (300, 1000);
        let out: Vec<AtomicUsize> = (0..rows * cols).map(|_| AtomicUsize::new(0)).collect();
        unsafe {
            for_each_run(&[rows, cols], [&[1, rows]], |[s], [step], len| {
                for i in 0..len {
                    out[s + i * step].fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        assert!(out.iter().all(|c| c.load(Ordering::Relaxed) == 1));
    }
}
