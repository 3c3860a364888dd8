//! `Tensor`: a view (layout + dtype) of a storage, plus optional autograd metadata.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use super::dtype::{DType, Element};
use super::shape::{Dims, Layout};
use super::storage::{Device, Storage};
use crate::autograd::inference;
use crate::autograd::meta::{AutogradMeta, GradFn};
use crate::error::{Error, Result};

/// Counts in-place modifications of a tensor. Views and `detach()` share their base's
/// counter; `.data` gets a fresh one (as in PyTorch).
pub type VersionCounter = Arc<AtomicU64>;

/// A tensor handle. Cloning is cheap and shares everything (it is the same tensor).
#[derive(Clone)]
pub struct Tensor(Arc<TensorImpl>);

pub struct TensorImpl {
    storage: Storage,
    layout: Layout,
    dtype: DType,
    version: VersionCounter,
    /// Set once, the first time the tensor takes part in autograd.
    autograd: OnceLock<Arc<AutogradMeta>>,
    /// For a view made by a view op: the tensor whose storage it views (never itself a view),
    /// so in-place changes through the view can update the base's history.
    base: Option<Tensor>,
    /// For a view: the version its history was made at. An in-place change of the base (or of
    /// another view of it) makes that history stale; it is rebuilt when next read.
    history_version: AtomicU64,
    /// Made under `inference_mode`: it never joins a graph (see `autograd::inference`).
    inference: bool,
}

impl Tensor {
    /// A tensor over `storage` with its own version counter and no autograd history; an
    /// inference tensor when made under `inference_mode`.
    pub fn from_parts(storage: Storage, layout: Layout, dtype: DType) -> Tensor {
        Self::build(
            storage,
            layout,
            dtype,
            Arc::new(AtomicU64::new(0)),
            None,
            None,
            inference::is_enabled(),
        )
    }

    #[inline]
    fn build(
        storage: Storage,
        layout: Layout,
        dtype: DType,
        version: VersionCounter,
        meta: Option<Arc<AutogradMeta>>,
        base: Option<Tensor>,
        inference: bool,
    ) -> Tensor {
        let autograd = OnceLock::new();
        if let Some(m) = meta {
            let _ = autograd.set(m);
        }
        let history_version = AtomicU64::new(version.load(Ordering::Relaxed));
        Tensor(Arc::new(TensorImpl {
            storage,
            layout,
            dtype,
            version,
            autograd,
            base,
            history_version,
            inference,
        }))
    }

    /// The bytes a contiguous tensor of `shape` takes, with PyTorch's error when the product
    /// overflows (which would otherwise allocate too little for the kernels that fill it).
    pub fn byte_size(shape: &[usize], dtype: DType) -> Result<usize> {
        shape
            .iter()
            .try_fold(dtype.size(), |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| {
                Error::runtime(format!(
                    "Storage size calculation overflowed with sizes={}",
                    super::shape::shape_str(shape)
                ))
            })
    }

    /// A contiguous tensor whose elements the caller must write before reading.
    pub fn empty(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let numel = Self::byte_size(shape, dtype)? / dtype.size();
        let storage = match device {
            Device::Cpu => Storage::cpu_uninit(numel * dtype.size())?,
            Device::WebGpu => crate::webgpu::empty_storage(numel, dtype)?,
        };
        Ok(Self::from_parts(storage, Layout::contiguous(shape), dtype))
    }

    /// A contiguous CPU tensor that owns `values`.
    pub fn from_vec<T: Element>(values: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        if values.len() != super::shape::numel(shape) {
            return Err(Error::runtime(format!(
                "shape {} does not hold {} values",
                super::shape::shape_str(shape),
                values.len()
            )));
        }
        Ok(Self::from_parts(
            Storage::from_vec(values),
            Layout::contiguous(shape),
            T::DTYPE,
        ))
    }

    pub fn scalar<T: Element>(value: T) -> Tensor {
        Self::from_vec(vec![value], &[]).expect("one value fits shape []")
    }

