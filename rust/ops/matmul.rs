//! Matrix products: `mm`, `bmm`, `mv`, `dot`, and `matmul`, which reduces every case to
//! those the way PyTorch does (so `grad_fn` names match).

use smallvec::smallvec;

use super::arith::mul;
use super::backend;
use super::mask::c_type;
use super::view::{expand, reshape, squeeze_named, t, transpose, unsqueeze, view_named};
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, Dims, Layout, Tensor};

/// PyTorch's dtype error for `mm` (its message names C types: "float", "long int").
fn same_dtype(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            c_type(a.dtype()),
            c_type(b.dtype())
        )));
    }
    super::check_same_device("mm", &[a, b])
}

/// `x` seen as a batch of one (shape `[1, ...]`), for the batched kernel.
fn as_batch(x: &Tensor) -> Tensor {
    x.with_layout(x.layout().unsqueeze(0))
}

fn products(kind: Product, a: &Tensor, b: &Tensor, out: Tensor) -> Result<Tensor> {
    if is_recording(&[a, b]) {
        let saved = smallvec![save_if(b.requires_grad(), a), save_if(a.requires_grad(), b)];
        record(
            ProductBackward {
                kind,
                column_major: [is_column_major(a), is_column_major(b)],
            },
            &[Some(a), Some(b)],
            saved,
            &[&out],
        )?;
    }
    Ok(out)
}

/// Whether `x` is a matrix stored column by column, as `.t()` of a contiguous one (a
/// linear layer's weight as `linear` uses it).
pub(crate) fn is_column_major(x: &Tensor) -> bool {
    let (shape, strides) = (x.shape(), x.strides());
    x.ndim() == 2 && shape[0] > 1 && shape[1] > 1 && strides == [1, shape[0]]
}

/// `a @ b`, the gradient of a matrix that `column_major` says is stored column by column:
/// then computed as `(b.T @ a.T).T`, which has that layout, so accumulating it into the
/// parameter behind the matrix needs no transposing copy (as PyTorch does).
pub(crate) fn mm_for_grad(a: &Tensor, b: &Tensor, column_major: bool) -> Result<Tensor> {
    if column_major {
        t(&mm(&t(b)?, &t(a)?)?)
    } else {
        mm(a, b)
    }
}

/// Matrix times matrix.
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 {
        return Err(Error::runtime(format!(
            "mm: self must be a matrix, got {}-D tensor",
            a.ndim()
        )));
    }
    if b.ndim() != 2 {
        return Err(Error::runtime(format!(
            "mm: mat2 must be a matrix, got {}-D tensor",
            b.ndim()
        )));
    }
    if a.shape()[1] != b.shape()[0] {
        return Err(Error::runtime(format!(
            "mm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            a.shape()[0],
            a.shape()[1],
            b.shape()[0],
            b.shape()[1]
        )));
    }
    same_dtype(a, b)?;
    let out = backend::bmm(&as_batch(a), &as_batch(b))?;
    products(
        Product::Mm,
        a,
        b,
        out.with_layout(Layout::contiguous(&[a.shape()[0], b.shape()[1]])),
    )
}

/// Batch of matrix products: (B, M, K) @ (B, K, N).
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 3 {
        return Err(Error::runtime("batch1 must be a 3D tensor"));
    }
    if b.ndim() != 3 {
        return Err(Error::runtime("batch2 must be a 3D tensor"));
    }
    if b.shape()[0] != a.shape()[0] || b.shape()[1] != a.shape()[2] {
        return Err(Error::runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
            a.shape()[0],
            a.shape()[2],
            b.shape()[0],
            b.shape()[1]
        )));
    }
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "expected scalar type {} but found {}",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    super::check_same_device("bmm", &[a, b])?;
    let out = backend::bmm(a, b)?;
    products(Product::Bmm, a, b, out)
}

