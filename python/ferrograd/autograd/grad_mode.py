"""Turning gradient recording off and on, per thread.

Each class works as a context manager and as a decorator:

>>> import ferrograd
>>> x = ferrograd.ones(2, requires_grad=True)
>>> with ferrograd.no_grad():
...     (x * 2).requires_grad
False
>>> @ferrograd.no_grad()
... def evaluate(t):
...     return t * 2
>>> evaluate(x).requires_grad
False
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from .. import _core

F = TypeVar("F", bound=Callable[..., Any])

is_grad_enabled = _core.is_grad_enabled


class _GradMode:
    """Sets grad mode to ``_mode`` inside a ``with`` block or a decorated function."""

    _mode: bool

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(_core._set_grad_enabled(self._mode))

    def __exit__(self, *exc: object) -> None:
        _core._set_grad_enabled(self._previous.pop())

    def clone(self) -> _GradMode:
        return self.__class__()

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                gen = func(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    with self.clone():
                        try:
                            response = gen.send(request)
                        except StopIteration as stop:
                            return stop.value

            return generator  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Disables gradient recording: results of ops do not require grad.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.
    """

    _mode = False

    def __new__(cls, func: Any = None) -> Any:
        instance = super().__new__(cls)
        if callable(func):
            instance.__init__()
            return instance(func)
        return instance

    def __init__(self, func: Any = None) -> None:
        super().__init__()


class enable_grad(no_grad):
    """Re-enables gradient recording (inside a ``no_grad`` block, say)."""

    _mode = True


class set_grad_enabled(_GradMode):
    """Sets gradient recording on or off: at once when called, and back when used as a
    context manager's exit.

    >>> _ = set_grad_enabled(False)
    >>> is_grad_enabled()
    False
    >>> _ = set_grad_enabled(True)
    """

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._previous.append(_core._set_grad_enabled(self._mode))

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _core._set_grad_enabled(self._previous.pop())

    def __call__(self, func: F) -> F:
        # As a decorator the mode applies only inside ``func``: undo the change made at
        # construction.
        _core._set_grad_enabled(self._previous.pop())
        return super().__call__(func)

    def clone(self) -> set_grad_enabled:
        current = _core.is_grad_enabled()
        clone = set_grad_enabled(self._mode)
        clone._previous = [current]
        return clone


class inference_mode(_GradMode):
    """Inference mode: like ``no_grad``, and tensors made inside are *inference tensors*,
    which can never join a graph (using one where autograd would save it raises an error).
    ``enable_grad`` inside does not turn recording back on. ``inference_mode(False)`` is a
    no-op block with gradients enabled.

    Usable as ``with inference_mode():``, ``@inference_mode()`` and ``@inference_mode``.

    >>> import ferrograd
    >>> x = ferrograd.ones(2, requires_grad=True)
    >>> with ferrograd.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, y.is_inference(), ferrograd.is_inference_mode_enabled()
    (False, True, False)
    """

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = mode
        self._states: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        self._states.append((_core._set_inference_mode(self.mode), _core._set_grad_enabled(not self.mode)))

    def __exit__(self, *exc: object) -> None:
        inference, grad = self._states.pop()
        _core._set_grad_enabled(grad)
        _core._set_inference_mode(inference)

    def clone(self) -> inference_mode:
        return self.__class__(self.mode)


is_inference_mode_enabled = _core.is_inference_mode_enabled
