//! Walking the elements of several same-shaped (already broadcast) layouts together.
//!
//! Kernels get "runs": a start offset per operand, a step per operand and a length, so the
//! innermost loop is a plain counted loop the compiler can vectorize when the steps are 1.

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
    mut run: impl FnMut([usize; N], [usize; N], usize),
) {
    if shape.contains(&0) {
        return;
    }
    let (sizes, st) = coalesce(shape, strides);
    if sizes.is_empty() {
        run([0; N], [0; N], 1);
        return;
    }
    let inner = sizes.len() - 1;
    let len = sizes[inner];
    let steps: [usize; N] = std::array::from_fn(|k| st[k][inner]);
    let mut index: SmallVec<[usize; 6]> = SmallVec::from_elem(0, inner);
    let mut starts = [0usize; N];
    loop {
        run(starts, steps, len);
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
}
