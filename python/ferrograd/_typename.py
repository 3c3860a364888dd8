"""``ferrograd.typename``: the name PyTorch's error messages give an object's type.

>>> import ferrograd
>>> typename(ferrograd.ones(2))
'ferrograd.FloatTensor'
>>> typename(3)
'int'
"""

from __future__ import annotations

from typing import Any

from . import _core


def typename(obj: Any) -> str:
    """A tensor's legacy type (``'ferrograd.FloatTensor'``), otherwise the qualified name of
    ``obj`` itself when it is a class or function, or of its type (builtins unqualified)."""
    if isinstance(obj, _core.Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if qualname is None:
        module = type(obj).__module__ or ""
        qualname = type(obj).__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"