    /// The same storage seen through `layout`, sharing the version counter, with no history
    /// and no view tracking: for kernels' broadcast operands and other internal views.
    pub fn with_layout(&self, layout: Layout) -> Tensor {
        Self::build(
            self.0.storage.clone(),
            layout,
            self.0.dtype,
            self.0.version.clone(),
            None,
            None,
            self.0.inference,
        )
    }

    /// A view made by a view op (`view`, `transpose`, indexing, ...): like
    /// [`with_layout`](Self::with_layout), and it remembers its base.
    pub fn view_of(&self, layout: Layout) -> Tensor {
        let base = self.view_base().unwrap_or(self).clone();
        Self::build(
            self.0.storage.clone(),
            layout,
            self.0.dtype,
            self.0.version.clone(),
            None,
            Some(base),
            self.0.inference,
        )
    }

    /// The tensor this one is a view of, if it was made by a view op.
    pub fn view_base(&self) -> Option<&Tensor> {
        self.0.base.as_ref()
    }

    /// `detach()`: the same data and version counter, cut from the graph.
    pub fn detach(&self) -> Tensor {
        self.with_layout(self.0.layout.clone())
    }

    /// `.data`: the same data with a fresh version counter, so in-place changes through it
    /// are invisible to autograd's checks (PyTorch's documented behaviour).
    pub fn data(&self) -> Tensor {
        Self::build(
            self.0.storage.clone(),
            self.0.layout.clone(),
            self.0.dtype,
            Arc::new(AtomicU64::new(0)),
            None,
            None,
            self.0.inference,
        )
    }

    /// A tensor with `source`'s data and this tensor's autograd identity: what
    /// `x.data = source` makes of `x`.
    pub fn with_data_of(&self, source: &Tensor) -> Tensor {
        let meta = self.0.autograd.get().cloned();
        Self::build(
            source.0.storage.clone(),
            source.0.layout.clone(),
            source.0.dtype,
            self.0.version.clone(),
            meta,
            None,
            source.0.inference,
        )
    }

