"""Convolutions (im2col and a multithreaded GEMM underneath).

``padding`` may be ints or ``"same"`` / ``"valid"``; inputs may be batched or not.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> x = ferrograd.ones(1, 1, 3, 3)
>>> F.conv2d(x, ferrograd.ones(1, 1, 2, 2))
tensor([[[[4., 4.],
          [4., 4.]]]])
>>> F.conv1d(ferrograd.ones(1, 1, 4), ferrograd.ones(1, 1, 3), padding="same")
tensor([[[2., 3., 3., 2.]]])
>>> F.conv_transpose2d(ferrograd.ones(1, 1, 2, 2), ferrograd.ones(1, 1, 2, 2), stride=2).shape
ferrograd.Size([1, 1, 4, 4])
"""

from __future__ import annotations

from ... import _core

conv1d = _core._nn.conv1d
conv2d = _core._nn.conv2d
conv_transpose2d = _core._nn.conv_transpose2d

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]
