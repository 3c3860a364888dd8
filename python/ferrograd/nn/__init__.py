"""Neural-network building blocks. For now: ``ferrograd.nn.functional``.

>>> import ferrograd.nn.functional as F
>>> F.binary_cross_entropy_with_logits.__name__
'binary_cross_entropy_with_logits'
"""

from . import functional

__all__ = ["functional"]
