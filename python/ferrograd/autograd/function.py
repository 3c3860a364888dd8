"""Custom differentiable operations: subclass :class:`Function` with a static ``forward``
and ``backward``, then call ``apply``.

>>> import ferrograd
>>> class Cube(Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_tensors
...         return 3 * x ** 2 * grad
>>> x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
>>> y = Cube.apply(x)
>>> y.grad_fn.name()
'CubeBackward'
>>> y.sum().backward()
>>> x.grad
tensor([ 3., 12.])

``forward`` may also leave ``ctx`` alone and a separate ``setup_context(ctx, inputs,
output)`` fill it in. The graph node (``CubeBackward``) is made in the Rust core; its
backward calls the class's ``backward`` with ``ctx``, which is also ``y.grad_fn``.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

from .. import _core
from .grad_mode import no_grad


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) leaves for ``backward``."""

    _materialize_grads = True
    needs_input_grad: tuple[bool, ...]

    def save_for_backward(self, *tensors: _core.Tensor | None) -> None:
        """Keeps tensors for ``backward`` (read them back as ``ctx.saved_tensors``).

        Saved tensors are checked against in-place changes when they are read, and freed
        after backward unless the graph is retained. Save tensors this way, not as ``ctx``
        attributes: an output stored on ``ctx`` keeps its own graph alive.
        """
        self.to_save = tensors

    def mark_dirty(self, *tensors: _core.Tensor) -> None:
        """Declares inputs that ``forward`` modified in place (they must be returned)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: _core.Tensor) -> None:
        """Declares outputs that get no gradient (``backward`` still receives one for each,
        zeros)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With ``False``, ``backward`` receives ``None`` (rather than zeros) for outputs
        that got no gradient."""
        self._materialize_grads = bool(value)


class BackwardCFunction(_core.Node, FunctionCtx):
    """The context of one ``apply`` call, and the graph node behind its outputs."""

    _forward_cls: type[Function]
    __repr__ = object.__repr__

    def _run_backward(self, saved: tuple[Any, ...], grads: tuple[Any, ...]) -> Any:
        """Called by the core with the saved tensors (already checked) and a gradient per
        forward output."""
        self._saved_in_backward = saved
        try:
            return self.apply(*grads)
        finally:
            del self._saved_in_backward

    def apply(self, *grads: Any) -> Any:
        cls = self._forward_cls
        backward = cls.backward if cls.backward is not Function.backward else cls.vjp
        return backward(self, *grads)

    @property
    def saved_tensors(self) -> tuple[_core.Tensor | None, ...]:
        """The tensors given to ``save_for_backward``."""
        saved = getattr(self, "_saved_in_backward", None)
        if saved is not None:
            return saved
        return _core._function_saved_tensors(self)


class FunctionMeta(type):
    """Gives each Function subclass its node class, ``<Name>Backward``."""

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


def _bind_default_args(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """``args`` and ``kwargs`` as the positional arguments of ``func``, defaults filled in."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.args


class Function(metaclass=FunctionMeta):
    """Base class of custom differentiable operations (see the module's docstring)."""

    _backward_cls: type[BackwardCFunction]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are all static, "
            "so you should invoke them on the class itself. Instantiating an autograd function will raise an "
            "error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style "
            "autograd function with static forward method. "
            "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        """Computes the outputs: ``forward(ctx, *args)``, or ``forward(*args)`` when the
        class defines ``setup_context``. Runs with gradient recording off."""
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        """Fills in ``ctx`` from the inputs and forward's output (optional)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Returns a gradient per forward argument (``None`` for non-tensors or where no
        gradient is needed), given a gradient per forward output."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function "
            "to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Runs ``forward`` and records a ``<Name>Backward`` node for its outputs."""
        ctx = cls._backward_cls()
        separate_setup = cls.setup_context is not Function.setup_context
        if separate_setup:
            args = _bind_default_args(cls.forward, args, kwargs)
        ctx.needs_input_grad = tuple(isinstance(a, _core.Tensor) and a.requires_grad for a in args)
        with no_grad():
            if separate_setup:
                output = cls.forward(*args)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        return _core._function_record(ctx, args, output)


_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Decorates a ``backward`` that is not itself differentiable: it runs without
    recording, and differentiating its result again raises an error.

    >>> class Square(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     @once_differentiable
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    """

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        with no_grad():
            outputs = backward(ctx, *grads)
        if not _core.is_grad_enabled():
            return outputs
        if not any(isinstance(g, _core.Tensor) and g.requires_grad for g in grads):
            return outputs
        single = not isinstance(outputs, tuple)
        values = (outputs,) if single else outputs
        # Leaves that require grad, so that the Error node records.
        stand_ins = [v.detach().requires_grad_() if isinstance(v, _core.Tensor) else None for v in values]
        guarded = _core._delayed_error(_TWICE, stand_ins)
        return guarded[0] if single else guarded

    return wrapper


__all__ = ["BackwardCFunction", "Function", "FunctionCtx", "FunctionMeta", "once_differentiable"]
