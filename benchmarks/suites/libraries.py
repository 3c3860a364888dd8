"""Which libraries a suite compares: ferrograd always, NumPy as a baseline where one exists,
PyTorch when it is importable (it is never a requirement; install it to compare).

A suite's ``setup`` calls :func:`load`; a missing library raises ``NotImplementedError``,
which asv reports as a skipped case.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

LIBRARIES = ["ferrograd", "torch", "numpy"]


def load(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # asv skips benchmarks whose setup raises NotImplementedError
        raise NotImplementedError(f"{name} is not installed") from exc


def from_numpy(lib: ModuleType, array: Any, requires_grad: bool = False) -> Any:
    """``array`` as ``lib``'s array: a copy for ferrograd and PyTorch (optionally a leaf that
    requires grad), the array itself for NumPy.

    >>> import numpy as np
    >>> from_numpy(np, np.zeros(2)).shape
    (2,)
    """
    if lib.__name__ == "numpy":
        return array
    out = lib.from_numpy(array.copy())
    return out.requires_grad_() if requires_grad else out


def random(shape: tuple[int, ...], seed: int = 0) -> Any:
    """Float32 standard-normal NumPy data, the same for every library."""
    import numpy as np

    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
