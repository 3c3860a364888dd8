"""Render tensor values the way PyTorch's ``repr(tensor)`` does.

The rules, all matched to PyTorch's output:

* One formatter is chosen for the whole tensor and every element is
  right-aligned to its width.  Integer and bool values print with ``str``.
* Floats whose nonzero finite values are all integral print as ``1.``;
  otherwise they print with ``precision`` decimals (``1.5000``).  Scientific
  notation (``1.0240e+02``) is used when the largest/smallest nonzero finite
  magnitude ratio exceeds 1000, the largest exceeds 1e8 or the smallest is
  below 1e-4, unless ``sci_mode`` forces it on or off.  ``nan``/``inf`` and
  zeros never influence that choice nor the column width.
* Rows are wrapped to ``linewidth`` and nested rows are indented to sit under
  their opening bracket; blocks of a k-dimensional tensor are separated by
  k - 1 newlines.
* A tensor with more than ``threshold`` elements is summarized: along every
  dimension longer than ``2 * edgeitems`` only the first and last
  ``edgeitems`` entries are shown around ``...``, and the column width comes
  from the shown values only.
* Suffixes follow the values: the device first, then ``size=`` (empty tensors
  that are not 1-D, and every tensor while ``edgeitems`` is 0) and ``dtype=``
  (float64 and int32 always; every non-float32 dtype when empty), then the
  caller's suffixes.  A suffix moves to its own line when it would overflow
  ``linewidth`` (PyTorch's check is 2 columns stricter than the real length).

>>> import numpy as np
>>> format_tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), "float64")
'tensor([[1., 2.],\\n        [3., 4.]], dtype=ferrograd.float64)'
>>> format_tensor(np.array([102.4, 1024.0, 0.1024], dtype=np.float32), "float32")
'tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

_NUMPY_DTYPES: dict[str, type[np.generic]] = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "bool": np.bool_,
}
_FLOAT_DTYPES = frozenset({"float32", "float64"})
_DEFAULT_DTYPE = "float32"
# Dtypes PyTorch leaves implicit when the tensor has values to look at.
_IMPLICIT_DTYPES = frozenset({_DEFAULT_DTYPE, "int64", "bool"})


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


# Profile name -> (precision, threshold, edgeitems, linewidth).
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}

_OPTIONS = _PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change the print options, with ``torch.set_printoptions`` semantics.

    A ``profile`` ("default", "short" or "full"; other names are ignored, as
    in PyTorch) is applied first, then every explicit option on top of it.
    ``sci_mode`` is always assigned, so omitting it restores automatic mode.

    >>> set_printoptions(precision=2)
    >>> format_tensor(np.array([1.12345], dtype=np.float32), "float32")
    'tensor([1.12])'
    >>> set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        (
            _OPTIONS.precision,
            _OPTIONS.threshold,
            _OPTIONS.edgeitems,
            _OPTIONS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        _OPTIONS.precision = precision
    if threshold is not None:
        _OPTIONS.threshold = threshold
    if edgeitems is not None:
        _OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTIONS.linewidth = linewidth
    _OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as keyword arguments for set_printoptions.

    >>> get_printoptions()
    {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return dataclasses.asdict(_OPTIONS)


class _Formatter:
    """Renders single elements at the common width of a tensor's shown values."""

    def __init__(self, shown: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not floating:
            self.width = max([1, *(len(str(v)) for v in shown.ravel().tolist())])
            return
        finite = shown[np.isfinite(shown) & (shown != 0)]
        if finite.size == 0:
            return
        magnitudes = np.abs(finite.astype(np.float64))
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if _OPTIONS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1e8 or smallest < 1e-4
        else:
            self.sci_mode = _OPTIONS.sci_mode
        self.width = max([1, *(len(self._render(v)) for v in finite.tolist())])

    def _render(self, value: float) -> str:
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{_OPTIONS.precision}e}"
        if self.int_mode:
            # Integral floats get a trailing "." to show they are floats.
            return f"{value:.0f}" + ("." if math.isfinite(value) else "")
        return f"{value:.{_OPTIONS.precision}f}"

    def format(self, value: float) -> str:
        return self._render(value).rjust(self.width)


