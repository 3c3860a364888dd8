//! The caching allocator for large host buffers.
//!
//! A fresh large allocation comes from the kernel as untouched pages, and the first write to
//! each 4 KiB page faults: for a 16 MB tensor that is 4,096 faults, several milliseconds,
//! more than the kernel that fills it. Large buffers therefore go back to a free list of
//! their size class when their storage dies, and the next allocation of that class reuses
//! one whose pages are already mapped. Eager loops allocate the same sizes again and again,
//! so nearly every large allocation after the first step is a reuse.
//!
//! At most [`CACHE_LIMIT`] bytes are kept unused; past it the buffers released longest ago
//! are returned to the system. Small buffers come straight from `malloc`, which already
//! recycles them quickly.

use std::alloc::{self, Layout};
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::LazyLock;

use parking_lot::Mutex;
use rustc_hash::FxHashMap;

/// Buffers of at least this many bytes are pooled.
pub const POOLED_MIN: usize = 64 << 10;

/// The most bytes the pool keeps unused.
pub const CACHE_LIMIT: usize = 1 << 30;

/// `nbytes` (> 0) rounded up to its size class: a multiple of an eighth of the largest power
/// of two not above it (so at most an eighth is wasted), so near sizes share buffers.
pub fn size_class(nbytes: usize) -> usize {
    let floor_pow2 = 1usize << (usize::BITS - 1 - nbytes.leading_zeros());
    let step = (floor_pow2 / 8).max(1);
    nbytes.div_ceil(step).saturating_mul(step)
}

/// A cached buffer's address (plain memory nothing else refers to).
struct Block(NonNull<u8>);

// SAFETY: an unused allocation; only the pool, under its lock, holds it.
unsafe impl Send for Block {}

#[derive(Default)]
struct Pool {
    /// Unused buffers by size class, each with its release tick, oldest first.
    free: FxHashMap<usize, Vec<(u64, Block)>>,
    /// Release tick to size class, for evicting the oldest first.
    by_age: BTreeMap<u64, usize>,
    tick: u64,
    cached: usize,
}

static POOL: LazyLock<Mutex<Pool>> = LazyLock::new(Default::default);

/// Byte alignment of every host allocation: enough for any SIMD load.
pub const ALIGN: usize = 64;

/// `nbytes` (> 0) of host memory, uninitialised or zeroed, with the layout to release it
/// with. `None` when the system is out of memory.
pub fn allocate(nbytes: usize, zeroed: bool) -> Option<(NonNull<u8>, Layout)> {
    let pooled = nbytes >= POOLED_MIN;
    let size = if pooled { size_class(nbytes) } else { nbytes };
    let layout = Layout::from_size_align(size, ALIGN).ok()?;
    if pooled {
        if let Some(ptr) = take(size) {
            if zeroed {
                // SAFETY: the buffer holds `size >= nbytes` bytes.
                unsafe { ptr.as_ptr().write_bytes(0, nbytes) };
            }
            return Some((ptr, layout));
        }
    }
    // SAFETY: `layout` has a non-zero size.
    let raw = unsafe {
        if zeroed {
            alloc::alloc_zeroed(layout)
        } else {
            alloc::alloc(layout)
        }
    };
    Some((NonNull::new(raw)?, layout))
}

/// Releases a buffer from [`allocate`]: large ones are kept for reuse unless the pool is
/// full.
///
/// # Safety
/// `ptr` and `layout` must come from one call of [`allocate`], and nothing may use the
/// buffer afterwards.
pub unsafe fn release(ptr: NonNull<u8>, layout: Layout) {
    let class = layout.size();
    if !(POOLED_MIN..=CACHE_LIMIT).contains(&class) {
        alloc::dealloc(ptr.as_ptr(), layout);
        return;
    }
    let mut evicted = Vec::new();
    {
        let mut pool = POOL.lock();
        pool.tick += 1;
        let tick = pool.tick;
        pool.free.entry(class).or_default().push((tick, Block(ptr)));
        pool.by_age.insert(tick, class);
        pool.cached += class;
        while pool.cached > CACHE_LIMIT {
            let Some((_, size)) = pool.by_age.pop_first() else {
                break;
            };
            let list = pool.free.get_mut(&size).expect("aged buffers are listed");
            // Ticks grow, so a list's oldest buffer is its first.
            let (_, block) = list.remove(0);
            pool.cached -= size;
            evicted.push((block, size));
        }
    }
    // Freed outside the lock: returning memory to the system can take a while.
    for (block, size) in evicted {
        free(block, size);
    }
}

/// A free buffer of `class` bytes from the pool, if there is one.
fn take(class: usize) -> Option<NonNull<u8>> {
    let mut pool = POOL.lock();
    let (tick, block) = pool.free.get_mut(&class)?.pop()?;
    pool.by_age.remove(&tick);
    pool.cached -= class;
    Some(block.0)
}

/// Returns a pooled buffer of `size` bytes to the system.
fn free(block: Block, size: usize) {
    // SAFETY: every pooled buffer was allocated with its size class and `ALIGN`.
    unsafe {
        alloc::dealloc(
            block.0.as_ptr(),
            Layout::from_size_align_unchecked(size, ALIGN),
        )
    }
}

/// Bytes the pool holds unused.
pub fn cached_bytes() -> usize {
    POOL.lock().cached
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_waste_at_most_an_eighth() {
        assert_eq!(size_class(1 << 20), 1 << 20);
        assert_eq!(size_class((1 << 20) + 1), (1 << 20) + (1 << 17));
        assert_eq!(size_class((1 << 21) - 1), 1 << 21);
        for n in [65_536, 100_000, 1_000_003, 16 << 20] {
            let c = size_class(n);
            assert!(c >= n && c - n <= n / 8, "{n} -> {c}");
        }
    }

    #[test]
    fn released_large_buffers_are_reused_and_zeroed_on_request() {
        let n = POOLED_MIN * 3 + 5;
        let (ptr, layout) = allocate(n, false).unwrap();
        unsafe { ptr.as_ptr().write_bytes(7, n) };
        unsafe { release(ptr, layout) };
        assert!(cached_bytes() >= layout.size());
        let (again, layout2) = allocate(n, true).unwrap();
        assert_eq!(layout2, layout);
        // Another test may have taken the buffer meanwhile; either way it reads as zeros.
        let bytes = unsafe { std::slice::from_raw_parts(again.as_ptr(), n) };
        assert!(bytes.iter().all(|&b| b == 0));
        unsafe { release(again, layout2) };
        let (small, small_layout) = allocate(100, false).unwrap();
        assert_eq!(small_layout.size(), 100);
        unsafe { release(small, small_layout) };
    }
}
