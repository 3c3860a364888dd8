//! Tensors made from nothing: constants, ranges, identity matrices and random numbers.

use super::backend;
use super::kinds::Distribution;
use crate::cpu::random::Generator;
use crate::error::{Error, Result};
use crate::tensor::{DType, Device, Element, Layout, Scalar, Storage, Tensor};
use crate::with_dtype;

pub fn zeros(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
    match device {
        Device::Cpu => Ok(Tensor::from_parts(
            Storage::cpu_zeroed(Tensor::byte_size(shape, dtype)?)?,
            Layout::contiguous(shape),
            dtype,
        )),
        _ => full(shape, Scalar::Int(0), dtype, device),
    }
}

pub fn ones(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
    full(shape, Scalar::Int(1), dtype, device)
}

pub fn full(shape: &[usize], value: Scalar, dtype: DType, device: Device) -> Result<Tensor> {
    let out = Tensor::empty(shape, dtype, device)?;
    backend::fill(&out, value)?;
    Ok(out)
}

pub fn zeros_like(t: &Tensor) -> Result<Tensor> {
    zeros(t.shape(), t.dtype(), t.device())
}

pub fn ones_like(t: &Tensor) -> Result<Tensor> {
    ones(t.shape(), t.dtype(), t.device())
}

/// `eye(n, m)`: ones on the diagonal.
pub fn eye(n: usize, m: usize, dtype: DType, device: Device) -> Result<Tensor> {
    let out = zeros(&[n, m], dtype, Device::Cpu)?;
    with_dtype!(dtype, T => {
        let p = out.cpu_ptr::<T>();
        for i in 0..n.min(m) {
            // SAFETY: i < n and i < m, inside the n*m elements.
            unsafe { *p.add(i * m + i) = T::one() };
        }
    });
    place(out, device)
}

/// `arange(start, end, step)`: `start, start+step, ...` up to but excluding `end`.
pub fn arange(
    start: Scalar,
    end: Scalar,
    step: Scalar,
    dtype: DType,
    device: Device,
) -> Result<Tensor> {
    let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
    if st == 0.0 {
        return Err(Error::runtime("step must be nonzero"));
    }
    if !s.is_finite() || !e.is_finite() {
        return Err(Error::runtime(format!("unsupported range: {s} -> {e}")));
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        return Err(Error::runtime(
            "upper bound and lower bound inconsistent with step sign",
        ));
    }
    let n = if dtype.is_floating_point()
        || [start, end, step]
            .iter()
            .any(|v| matches!(v, Scalar::Float(_)))
    {
        ((e - s) / st).ceil().max(0.0) as usize
    } else {
        let (s, e, st) = (start.to_i64(), end.to_i64(), step.to_i64());
        ((e - s + st - st.signum()) / st).max(0) as usize
    };
    let out = Tensor::empty(&[n], dtype, Device::Cpu)?;
    with_dtype!(dtype, T => {
        let p = out.cpu_ptr::<T>();
        for i in 0..n {
            let v = if dtype.is_floating_point() { T::from_f64(s + i as f64 * st) } else { T::from_i64(start.to_i64() + i as i64 * step.to_i64()) };
            // SAFETY: i < n.
            unsafe { *p.add(i) = v };
        }
    });
    place(out, device)
}

/// `linspace(start, end, steps)`: evenly spaced, both ends included. Like PyTorch, the
/// first half counts up from `start` and the second half down from `end`, so both ends are
/// exact.
pub fn linspace(
    start: f64,
    end: f64,
    steps: usize,
    dtype: DType,
    device: Device,
) -> Result<Tensor> {
    let out = Tensor::empty(&[steps], dtype, Device::Cpu)?;
    let step = if steps > 1 {
        (end - start) / (steps - 1) as f64
    } else {
        0.0
    };
    let half = steps / 2;
    with_dtype!(dtype, T => {
        let p = out.cpu_ptr::<T>();
        for i in 0..steps {
            // Both ends are exact; a single step is `start`.
            let v = if i < half || steps == 1 { start + step * i as f64 } else { end - step * (steps - 1 - i) as f64 };
            unsafe { *p.add(i) = T::from_f64(v) };
        }
    });
    place(out, device)
}

/// Uniform in [0, 1).
pub fn rand(shape: &[usize], dtype: DType, device: Device, gen: &mut Generator) -> Result<Tensor> {
    if !dtype.is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"check_uniform_bounds\" not implemented for '{}'",
            dtype.scalar_type_name()
        )));
    }
    backend::random(Distribution::Uniform, shape, dtype, device, gen)
}

/// Standard normal.
pub fn randn(shape: &[usize], dtype: DType, device: Device, gen: &mut Generator) -> Result<Tensor> {
    if !dtype.is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"normal_kernel_cpu\" not implemented for '{}'",
            dtype.scalar_type_name()
        )));
    }
    backend::random(Distribution::Normal, shape, dtype, device, gen)
}

/// Uniform integers in [low, high).
pub fn randint(
    low: i64,
    high: i64,
    shape: &[usize],
    dtype: DType,
    device: Device,
    gen: &mut Generator,
) -> Result<Tensor> {
    if high <= low {
        return Err(Error::runtime(format!(
            "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )));
    }
    backend::random(
        Distribution::Integers { low, high },
        shape,
        dtype,
        device,
        gen,
    )
}

/// Writes `f()` into each element of the fresh contiguous CPU tensor `out`, in order.
pub(crate) fn fill_with<T: Element>(out: &Tensor, mut f: impl FnMut() -> T) {
    let p = out.cpu_ptr::<T>();
    for i in 0..out.numel() {
        // SAFETY: `out` is a fresh contiguous tensor.
        unsafe { *p.add(i) = f() };
    }
}

/// `randperm(n)`: a random permutation of `0..n` (Fisher-Yates).
pub fn randperm(n: usize, dtype: DType, device: Device, gen: &mut Generator) -> Result<Tensor> {
    if dtype == DType::Bool {
        return Err(Error::not_implemented(
            "\"randperm\" not implemented for 'Bool'",
        ));
    }
    let mut perm: Vec<i64> = (0..n as i64).collect();
    for i in (1..n).rev() {
        let j = gen.int_range(0, i as i64 + 1) as usize;
        perm.swap(i, j);
    }
    let out = Tensor::empty(&[n], dtype, Device::Cpu)?;
    let mut values = perm.into_iter();
    with_dtype!(dtype, T => fill_with::<T>(&out, || T::from_i64(values.next().unwrap_or(0))));
    place(out, device)
}

/// Moves a freshly made CPU tensor to `device`.
fn place(t: Tensor, device: Device) -> Result<Tensor> {
    backend::to_device(&t, device)
}
