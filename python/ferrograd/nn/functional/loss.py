"""Loss functions.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.binary_cross_entropy_with_logits(ferrograd.zeros(2), ferrograd.ones(2))
tensor(0.6931)
"""

from __future__ import annotations

from ... import _core

binary_cross_entropy_with_logits = _core.binary_cross_entropy_with_logits

__all__ = ["binary_cross_entropy_with_logits"]
