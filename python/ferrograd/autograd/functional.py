"""Derivatives of whole functions: ``jacobian``, ``hessian``, and the products ``vjp``,
``jvp``, ``hvp`` and ``vhp``, all built on reverse mode (a forward-mode product uses the
double-backward trick: the vector-Jacobian product is linear in its vector, so
differentiating it with respect to that vector gives the Jacobian-vector product).

``inputs`` is a tensor or a tuple of tensors; results mirror the structure of the outputs
and inputs. Results are detached unless ``create_graph=True``; ``strict=True`` turns an
output that does not depend on an input into an error instead of zeros.

>>> import ferrograd
>>> x = ferrograd.tensor([1.0, 2.0])
>>> jacobian(lambda t: t ** 2, x)
tensor([[2., 0.],
        [0., 4.]])
>>> hessian(lambda t: (t ** 3).sum(), x)
tensor([[ 6.,  0.],
        [ 0., 12.]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _core
from .grad_mode import enable_grad, set_grad_enabled

Tensor = _core.Tensor


def _as_tuple(obj: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple[Any, ...]]:
    """``obj`` as a tuple of tensors, and whether it was a tuple."""
    is_tuple = isinstance(obj, tuple)
    items = obj if is_tuple else (obj,)
    for i, item in enumerate(items):
        if isinstance(item, Tensor):
            continue
        which = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
        raise TypeError(
            f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but {which} "
            f"has type {type(item)}."
        )
    return is_tuple, items


def _untuple(result: Any, was_tuple: bool | tuple[bool, bool]) -> Any:
    """Undoes :func:`_as_tuple` on a result (nested: outputs outside, inputs inside)."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            result = tuple(r[0] for r in result)
        return result if outer else result[0]
    return result if was_tuple else result[0]


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool, need_graph: bool) -> tuple[Tensor, ...]:
    """Fresh tensors to differentiate with respect to: an alias that keeps the caller's graph
    under ``create_graph``, a detached copy otherwise."""
    return tuple(
        x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(need_graph) for x in inputs
    )


def _finish(result: Any, create_graph: bool) -> Any:
    """Detaches results (recursively) unless the caller wants their graph."""
    if isinstance(result, tuple):
        return tuple(_finish(r, create_graph) for r in result)
    return result if create_graph else result.detach()


def _validate_v(v: tuple[Tensor, ...], other: tuple[Tensor, ...], other_is_tuple: bool) -> None:
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (v_i, other_i) in enumerate(zip(v, other)):
        if v_i.size() != other_i.size():
            entry = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {other_i.size()} but got {v_i.size()}.")


_INDEPENDENT = {
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. "
    "This is not allowed in strict mode. You should ensure that your function is thrice differentiable and that "
    "the hessian depends on the inputs.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
    "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure that your "
    "function is twice differentiable and that the jacobian depends on the inputs (this would be violated by a "
    "linear function for example).",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
    "function. This is not allowed in strict mode.",
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be computed "
    "in a differentiable manner from the input when running in strict mode.",
}


def _check_requires_grad(tensors: tuple[Any, ...], kind: str, strict: bool) -> None:
    """Strict mode: every tensor must depend on the inputs."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode."
            )
        if not t.requires_grad:
            raise RuntimeError(_INDEPENDENT[kind].format(i=i))


def _vjp(
    outputs: tuple[Any, ...],
    inputs: tuple[Tensor, ...],
    vectors: tuple[Any, ...] | None = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple[Tensor | None, ...]:
    """``autograd.grad`` over the outputs that require grad (``None`` for unused inputs)."""
    if vectors is None:
        vectors = (None,) * len(outputs)
    pairs = [(o, v) for o, v in zip(outputs, vectors) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return tuple(
        _core._grad(
            tuple(o for o, _ in pairs),
            inputs,
            tuple(v for _, v in pairs),
            retain_graph,
            create_graph,
            True,
        )
    )


_ZERO_FILL_ERRORS = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
    "using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed in "
    "strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
    "grad_jacobian. This is not allowed in strict mode as it prevents from using the double backward trick to "
    "replace forward mode AD.",
}


def _fill_in_zeros(
    grads: tuple[Tensor | None, ...], refs: tuple[Tensor, ...], strict: bool, create_graph: bool, stage: str
) -> tuple[Tensor, ...]:
    """Zeros for missing gradients, or strict mode's error for them."""
    filled = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_FILL_ERRORS[stage].format(i=i))
            g = _core.zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        filled.append(g)
    return tuple(filled)


def _single_output(outputs: tuple[Tensor, ...], is_tuple: bool, fn_name: str) -> None:
    if is_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single element")


def _vector(
    v: Any, refs: tuple[Tensor, ...], refs_are_tuple: bool, fn_name: str, create_graph: bool
) -> tuple[Tensor, ...] | None:
    """The checked vector ``v``, shaped like ``refs`` (``None`` only where ``refs`` is one
    single-element tensor)."""
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _prepare(v, create_graph, need_graph=False)
        _validate_v(v, refs, refs_are_tuple)
        return v
    if len(refs) != 1 or refs[0].nelement() != 1:
        if fn_name == "vjp":
            about = "the user-provided function returns"
        else:
            about = "the input to the user-provided function is"
        raise RuntimeError(f"The vector v can only be None if {about} a single Tensor with a single element.")
    return None


