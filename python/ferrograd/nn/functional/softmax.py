"""Softmax and log-softmax along a dim, as fused kernels.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.softmax(ferrograd.tensor([[0.0, 0.0], [0.0, 2.0]]), dim=1)
tensor([[0.5000, 0.5000],
        [0.1192, 0.8808]])
>>> F.log_softmax(ferrograd.tensor([0.0, 0.0]), dim=0)
tensor([-0.6931, -0.6931])
"""

from __future__ import annotations

import warnings

from ... import _core

_nn = _core._nn


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's legacy default dim (0 for 0-, 1- and 3-D input, else 1), with its warning."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: _core.Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _core.dtype | None = None
) -> _core.Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed in ``dtype`` when given."""
    if dim is None:
        dim = _implicit_dim("softmax", input.dim(), _stacklevel)
    return _nn.softmax(input, dim, dtype)


def log_softmax(
    input: _core.Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _core.dtype | None = None
) -> _core.Tensor:
    """``x - log(sum(exp(x)))`` along ``dim``: the log of :func:`softmax`, without overflow."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.dim(), _stacklevel)
    return _nn.log_softmax(input, dim, dtype)


def softmin(
    input: _core.Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _core.dtype | None = None
) -> _core.Tensor:
    """``softmax(-x)`` along ``dim``: the smallest values get the largest weights."""
    if dim is None:
        dim = _implicit_dim("softmin", input.dim(), _stacklevel)
    return _nn.softmax(-input, dim, dtype)


__all__ = ["log_softmax", "softmax", "softmin"]
