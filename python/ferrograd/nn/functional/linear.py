"""``linear(x, w, b) = x @ w.T + b``, with PyTorch's graph (``AddmmBackward0`` for matrices).

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.linear(ferrograd.ones(2, 3), ferrograd.ones(4, 3), ferrograd.zeros(4))
tensor([[3., 3., 3., 3.],
        [3., 3., 3., 3.]])
"""

from __future__ import annotations

from ... import _core

linear = _core._nn.linear

__all__ = ["linear"]
