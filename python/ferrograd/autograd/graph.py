"""The autograd graph's node type: ``tensor.grad_fn`` objects are instances of subclasses
of :class:`Node`, one subclass per node name (``AddBackward0``, ``MulBackward0``, ...).

>>> import ferrograd
>>> y = ferrograd.ones(2, requires_grad=True) * 2
>>> isinstance(y.grad_fn, Node), y.grad_fn.name()
(True, 'MulBackward0')
"""

from .._core import Node

__all__ = ["Node"]
