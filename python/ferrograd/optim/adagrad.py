"""Adagrad (Duchi et al., 2011): steps divided by the root of the sum of all squared
gradients so far.

>>> import ferrograd
>>> from ferrograd import nn, optim
>>> w = nn.Parameter(ferrograd.tensor([1.0]))
>>> opt = optim.Adagrad([w], lr=0.1)
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


class Adagrad(Optimizer):
    """``s += g * g``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``, with
    ``s`` starting at ``initial_accumulator_value``."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_non_negative("learning rate", lr)
        _check_non_negative("lr_decay value", lr_decay)
        _check_non_negative("weight_decay value", weight_decay)
        _check_non_negative("initial_accumulator_value value", initial_accumulator_value)
        _check_non_negative("epsilon value", eps)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        # As in PyTorch, the state exists from the start (so it is in the state_dict).
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = _core.full_like(p, group["initial_accumulator_value"])

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        state["step"] += 1
        step = state["step"].item()
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state["sum"].addcmul_(grad, grad, value=1)
        std = state["sum"].sqrt().add_(group["eps"])
        param.addcdiv_(grad, std, value=-clr)


__all__ = ["Adagrad"]
