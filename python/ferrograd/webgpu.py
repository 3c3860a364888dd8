"""The WebGPU device: availability, synchronization and memory, like ``torch.cuda``.

Tensors go to the GPU with ``device="webgpu"`` (or ``"gpu"``) on any creation function, or
with ``tensor.to("webgpu")``; work on them is queued and runs asynchronously until a result
is read back (``.cpu()``, ``.item()``, printing) or :func:`synchronize` is called.

The device comes from wgpu-py (the ``wgpu`` package, imported only on first GPU use): it
picks the high-performance adapter and creates the device with the adapter's limits and its
optional features (``shader-f64`` for float64, ``shader-int64`` for 64-bit integers,
subgroups, float32 atomics). ferrograd's Rust core then drives the same ``libwgpu_native``,
so tensors' buffers can be shared with wgpu-py code without copies: :func:`wgpu_device`,
:func:`as_wgpu_buffer`, :func:`from_wgpu_buffer`.

>>> import ferrograd
>>> if ferrograd.webgpu.is_available():
...     x = ferrograd.ones(3, device="webgpu")
...     assert (x * 2).cpu().tolist() == [2.0, 2.0, 2.0]
"""

from __future__ import annotations

from typing import Any

from . import _core

# The wgpu minor version whose C API (wgpu-native 29) the Rust core is written against.
_WGPU_SERIES = (0, 32)
# Optional features requested when the adapter offers them.
_FEATURES = ("shader-f64", "shader-int64", "subgroups", "subgroup", "shader-float32-atomic")

_adapter: Any = None
_adapter_error: str | None = None
# The wgpu GPUDevice, kept for the life of the process (the core holds a reference too).
_device: Any = None


def _wgpu() -> Any:
    """The ``wgpu`` module, with a clear error when it is missing or of the wrong version."""
    try:
        import wgpu
    except ImportError as e:
        raise RuntimeError("the WebGPU backend needs the 'wgpu' package: pip install 'wgpu>=0.32,<0.33'") from e
    series = tuple(int(p) for p in wgpu.__version__.split(".")[:2])
    if series != _WGPU_SERIES:
        raise RuntimeError(
            f"the WebGPU backend needs wgpu 0.32.x (its native library's C API), "
            f"but wgpu {wgpu.__version__} is installed: pip install 'wgpu>=0.32,<0.33'"
        )
    return wgpu


def _get_adapter() -> Any:
    """The high-performance adapter, requested once (None when there is none)."""
    global _adapter, _adapter_error
    if _adapter is None and _adapter_error is None:
        try:
            _adapter = _wgpu().gpu.request_adapter_sync(power_preference="high-performance")
        except Exception as e:  # no driver, no wgpu, a broken install: all mean "unavailable"
            _adapter_error = str(e) or type(e).__name__
    return _adapter


def is_available() -> bool:
    """Whether a WebGPU adapter can be used (``wgpu`` installed and a driver found).

    >>> isinstance(is_available(), bool)
    True
    """
    return _get_adapter() is not None


def device_count() -> int:
    """1 when a WebGPU adapter is available, else 0."""
    return int(is_available())


def _open_device() -> dict[str, Any]:
    """Creates the device (called once by the core, on first GPU use)."""
    global _device
    adapter = _get_adapter()
    if adapter is None:
        raise RuntimeError(f"no WebGPU adapter is available ({_adapter_error or 'none found'})")
    _wgpu()
    from wgpu.backends.wgpu_native import _ffi

    features = [f for f in _FEATURES if f in adapter.features]
    _device = adapter.request_device_sync(
        label="ferrograd", required_features=features, required_limits=dict(adapter.limits)
    )
    return {
        "device": int(_ffi.ffi.cast("uintptr_t", _device._internal)),
        "lib_path": str(_ffi.lib_path),
        "name": adapter.info["device"],
        "limits": dict(_device.limits),
        "features": sorted(_device.features),
    }


def wgpu_device() -> Any:
    """The ``wgpu.GPUDevice`` ferrograd computes on, opening it if needed.

    wgpu-py code that shares buffers with tensors (:func:`as_wgpu_buffer`,
    :func:`from_wgpu_buffer`) must use this device: buffers belong to one device.

    >>> import ferrograd
    >>> if ferrograd.webgpu.is_available():
    ...     assert wgpu_device() is wgpu_device()
    """
    _core._webgpu_device_name()  # opens the device through the core's provider
    return _device


def device_name() -> str:
    """The adapter's name, e.g. ``'NVIDIA H100 80GB HBM3'`` or ``'llvmpipe (...)'``."""
    return _core._webgpu_device_name()


def synchronize() -> None:
    """Submits queued GPU work and waits until it has finished."""
    _core._webgpu_synchronize()


def memory_allocated() -> int:
    """Bytes of GPU memory held by live tensors (and queued work)."""
    return _core._webgpu_memory_allocated()


def memory_reserved() -> int:
    """Bytes of GPU memory held by the caching allocator: live plus cached for reuse."""
    return _core._webgpu_memory_reserved()


def empty_cache() -> None:
    """Releases cached GPU buffers no tensor uses back to the driver."""
    _core._webgpu_empty_cache()


from ._webgpu_interop import as_wgpu_buffer, element_size, from_wgpu_buffer  # noqa: E402

__all__ = [
    "as_wgpu_buffer",
    "device_count",
    "device_name",
    "element_size",
    "empty_cache",
    "from_wgpu_buffer",
    "is_available",
    "memory_allocated",
    "memory_reserved",
    "synchronize",
    "wgpu_device",
]
