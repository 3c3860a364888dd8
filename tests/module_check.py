"""``check_module``: ``check_op`` for a layer, differentiating its parameters as well as its
inputs.

>>> import numpy as np
>>> from ferrograd import nn
>>> check_module(nn.Linear(3, 2), lambda x, w, b: x @ w.T + b, np.ones((4, 3)))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import ferrograd
from opcheck import check_op, skip_without_float64


def call_with_parameters(
    module: ferrograd.nn.Module, names: Sequence[str], keywords: dict[str, Any] | None = None
) -> Callable[..., Any]:
    """``fn(*inputs, *params)``: calls ``module(*inputs, **keywords)`` with the named
    parameters replaced by ``params`` for the duration of the call."""

    def fn(*tensors: ferrograd.Tensor) -> Any:
        split = len(tensors) - len(names)
        saved = {name: module._parameters[name] for name in names}
        try:
            module._parameters.update(zip(names, tensors[split:]))
            return module(*tensors[:split], **(keywords or {}))
        finally:
            module._parameters.update(saved)

    return fn


def check_module(
    module: ferrograd.nn.Module,
    reference: Callable[..., Any],
    *inputs: np.ndarray,
    params: Sequence[str] = ("weight", "bias"),
    device: str = "cpu",
    keywords: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """Checks ``module(*inputs, **keywords)`` in float64 on ``device`` against
    ``reference(*inputs, *params)`` (NumPy), forward and gradients of the inputs and of the
    ``params`` named (those that are None are left out). ``kwargs`` go to ``check_op``."""
    if device != "cpu":
        skip_without_float64(device)
    module = module.double().to(device)
    names = [name for name in params if getattr(module, name) is not None]
    values = [getattr(module, name).detach().cpu().numpy().copy() for name in names]
    check_op(call_with_parameters(module, names, keywords), reference, *inputs, *values, device=device, **kwargs)
