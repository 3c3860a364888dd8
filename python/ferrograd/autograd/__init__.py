"""Automatic differentiation: ``backward``, ``grad``, grad mode, and the legacy ``Variable``.

>>> import ferrograd
>>> x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
>>> (dx,) = ferrograd.autograd.grad((x * x).sum(), x)
>>> dx
tensor([2., 4.])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

from .. import _core
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .graph import Node
from .variable import Variable

Tensors = Union[_core.Tensor, Sequence[_core.Tensor]]
OptionalTensors = Union[_core.Tensor, Sequence[Union[_core.Tensor, None]], None]


def backward(
    tensors: Tensors,
    grad_tensors: OptionalTensors = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: OptionalTensors = None,
    inputs: Tensors | None = None,
) -> None:
    """Accumulates the gradients of ``tensors`` into the leaves' ``.grad``.

    ``grad_tensors`` holds the vector of the vector-Jacobian product for each tensor
    (``None`` for a scalar). ``grad_variables`` is its old name.
    """
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported yet")
    if grad_variables is not None:
        grad_tensors = grad_variables
    _core._backward(tensors, grad_tensors, retain_graph, create_graph)


def grad(
    outputs: Tensors,
    inputs: Tensors,
    grad_outputs: OptionalTensors = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[_core.Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``."""
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported yet")
    result = _core._grad(
        outputs, inputs, grad_outputs, retain_graph, create_graph, bool(allow_unused) or materialize_grads
    )
    if materialize_grads:
        ins = [inputs] if isinstance(inputs, _core.Tensor) else list(inputs)
        result = [_core.zeros_like(i) if g is None else g for g, i in zip(result, ins)]
    return tuple(result)


__all__ = [
    "Node",
    "Variable",
    "backward",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
