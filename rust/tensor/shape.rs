//! Shapes, strides and offsets: how a tensor's elements sit in its storage, and the
//! arithmetic on them (broadcasting, views, dimension wrapping) with PyTorch's errors.

use smallvec::SmallVec;

use crate::error::{Error, Result};

/// Sizes or strides; four dimensions fit without allocating.
pub type Dims = SmallVec<[usize; 4]>;

/// Where a tensor's elements are: element `[i, j, ...]` is at
/// `offset + i * strides[0] + j * strides[1] + ...` in its storage (counted in elements).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub shape: Dims,
    pub strides: Dims,
    pub offset: usize,
}

/// Row-major strides for `shape`.
pub fn contiguous_strides(shape: &[usize]) -> Dims {
    let mut strides: Dims = SmallVec::from_elem(0, shape.len());
    let mut acc = 1usize;
    for (i, &n) in shape.iter().enumerate().rev() {
        strides[i] = acc;
        acc *= n.max(1);
    }
    strides
}

pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Formats a shape as PyTorch does inside messages: `[2, 3]`.
pub fn shape_str(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Wraps a possibly negative dimension index into `0..ndim`, with PyTorch's `IndexError`.
/// A zero-dimensional tensor accepts dims -1 and 0, as in PyTorch.
pub fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::index(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {})",
            -n,
            n - 1,
            dim
        )));
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// Like [`wrap_dim`] for a list of dims; a repeated dim is PyTorch's error.
pub fn wrap_dims(dims: &[i64], ndim: usize) -> Result<Dims> {
    let mut out = Dims::new();
    for &d in dims {
        let w = wrap_dim(d, ndim)?;
        if out.contains(&w) {
            return Err(Error::runtime(format!(
                "dim {w} appears multiple times in the list of dims"
            )));
        }
        out.push(w);
    }
    Ok(out)
}

/// NumPy broadcasting of two shapes, with PyTorch's error.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Dims> {
    let n = a.len().max(b.len());
    let mut out: Dims = SmallVec::from_elem(0, n);
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::runtime(format!(
                "The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
            )));
        };
    }
    Ok(out)
}

/// Whether `from` broadcasts to `to` (every trailing dim equal or 1).
pub fn is_expandable_to(from: &[usize], to: &[usize]) -> bool {
    from.len() <= to.len()
        && from
            .iter()
            .rev()
            .zip(to.iter().rev())
            .all(|(&f, &t)| f == t || f == 1)
}

/// Resolves a requested shape that may hold one `-1`, for `view`/`reshape`.
pub fn infer_shape(requested: &[i64], numel: usize) -> Result<Dims> {
    let mut infer_at = None;
    let mut known = 1usize;
    let mut out = Dims::new();
    for (i, &d) in requested.iter().enumerate() {
        if d == -1 {
            if infer_at.is_some() {
                return Err(Error::runtime("only one dimension can be inferred"));
            }
            infer_at = Some(i);
            out.push(0);
        } else if d < 0 {
            return Err(Error::runtime(format!("invalid shape dimension {d}")));
        } else {
            known *= d as usize;
            out.push(d as usize);
        }
    }
    let invalid = || {
        let parts: Vec<String> = requested.iter().map(|d| d.to_string()).collect();
        Error::runtime(format!(
            "shape '[{}]' is invalid for input of size {numel}",
            parts.join(", ")
        ))
    };
    match infer_at {
        Some(i) => {
            if known == 0 || numel % known != 0 {
                return Err(invalid());
            }
            out[i] = numel / known;
        }
        None if known != numel => return Err(invalid()),
        None => {}
    }
    Ok(out)
}

impl Layout {
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout {
            shape: shape.into(),
            strides: contiguous_strides(shape),
            offset: 0,
        }
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// Row-major with no gaps (size-1 dims may have any stride, as in PyTorch).
    pub fn is_contiguous(&self) -> bool {
        let mut expected = 1usize;
        for (&n, &s) in self.shape.iter().zip(&self.strides).rev() {
            if n == 1 {
                continue;
            }
            if n == 0 {
                return true;
            }
            if s != expected {
                return false;
            }
            expected *= n;
        }
        true
    }

