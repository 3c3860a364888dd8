//! Joining and splitting: `cat`, `stack`, and `split` (by size or sizes), `chunk`, `unbind`,
//! whose pieces are views of the input recorded by one multi-output node.

use smallvec::smallvec;

use super::backend;
use super::view::{select, slice};
use crate::autograd::{is_recording, record, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{result_type, shape_str, wrap_dim, Layout, Operand, Tensor};

/// A new tensor of `shape` with each part copied into its region (converting dtypes).
fn assemble(parts: &[(&Tensor, Layout)], shape: &[usize], like: &[Tensor]) -> Result<Tensor> {
    let dtypes: Vec<Operand> = like
        .iter()
        .map(|t| Operand::Dimensioned(t.dtype()))
        .collect();
    let refs: Vec<&Tensor> = like.iter().collect();
    super::check_same_device("cat", &refs)?;
    let out = Tensor::empty(shape, result_type(&dtypes), like[0].device())?;
    for (t, region) in parts {
        backend::copy_into(t, &out.with_layout(region.clone()))?;
    }
    Ok(out)
}

/// `cat(tensors, dim)`: the tensors joined along `dim` (PyTorch's promotion of their dtypes;
/// 1-D empty tensors are skipped, as in PyTorch).
pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(Error::value(
            "ferrograd.cat(): expected a non-empty list of Tensors",
        ));
    }
    if let Some(i) = tensors.iter().position(|t| t.ndim() == 0) {
        return Err(Error::runtime(format!(
            "zero-dimensional tensor (at position {i}) cannot be concatenated"
        )));
    }
    let skipped = |t: &Tensor| t.shape() == [0];
    let Some(first) = tensors.iter().find(|t| !skipped(t)) else {
        return assemble(&[], &[0], tensors);
    };
    let d = wrap_dim(dim, first.ndim())?;
    let mut size = 0usize;
    let mut spans = Vec::with_capacity(tensors.len());
    for (i, t) in tensors.iter().enumerate() {
        if skipped(t) {
            spans.push(None);
            continue;
        }
        if t.ndim() != first.ndim() {
            return Err(Error::runtime(format!(
                "Tensors must have same number of dimensions: got {} and {}",
                first.ndim(),
                t.ndim()
            )));
        }
        if let Some(k) = (0..t.ndim()).find(|&k| k != d && t.shape()[k] != first.shape()[k]) {
            return Err(Error::runtime(format!(
                "Sizes of tensors must match except in dimension {d}. Expected size {} but got size {} for tensor number {i} in the list.",
                first.shape()[k],
                t.shape()[k]
            )));
        }
        spans.push(Some((size, t.shape()[d])));
        size += t.shape()[d];
    }
    let mut shape = first.shape_dims();
    shape[d] = size;
    let whole = Layout::contiguous(&shape);
    let parts: Vec<(&Tensor, Layout)> = tensors
        .iter()
        .zip(&spans)
        .filter_map(|(t, span)| span.map(|(at, n)| (t, whole.slice(d, at, at + n, 1))))
        .collect();
    let out = assemble(&parts, &shape, tensors)?;
    let refs: Vec<&Tensor> = tensors.iter().collect();
    if is_recording(&refs) {
        let inputs: Vec<Option<&Tensor>> = refs.iter().map(|t| Some(*t)).collect();
        record(
            JoinBackward::Cat { dim: d, spans },
            &inputs,
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// `stack(tensors, dim)`: same-shaped tensors joined along a new dim `dim`.
pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let Some(first) = tensors.first() else {
        return Err(Error::runtime("stack expects a non-empty TensorList"));
    };
    let d = wrap_dim(dim, first.ndim() + 1)?;
    if let Some((i, t)) = tensors
        .iter()
        .enumerate()
        .find(|(_, t)| t.shape() != first.shape())
    {
        return Err(Error::runtime(format!(
            "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {i}",
            shape_str(first.shape()),
            shape_str(t.shape())
        )));
    }
    let mut shape = first.shape_dims();
    shape.insert(d, tensors.len());
    let whole = Layout::contiguous(&shape);
    let parts: Vec<(&Tensor, Layout)> = tensors
        .iter()
        .enumerate()
        .map(|(i, t)| (t, whole.select(d, i)))
        .collect();
    let out = assemble(&parts, &shape, tensors)?;
    let refs: Vec<&Tensor> = tensors.iter().collect();
    if is_recording(&refs) {
        let inputs: Vec<Option<&Tensor>> = refs.iter().map(|t| Some(*t)).collect();
        record(
            JoinBackward::Stack { dim: d },
            &inputs,
            smallvec![],
            &[&out],
        )?;
    }
    Ok(out)
}

/// Views of `x` along `d`, recorded by one node whose backward joins their gradients.
fn pieces(x: &Tensor, layouts: Vec<Layout>, node: JoinBackward) -> Result<Vec<Tensor>> {
    let outs: Vec<Tensor> = layouts.into_iter().map(|l| x.view_of(l)).collect();
    if is_recording(&[x]) {
        let refs: Vec<&Tensor> = outs.iter().collect();
        record(node, &[Some(x)], smallvec![], &refs)?;
    }
    Ok(outs)
}

fn split_dim(x: &Tensor, dim: i64, op: &str) -> Result<usize> {
    if x.ndim() == 0 {
        return Err(Error::runtime(format!(
            "{op} expects at least a 1-dimensional tensor"
        )));
    }
    wrap_dim(dim, x.ndim())
}

/// Views of consecutive runs of `sizes[i]` elements along `d`.
fn runs(x: &Tensor, d: usize, sizes: &[usize]) -> Vec<Layout> {
    let mut at = 0;
    sizes
        .iter()
        .map(|&n| {
            let l = x.layout().slice(d, at, at + n, 1);
            at += n;
            l
        })
        .collect()
}

/// `split(size, dim)`: pieces of `size` along `dim` (the last may be shorter).
pub fn split(x: &Tensor, size: i64, dim: i64) -> Result<Vec<Tensor>> {
    let d = split_dim(x, dim, "split")?;
    let n = x.shape()[d];
    if size < 0 {
        return Err(Error::runtime(format!(
            "split expects split_size be non-negative, but got split_size={size}"
        )));
    }
    if size == 0 && n != 0 {
        return Err(Error::runtime(format!(
            "split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
        )));
    }
    let size = size as usize;
    let count = if n == 0 { 1 } else { n.div_ceil(size) };
    let sizes: Vec<usize> = (0..count)
        .map(|i| size.min(n - (i * size).min(n)))
        .collect();
    pieces(
        x,
        runs(x, d, &sizes),
        JoinBackward::Split {
            name: "SplitBackward0",
            dim: d,
        },
    )
}

/// `split(sizes, dim)` with a list: pieces of exactly `sizes` along `dim`.
pub fn split_with_sizes(x: &Tensor, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
    let d = split_dim(x, dim, "split_with_sizes")?;
    let n = x.shape()[d];
    let list = || {
        let parts: Vec<String> = sizes.iter().map(|s| s.to_string()).collect();
        format!("[{}]", parts.join(", "))
    };
    if sizes.iter().any(|&s| s < 0) {
        return Err(Error::runtime(format!(
            "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={}",
            list()
        )));
    }
    if sizes.iter().sum::<i64>() != n as i64 {
        return Err(Error::runtime(format!(
            "split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {d}), but got split_sizes={}",
            list()
        )));
    }
    let sizes: Vec<usize> = sizes.iter().map(|&s| s as usize).collect();
    pieces(
        x,
        runs(x, d, &sizes),
        JoinBackward::Split {
            name: "SplitWithSizesBackward0",
            dim: d,
        },
    )
}

/// `chunk(chunks, dim)`: at most `chunks` pieces of equal size (the last may be shorter).
pub fn chunk(x: &Tensor, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
    if chunks <= 0 {
        return Err(Error::runtime(format!(
            "chunk expects `chunks` to be greater than 0, got: {chunks}"
        )));
    }
    let d = split_dim(x, dim, "chunk")?;
    let n = x.shape()[d] as i64;
    if n == 0 {
        let sizes = vec![0; chunks as usize];
        return split_with_sizes(x, &sizes, dim);
    }
    split(x, (n + chunks - 1) / chunks, dim)
}

/// `unbind(dim)`: every slice along `dim`, as views without that dim.
pub fn unbind(x: &Tensor, dim: i64) -> Result<Vec<Tensor>> {
    if x.ndim() == 0 {
        return Err(Error::index(
            "Dimension specified as 0 but tensor has no dimensions",
        ));
    }
    let d = wrap_dim(dim, x.ndim())?;
    let layouts = (0..x.shape()[d]).map(|i| x.layout().select(d, i)).collect();
    pieces(x, layouts, JoinBackward::Unbind { dim: d })
}

enum JoinBackward {
    /// Each input's (start, length) along `dim`; `None` for a skipped 1-D empty tensor.
    Cat {
        dim: usize,
        spans: Vec<Option<(usize, usize)>>,
    },
    Stack {
        dim: usize,
    },
    Split {
        name: &'static str,
        dim: usize,
    },
    Unbind {
        dim: usize,
    },
}

impl Backward for JoinBackward {
    fn name(&self) -> &str {
        match self {
            JoinBackward::Cat { .. } => "CatBackward0",
            JoinBackward::Stack { .. } => "StackBackward0",
            JoinBackward::Split { name, .. } => name,
            JoinBackward::Unbind { .. } => "UnbindBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        Ok(match self {
            JoinBackward::Cat { dim, spans } => spans
                .iter()
                .enumerate()
                .map(|(i, span)| {
                    if !ctx.needs(i) {
                        return Ok(None);
                    }
                    Ok(Some(match span {
                        Some((at, n)) => {
                            slice(g, *dim as i64, Some(*at as i64), Some((at + n) as i64), 1)?
                        }
                        None => super::creation::zeros(&[0], g.dtype(), g.device())?,
                    }))
                })
                .collect::<Result<Grads>>()?,
            JoinBackward::Stack { dim } => (0..ctx.num_inputs())
                .map(|i| {
                    ctx.needs(i)
                        .then(|| select(g, *dim as i64, i as i64))
                        .transpose()
                })
                .collect::<Result<Grads>>()?,
            JoinBackward::Split { dim, .. } => {
                smallvec![Some(cat(&ctx.grads, *dim as i64)?)]
            }
            JoinBackward::Unbind { dim } => {
                smallvec![Some(stack(&ctx.grads, *dim as i64)?)]
            }
        })
    }
}
