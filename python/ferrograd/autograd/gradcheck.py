"""Checking gradients against finite differences.

:func:`gradcheck` compares the full Jacobian that backward computes with central finite
differences, for every input that requires grad and every output; :func:`gradgradcheck`
does the same for the gradient of the gradient. Use float64 inputs: float32 rounding is far
above the default tolerances.

>>> import ferrograd
>>> x = ferrograd.tensor([0.5, 1.5], dtype=ferrograd.float64, requires_grad=True)
>>> gradcheck(lambda t: (t * t).exp(), (x,))
True
>>> gradgradcheck(lambda t: (t * t).exp(), (x,))
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` and :func:`gradgradcheck` when a check fails."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _requires_grad(x: Any) -> bool:
    return isinstance(x, _core.Tensor) and x.requires_grad


def _differentiable_outputs(outputs: Any) -> tuple[_core.Tensor, ...]:
    return tuple(o for o in _as_tuple(outputs) if _requires_grad(o))


def _check_inputs(inputs: tuple[Any, ...]) -> None:
    any_requires_grad = False
    for idx, inp in enumerate(inputs):
        if not _requires_grad(inp):
            continue
        any_requires_grad = True
        if inp.dtype != _core.float64:
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point or complex. "
                "This check will likely fail if all the inputs are not of double precision floating point "
                "or complex. ",
                stacklevel=4,
            )
    if not any_requires_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them have requires_grad=True."
        )


def _values(outputs: Any) -> list[np.ndarray | None]:
    """Each output's values, flattened to float64 (``None`` for non-tensors)."""
    return [
        o.detach().numpy().astype(np.float64).ravel() if isinstance(o, _core.Tensor) else None
        for o in _as_tuple(outputs)
    ]


def _numerical_jacobians(
    func: Callable[..., Any], inputs: tuple[Any, ...], outputs: tuple[Any, ...], eps: float
) -> list[list[np.ndarray | None]]:
    """For each input that requires grad, for each output of ``func`` (``None`` for
    non-tensors): d(output)/d(input) by central differences, shaped (input numel, output
    numel). Inputs are perturbed in place, through NumPy views of their memory (which
    autograd's version counters do not see)."""
    jacobians = []
    for inp in inputs:
        if not _requires_grad(inp):
            continue
        memory = inp.detach().numpy()
        per_output = [np.zeros((memory.size, o.numel())) if isinstance(o, _core.Tensor) else None for o in outputs]
        for k, idx in enumerate(np.ndindex(memory.shape)):
            original = memory[idx].copy()
            memory[idx] = original - eps
            below = _values(func(*inputs))
            memory[idx] = original + eps
            above = _values(func(*inputs))
            memory[idx] = original
            for jacobian, a, b in zip(per_output, above, below):
                if jacobian is not None:
                    jacobian[k] = (a - b) / (2 * eps)
        jacobians.append(per_output)
    return jacobians


def _one_hot(output: _core.Tensor, index: int) -> _core.Tensor:
    values = np.zeros(output.numel(), dtype=output.detach().numpy().dtype)
    values[index] = 1
    return _core.from_numpy(values.reshape(tuple(output.shape)))


def _analytical_jacobians(
    outputs: tuple[_core.Tensor, ...], inputs: list[_core.Tensor], check_grad_dtypes: bool
) -> list[list[np.ndarray]]:
    """For each input, for each output: the Jacobian backward computes, one
    vector-Jacobian product per output element."""
    jacobians = [[np.zeros((inp.numel(), out.numel())) for out in outputs] for inp in inputs]
    for j, out in enumerate(outputs):
        for r in range(out.numel()):
            grads = _core._grad((out,), tuple(inputs), (_one_hot(out, r),), True, False, True)
            for i, (g, inp) in enumerate(zip(grads, inputs)):
                if g is None:
                    continue
                if tuple(g.shape) != tuple(inp.shape):
                    raise GradcheckError("Analytical gradient has incorrect size")
                if check_grad_dtypes and g.dtype != inp.dtype:
                    raise GradcheckError("Gradient has dtype mismatch")
                jacobians[i][j][:, r] = g.detach().numpy().astype(np.float64).ravel()
    return jacobians


def _as_tensor(values: np.ndarray, like: _core.Tensor) -> _core.Tensor:
    return _core.tensor(values, dtype=like.dtype)


def _check_backward_scales_with_grad_output(outputs: tuple[_core.Tensor, ...], inputs: list[_core.Tensor]) -> None:
    """Zero gradients in must give zero gradients out."""
    zeros = tuple(_core.zeros_like(o) for o in outputs)
    for g in _core._grad(outputs, tuple(inputs), zeros, True, False, True):
        if g is not None and bool((g != 0).sum()):
            raise GradcheckError("backward not multiplied by grad_output")