def _shown_indices(length: int, summarize: bool) -> list[int | None]:
    """Indices printed along one dimension; None marks the ``...`` gap."""
    edge = _OPTIONS.edgeitems
    if summarize and length > 2 * edge:
        return [*range(edge), None, *range(length - edge, length)]
    return list(range(length))


def _format_row(row: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    # PyTorch drops the leading space of the ellipsis when edgeitems is 0.
    gap = " ..." if _OPTIONS.edgeitems else "..."
    items = [gap if i is None else formatter.format(row[i].item()) for i in _shown_indices(len(row), summarize)]
    per_line = max(1, math.floor((_OPTIONS.linewidth - indent) / (formatter.width + 2)))
    lines = [", ".join(items[start : start + per_line]) for start in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _format_nested(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _format_row(array, indent, summarize, formatter)
    blocks = [
        "..." if i is None else _format_nested(array[i], indent + 1, summarize, formatter)
        for i in _shown_indices(len(array), summarize)
    ]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(blocks) + "]"


def _shown_values(array: np.ndarray, summarize: bool) -> np.ndarray:
    """The elements that will be printed, i.e. those the column width depends on."""
    shown = array
    for axis, length in enumerate(array.shape):
        kept = [i for i in _shown_indices(length, summarize) if i is not None]
        shown = np.take(shown, np.array(kept, dtype=np.intp), axis=axis)
    return shown


def _format_values(array: np.ndarray, floating: bool, indent: int) -> str:
    summarize = array.size > _OPTIONS.threshold
    formatter = _Formatter(_shown_values(array, summarize), floating)
    return _format_nested(array, indent, summarize, formatter)


def _append_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    # PyTorch measures the current line as 2 characters longer than it is
    # until the first suffix is moved to a line of its own.
    line_length = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > _OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_length += len(suffix) + 2
    return "".join(parts) + ")"


def format_tensor(
    values: np.ndarray,
    dtype: str,
    *,
    prefix: str = "tensor(",
    suffixes: Sequence[str] = (),
    device_suffix: str | None = None,
) -> str:
    """Return the full repr of a tensor holding ``values`` of ferrograd ``dtype``.

    ``device_suffix`` (e.g. ``"device='webgpu:0'"``) is placed first, then the
    size/dtype suffixes computed here, then ``suffixes`` in order.

    >>> format_tensor(np.ones((2, 2), dtype=np.float32), "float32", suffixes=["requires_grad=True"])
    'tensor([[1., 1.],\\n        [1., 1.]], requires_grad=True)'
    >>> format_tensor(np.array(27.0, dtype=np.float32), "float32", suffixes=["grad_fn=<MeanBackward0>"])
    'tensor(27., grad_fn=<MeanBackward0>)'
    >>> format_tensor(np.zeros((2, 0), dtype=np.int64), "int64")
    'tensor([], size=(2, 0), dtype=ferrograd.int64)'
    """
    array = np.asarray(values, dtype=_NUMPY_DTYPES[dtype])
    indent = len(prefix)
    computed = [] if device_suffix is None else [device_suffix]
    if array.size == 0:
        if array.ndim != 1:
            computed.append(f"size={tuple(array.shape)}")
        if dtype != _DEFAULT_DTYPE:
            computed.append(f"dtype=ferrograd.{dtype}")
        body = "[]"
    else:
        if not _OPTIONS.edgeitems:
            computed.append(f"size={tuple(array.shape)}")
        if dtype not in _IMPLICIT_DTYPES:
            computed.append(f"dtype=ferrograd.{dtype}")
        body = _format_values(array, dtype in _FLOAT_DTYPES, indent)
    return _append_suffixes(prefix + body, [*computed, *suffixes], indent)


def tensor_repr(tensor: Any) -> str:
    """The repr of a ferrograd ``Tensor``: its values, then device, dtype and autograd
    suffixes, exactly as PyTorch prints them.

    >>> import ferrograd
    >>> tensor_repr(ferrograd.ones(2, requires_grad=True))
    'tensor([1., 1.], requires_grad=True)'
    """
    suffixes = []
    grad_fn = tensor.grad_fn
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    device = tensor.device
    device_suffix = None if device.type == "cpu" else f"device='{device}'"
    values = tensor.detach().cpu().numpy()
    dtype = repr(tensor.dtype).rsplit(".", 1)[-1]
    return format_tensor(values, dtype, suffixes=suffixes, device_suffix=device_suffix)
