"""Dropout layers: ``Dropout`` zeroes elements, ``Dropout1d`` / ``Dropout2d`` whole
channels, with probability ``p`` while training (the rest scaled by ``1 / (1 - p)``); in
eval mode they pass their input through.

>>> import ferrograd
>>> from ferrograd import nn
>>> drop = nn.Dropout(0.5)
>>> sorted(set(drop(ferrograd.ones(1000)).tolist()))
[0.0, 2.0]
>>> drop.eval()(ferrograd.ones(3))
tensor([1., 1., 1.])
"""

from __future__ import annotations

from .. import _core
from . import functional as F
from .module import Module

Tensor = _core.Tensor


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes each element with probability ``p`` while training."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, L)`` or ``(C, L)`` input while training."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, H, W)`` input while training."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


__all__ = ["Dropout", "Dropout1d", "Dropout2d"]