    /// The span of storage elements this layout can touch, as `offset..end`.
    pub fn storage_extent(&self) -> usize {
        if self.numel() == 0 {
            return self.offset;
        }
        self.offset
            + self
                .shape
                .iter()
                .zip(&self.strides)
                .map(|(&n, &s)| (n - 1) * s)
                .sum::<usize>()
            + 1
    }

    /// A view with `shape`, if the elements can be addressed without a copy.
    pub fn view(&self, shape: &[usize]) -> Option<Layout> {
        let strides = view_strides(&self.shape, &self.strides, shape)?;
        Some(Layout {
            shape: shape.into(),
            strides,
            offset: self.offset,
        })
    }

    /// Broadcast to `shape` by giving new and size-1 dims a zero stride. The op layer prefixes
    /// the too-few-sizes message with `expand(<type>{<shape>}, size=<n>): ` as PyTorch does.
    pub fn expand(&self, shape: &[usize]) -> Result<Layout> {
        let n = shape.len();
        if n < self.ndim() {
            return Err(Error::runtime(format!(
                "the number of sizes provided ({n}) must be greater or equal to the number of dimensions in the tensor ({})",
                self.ndim()
            )));
        }
        let lead = n - self.ndim();
        let mut strides: Dims = SmallVec::from_elem(0, n);
        for i in 0..n {
            if i < lead {
                continue;
            }
            let (cur, s) = (self.shape[i - lead], self.strides[i - lead]);
            if cur == shape[i] {
                strides[i] = s;
            } else if cur == 1 {
                strides[i] = 0;
            } else {
                return Err(Error::runtime(format!(
                    "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {}.  Tensor sizes: {}",
                    shape[i],
                    cur,
                    i,
                    shape_str(shape),
                    shape_str(&self.shape)
                )));
            }
        }
        Ok(Layout {
            shape: shape.into(),
            strides,
            offset: self.offset,
        })
    }

    /// Reorders dimensions; `dims` must be a permutation (already wrapped).
    pub fn permute(&self, dims: &[usize]) -> Layout {
        Layout {
            shape: dims.iter().map(|&d| self.shape[d]).collect(),
            strides: dims.iter().map(|&d| self.strides[d]).collect(),
            offset: self.offset,
        }
    }

    pub fn transpose(&self, a: usize, b: usize) -> Layout {
        let mut l = self.clone();
        l.shape.swap(a, b);
        l.strides.swap(a, b);
        l
    }

    /// Inserts a size-1 dim at `dim` (already wrapped into `0..=ndim`).
    pub fn unsqueeze(&self, dim: usize) -> Layout {
        let mut l = self.clone();
        let stride = if dim < self.ndim() {
            self.shape[dim] * self.strides[dim]
        } else {
            1
        };
        l.shape.insert(dim, 1);
        l.strides.insert(dim, stride.max(1));
        l
    }

    /// Drops the listed dims that have size 1.
    pub fn squeeze(&self, dims: &[usize]) -> Layout {
        let keep = |i: &usize| !(dims.contains(i) && self.shape[*i] == 1);
        Layout {
            shape: (0..self.ndim())
                .filter(keep)
                .map(|i| self.shape[i])
                .collect(),
            strides: (0..self.ndim())
                .filter(keep)
                .map(|i| self.strides[i])
                .collect(),
            offset: self.offset,
        }
    }

    /// Picks index `index` (already wrapped) along `dim`, dropping the dim.
    pub fn select(&self, dim: usize, index: usize) -> Layout {
        let mut l = self.clone();
        l.offset += index * self.strides[dim];
        l.shape.remove(dim);
        l.strides.remove(dim);
        l
    }