/// Matrix times vector.
pub fn mv(a: &Tensor, v: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 || v.ndim() != 1 {
        return Err(Error::runtime(format!(
            "vector + matrix @ vector expected, got 1, {}, {}",
            a.ndim(),
            v.ndim()
        )));
    }
    if a.shape()[1] != v.shape()[0] {
        return Err(Error::runtime(format!(
            "size mismatch, got input ({}), mat ({}x{}), vec ({})",
            a.shape()[0],
            a.shape()[0],
            a.shape()[1],
            v.shape()[0]
        )));
    }
    if a.dtype() != v.dtype() {
        let (ta, tv) = (a.dtype().scalar_type_name(), v.dtype().scalar_type_name());
        return Err(Error::runtime(format!(
            "addmv input tensors must have the same dtype, but got {tv}, {ta}, and {tv}"
        )));
    }
    super::check_same_device("mv", &[a, v])?;
    let col = v.with_layout(v.layout().unsqueeze(1));
    let out = backend::bmm(&as_batch(a), &as_batch(&col))?;
    products(
        Product::Mv,
        a,
        v,
        out.with_layout(Layout::contiguous(&[a.shape()[0]])),
    )
}

/// Inner product of two vectors.
pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 1 || b.ndim() != 1 {
        return Err(Error::runtime(format!(
            "1D tensors expected, but got {}D and {}D tensors",
            a.ndim(),
            b.ndim()
        )));
    }
    if a.numel() != b.numel() {
        return Err(Error::runtime(format!(
            "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
            a.numel(),
            b.numel(),
            a.numel(),
            b.numel()
        )));
    }
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "dot : expected both vectors to have same dtype, but found {} and {}",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    super::check_same_device("dot", &[a, b])?;
    let row = a.with_layout(a.layout().unsqueeze(0));
    let col = b.with_layout(b.layout().unsqueeze(1));
    let out = backend::bmm(&as_batch(&row), &as_batch(&col))?;
    products(Product::Dot, a, b, out.with_layout(Layout::contiguous(&[])))
}

