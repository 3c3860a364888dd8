"""The autograd graph's node type: ``tensor.grad_fn`` objects are instances of subclasses
of :class:`Node`, one subclass per node name (``AddBackward0``, ``MulBackward0``, ...; a
custom Function's node is its ``ctx``, of class ``<Name>Backward``).

>>> import ferrograd
>>> y = ferrograd.ones(2, requires_grad=True) * 2
>>> isinstance(y.grad_fn, Node), y.grad_fn.name()
(True, 'MulBackward0')

Nodes take hooks: ``register_prehook(fn(grad_outputs))`` runs before the node with the
gradients it received, ``register_hook(fn(grad_inputs, grad_outputs))`` after it with the
gradients it computed; either may return a tuple to replace them. ``metadata`` is a dict
kept with the node.

>>> seen = []
>>> handle = y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_outputs))
>>> y.sum().backward()
>>> seen
[(tensor([1., 1.]),)]
>>> handle.remove()
"""

from .._core import Node

__all__ = ["Node"]
