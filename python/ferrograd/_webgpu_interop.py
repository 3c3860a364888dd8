"""Sharing GPU buffers with wgpu-py code (pygfx, fastplotlib, your own compute shaders).

ferrograd computes on the device wgpu-py created for it (:func:`ferrograd.webgpu.wgpu_device`),
so a tensor's buffer is an ordinary ``wgpu.GPUBuffer`` to any code that uses that device,
and a buffer made on that device can be a tensor: no copies, in either direction.

How the two sides stay out of each other's way:

- **References.** Each side holds its own reference to the one native ``WGPUBuffer``, so
  neither frees the other's buffer: a tensor made by :func:`from_wgpu_buffer` keeps the
  buffer alive after the wgpu-py object is collected, and a buffer from
  :func:`as_wgpu_buffer` keeps the tensor's memory alive (and out of ferrograd's allocator)
  after the tensor is gone.
- **Order.** Both sides submit to the device's one queue, and the GPU runs submissions in
  order. ferrograd records its ops and submits them later (on readback,
  :func:`ferrograd.webgpu.synchronize`, or every few hundred ops), so before wgpu-py code
  reads or writes a buffer that ferrograd ops have touched since the last submit, call
  ``ferrograd.webgpu.synchronize()``. :func:`as_wgpu_buffer` submits pending work itself.
  In the other direction nothing is needed: ferrograd's later submits run after what
  wgpu-py submitted before them.
- **Layout.** Elements are stored in their GPU form: float32 and int32 as themselves,
  float64 and int64 as 8-byte values where the adapter has ``shader-f64`` /
  ``shader-int64`` (int64 is 4 bytes without it), bool as one 32-bit word (0 or 1).
  :func:`element_size` gives the size.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import _core

if TYPE_CHECKING:
    import wgpu

    from ._core import Tensor, dtype


def element_size(dtype: dtype) -> int:
    """Bytes one element of ``dtype`` takes in a GPU buffer.

    >>> import ferrograd
    >>> if ferrograd.webgpu.is_available():
    ...     assert element_size(ferrograd.float32) == 4
    ...     assert element_size(ferrograd.bool) == 4  # one 32-bit word per element
    """
    return _core._webgpu_element_size(dtype)


@functools.cache
def _tensor_buffer_class() -> type:
    """wgpu-py's ``GPUBuffer``, extended to keep a tensor's memory and refuse ``destroy()``."""
    from wgpu.backends.wgpu_native import GPUBuffer

    class TensorBuffer(GPUBuffer):
        """A ferrograd tensor's buffer, seen by wgpu-py (see ``as_wgpu_buffer``)."""

        _ferrograd_tensor: Tensor

        def destroy(self) -> None:
            raise RuntimeError(
                "this buffer belongs to a ferrograd tensor and may be reused by ferrograd's "
                "allocator; drop the references to it instead of destroying it"
            )

    return TensorBuffer


def as_wgpu_buffer(tensor: Tensor) -> wgpu.GPUBuffer:
    """The ``wgpu.GPUBuffer`` holding a WebGPU tensor's elements, without a copy.

    The buffer is the tensor's whole storage: it may be larger than the tensor (the
    allocator rounds sizes up), and a view's elements start at byte
    ``tensor.storage_offset() * element_size(tensor.dtype)`` and follow ``tensor.stride()``
    (call ``.contiguous()`` first for a packed layout). Its usage is
    ``STORAGE | COPY_SRC | COPY_DST`` for tensors ferrograd allocated, or the flags of the
    buffer a :func:`from_wgpu_buffer` tensor wraps. Work ferrograd has recorded so far is
    submitted first, so commands wgpu-py submits afterwards see the tensor's values.

    Writes through the buffer change the tensor (autograd's version counter does not see
    them: do not overwrite tensors saved for backward). The returned object keeps the memory
    alive: ferrograd reuses it only once both the tensor and the buffer object are gone.
    ``destroy()`` raises, since the allocator may hand the memory to another tensor.

    >>> import ferrograd
    >>> if ferrograd.webgpu.is_available():
    ...     import numpy as np
    ...     t = ferrograd.arange(4.0, device="webgpu") * 2
    ...     buf = as_wgpu_buffer(t)
    ...     device = ferrograd.webgpu.wgpu_device()
    ...     data = np.frombuffer(device.queue.read_buffer(buf, 0, 16), np.float32)
    ...     assert data.tolist() == [0.0, 2.0, 4.0, 6.0]
    """
    from . import webgpu

    if not isinstance(tensor, _core.Tensor):
        raise TypeError(f"as_wgpu_buffer(): expected a Tensor, got {type(tensor).__name__}")
    handle, size, usage = _core._webgpu_export_buffer(tensor)
    from wgpu.backends.wgpu_native import _ffi

    buffer = _tensor_buffer_class()(
        "ferrograd tensor", _ffi.ffi.cast("WGPUBuffer", handle), webgpu.wgpu_device(), size, usage, "unmapped"
    )
    buffer._ferrograd_tensor = tensor.detach()
    return buffer


