//! Gathers and scatters through integer index tensors: the kernels behind advanced indexing,
//! `gather`, `scatter`, `index_select`, `flip`, `roll`, ... and `nonzero`.
//!
//! The shared form: `k` int64 index tensors of one shape `grid` (broadcast views welcome) pick
//! a position in the first `k` dims of `src`; the remaining dims are copied whole. So
//! `out[g.., r..] = src[i_0[g..], .., i_{k-1}[g..], r..]`, with `out` of shape `grid ++ rest`.

use super::number::Number;
use super::strided::{for_each_run, offsets as offsets_of};
use crate::error::{Error, Result};
use crate::tensor::{Element, Layout, Tensor};
use crate::with_dtype;

/// The storage offset (relative to `src`'s first element) that each grid position selects,
/// in row-major grid order. `wrap` lets `-n <= i < 0` count from the end.
pub fn grid_offsets(
    src: &Layout,
    indices: &[Tensor],
    grid: &[usize],
    wrap: bool,
) -> Result<Vec<usize>> {
    let mut offsets = vec![0usize; grid.iter().product()];
    for (j, index) in indices.iter().enumerate() {
        let (size, stride) = (src.shape[j] as i64, src.strides[j]);
        let ptr = index.cpu_ptr::<i64>();
        let mut bad = None;
        let mut pos = 0usize;
        for_each_run(grid, [index.strides()], |[s], [step], len| {
            for i in 0..len {
                // SAFETY: the run addresses elements of `index`.
                let v = unsafe { *ptr.add(s + i * step) };
                let w = if wrap && v < 0 { v + size } else { v };
                if (0..size).contains(&w) {
                    offsets[pos + i] += w as usize * stride;
                } else if bad.is_none() {
                    bad = Some(v);
                }
            }
            pos += len;
        });
        if let Some(v) = bad {
            return Err(Error::index(format!(
                "index {v} is out of bounds for dimension {j} with size {size}"
            )));
        }
    }
    Ok(offsets)
}

/// The storage offsets of the elements of the dims of `l` from `first` on (the block each
/// grid position copies), row-major.
fn block_offsets(l: &Layout, first: usize) -> Vec<usize> {
    offsets_of(&l.shape[first..], &l.strides[first..])
}

/// Whether block offsets are `0, 1, 2, ...` (the block can be copied in one go).
fn is_dense(block: &[usize]) -> bool {
    block.iter().enumerate().all(|(i, &r)| i == r)
}

/// The shape the index tensors share (`[]` when there are none).
fn grid_of(indices: &[Tensor]) -> &[usize] {
    indices.first().map_or(&[], |i| i.shape())
}

/// `out = src[indices..]` for a contiguous `out` of shape `grid ++ src.shape[k..]`.
pub fn index_into(src: &Tensor, indices: &[Tensor], wrap: bool, out: &Tensor) -> Result<()> {
    let offsets = grid_offsets(src.layout(), indices, grid_of(indices), wrap)?;
    let block = block_offsets(src.layout(), indices.len());
    with_dtype!(src.dtype(), T => {
        let (ps, po) = (src.cpu_ptr::<T>(), out.cpu_ptr::<T>());
        let dense = is_dense(&block);
        for (g, &base) in offsets.iter().enumerate() {
            // SAFETY: `base` was bounds-checked, the block offsets stay inside `src`, and `out`
            // holds `block.len()` elements per grid position.
            unsafe {
                let (ps, po) = (ps.add(base), po.add(g * block.len()));
                if dense {
                    std::ptr::copy_nonoverlapping(ps, po, block.len());
                } else {
                    for (i, &r) in block.iter().enumerate() {
                        *po.add(i) = *ps.add(r);
                    }
                }
            }
        }
    });
    Ok(())
}

/// `dst[indices..] = values` (or `+=` when `accumulate`), `values` already broadcast to
/// `grid ++ dst.shape[k..]` in `dst`'s dtype. Repeated positions: the last write wins, or all
/// of them add up.
pub fn index_put(
    dst: &Tensor,
    indices: &[Tensor],
    values: &Tensor,
    accumulate: bool,
    wrap: bool,
) -> Result<()> {
    let grid = grid_of(indices);
    let offsets = grid_offsets(dst.layout(), indices, grid, wrap)?;
    let vl = values.layout();
    let value_base = offsets_of(grid, &vl.strides[..grid.len()]);
    let block = block_offsets(dst.layout(), indices.len());
    let value_block = block_offsets(vl, grid.len());
    let (dense, n) = (is_dense(&block) && is_dense(&value_block), block.len());
    with_dtype!(dst.dtype(), T => {
        let (pd, pv) = (dst.cpu_ptr::<T>(), values.cpu_ptr::<T>());
        for (&base, &vbase) in offsets.iter().zip(&value_base) {
            // SAFETY: `base` was bounds-checked and the block offsets stay inside both tensors.
            unsafe {
                let (pd, pv) = (pd.add(base), pv.add(vbase));
                if dense {
                    let (to, from) = (std::slice::from_raw_parts_mut(pd, n), std::slice::from_raw_parts(pv, n));
                    if accumulate {
                        to.iter_mut().zip(from).for_each(|(t, &f)| *t = Number::add(*t, f));
                    } else {
                        to.copy_from_slice(from);
                    }
                } else {
                    for (&d, &v) in block.iter().zip(&value_block) {
                        let (to, from) = (pd.add(d), *pv.add(v));
                        *to = if accumulate { Number::add(*to, from) } else { from };
                    }
                }
            }
        }
    });
    Ok(())
}

