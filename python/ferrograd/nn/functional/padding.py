"""Padding: ``constant`` (negative sizes crop), ``reflect``, ``replicate`` and ``circular``.

``pad`` lists ``(before, after)`` pairs starting from the last dim.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.pad(ferrograd.tensor([[1.0, 2.0, 3.0]]), (1, 2), value=0.5)
tensor([[0.5000, 1.0000, 2.0000, 3.0000, 0.5000, 0.5000]])
>>> F.pad(ferrograd.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
tensor([[3., 2., 1., 2., 3., 2.]])
"""

from __future__ import annotations

from ... import _core

pad = _core._nn.pad

__all__ = ["pad"]
