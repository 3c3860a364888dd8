"""2-D pooling: max (optionally with the indices of the maxima), average and adaptive average.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> x = ferrograd.arange(16.0).reshape(1, 1, 4, 4)
>>> F.max_pool2d(x, 2)
tensor([[[[ 5.,  7.],
          [13., 15.]]]])
>>> F.avg_pool2d(x, 2)
tensor([[[[ 2.5000,  4.5000],
          [10.5000, 12.5000]]]])
>>> F.adaptive_avg_pool2d(x, 1)
tensor([[[[7.5000]]]])
"""

from __future__ import annotations

from ... import _core

_nn = _core._nn

max_pool2d = _nn.max_pool2d
avg_pool2d = _nn.avg_pool2d
adaptive_avg_pool2d = _nn.adaptive_avg_pool2d


def max_pool2d_with_indices(
    input: _core.Tensor,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    ceil_mode: bool = False,
    return_indices: bool = True,
) -> tuple[_core.Tensor, _core.Tensor]:
    """:func:`max_pool2d` returning ``(values, indices)``."""
    return _nn.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "max_pool2d", "max_pool2d_with_indices"]
