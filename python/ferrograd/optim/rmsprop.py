"""RMSprop (Hinton's lecture notes): steps scaled by a running root mean square of the
gradient, optionally centered and with momentum.

>>> import ferrograd
>>> from ferrograd import nn, optim
>>> w = nn.Parameter(ferrograd.tensor([1.0]))
>>> opt = optim.RMSprop([w], lr=0.01)
>>> (w * w).sum().backward()
>>> _ = opt.step()
>>> w
Parameter containing:
tensor([0.9000], requires_grad=True)
"""

from __future__ import annotations

from typing import Any

from .. import _core
from .optimizer import Optimizer, ParamsT, _check_non_negative, _step_tensor

Tensor = _core.Tensor


class RMSprop(Optimizer):
    """``v = alpha * v + (1 - alpha) * g * g``; the step divides ``g`` by
    ``sqrt(v) + eps`` (``sqrt(v - mean(g)^2) + eps`` when ``centered``, with ``mean(g)`` a
    running average too); with ``momentum`` the quotient goes through a momentum buffer."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_non_negative("learning rate", lr)
        _check_non_negative("epsilon value", eps)
        _check_non_negative("momentum value", momentum)
        _check_non_negative("weight_decay value", weight_decay)
        _check_non_negative("alpha value", alpha)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        if not state:
            state["step"] = _step_tensor()
            state["square_avg"] = _core.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _core.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = _core.zeros_like(param)
        alpha = group["alpha"]
        if group["maximize"]:
            grad = -grad
        square_avg = state["square_avg"]
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf.mul_(group["momentum"]).addcdiv_(grad, avg)
            param.add_(buf, alpha=-group["lr"])
        else:
            param.addcdiv_(grad, avg, value=-group["lr"])


__all__ = ["RMSprop"]
