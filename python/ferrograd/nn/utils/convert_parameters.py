"""Flattening parameters into one vector and back, for optimizers and analyses that work
on a single vector.

>>> import ferrograd
>>> from ferrograd import nn
>>> fc = nn.Linear(2, 1)
>>> v = nn.utils.parameters_to_vector(fc.parameters())
>>> tuple(v.shape)
(3,)
>>> nn.utils.vector_to_parameters(ferrograd.zeros(3), fc.parameters())
>>> fc.bias
Parameter containing:
tensor([0.], requires_grad=True)
"""

from __future__ import annotations

from collections.abc import Iterable

from ... import _core
from ..._typename import typename

Tensor = _core.Tensor


def _check_same_device(param: Tensor, device: object) -> object:
    if device is not None and param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return param.device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    params = list(parameters)
    device = None
    for p in params:
        device = _check_same_device(p, device)
    return _core.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Makes each parameter's data the matching slice of ``vec`` (sharing its memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    device = None
    offset = 0
    for p in parameters:
        device = _check_same_device(p, device)
        n = p.numel()
        p.data = vec[offset : offset + n].view_as(p).data
        offset += n


__all__ = ["parameters_to_vector", "vector_to_parameters"]
