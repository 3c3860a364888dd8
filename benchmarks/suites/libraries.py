"""Which libraries a suite compares: ferrograd always, NumPy as a baseline where one exists,
PyTorch when it is importable (it is never a requirement; install it to compare).

A suite's ``setup`` calls :func:`load`; a missing library raises ``NotImplementedError``,
which asv reports as a skipped case.
"""

from __future__ import annotations

import importlib
from types import ModuleType

LIBRARIES = ["ferrograd", "torch", "numpy"]


def load(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # asv skips benchmarks whose setup raises NotImplementedError
        raise NotImplementedError(f"{name} is not installed") from exc
