"""Activation functions.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.relu(ferrograd.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from __future__ import annotations

from ... import _core


def relu(input: _core.Tensor, inplace: bool = False) -> _core.Tensor:
    """``max(input, 0)`` elementwise."""
    return input.relu()


def sigmoid(input: _core.Tensor) -> _core.Tensor:
    """``1 / (1 + exp(-input))`` elementwise."""
    return input.sigmoid()


def tanh(input: _core.Tensor) -> _core.Tensor:
    """The hyperbolic tangent, elementwise."""
    return input.tanh()


__all__ = ["relu", "sigmoid", "tanh"]
