"""Functions on tensors used to build networks (``ferrograd.nn.functional``, usually
imported as ``F``).

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.relu(ferrograd.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from __future__ import annotations

from .. import _core

binary_cross_entropy_with_logits = _core.binary_cross_entropy_with_logits


def relu(input: _core.Tensor, inplace: bool = False) -> _core.Tensor:
    """``max(input, 0)`` elementwise."""
    return input.relu()


def sigmoid(input: _core.Tensor) -> _core.Tensor:
    """``1 / (1 + exp(-input))`` elementwise."""
    return input.sigmoid()


def tanh(input: _core.Tensor) -> _core.Tensor:
    """The hyperbolic tangent, elementwise."""
    return input.tanh()


__all__ = ["binary_cross_entropy_with_logits", "relu", "sigmoid", "tanh"]