    /// Keeps `start, start+step, ...` below `stop` along `dim` (bounds already clamped).
    pub fn slice(&self, dim: usize, start: usize, stop: usize, step: usize) -> Layout {
        let mut l = self.clone();
        let len = if stop > start {
            (stop - start).div_ceil(step)
        } else {
            0
        };
        if len > 0 {
            l.offset += start * self.strides[dim];
        }
        l.shape[dim] = len;
        l.strides[dim] = self.strides[dim] * step;
        l
    }
}

/// Strides that let `new_shape` address the same elements as (`shape`, `strides`), if any.
/// Dimensions are walked from the innermost out in "chunks" of storage-contiguous dims; each
/// chunk of the old shape must be covered exactly by consecutive dims of the new shape.
fn view_strides(shape: &[usize], strides: &[usize], new_shape: &[usize]) -> Option<Dims> {
    if numel(shape) == 0 || shape.is_empty() {
        return Some(contiguous_strides(new_shape));
    }
    let mut new_strides: Dims = SmallVec::from_elem(0, new_shape.len());
    let mut view_d = new_shape.len() as isize - 1;
    let mut chunk_base = *strides.last().unwrap();
    let (mut tensor_numel, mut view_numel) = (1usize, 1usize);
    for d in (0..shape.len()).rev() {
        tensor_numel *= shape[d];
        let chunk_ends =
            d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base);
        if !chunk_ends {
            continue;
        }
        while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1) {
            new_strides[view_d as usize] = view_numel * chunk_base;
            view_numel *= new_shape[view_d as usize];
            view_d -= 1;
        }
        if view_numel != tensor_numel {
            return None;
        }
        if d > 0 {
            chunk_base = strides[d - 1];
            tensor_numel = 1;
            view_numel = 1;
        }
    }
    (view_d == -1).then_some(new_strides)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes(&[2, 1], &[3]).unwrap().as_slice(), &[2, 3]);
        assert_eq!(broadcast_shapes(&[], &[3]).unwrap().as_slice(), &[3]);
        let e = broadcast_shapes(&[2, 3], &[4]).unwrap_err();
        assert_eq!(e.message, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
    }

    #[test]
    fn views_of_transposed_layouts() {
        let l = Layout::contiguous(&[2, 3, 4]);
        assert_eq!(l.view(&[6, 4]).unwrap().strides.as_slice(), &[4, 1]);
        let t = l.transpose(1, 2); // shape [2, 4, 3]
        assert!(t.view(&[8, 3]).is_none());
        assert_eq!(t.view(&[2, 12]), None);
        assert_eq!(
            t.view(&[2, 4, 3, 1]).unwrap().strides.as_slice()[..3],
            [12, 1, 4]
        );
        assert_eq!(
            Layout::contiguous(&[])
                .view(&[1, 1])
                .unwrap()
                .shape
                .as_slice(),
            &[1, 1]
        );
    }

    #[test]
    fn infer_shapes() {
        assert_eq!(infer_shape(&[-1, 2], 6).unwrap().as_slice(), &[3, 2]);
        assert_eq!(
            infer_shape(&[3, 3], 4).unwrap_err().message,
            "shape '[3, 3]' is invalid for input of size 4"
        );
        assert!(infer_shape(&[-1, -1], 4).is_err());
    }

    #[test]
    fn dims_wrap() {
        assert_eq!(wrap_dim(-1, 3).unwrap(), 2);
        assert_eq!(
            wrap_dim(3, 3).unwrap_err().message,
            "Dimension out of range (expected to be in range of [-3, 2], but got 3)"
        );
        assert_eq!(wrap_dim(-1, 0).unwrap(), 0);
    }

    #[test]
    fn slicing_and_contiguity() {
        let l = Layout::contiguous(&[4, 5]);
        let s = l.slice(1, 1, 5, 2);
        assert_eq!(
            (s.shape.as_slice(), s.strides.as_slice(), s.offset),
            (&[4, 2][..], &[5, 2][..], 1)
        );
        assert!(!s.is_contiguous());
        assert!(l.select(0, 2).is_contiguous());
        assert_eq!(l.select(0, 2).offset, 10);
    }
}
