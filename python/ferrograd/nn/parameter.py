"""``Parameter``: a tensor that a ``Module`` registers as one of its trainable weights.

>>> import ferrograd
>>> from ferrograd.nn import Parameter
>>> w = Parameter(ferrograd.ones(2))
>>> w
Parameter containing:
tensor([1., 1.], requires_grad=True)
>>> type(w * 2).__name__
'Tensor'
"""

from __future__ import annotations

from typing import Any

from .. import _core


class Parameter(_core.Tensor):
    """A tensor that is a module's parameter: assigning one to a ``Module`` attribute
    registers it, so it shows up in ``parameters()`` and the ``state_dict``.

    ``Parameter(data)`` shares ``data``'s memory, is a leaf, and requires grad unless
    ``requires_grad=False``. Results of ops on parameters are plain tensors.

    >>> import ferrograd
    >>> p = Parameter(ferrograd.zeros(2, 3))
    >>> p.requires_grad, p.is_leaf, tuple(p.shape)
    (True, True, (2, 3))
    """

    def __new__(cls, data: _core.Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = _core.empty(0)
        param = _core.Tensor.__new__(cls, _data=data)
        param.requires_grad_(requires_grad)
        return param

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        # As in PyTorch, a copied parameter starts without a gradient.
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.detach().clone(), self.requires_grad)
        return memo[id(self)]


class _BufferMeta(type):
    # A Buffer is a plain tensor marked for registration; isinstance looks at the mark.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _core.Tensor) and getattr(obj, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor to become a module buffer when assigned as an attribute, like
    ``register_buffer`` (``persistent=False`` keeps it out of the ``state_dict``).

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> m = nn.Module()
    >>> m.steps = nn.Buffer(ferrograd.zeros(1))
    >>> list(m.state_dict())
    ['steps']
    """

    def __new__(cls, data: _core.Tensor | None = None, *, persistent: bool = True) -> Any:  # type: ignore[misc]
        if data is None:
            data = _core.empty(0)
        tensor = data.detach().requires_grad_(data.requires_grad)
        tensor.persistent = persistent
        tensor._is_buffer = True
        return tensor


__all__ = ["Buffer", "Parameter"]
