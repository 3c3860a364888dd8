//! Walking the elements of several same-shaped (already broadcast) layouts together.
//!
//! Kernels get "runs": a start offset per operand, a step per operand and a length, so the
//! innermost loop is a plain counted loop the compiler can vectorize when the steps are 1.

use std::ops::Range;

use smallvec::SmallVec;

/// Merges adjacent dims that every operand walks as one, and drops size-1 dims.
/// Returns (sizes, strides per operand), innermost dim last.
pub fn coalesce<const N: usize>(
    shape: &[usize],
    strides: [&[usize]; N],
) -> (SmallVec<[usize; 6]>, [SmallVec<[usize; 6]>; N]) {
    let mut sizes: SmallVec<[usize; 6]> = SmallVec::new();
    let mut out: [SmallVec<[usize; 6]>; N] = std::array::from_fn(|_| SmallVec::new());
    for d in 0..shape.len() {
        if shape[d] == 1 {
            continue;
        }
        if let Some(&last) = sizes.last() {
            let mergeable = (0..N).all(|k| *out[k].last().unwrap() == strides[k][d] * shape[d]);
            if mergeable {
                *sizes.last_mut().unwrap() = last * shape[d];
                for k in 0..N {
                    *out[k].last_mut().unwrap() = strides[k][d];
                }
                continue;
            }
        }
        sizes.push(shape[d]);
        for k in 0..N {
            out[k].push(strides[k][d]);
        }
    }
    (sizes, out)
}

/// Calls `run(starts, steps, len)` for every innermost run of `shape`, in row-major order.
/// `starts` are element offsets relative to each operand's first element.
pub fn for_each_run<const N: usize>(
    shape: &[usize],
    strides: [&[usize]; N],
    run: impl FnMut([usize; N], [usize; N], usize),
) {
    for_each_run_in(shape, strides, 0..usize::MAX, run)
}

/// [`for_each_run`] over the elements whose row-major index lies in `range` only (clipped
/// to the shape): the first and last runs may be parts of runs. Disjoint ranges visit
/// disjoint elements, which is how work is split across threads.
pub fn for_each_run_in<const N: usize>(
    shape: &[usize],
    strides: [&[usize]; N],
    range: Range<usize>,
    mut run: impl FnMut([usize; N], [usize; N], usize),
) {
    if shape.contains(&0) || range.is_empty() {
        return;
    }
    let (sizes, st) = coalesce(shape, strides);
    if sizes.is_empty() {
        if range.start == 0 {
            run([0; N], [0; N], 1);
        }
        return;
    }
    let inner = sizes.len() - 1;
    let len = sizes[inner];
    let steps: [usize; N] = std::array::from_fn(|k| st[k][inner]);
    // The odometer's position at `range.start`: outer index, and the offset into its run.
    let mut index: SmallVec<[usize; 6]> = SmallVec::from_elem(0, inner);
    let mut starts = [0usize; N];
    let (mut row, mut skip) = (range.start / len, range.start % len);
    for d in (0..inner).rev() {
        index[d] = row % sizes[d];
        row /= sizes[d];
        for k in 0..N {
            starts[k] += index[d] * st[k][d];
        }
    }
    if row > 0 {
        return; // the range starts past the end
    }
    let mut left = range.end - range.start;
    loop {
        let take = (len - skip).min(left);
        run(
            std::array::from_fn(|k| starts[k] + skip * steps[k]),
            steps,
            take,
        );
        left -= take;
        skip = 0;
        if left == 0 {
            return;
        }
        // Advance the outer index like an odometer, updating offsets incrementally.
        let mut d = inner;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            for k in 0..N {
                starts[k] += st[k][d];
            }
            if index[d] < sizes[d] {
                break;
            }
            for k in 0..N {
                starts[k] -= st[k][d] * sizes[d];
            }
            index[d] = 0;
        }
    }
}

/// Whether no two elements of a layout share memory: its dims, ordered by stride, each step
/// past all the elements of the smaller ones. (Sufficient, not necessary; true for every
/// tensor a kernel allocates and for views that only permute or slice.)
pub fn is_non_overlapping(shape: &[usize], strides: &[usize]) -> bool {
    let mut dims: SmallVec<[(usize, usize); 6]> = shape
        .iter()
        .zip(strides)
        .filter(|(&n, _)| n > 1)
        .map(|(&n, &s)| (s, n))
        .collect();
    dims.sort_unstable();
    let mut extent = 1;
    for (stride, size) in dims {
        if stride < extent {
            return false;
        }
        extent = stride * size;
    }
    true
}

/// The storage offset of every element of `shape`, row-major (for gathers and small helpers).
pub fn offsets(shape: &[usize], strides: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(shape.iter().product());
    for_each_run(shape, [strides], |[s], [step], len| {
        out.extend((0..len).map(|i| s + i * step))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_a_transposed_layout_in_order() {
        // A 2x3 matrix stored column-major (strides [1, 2]).
        assert_eq!(offsets(&[2, 3], &[1, 2]), vec![0, 2, 4, 1, 3, 5]);
        assert_eq!(offsets(&[2, 3], &[3, 1]), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(offsets(&[], &[]), vec![0]);
        assert_eq!(offsets(&[2, 0], &[1, 1]), Vec::<usize>::new());
        // Broadcast dim (stride 0).
        assert_eq!(offsets(&[2, 2], &[0, 1]), vec![0, 1, 0, 1]);
    }

    #[test]
    fn contiguous_layouts_become_one_run() {
        let mut runs = 0;
        for_each_run(
            &[4, 5, 6],
            [&[30, 6, 1][..], &[30, 6, 1][..]],
            |_, steps, len| {
                runs += 1;
                assert_eq!((steps, len), ([1, 1], 120));
            },
        );
        assert_eq!(runs, 1);
    }

    #[test]
    fn ranges_split_runs_and_cover_every_element_once() {
        // A transposed 3x4 matrix and a broadcast operand, split into ranges of 5.
        let (shape, a, b) = ([3, 4], [1usize, 3], [0usize, 1]);
        let mut whole = vec![];
        for_each_run(&shape, [&a, &b], |[s, t], [p, q], len| {
            whole.extend((0..len).map(|i| (s + i * p, t + i * q)))
        });
        let mut pieces = vec![];
        for start in (0..12).step_by(5) {
            for_each_run_in(&shape, [&a, &b], start..start + 5, |[s, t], [p, q], len| {
                pieces.extend((0..len).map(|i| (s + i * p, t + i * q)))
            });
        }
        assert_eq!(whole.len(), 12);
        assert_eq!(pieces, whole);
        let mut none = 0;
        for_each_run_in(&shape, [&a, &b], 12..20, |_, _, len| none += len);
        assert_eq!(none, 0);
    }

    #[test]
    fn overlap_is_detected() {
        assert!(is_non_overlapping(&[2, 3], &[3, 1]));
        assert!(is_non_overlapping(&[2, 3], &[1, 2]));
        assert!(is_non_overlapping(&[2, 3], &[6, 2])); // a strided slice
        assert!(is_non_overlapping(&[1, 3], &[0, 1]));
        assert!(!is_non_overlapping(&[2, 3], &[0, 1])); // expanded
        assert!(!is_non_overlapping(&[2, 3], &[1, 1]));
    }
}