/// The coordinates of the nonzero elements of `x`, row-major, as an int64 `[n, ndim]` tensor.
/// It is stored dim-major (`[ndim, n]`, returned transposed) as in PyTorch, so each dim's
/// coordinates are contiguous.
pub fn nonzero(x: &Tensor) -> Result<Tensor> {
    let (shape, strides) = (x.shape(), x.strides());
    let nd = shape.len();
    let mut coords: Vec<Vec<i64>> = vec![Vec::new(); nd];
    let mut hits = 0usize;
    if x.numel() > 0 {
        let (inner, step) = match nd {
            0 => (1, 0),
            _ => (shape[nd - 1], strides[nd - 1]),
        };
        // An odometer over the outer dims; the last dim is walked in a plain loop.
        let outer = nd.saturating_sub(1);
        let mut at = vec![0usize; outer];
        let mut base = 0usize;
        with_dtype!(x.dtype(), T => {
            let p = x.cpu_ptr::<T>();
            loop {
                for j in 0..inner {
                    // SAFETY: `base + j * step` addresses an element of `x`.
                    if unsafe { *p.add(base + j * step) } != T::zero() {
                        hits += 1;
                        for (d, &c) in at.iter().enumerate() {
                            coords[d].push(c as i64);
                        }
                        if nd > 0 {
                            coords[nd - 1].push(j as i64);
                        }
                    }
                }
                let Some(d) = (0..outer).rev().find(|&d| at[d] + 1 < shape[d]) else {
                    break;
                };
                at[d] += 1;
                base += strides[d];
                for e in d + 1..outer {
                    base -= at[e] * strides[e];
                    at[e] = 0;
                }
            }
        });
    }
    let t = Tensor::from_vec(coords.concat(), &[nd, hits])?;
    Ok(t.with_layout(t.layout().transpose(0, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: &[i64], shape: &[usize]) -> Tensor {
        Tensor::from_vec(values.to_vec(), shape).unwrap()
    }

    #[test]
    fn gathers_rows_and_wraps_negatives() {
        let src = Tensor::from_vec((0..6).map(|v| v as f32).collect(), &[3, 2]).unwrap();
        let out = Tensor::empty(&[2, 2], crate::tensor::DType::Float32, src.device()).unwrap();
        index_into(&src, &[ints(&[2, -3], &[2])], true, &out).unwrap();
        assert_eq!(out.to_vec::<f32>().unwrap(), vec![4.0, 5.0, 0.0, 1.0]);
        let err = index_into(&src, &[ints(&[-1], &[1])], false, &out).unwrap_err();
        assert_eq!(
            err.message,
            "index -1 is out of bounds for dimension 0 with size 3"
        );
    }

    #[test]
    fn puts_accumulate_repeated_positions() {
        let dst = Tensor::from_vec(vec![0i64; 3], &[3]).unwrap();
        let values = ints(&[1, 2, 3], &[3]);
        index_put(&dst, &[ints(&[0, 0, 2], &[3])], &values, true, false).unwrap();
        assert_eq!(dst.to_vec::<i64>().unwrap(), vec![3, 0, 3]);
        let err = index_put(&dst, &[ints(&[0, 5, 2], &[3])], &values, true, false).unwrap_err();
        assert_eq!(
            err.message,
            "index 5 is out of bounds for dimension 0 with size 3"
        );
        assert_eq!(
            dst.to_vec::<i64>().unwrap(),
            vec![3, 0, 3],
            "nothing written on error"
        );
    }

    #[test]
    fn nonzero_lists_coordinates_row_major() {
        let x = Tensor::from_vec(vec![0.0f64, 1.0, 2.0, 0.0], &[2, 2]).unwrap();
        let nz = nonzero(&x).unwrap();
        assert_eq!(nz.shape(), &[2, 2]);
        assert_eq!(nz.to_vec::<i64>().unwrap(), vec![0, 1, 1, 0]);
    }
}
