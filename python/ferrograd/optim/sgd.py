"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight
decay.

>>> import ferrograd
>>> from ferrograd import nn, optim
>>> w = nn.Parameter(ferrograd.tensor([1.0]))
>>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.zero_grad()
...     (w * w).sum().backward()
...     _ = opt.step()
>>> w
Parameter containing:
tensor([0.4600], requires_grad=True)
"""

from __future__ import annotations

from typing import Any

from .. import _core
from .optimizer import Optimizer, ParamsT, _check_non_negative

Tensor = _core.Tensor


class SGD(Optimizer):
    """``p -= lr * g``, where ``g`` is the gradient (negated with ``maximize``) plus
    ``weight_decay * p``, passed through a momentum buffer
    ``b = momentum * b + (1 - dampening) * g`` (``b = g`` on the first step) when
    ``momentum`` is set, and replaced by ``g + momentum * b`` with ``nesterov``."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_non_negative("learning rate", lr)
        _check_non_negative("momentum value", momentum)
        _check_non_negative("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        momentum = group["momentum"]
        if momentum != 0:
            state = self.state[param]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
        param.add_(grad, alpha=-group["lr"])


__all__ = ["SGD"]