/// `a @ b` with PyTorch's rules for every combination of ranks, reduced to `dot`, `mv`, `mm`
/// or `bmm` the way PyTorch does it (so the `grad_fn` names match).
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (da, db) = (a.ndim(), b.ndim());
    if da == 0 || db == 0 {
        return Err(Error::runtime(format!(
            "both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )));
    }
    match (da, db) {
        (1, 1) => dot(a, b),
        (2, 1) => mv(a, b),
        (1, 2) => squeeze_named(&mm(&unsqueeze(a, 0)?, b)?, 0, "SqueezeBackward4"),
        (2, 2) => mm(a, b),
        _ if should_fold(a, b) => folded(a, b),
        _ => batched(a, b),
    }
}

/// Whether one side has at least 3 dims and the other at most 2 and the large side's batch
/// folds into matrix rows: PyTorch's choice, which also decides the `grad_fn`.
fn should_fold(a: &Tensor, b: &Tensor) -> bool {
    let a_larger = a.ndim() >= b.ndim();
    let (large, small) = if a_larger { (a, b) } else { (b, a) };
    if large.ndim() < 3 || small.ndim() > 2 {
        return false;
    }
    if small.requires_grad() {
        return true;
    }
    if a.ndim() == 2 {
        return false;
    }
    // The large side as the left operand (`b` seen transposed).
    let t1 = if a_larger {
        large.layout().clone()
    } else {
        large.layout().transpose(large.ndim() - 2, large.ndim() - 1)
    };
    t1.numel() == 0
        || (0..t1.ndim() - 1).all(|i| t1.strides[i] == t1.strides[i + 1] * t1.shape[i + 1])
}

/// The folded case: the large operand's batch becomes rows of one `mm` (or `mv`); with the
/// large operand on the right, `a @ b = (b^T @ a^T)^T`.
fn folded(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let transposed = b.ndim() > a.ndim();
    let (t1, t2) = if transposed {
        (
            transpose(b, -1, -2)?,
            if a.ndim() == 2 { t(a)? } else { a.clone() },
        )
    } else {
        (a.clone(), b.clone())
    };
    let k = t1.shape()[t1.ndim() - 1];
    let mut out_shape: Dims = t1.shape()[..t1.ndim() - 1].into();
    let rows: usize = out_shape.iter().product();
    let t1_folded = reshape(&t1, &[rows, k])?;
    if t2.ndim() == 1 {
        return view_named(&mv(&t1_folded, &t2)?, &out_shape, "UnsafeViewBackward0");
    }
    out_shape.push(t2.shape()[1]);
    let out = view_named(&mm(&t1_folded, &t2)?, &out_shape, "UnsafeViewBackward0")?;
    if transposed {
        super::copy::contiguous(&transpose(&out, -1, -2)?)
    } else {
        Ok(out)
    }
}

/// The general case: both operands expanded to the broadcast batch, then one `bmm` (a 1-D
/// operand counts as a single row or column).
fn batched(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (da, db) = (a.ndim(), b.ndim());
    let n = if da > 1 { a.shape()[da - 2] } else { 1 };
    let m1 = a.shape()[da - 1];
    let (m2, p) = if db > 1 {
        (b.shape()[db - 2], b.shape()[db - 1])
    } else {
        (b.shape()[0], 1)
    };
    let batch = broadcast_shapes(
        &a.shape()[..da.saturating_sub(2)],
        &b.shape()[..db.saturating_sub(2)],
    )?;
    let nb: usize = batch.iter().product();
    let expanded = |x: &Tensor, r: usize, c: usize| -> Result<Tensor> {
        let mut shape = batch.clone();
        shape.extend([r, c]);
        reshape(&expand(x, &shape)?, &[nb, r, c])
    };
    let b_matrix = if db == 1 { unsqueeze(b, 1)? } else { b.clone() };
    let r = bmm(&expanded(a, n, m1)?, &expanded(&b_matrix, m2, p)?)?;
    let mut out_shape = batch.clone();
    if da > 1 {
        out_shape.push(n);
    }
    if db > 1 {
        out_shape.push(p);
    }
    view_named(&r, &out_shape, "UnsafeViewBackward0")
}

#[derive(Copy, Clone)]
enum Product {
    Mm,
    Bmm,
    Mv,
    Dot,
}

struct ProductBackward {
    kind: Product,
    /// Per operand, [`is_column_major`] (used by `Mm`).
    column_major: [bool; 2],
}

impl Backward for ProductBackward {
    fn name(&self) -> &str {
        match self.kind {
            Product::Mm => "MmBackward0",
            Product::Bmm => "BmmBackward0",
            Product::Mv => "MvBackward0",
            Product::Dot => "DotBackward0",
        }
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let (ga, gb) = match self.kind {
            Product::Mm => (
                if ctx.needs(0) {
                    Some(mm_for_grad(g, &t(ctx.saved(1)?)?, self.column_major[0])?)
                } else {
                    None
                },
                if ctx.needs(1) {
                    Some(mm_for_grad(&t(ctx.saved(0)?)?, g, self.column_major[1])?)
                } else {
                    None
                },
            ),
            Product::Bmm => (
                if ctx.needs(0) {
                    Some(bmm(g, &transpose(ctx.saved(1)?, 1, 2)?)?)
                } else {
                    None
                },
                if ctx.needs(1) {
                    Some(bmm(&transpose(ctx.saved(0)?, 1, 2)?, g)?)
                } else {
                    None
                },
            ),
            Product::Mv => (
                if ctx.needs(0) {
                    Some(mul(&unsqueeze(g, 1)?, &unsqueeze(ctx.saved(1)?, 0)?)?)
                } else {
                    None
                },
                if ctx.needs(1) {
                    Some(mv(&t(ctx.saved(0)?)?, g)?)
                } else {
                    None
                },
            ),
            Product::Dot => (
                if ctx.needs(0) {
                    Some(mul(g, ctx.saved(1)?)?)
                } else {
                    None
                },
                if ctx.needs(1) {
                    Some(mul(g, ctx.saved(0)?)?)
                } else {
                    None
                },
            ),
        };
        Ok(smallvec![ga, gb])
    }
}