def vjp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    >>> x = _core.tensor([1.0, 2.0])
    >>> vjp(lambda t: t ** 2, x, _core.tensor([1.0, 1.0]))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _vector(v, outputs, outputs_tuple, "vjp", create_graph)
    with set_grad_enabled(create_graph or _core.is_grad_enabled()):
        result = _fill_in_zeros(_vjp(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return (
        _untuple(_finish(outputs, create_graph), outputs_tuple),
        _untuple(_finish(result, create_graph), inputs_tuple),
    )


def jvp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), J v)``: the Jacobian-vector product at ``inputs``, by the double
    backward trick.

    >>> x = _core.tensor([1.0, 2.0])
    >>> jvp(lambda t: t ** 2, x, _core.tensor([1.0, 0.0]))
    (tensor([1., 4.]), tensor([2., 0.]))
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, "jvp", create_graph)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # The vector-Jacobian product is linear in these: their value does not matter.
        dummies = tuple(_core.zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _vjp(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or _core.is_grad_enabled()):
        result = _fill_in_zeros(
            _vjp(grad_inputs, dummies, v, create_graph), outputs, strict, create_graph, "back_trick"
        )
    return (
        _untuple(_finish(outputs, create_graph), outputs_tuple),
        _untuple(_finish(result, create_graph), outputs_tuple),
    )


def _one_hot(like: Tensor, index: int) -> Tensor:
    e = _core.zeros(like.numel(), dtype=like.dtype)
    e[index] = 1
    return e.view(like.shape)


def _stack_rows(rows: list[Tensor], shape: tuple[int, ...], like: Tensor) -> Tensor:
    """Rows (each shaped like ``like``) stacked and reshaped to ``shape``; differentiable."""
    out = _core.zeros((len(rows),) + tuple(like.shape), dtype=like.dtype)
    for i, row in enumerate(rows):
        out[i] = row
    return out.view(shape)


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: for an output of shape ``O`` and an input of
    shape ``I``, a tensor of shape ``O + I``. Nested tuples ``[output][input]`` when either
    side is a tuple.

    Computed one reverse pass per output element; ``vectorize=True`` gives the same result
    the same way.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`."
            )
        raise NotImplementedError("ferrograd has no forward-mode AD: use strategy='reverse-mode'.")
    if strict and vectorize:
        raise RuntimeError(
            "ferrograd.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported together. "
            "Please either set `strict=False` or `vectorize=False`."
        )
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        result = []
        for i, out in enumerate(outputs):
            rows: list[list[Tensor]] = [[] for _ in inputs]
            for r in range(out.nelement()):
                grads = _vjp((out,), inputs, (_one_hot(out, r),), create_graph, retain_graph=True)
                for k, (g, x) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of input {k}. "
                                "This is not allowed in strict mode."
                            )
                        g = _core.zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            f"The jacobian of the user-provided function is independent of input {i}. "
                            "This is not allowed in strict mode when create_graph=True."
                        )
                    rows[k].append(g)
            result.append(
                tuple(_stack_rows(rows_k, tuple(out.shape) + tuple(x.shape), x) for rows_k, x in zip(rows, inputs))
            )
        return _untuple(_finish(tuple(result), create_graph), (outputs_tuple, inputs_tuple))


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar ``func`` at ``inputs``: the Jacobian of its gradient. For
    inputs of shapes ``I`` and ``J``, the block for the pair is shaped ``I + J``.

    >>> hessian(lambda a, b: (a * b).sum(), (_core.tensor([1.0]), _core.tensor([2.0])))
    ((tensor([[0.]]), tensor([[1.]])), (tensor([[1.]]), tensor([[0.]])))
    """
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_output(*args: Tensor) -> Tensor:
        out = func(*args)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        _single_output(outs, is_tuple, "hessian")
        return out.squeeze()

    def gradient(*args: Tensor) -> tuple[Tensor, ...]:
        jac = jacobian(scalar_output, args, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _untuple(result, (inputs_tuple, inputs_tuple))


def vhp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), v^T H)`` for a scalar ``func``: two reverse passes.

    >>> vhp(lambda t: (t ** 3).sum(), _core.tensor([1.0, 2.0]), _core.tensor([1.0, 1.0]))
    (tensor(9.), tensor([ 6., 12.]))
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, "vhp", create_graph)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vhp")
        _check_requires_grad(outputs, "outputs", strict)
        _single_output(outputs, outputs_tuple, "vhp")
        jac = _vjp(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(create_graph or _core.is_grad_enabled()):
        result = _fill_in_zeros(_vjp(jac, inputs, v, create_graph), inputs, strict, create_graph, "double_back")
    return (
        _untuple(_finish(outputs, create_graph), outputs_tuple),
        _untuple(_finish(result, create_graph), inputs_tuple),
    )


def hvp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), H v)`` for a scalar ``func``, by the double backward trick (equal to
    :func:`vhp` here, as Hessians are symmetric).

    >>> hvp(lambda t: (t ** 3).sum(), _core.tensor([1.0, 2.0]), _core.tensor([1.0, 0.0]))
    (tensor(9.), tensor([6., 0.]))
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, "hvp", create_graph)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "hvp")
        _check_requires_grad(outputs, "outputs", strict)
        _single_output(outputs, outputs_tuple, "hvp")
        jac = _vjp(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        dummies = tuple(_core.zeros_like(x, requires_grad=True) for x in inputs)
        double_back = _vjp(jac, inputs, dummies, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(create_graph or _core.is_grad_enabled()):
        result = _fill_in_zeros(
            _vjp(double_back, dummies, v, create_graph), inputs, strict, create_graph, "double_back_trick"
        )
    return (
        _untuple(_finish(outputs, create_graph), outputs_tuple),
        _untuple(_finish(result, create_graph), inputs_tuple),
    )


__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