def from_wgpu_buffer(
    buffer: wgpu.GPUBuffer, shape: int | Sequence[int], dtype: dtype | None = None, offset: int = 0
) -> Tensor:
    """A WebGPU tensor whose elements live in ``buffer``, without a copy.

    ``buffer`` must come from :func:`ferrograd.webgpu.wgpu_device`, have
    ``wgpu.BufferUsage.STORAGE`` (and preferably ``COPY_SRC``: without it, reading the
    tensor back costs one extra copy on the GPU), and not be mapped. The tensor is
    contiguous with ``shape`` and ``dtype`` (default: the default dtype), starting at byte
    ``offset`` (a multiple of :func:`element_size`), in the GPU element format described
    in this module. It shares the memory: ferrograd's in-place ops write into ``buffer``.
    The tensor holds its own reference to the native buffer, so it stays valid after the
    ``GPUBuffer`` object is collected; calling ``buffer.destroy()`` makes ops on it raise.
    The buffer is not counted by :func:`ferrograd.webgpu.memory_allocated`.

    To give ferrograd results to a renderer that wants other usages (``VERTEX``,
    ``INDEX``), create the buffer there with those usages plus ``STORAGE``, wrap it, and
    ``copy_`` results into the tensor.

    >>> import ferrograd
    >>> if ferrograd.webgpu.is_available():
    ...     import numpy as np, wgpu
    ...     device = ferrograd.webgpu.wgpu_device()
    ...     data = np.arange(6, dtype=np.float32)
    ...     buf = device.create_buffer_with_data(
    ...         data=data, usage=wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    ...     )
    ...     t = from_wgpu_buffer(buf, (2, 3))
    ...     assert t.sum(1).cpu().tolist() == [3.0, 12.0]
    """
    from . import get_default_dtype, webgpu

    wgpu = webgpu._wgpu()
    if not isinstance(buffer, wgpu.GPUBuffer):
        raise TypeError(f"from_wgpu_buffer(): buffer must be a wgpu.GPUBuffer, not {type(buffer).__name__}")
    if buffer._device is not webgpu.wgpu_device():
        raise ValueError(
            "from_wgpu_buffer(): the buffer belongs to another wgpu device; create it with "
            "ferrograd.webgpu.wgpu_device()"
        )
    if buffer._internal is None:
        raise ValueError("from_wgpu_buffer(): the buffer has been released")
    if buffer.map_state != "unmapped":
        raise ValueError(f"from_wgpu_buffer(): the buffer is {buffer.map_state}; unmap it first")
    dims = [shape] if isinstance(shape, int) else list(shape)
    if not all(isinstance(d, int) for d in dims) or any(d < 0 for d in dims):
        raise ValueError(f"from_wgpu_buffer(): shape must be non-negative ints, got {shape!r}")
    if not isinstance(offset, int) or offset < 0:
        raise ValueError(f"from_wgpu_buffer(): offset must be a non-negative int, got {offset!r}")
    from wgpu.backends.wgpu_native import _ffi

    handle = int(_ffi.ffi.cast("uintptr_t", buffer._internal))
    return _core._webgpu_import_buffer(handle, dims, dtype if dtype is not None else get_default_dtype(), offset)
