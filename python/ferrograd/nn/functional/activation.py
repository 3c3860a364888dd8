"""Activation functions.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.relu(ferrograd.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from __future__ import annotations

from ... import _core


def relu(input: _core.Tensor, inplace: bool = False) -> _core.Tensor:
    """``max(input, 0)`` elementwise; ``inplace=True`` writes it into ``input``."""
    return input.relu_() if inplace else input.relu()


def sigmoid(input: _core.Tensor) -> _core.Tensor:
    """``1 / (1 + exp(-input))`` elementwise."""
    return input.sigmoid()


def tanh(input: _core.Tensor) -> _core.Tensor:
    """The hyperbolic tangent, elementwise."""
    return input.tanh()


def tanhshrink(input: _core.Tensor) -> _core.Tensor:
    """``input - tanh(input)`` elementwise."""
    return input - input.tanh()


gelu = _core.gelu
silu = _core.silu
mish = _core.mish
softplus = _core.softplus
elu = _core.elu
selu = _core.selu
celu = _core.celu
leaky_relu = _core.leaky_relu
hardtanh = _core.hardtanh
relu6 = _core.relu6
hardswish = _core.hardswish
hardsigmoid = _core.hardsigmoid
logsigmoid = _core.logsigmoid
softsign = _core.softsign
glu = _core.glu

__all__ = [
    "celu",
    "elu",
    "gelu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "leaky_relu",
    "logsigmoid",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "softsign",
    "tanh",
    "tanhshrink",
]
