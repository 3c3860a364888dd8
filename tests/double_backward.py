"""Second derivatives through ``autograd.grad(create_graph=True)``, against finite differences.

For ``fn`` and float64 inputs ``xs``, with random weights ``w`` (shaped like the output) and
``v_i`` (shaped like each input), the scalar ``S = sum_i sum(v_i * dL/dx_i)`` with
``L = sum(w * fn(*xs))`` is differentiated analytically (the backward pass recorded as a
graph) and by central differences, with respect to every input and to ``w``. Linear ops have a
zero second derivative in ``x`` but not in ``w``, so they are checked too.

>>> import numpy as np
>>> check_double_backward(lambda a: a * a, np.array([1.0, 2.0]))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import ferrograd


def _first_derivative_dot(fn: Callable[..., Any], arrays: list[np.ndarray], w: np.ndarray, vs: list[np.ndarray]):
    """``S`` and the leaves it was computed from (inputs, then ``w``)."""
    xs = [ferrograd.tensor(a, requires_grad=True) for a in arrays]
    wt = ferrograd.tensor(w, requires_grad=True)
    out = fn(*xs)
    grads = ferrograd.autograd.grad((out * wt).sum(), xs, create_graph=True, allow_unused=True)
    s = sum(((g * ferrograd.tensor(v)).sum() for g, v in zip(grads, vs) if g is not None), ferrograd.tensor(0.0))
    return s, xs + [wt]


def check_double_backward(
    fn: Callable[..., Any], *inputs: np.ndarray, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4
) -> None:
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    rng = np.random.default_rng(1)
    out_shape = tuple(fn(*[ferrograd.tensor(a) for a in arrays]).shape)
    w = rng.standard_normal(out_shape)
    vs = [rng.standard_normal(a.shape) for a in arrays]
    s, leaves = _first_derivative_dot(fn, arrays, w, vs)
    analytic = ferrograd.autograd.grad(s, leaves, allow_unused=True) if s.requires_grad else [None] * len(leaves)
    points = arrays + [w]
    for i, point in enumerate(points):
        numeric = np.zeros_like(point)
        flat = point.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            values = []
            for x in (old + eps, old - eps):
                flat[k] = x
                ins, weight = points[:-1], points[-1]
                values.append(_first_derivative_dot(fn, [a.copy() for a in ins], weight.copy(), vs)[0].item())
            flat[k] = old
            numeric.reshape(-1)[k] = (values[0] - values[1]) / (2 * eps)
        got = np.zeros_like(point) if analytic[i] is None else analytic[i].detach().numpy()
        np.testing.assert_allclose(got, numeric, atol=atol, rtol=rtol, err_msg=f"second derivative wrt leaf {i}")
