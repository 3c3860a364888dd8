"""Automatic differentiation: ``backward``, ``grad``, custom ``Function``s, gradient
checks, ``functional`` (Jacobians, Hessians, vector products), anomaly detection, grad and
inference modes, and the legacy ``Variable``.

>>> import ferrograd
>>> x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
>>> (dx,) = ferrograd.autograd.grad((x * x).sum(), x)
>>> dx
tensor([2., 4.])
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Union

from .. import _core
from . import functional
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .function import Function, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck
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
    (``None`` for a scalar). ``grad_variables`` is its old name. With ``inputs``, only those
    tensors accumulate (a non-leaf among them starts retaining its gradient).

    >>> a = _core.tensor([1.0, 2.0], requires_grad=True)
    >>> b = _core.tensor([3.0, 4.0], requires_grad=True)
    >>> backward((a * b).sum(), inputs=[a])
    >>> a.grad, b.grad
    (tensor([3., 4.]), None)
    """
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError(
                "`grad_tensors` and `grad_variables` (deprecated) arguments both passed to `backward()`. "
                "Please only use `grad_tensors`."
            )
        grad_tensors = grad_variables
    _core._backward(tensors, grad_tensors, retain_graph, create_graph, inputs)


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
) -> Any:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    An input the outputs do not depend on is an error, unless ``allow_unused`` (its gradient
    is then ``None``) or ``materialize_grads`` (zeros). With ``create_graph`` the gradients
    have a history of their own, for higher derivatives. ``inputs`` may be a dict of
    tensors; the result is then a dict with the same keys.
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    if not only_inputs:
        warnings.warn(
            "only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
            "gradient for other parts of the graph, please use ferrograd.autograd.backward.",
            FutureWarning,
            stacklevel=2,
        )
    t_outputs = (outputs,) if isinstance(outputs, _core.Tensor) else tuple(outputs)
    if isinstance(inputs, _core.Tensor):
        t_inputs: tuple[Any, ...] = (inputs,)
    elif type(inputs) is dict:
        t_inputs = tuple(inputs.values())
    else:
        t_inputs = tuple(inputs)
    if grad_outputs is not None and not isinstance(grad_outputs, _core.Tensor):
        grad_outputs = tuple(grad_outputs)
    if is_grads_batched:
        result = _batched_grad(t_outputs, t_inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    else:
        result = _core._grad(t_outputs, t_inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    if materialize_grads:
        result = [_core.zeros_like(i, requires_grad=create_graph) if g is None else g for g, i in zip(result, t_inputs)]
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result))
    return tuple(result)


def _batched_grad(
    outputs: tuple[_core.Tensor, ...],
    inputs: tuple[_core.Tensor, ...],
    grad_outputs: Any,
    retain_graph: bool | None,
    create_graph: bool,
    allow_unused: bool,
) -> list[_core.Tensor | None]:
    """``grad`` for each vector along the first dim of the grad_outputs, stacked: one
    backward pass per vector."""
    grads = (grad_outputs,) if isinstance(grad_outputs, _core.Tensor) else grad_outputs or (None,) * len(outputs)
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is not None and tuple(g.shape[1:]) != tuple(out.shape):
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the batch "
                "dimension. The sizes of the remaining dimensions are expected to match the shape of corresponding "
                f"output, but a mismatch was detected: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}. If you only want some tensors in `grad_output` to be considered "
                "batched, consider using vmap."
            )
    batch = next((g.shape[0] for g in grads if g is not None), 1)
    rows = [
        _core._grad(
            outputs,
            inputs,
            tuple(None if g is None else g[b] for g in grads),
            True if b < batch - 1 else retain_graph,
            create_graph,
            allow_unused,
        )
        for b in range(batch)
    ]
    result: list[_core.Tensor | None] = []
    for k, inp in enumerate(inputs):
        column = [row[k] for row in rows]
        if all(g is None for g in column):
            result.append(None)
            continue
        column = [_core.zeros_like(inp) if g is None else g for g in column]
        result.append(functional._stack_rows(column, (batch,) + tuple(inp.shape), inp))
    return result


__all__ = [
    "Function",
    "Node",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "once_differentiable",
    "set_detect_anomaly",
    "set_grad_enabled",
]
