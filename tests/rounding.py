"""NumPy references for ops PyTorch rounds once (fused multiply-adds), used to check
ferrograd's results to the bit.

>>> import numpy as np
>>> fma(np.float32([3.0]), np.float32([1 / 3]), np.float32([1.0]))
array([2.], dtype=float32)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def fma(a, b, c):
    """``a * b + c`` rounded once, elementwise, in the arrays' dtype: exactly (through
    fractions) for float64; through float64 for float32, where the product is exact."""
    a, b, c = np.broadcast_arrays(*(np.asarray(v) for v in (a, b, c)))
    dtype = np.result_type(a, b, c)
    if dtype == np.float32:
        return (a.astype(np.float64) * b + c).astype(np.float32)
    out = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a.ravel(), b.ravel(), c.ravel())]
    return np.array(out, dtype=dtype).reshape(a.shape)


def add(a, b, alpha):
    """``a.add(b, alpha=alpha)``."""
    return fma(b, a.dtype.type(alpha), a)


def addcmul(s, t1, t2, value):
    """``s.addcmul(t1, t2, value=value)``: ``(value * t1) * t2 + s``, the last step fused."""
    return fma(s.dtype.type(value) * t1, t2, s)


def addcdiv(s, t1, t2, value):
    """``s.addcdiv(t1, t2, value=value)``: not fused."""
    return s + s.dtype.type(value) * t1 / t2


def lerp(s, e, weight):
    """``s.lerp(e, weight)`` for a number weight."""
    w = s.dtype.type(weight)
    if abs(w) < 0.5:
        return fma(w, e - s, s)
    return fma(w - s.dtype.type(1), e - s, e)
