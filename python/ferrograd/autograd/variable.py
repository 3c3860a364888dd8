"""``Variable``: the pre-0.4 PyTorch wrapper. It now just returns a tensor, so old code runs.

>>> import ferrograd
>>> from ferrograd.autograd import Variable
>>> x = Variable(ferrograd.ones(2, 2), requires_grad=True)
>>> x.requires_grad, isinstance(x, Variable)
(True, True)
"""

from __future__ import annotations

from typing import Any

from .. import _core


class _VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, _core.Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)``: a new leaf tensor sharing ``tensor``'s data."""

    def __new__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:  # type: ignore[misc]
        tensor = _core.tensor([]) if data is None else data
        if not isinstance(tensor, _core.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(tensor).__name__}")
        result = tensor.detach()
        result.requires_grad_(requires_grad)
        return result
