"""Second derivatives through ``create_graph=True``, checked against central differences of
the first derivative (float64).

>>> import numpy as np
>>> check_second_order(lambda x: x * x * x, np.array([1.0, 2.0]))
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import ferrograd


def _first_derivative(fn: Callable[..., ferrograd.Tensor], arrays, v: np.ndarray, which: int, create_graph: bool):
    tensors = [ferrograd.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    (g,) = ferrograd.autograd.grad((out * ferrograd.tensor(v)).sum(), [tensors[which]], create_graph=create_graph)
    return tensors, g


def check_second_order(
    fn: Callable[..., ferrograd.Tensor],
    *arrays: np.ndarray,
    which: int = 0,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """For random ``v``, ``w``: the gradient of ``sum(w * d/dx_which sum(v * fn))`` with
    respect to every input must match central differences."""
    arrays = tuple(np.array(a, dtype=np.float64) for a in arrays)
    rng = np.random.default_rng(1)
    out_shape = tuple(fn(*[ferrograd.tensor(a) for a in arrays]).shape)
    v = rng.standard_normal(out_shape)
    tensors, g = _first_derivative(fn, arrays, v, which, create_graph=True)
    assert g.requires_grad, "the first derivative was not recorded"
    w = rng.standard_normal(tuple(g.shape))
    for t in tensors:
        t.grad = None  # only what the next backward accumulates counts
    (g * ferrograd.tensor(w)).sum().backward()

    def objective(values) -> float:
        _, g = _first_derivative(fn, values, v, which, create_graph=False)
        return float((g.numpy() * w).sum())

    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        flat = a.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            plus = objective(arrays)
            flat[k] = old - eps
            minus = objective(arrays)
            flat[k] = old
            numeric.reshape(-1)[k] = (plus - minus) / (2 * eps)
        analytic = tensors[i].grad
        analytic = np.zeros_like(numeric) if analytic is None else analytic.numpy()
        np.testing.assert_allclose(analytic, numeric, atol=atol, rtol=rtol, err_msg=f"second derivative, input {i}")
