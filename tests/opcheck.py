"""The one helper every op test uses: forward values against NumPy, gradients against
float64 central finite differences, over contiguous, transposed and sliced inputs.

>>> import numpy as np, ferrograd
>>> check_op(lambda a, b: a * b, lambda a, b: a * b, np.ones((2, 3)), np.ones(3))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import ferrograd

LAYOUTS = ("contiguous", "transposed", "sliced")


def make_tensor(
    values: np.ndarray, layout: str = "contiguous", device: str = "cpu", requires_grad: bool = False
) -> ferrograd.Tensor:
    """A tensor holding ``values`` whose memory layout is ``layout``:

    - ``contiguous``: row-major;
    - ``transposed``: a permuted view of a tensor stored with its axes reversed;
    - ``sliced``: every other element of a tensor twice as long in its last dim.

    The result is a leaf, so gradients can be read from it.
    """
    values = np.asarray(values)
    if layout == "contiguous" or values.ndim == 0:
        base = ferrograd.tensor(values)
        t = base
    elif layout == "transposed":
        axes = tuple(reversed(range(values.ndim)))
        base = ferrograd.tensor(np.ascontiguousarray(values.transpose(axes)))
        t = base.permute(*axes)
    elif layout == "sliced":
        wide = np.zeros(values.shape[:-1] + (values.shape[-1] * 2,), dtype=values.dtype)
        wide[..., ::2] = values
        t = ferrograd.tensor(wide)[..., ::2]
    else:
        raise ValueError(layout)
    if device != "cpu":
        t = t.to(device)
    t = t.detach()
    if requires_grad:
        t.requires_grad_(True)
    return t


def skip_without_float64(device: str) -> None:
    """Skips the calling test when ``device`` cannot hold float64 (a GPU without shader-f64)."""
    try:
        ferrograd.zeros(1, dtype=ferrograd.float64, device=device)
    except TypeError as e:
        pytest.skip(f"float64 on {device}: {e}")


def to_numpy(t: Any) -> Any:
    if isinstance(t, ferrograd.Tensor):
        return t.detach().cpu().numpy()
    if isinstance(t, (tuple, list)):
        return type(t)(to_numpy(x) for x in t)
    return t


def _first(out: Any) -> ferrograd.Tensor:
    return out[0] if isinstance(out, (tuple, list)) else out


def numerical_grads(
    fn: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    weights: np.ndarray,
    which: Sequence[int],
    eps: float = 1e-6,
    device: str = "cpu",
) -> list[np.ndarray]:
    """d/d(input) of ``sum(weights * fn(*inputs))`` by central differences (float64), with
    the inputs on ``device`` (where ``fn``'s own state, a layer's weights say, lives)."""
    grads = []
    for i in which:
        x = inputs[i]
        g = np.zeros_like(x, dtype=np.float64)
        flat = x.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            plus = np.sum(weights * to_numpy(_first(fn(*[ferrograd.tensor(v, device=device) for v in inputs]))))
            flat[k] = old - eps
            minus = np.sum(weights * to_numpy(_first(fn(*[ferrograd.tensor(v, device=device) for v in inputs]))))
            flat[k] = old
            g.reshape(-1)[k] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def check_op(
    fn: Callable[..., Any],
    reference: Callable[..., Any] | None,
    *inputs: np.ndarray,
    grad: bool | Sequence[int] = True,
    layouts: Sequence[str] = LAYOUTS,
    device: str = "cpu",
    atol: float = 1e-6,
    rtol: float = 1e-5,
    grad_atol: float = 1e-5,
    grad_rtol: float = 1e-4,
) -> None:
    """Checks ``fn`` (on ferrograd tensors) against ``reference`` (on NumPy arrays).

    ``inputs`` are float64 arrays (other dtypes are passed through and never differentiated).
    ``grad`` is True (all float inputs), False, or the indices of the inputs to differentiate.
    For every layout the forward must match ``reference`` and, in float64, the analytic
    gradient of ``sum(w * fn(...))`` for a random ``w`` must match central differences.
    """
    arrays = [np.array(x, dtype=np.float64) if np.asarray(x).dtype.kind == "f" else np.asarray(x) for x in inputs]
    if device != "cpu" and any(a.dtype == np.float64 for a in arrays):
        skip_without_float64(device)
    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    which = floats if grad is True else ([] if grad is False else list(grad))
    expected = reference(*[a.copy() for a in arrays]) if reference is not None else None
    rng = np.random.default_rng(0)
    for layout in layouts:
        tensors = [
            make_tensor(a, layout if a.ndim > 0 and a.size > 0 else "contiguous", device, requires_grad=i in which)
            for i, a in enumerate(arrays)
        ]
        out = fn(*tensors)
        if expected is not None:
            got = to_numpy(out)
            np.testing.assert_allclose(
                np.asarray(_first(got) if isinstance(expected, np.ndarray) else got, dtype=np.float64)
                if isinstance(expected, np.ndarray)
                else got,
                expected,
                atol=atol,
                rtol=rtol,
                err_msg=f"forward mismatch ({layout})",
            )
        if not which:
            continue
        primary = _first(out)
        weights = rng.standard_normal(tuple(primary.shape))
        (primary * ferrograd.tensor(weights, dtype=primary.dtype, device=primary.device)).sum().backward()
        numeric = numerical_grads(fn, [a.copy() for a in arrays], weights, which, device=device)
        for i, num in zip(which, numeric):
            analytic = tensors[i].grad
            analytic = np.zeros_like(num) if analytic is None else to_numpy(analytic)
            np.testing.assert_allclose(
                analytic, num, atol=grad_atol, rtol=grad_rtol, err_msg=f"gradient of input {i} mismatch ({layout})"
            )
