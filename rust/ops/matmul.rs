//! Matrix products: `mm`, `bmm`, `mv`, `dot`, and `matmul`, which reduces every case to
//! those the way PyTorch does (so `grad_fn` names match).

use smallvec::smallvec;

use super::arith::mul;
use super::backend;
use super::view::{expand, reshape, squeeze_named, t, transpose, unsqueeze, view_named};
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{broadcast_shapes, Dims, Layout, Tensor};

fn same_dtype(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            c_type(a),
            c_type(b)
        )));
    }
    super::check_same_device("mm", &[a, b])
}

/// PyTorch's C type names in matmul messages ("float", "double", "long int").
fn c_type(t: &Tensor) -> &'static str {
    match t.dtype() {
        crate::tensor::DType::Float32 => "float",
        crate::tensor::DType::Float64 => "double",
        crate::tensor::DType::Int64 => "long int",
        crate::tensor::DType::Int32 => "int",
        crate::tensor::DType::Bool => "bool",
    }
}

/// `x` seen as a batch of one (shape `[1, ...]`), for the batched kernel.
fn as_batch(x: &Tensor) -> Tensor {
    x.with_layout(x.layout().unsqueeze(0))
}

fn products(kind: Product, a: &Tensor, b: &Tensor, out: Tensor) -> Result<Tensor> {
    if is_recording(&[a, b]) {
        let saved = smallvec![save_if(b.requires_grad(), a), save_if(a.requires_grad(), b)];
        record(
            ProductBackward { kind },
            &[Some(a), Some(b)],
            saved,
            &[&out],
        )?;
    }
    Ok(out)
}

/// Matrix times matrix.
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 {
        return Err(Error::runtime("self must be a matrix"));
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
    same_dtype(a, b)?;
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
    same_dtype(a, v)?;
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
    same_dtype(a, b)?;
    let row = a.with_layout(a.layout().unsqueeze(0));
    let col = b.with_layout(b.layout().unsqueeze(1));
    let out = backend::bmm(&as_batch(&row), &as_batch(&col))?;
    products(Product::Dot, a, b, out.with_layout(Layout::contiguous(&[])))
}

/// `a @ b` with PyTorch's rules for every combination of ranks.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (da, db) = (a.ndim(), b.ndim());
    if da == 0 || db == 0 {
        return Err(Error::runtime(format!(
            "both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )));
    }
    match (da, db) {
        (1, 1) => dot(a, b),
        (2, 2) => mm(a, b),
        (1, 2) => squeeze_named(&mm(&unsqueeze(a, 0)?, b)?, 0, "SqueezeBackward4"),
        (2, 1) => mv(a, b),
        (_, 1 | 2) => {
            // Fold the batch of `a` into its rows: one big mm (or mv).
            let k = a.shape()[da - 1];
            let folded = reshape(a, &[a.numel() / k.max(1), k])?;
            let mut out_shape: Dims = a.shape()[..da - 1].into();
            let r = if db == 1 {
                mv(&folded, b)?
            } else {
                out_shape.push(b.shape()[1]);
                mm(&folded, b)?
            };
            view_named(&r, &out_shape, "UnsafeViewBackward0")
        }
        (1, _) => {
            // v @ B == (B^T @ v) per batch: fold B^T's batch into rows.
            let bt = transpose(b, -1, -2)?;
            let k = bt.shape()[db - 1];
            let folded = reshape(&bt, &[bt.numel() / k.max(1), k])?;
            let out_shape: Dims = bt.shape()[..db - 1].into();
            view_named(&mv(&folded, a)?, &out_shape, "UnsafeViewBackward0")
        }
        _ => batched(a, b),
    }
}

/// The general case: broadcast the batch dims, then one `bmm`.
fn batched(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (a, b) = (a.clone(), b.clone());
    let (m, k) = (a.shape()[a.ndim() - 2], a.shape()[a.ndim() - 1]);
    let (k2, n) = (b.shape()[b.ndim() - 2], b.shape()[b.ndim() - 1]);
    if k != k2 {
        return Err(Error::runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
            a.shape()[..a.ndim() - 2].iter().product::<usize>(),
            k,
            b.shape()[..b.ndim() - 2].iter().product::<usize>(),
            k2
        )));
    }
    let batch = broadcast_shapes(&a.shape()[..a.ndim() - 2], &b.shape()[..b.ndim() - 2])?;
    let nb: usize = batch.iter().product();
    let full = |t: &Tensor, r: usize, c: usize| -> Result<Tensor> {
        let mut shape = batch.clone();
        shape.extend([r, c]);
        reshape(&expand(t, &shape)?, &[nb, r, c])
    };
    let r = bmm(&full(&a, m, k)?, &full(&b, k, n)?)?;
    let mut out_shape = batch.clone();
    out_shape.extend([m, n]);
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
                    Some(mm(g, &t(ctx.saved(1)?)?)?)
                } else {
                    None
                },
                if ctx.needs(1) {
                    Some(mm(&t(ctx.saved(0)?)?, g)?)
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
