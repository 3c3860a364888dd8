"""Gradient clipping: call between ``loss.backward()`` and ``optimizer.step()``.

>>> import ferrograd
>>> from ferrograd import nn
>>> w = nn.Parameter(ferrograd.zeros(2))
>>> w.grad = ferrograd.tensor([3.0, 4.0])
>>> nn.utils.clip_grad_norm_([w], max_norm=1.0)
tensor(5.)
>>> w.grad
tensor([0.6000, 0.8000])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Union

from ... import _core
from ...autograd.grad_mode import no_grad

Tensor = _core.Tensor
Parameters = Union[Tensor, Iterable[Tensor]]


def _grads(parameters: Parameters) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def _total_norm(grads: list[Tensor], norm_type: float) -> Tensor:
    """The ``norm_type``-norm of all gradients together: the norm of their norms."""
    if not grads:
        return _core.tensor(0.0)
    norms = [g.norm(norm_type) for g in grads]
    return _core.stack(norms).norm(norm_type)


@no_grad()
def clip_grad_norm_(
    parameters: Parameters,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scales the gradients of ``parameters`` in place so that their total
    ``norm_type``-norm (as if concatenated) is at most ``max_norm``, and returns the total
    norm before clipping. ``norm_type`` may be ``inf``. The scale is
    ``min(max_norm / (total + 1e-6), 1)``."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    total = _total_norm(grads, norm_type)
    if error_if_nonfinite and not _is_finite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    coef = (max_norm / (total + 1e-6)).min(_core.tensor(1.0, dtype=total.dtype))
    for g in grads:
        g.mul_(coef)
    return total


def _is_finite(t: Tensor) -> bool:
    value = t.item()
    return value == value and abs(value) != float("inf")


@no_grad()
def clip_grad_value_(parameters: Parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Clamps every gradient of ``parameters`` to ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        low = _core.full_like(g, -clip_value)
        high = _core.full_like(g, clip_value)
        g.copy_(g.max(low).min(high))


__all__ = ["clip_grad_norm_", "clip_grad_value_"]