def _gradcheck(
    func: Callable[..., Any],
    inputs: tuple[Any, ...],
    eps: float,
    atol: float,
    rtol: float,
    nondet_tol: float,
    check_grad_dtypes: bool,
) -> None:
    _check_inputs(inputs)
    outputs = _as_tuple(func(*inputs))
    diff_outputs = _differentiable_outputs(outputs)
    numerical = _numerical_jacobians(func, inputs, outputs, eps)
    if not diff_outputs:
        for per_output in numerical:
            if any(n is not None and np.any(n != 0) for n in per_output):
                raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    diff_inputs = [inp for inp in inputs if _requires_grad(inp)]
    diff_index = [j for j, o in enumerate(outputs) if _requires_grad(o)]
    analytical = _analytical_jacobians(diff_outputs, diff_inputs, check_grad_dtypes)
    for i, inp in enumerate(diff_inputs):
        for j, out_index in enumerate(diff_index):
            a, n = analytical[i][j], numerical[i][out_index]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                raise GradcheckError(
                    f"Jacobian mismatch for output {j} with respect to input {i},\n"
                    f"numerical:{_as_tensor(n, inp)}\nanalytical:{_as_tensor(a, inp)}\n"
                )
    again = _analytical_jacobians(diff_outputs, diff_inputs, check_grad_dtypes)
    for first, second in zip(analytical, again):
        for a1, a2 in zip(first, second):
            if np.abs(a1 - a2).max(initial=0.0) > nondet_tol:
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and grad_output "
                    "multiple times gives different values, although analytical gradient matches numerical "
                    f"gradient.The tolerance for nondeterminism was {nondet_tol}."
                )
    _check_backward_scales_with_grad_output(diff_outputs, diff_inputs)


def _unsupported(**flags: bool) -> None:
    for name, value in flags.items():
        if value:
            raise NotImplementedError(f"gradcheck: {name}=True is not supported")


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Checks backward's Jacobian of ``func`` at ``inputs`` against central finite
    differences (step ``eps``), element by element: ``|analytical - numerical| <= atol +
    rtol * |numerical|``. Also checks that backward gives the same result twice (within
    ``nondet_tol``) and zero gradients for zero ``grad_output``.

    Returns ``True``; on failure raises :class:`GradcheckError`, or returns ``False`` with
    ``raise_exception=False``. In this implementation an undefined output gradient is a zero
    one, so ``check_undefined_grad`` adds nothing to the zero check, and ``fast_mode`` runs the
    full check. Batched and forward-mode checks are not available.
    """
    _unsupported(
        check_batched_grad=check_batched_grad,
        check_batched_forward_grad=check_batched_forward_grad,
        check_forward_ad=check_forward_ad,
    )
    if not check_backward_ad:
        return True
    try:
        _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol, check_grad_dtypes)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _random_like(output: _core.Tensor, rng: np.random.Generator, noncontiguous: bool) -> _core.Tensor:
    """Values in [-1, 1) shaped like ``output``, requiring grad; with ``noncontiguous``, every
    other element of a wider tensor."""
    dtype = output.dtype if output.is_floating_point() else _core.float64
    shape = tuple(output.shape)
    values = rng.uniform(-1.0, 1.0, shape)
    if noncontiguous and shape:
        wide = np.zeros(shape[:-1] + (2 * shape[-1],))
        wide[..., ::2] = values
        return _core.tensor(wide, dtype=dtype)[..., ::2].requires_grad_()
    return _core.tensor(values, dtype=dtype).requires_grad_()


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Checks second derivatives: :func:`gradcheck` of the function that maps (inputs,
    grad_outputs) to the gradients of ``func`` (computed with ``create_graph=True``).
    Without ``grad_outputs``, fixed pseudo-random ones in [-1, 1) are used."""
    _unsupported(check_batched_grad=check_batched_grad, check_fwd_over_rev=check_fwd_over_rev)
    if not check_rev_over_rev:
        return True
    tupled_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        tupled_grads: tuple[Any, ...] = tuple(
            _random_like(o, rng, gen_non_contig_grad_outputs) for o in _differentiable_outputs(func(*tupled_inputs))
        )
    else:
        tupled_grads = _as_tuple(grad_outputs)
    n_grads = len(tupled_grads)

    def first_derivatives(*args: Any) -> tuple[_core.Tensor, ...]:
        input_args, grads = args[:-n_grads], args[-n_grads:]
        outputs = _differentiable_outputs(func(*input_args))
        diff_inputs = tuple(x for x in input_args if _requires_grad(x))
        result = _core._grad(outputs, diff_inputs, grads, True, True, True)
        return tuple(g for g in result if g is not None)

    return gradcheck(
        first_derivatives,
        tupled_inputs + tupled_grads,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        fast_mode=fast_mode,
        masked=masked,
    )


__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]
