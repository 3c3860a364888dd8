//! Matrix products on the CPU: the `gemm` crate for floats, a plain loop for integers.

use super::number::Number;
use crate::error::Result;
use crate::tensor::{DType, Element, Tensor};
use crate::with_dtype;

/// Above this many multiply-adds a product uses every core.
const PARALLEL_FLOPS: usize = 1 << 18;

/// `out[b] = a[b] @ c[b]` for 3-D `a` (B, M, K), `c` (B, K, N) and contiguous `out` (B, M, N).
/// Any strides are accepted for `a` and `c` (transposed views need no copy).
pub fn bmm_into(a: &Tensor, c: &Tensor, out: &Tensor) -> Result<()> {
    let (batch, m, k) = (a.shape()[0], a.shape()[1], a.shape()[2]);
    let n = c.shape()[2];
    let (sa, sc, so) = (a.strides(), c.strides(), out.strides());
    match out.dtype() {
        DType::Float32 => gemm_batched::<f32>(a, c, out, batch, m, n, k),
        DType::Float64 => gemm_batched::<f64>(a, c, out, batch, m, n, k),
        dt => with_dtype!(dt, T => {
            let (pa, pc, po) = (a.cpu_ptr::<T>(), c.cpu_ptr::<T>(), out.cpu_ptr::<T>());
            for bi in 0..batch {
                for i in 0..m {
                    for j in 0..n {
                        let mut acc = T::zero();
                        for p in 0..k {
                            // SAFETY: indices are inside the shapes the strides describe.
                            let (x, y) = unsafe {
                                (*pa.add(bi * sa[0] + i * sa[1] + p * sa[2]), *pc.add(bi * sc[0] + p * sc[1] + j * sc[2]))
                            };
                            acc = Number::add(acc, Number::mul(x, y));
                        }
                        unsafe { *po.add(bi * so[0] + i * so[1] + j * so[2]) = acc };
                    }
                }
            }
        }),
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn gemm_batched<T: Element>(
    a: &Tensor,
    c: &Tensor,
    out: &Tensor,
    batch: usize,
    m: usize,
    n: usize,
    k: usize,
) {
    let (sa, sc, so) = (a.strides(), c.strides(), out.strides());
    let parallelism = if m * n * k >= PARALLEL_FLOPS {
        gemm::Parallelism::Rayon(rayon::current_num_threads())
    } else {
        gemm::Parallelism::None
    };
    let (pa, pc, po) = (a.cpu_ptr::<T>(), c.cpu_ptr::<T>(), out.cpu_ptr::<T>());
    for bi in 0..batch {
        if k == 0 {
            // An empty sum: gemm with read_dst=false still needs zeros to start from.
            for i in 0..m * n {
                unsafe { *po.add(bi * so[0] + i) = T::zero() };
            }
            continue;
        }
        // SAFETY: pointers and strides describe the three tensors' elements exactly.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                po.add(bi * so[0]),
                so[2] as isize,
                so[1] as isize,
                false,
                pa.add(bi * sa[0]),
                sa[2] as isize,
                sa[1] as isize,
                pc.add(bi * sc[0]),
                sc[2] as isize,
                sc[1] as isize,
                T::zero(),
                T::one(),
                false,
                false,
                false,
                parallelism,
            )
        }
    }
}