    pub fn storage(&self) -> &Storage {
        &self.0.storage
    }
    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }
    pub fn shape(&self) -> &[usize] {
        &self.0.layout.shape
    }
    pub fn shape_dims(&self) -> Dims {
        self.0.layout.shape.clone()
    }
    pub fn strides(&self) -> &[usize] {
        &self.0.layout.strides
    }
    pub fn offset(&self) -> usize {
        self.0.layout.offset
    }
    pub fn ndim(&self) -> usize {
        self.0.layout.ndim()
    }
    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }
    pub fn device(&self) -> Device {
        self.0.storage.device()
    }
    pub fn is_contiguous(&self) -> bool {
        self.0.layout.is_contiguous()
    }

    /// Whether this handle is the only way to reach its elements: no other handle, view or
    /// base shares its storage, it has no autograd history, and it covers its whole storage
    /// contiguously. Its owner may then hand it over instead of copying it.
    pub fn is_exclusive(&self) -> bool {
        Arc::strong_count(&self.0) == 1
            && self.0.storage.is_unshared()
            && self.0.base.is_none()
            && self.0.autograd.get().is_none()
            && self.is_contiguous()
            && self.offset() == 0
            && Tensor::byte_size(self.shape(), self.dtype()).ok() == Some(self.0.storage.nbytes())
    }

    /// Whether two handles are the same tensor (not merely equal values).
    pub fn same(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// An address that identifies this tensor while it lives (for hashing in Python).
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    pub fn version(&self) -> u64 {
        self.0.version.load(Ordering::Relaxed)
    }

    /// Whether the tensor was made under `inference_mode` (views share their base's answer).
    pub fn is_inference(&self) -> bool {
        self.0.inference
    }

    /// Records an in-place modification.
    pub fn bump_version(&self) {
        self.0.version.fetch_add(1, Ordering::Relaxed);
    }

    /// Pointer to element `[0, 0, ...]` of a CPU tensor, typed. Element `idx` is at
    /// `ptr + sum(idx[d] * strides[d])`.
    pub fn cpu_ptr<T: Element>(&self) -> *mut T {
        debug_assert_eq!(T::DTYPE, self.0.dtype);
        // SAFETY: the layout addresses elements inside the storage (checked at view creation).
        unsafe { (self.0.storage.cpu_ptr() as *mut T).add(self.0.layout.offset) }
    }

    /// The elements in row-major order, copied into a vector.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        if T::DTYPE != self.0.dtype {
            return Err(Error::runtime(format!(
                "expected dtype {:?}, got {:?}",
                T::DTYPE,
                self.0.dtype
            )));
        }
        let src = crate::cpu::contiguous(&crate::ops::backend::to_device(self, Device::Cpu)?)?;
        let n = src.numel();
        let ptr = src.cpu_ptr::<T>();
        // SAFETY: `src` is contiguous with `n` elements.
        Ok(unsafe { std::slice::from_raw_parts(ptr, n) }.to_vec())
    }

    /// The single value of a one-element tensor, as f64 (read back from the GPU if needed).
    pub fn item_f64(&self) -> Result<f64> {
        self.check_one_element()?;
        let host = crate::ops::backend::to_device(self, Device::Cpu)?;
        Ok(crate::with_dtype!(self.dtype(), T => unsafe { *host.cpu_ptr::<T>() }.to_f64()))
    }

    pub fn check_one_element(&self) -> Result<()> {
        if self.numel() != 1 {
            return Err(Error::runtime(format!(
                "a Tensor with {} elements cannot be converted to Scalar",
                self.numel()
            )));
        }
        Ok(())
    }

    // ---- autograd ----

    pub fn autograd_meta(&self) -> Option<&Arc<AutogradMeta>> {
        self.refresh_view_history();
        self.0.autograd.get()
    }

    /// Brings a view's history up to date after in-place changes to its base, as PyTorch does
    /// (the view becomes `AsStridedBackward0` of the base's current value).
    fn refresh_view_history(&self) {
        let Some(base) = &self.0.base else { return };
        let now = self.version();
        let seen = self.0.history_version.load(Ordering::Acquire);
        if seen == now
            || self
                .0
                .history_version
                .compare_exchange(seen, now, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return;
        }
        crate::ops::inplace::rebuild_view_history(base, self);
    }

    /// The metadata, created on first use.
    pub fn autograd_meta_or_init(&self) -> &Arc<AutogradMeta> {
        self.0
            .autograd
            .get_or_init(|| Arc::new(AutogradMeta::default()))
    }

    pub fn requires_grad(&self) -> bool {
        self.autograd_meta().is_some_and(|m| m.requires_grad())
    }

    pub fn grad_fn(&self) -> Option<GradFn> {
        self.autograd_meta().and_then(|m| m.grad_fn())
    }

    /// A leaf is any tensor not produced by a recorded op.
    pub fn is_leaf(&self) -> bool {
        self.autograd_meta().is_none_or(|m| m.grad_fn().is_none())
    }

    /// Sets `requires_grad` on a leaf, with PyTorch's errors.
    pub fn set_requires_grad(&self, flag: bool) -> Result<()> {
        if !self.is_leaf() {
            if flag {
                return Ok(());
            }
            return Err(Error::runtime(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
            ));
        }
        if flag {
            inference::check_requires_grad(self)?;
        }
        if flag && !self.dtype().is_floating_point() {
            return Err(Error::runtime(
                "only Tensors of floating point dtype can require gradients",
            ));
        }
        if flag || self.autograd_meta().is_some() {
            self.autograd_meta_or_init().set_requires_grad(flag);
        }
        Ok(())
    }

    /// Makes `grad_fn` this tensor's history: how ops attach their outputs, and how in-place
    /// ops move a tensor onto its new history.
    pub fn attach_grad_fn(&self, grad_fn: GradFn) {
        let meta = self.autograd_meta_or_init();
        meta.set_grad_fn(Some(grad_fn));
        if self.0.base.is_some() {
            self.0
                .history_version
                .store(self.version(), Ordering::Release);
        }
    }

    pub fn grad(&self) -> Option<Tensor> {
        self.autograd_meta().and_then(|m| m.grad())
    }

    pub fn set_grad(&self, grad: Option<Tensor>) {
        if grad.is_some() || self.autograd_meta().is_some() {
            self.autograd_meta_or_init().set_grad(grad);
        }
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tensor(shape={:?}, dtype={:?})",
            self.shape(),
            self.dtype()
        )
    }
}
