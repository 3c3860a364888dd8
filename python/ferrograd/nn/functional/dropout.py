"""Dropout: zero elements (or, for ``dropout1d`` / ``dropout2d``, whole channels) with
probability ``p`` and scale the rest by ``1 / (1 - p)``; the identity when not training.
Masks come from the default generator, so ``ferrograd.manual_seed`` makes them repeat.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.dropout(ferrograd.ones(4), p=0.5, training=False)
tensor([1., 1., 1., 1.])
>>> sorted(set(F.dropout(ferrograd.ones(1000), p=0.5).tolist()))
[0.0, 2.0]
"""

from __future__ import annotations

import warnings

from ... import _core

_nn = _core._nn


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input: _core.Tensor, p: float, training: bool, inplace: bool, per_channel: bool) -> _core.Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    noise_shape = _channel_noise_shape(input) if per_channel else None
    out = _nn.dropout(input, p, training, noise_shape, inplace)
    return input if inplace else out


def dropout(input: _core.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> _core.Tensor:
    """Zeroes each element with probability ``p``, scaling the others by ``1 / (1 - p)``."""
    return _dropout(input, p, training, inplace, False)


def _channel_noise_shape(input: _core.Tensor) -> list[int]:
    """One mask value per (sample, channel): ``[n, c, 1, ...]``."""
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return [input.shape[0], input.shape[1]] + [1] * (input.dim() - 2)


def dropout1d(input: _core.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> _core.Tensor:
    """Zeroes whole channels of ``(N, C, L)`` or ``(C, L)`` input with probability ``p``."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that dropout1d exists "
            "to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs)."
        )
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    out = _dropout(x, p, training, inplace, True)
    if inplace:
        return input
    return out if batched else out.squeeze(0)


def dropout2d(input: _core.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> _core.Tensor:
    """Zeroes whole channels of ``(N, C, H, W)`` input with probability ``p``.

    As in PyTorch, a 3-D input is taken as ``(N, C, L)`` (with a warning).
    """
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will result in an error in a "
            "future release. To retain the behavior and silence this warning, please use dropout instead. Note that "
            "dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _dropout(input, p, training, inplace, True)


__all__ = ["dropout", "dropout1d", "dropout2d"]
