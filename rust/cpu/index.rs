//! Gathers and scatters through integer index tensors: the kernels behind advanced indexing,
//! `gather`, `scatter`, `index_select`, `flip`, `roll`, ... and `nonzero`.
//!
//! The shared form: `k` int64 index tensors of one shape `grid` (broadcast views welcome) pick
//! a position in the first `k` dims of `src`; the remaining dims are copied whole. So
//! `out[g.., r..] = src[i_0[g..], .., i_{k-1}[g..], r..]`, with `out` of shape `grid ++ rest`.

use super::number::Number;
use super::strided::for_each_run;
use crate::error::{Error, Result};
use crate::tensor::{Element, Layout, Tensor};
use crate::with_dtype;

/// The storage offset (relative to `src`'s first element) that each grid position selects,
/// in row-major grid order. `wrap` lets `-n <= i < 0` count from the end.
fn grid_offsets(
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

/// The dims of `l` from `first` on, as a layout at offset 0.
fn rest_layout(l: &Layout, first: usize) -> Layout {
    Layout {
        shape: l.shape[first..].into(),
        strides: l.strides[first..].into(),
        offset: 0,
    }
}

/// The shape the index tensors share (`[]` when there are none).
fn grid_of(indices: &[Tensor]) -> &[usize] {
    indices.first().map_or(&[], |i| i.shape())
}

/// `out = src[indices..]` for a contiguous `out` of shape `grid ++ src.shape[k..]`.
pub fn index_into(src: &Tensor, indices: &[Tensor], wrap: bool, out: &Tensor) -> Result<()> {
    let offsets = grid_offsets(src.layout(), indices, grid_of(indices), wrap)?;
    let rest = rest_layout(src.layout(), indices.len());
    let block = rest.numel();
    let inner = Layout::contiguous(&rest.shape);
    with_dtype!(src.dtype(), T => {
        let (ps, po) = (src.cpu_ptr::<T>(), out.cpu_ptr::<T>());
        for (g, &base) in offsets.iter().enumerate() {
            // SAFETY: `base` was bounds-checked; the rest layout stays inside `src`, and
            // `out` holds `block` elements per grid position.
            unsafe {
                let (ps, po) = (ps.add(base), po.add(g * block));
                for_each_run(&rest.shape, [&rest.strides, &inner.strides], |[s, o], [ss, so], len| {
                    for i in 0..len {
                        *po.add(o + i * so) = *ps.add(s + i * ss);
                    }
                });
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
    let g = grid.len();
    let offsets = grid_offsets(dst.layout(), indices, grid, wrap)?;
    let rest = rest_layout(dst.layout(), indices.len());
    let vl = values.layout();
    let value_rest = rest_layout(vl, g);
    let mut value_base = Vec::with_capacity(offsets.len());
    for_each_run(grid, [&vl.strides[..g]], |[s], [step], len| {
        value_base.extend((0..len).map(|i| s + i * step))
    });
    with_dtype!(dst.dtype(), T => {
        let (pd, pv) = (dst.cpu_ptr::<T>(), values.cpu_ptr::<T>());
        for (&base, &vbase) in offsets.iter().zip(&value_base) {
            // SAFETY: `base` was bounds-checked and the rest layouts stay inside both tensors.
            unsafe {
                let (pd, pv) = (pd.add(base), pv.add(vbase));
                for_each_run(&rest.shape, [&rest.strides, &value_rest.strides], |[d, v], [sd, sv], len| {
                    for i in 0..len {
                        let (to, from) = (pd.add(d + i * sd), *pv.add(v + i * sv));
                        *to = if accumulate { Number::add(*to, from) } else { from };
                    }
                });
            }
        }
    });
    Ok(())
}

/// The coordinates of the nonzero elements of `x`, row-major, as an int64 `[n, ndim]` tensor.
pub fn nonzero(x: &Tensor) -> Result<Tensor> {
    let mut hits: Vec<usize> = Vec::new();
    let mut pos = 0usize;
    with_dtype!(x.dtype(), T => {
        let p = x.cpu_ptr::<T>();
        for_each_run(x.shape(), [x.strides()], |[s], [step], len| {
            for i in 0..len {
                // SAFETY: the run addresses elements of `x`.
                if unsafe { *p.add(s + i * step) } != T::zero() {
                    hits.push(pos + i);
                }
            }
            pos += len;
        });
    });
    // Stored dim-major (`[ndim, n]`) and returned transposed, as PyTorch does, so each
    // dim's coordinates are contiguous.
    let shape = x.shape();
    let n = hits.len();
    let mut coords = vec![0i64; n * shape.len()];
    for (i, &h) in hits.iter().enumerate() {
        let mut rem = h;
        for (d, &size) in shape.iter().enumerate().rev() {
            coords[d * n + i] = (rem % size) as i64;
            rem /= size;
        }
    }
    let t = Tensor::from_vec(coords, &[shape.len(), n])?;
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
