"""Weight initialization: functions that fill a tensor in place (without recording
gradients) and return it.

The scaled schemes follow the papers PyTorch cites: Glorot & Bengio (``xavier_*``) keep the
variance of activations and gradients across a layer from ``fan_in + fan_out``; He et al.
(``kaiming_*``) scale by the gain of the nonlinearity over ``fan_in`` (or ``fan_out``).

>>> import ferrograd
>>> from ferrograd import nn
>>> w = ferrograd.empty(3, 5)
>>> _ = nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
>>> w.abs().max().item() <= (2 ** 0.5) * (6 / (3 + 5)) ** 0.5
True
>>> nn.init.zeros_(ferrograd.empty(2))
tensor([0., 0.])
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _core
from ..autograd.grad_mode import no_grad

Tensor = _core.Tensor
_LINEAR_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which ``nonlinearity`` changes the standard deviation of its input,
    used to scale initial weights: 1 for linear layers and ``sigmoid``, 5/3 for ``tanh``,
    ``sqrt(2)`` for ``relu``, ``sqrt(2 / (1 + slope^2))`` for ``leaky_relu``, 3/4 for ``selu``.

    >>> calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    """
    if nonlinearity in _LINEAR_GAIN or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shaped ``(out, in, *kernel)``: ``in`` and ``out``
    times the kernel's size.

    >>> import ferrograd
    >>> _calculate_fan_in_and_fan_out(ferrograd.empty(16, 3, 5, 5))
    (75, 400)
    """
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fills ``tensor`` with values drawn uniformly from ``[a, b)``."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fills ``tensor`` with values drawn from ``N(mean, std^2)``."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator: Any = None
) -> Tensor:
    """Fills ``tensor`` with values from ``N(mean, std^2)`` conditioned on lying in
    ``[a, b]`` (absolute bounds, not multiples of ``std``)."""
    with no_grad():
        return _core._trunc_normal_(tensor, float(mean), float(std), float(a), float(b), generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fills ``tensor`` with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` with zeros."""
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fills a 2-D ``tensor`` with the identity matrix (ones on the main diagonal).

    >>> import ferrograd
    >>> eye_(ferrograd.empty(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        return tensor.copy_(_core.eye(*tensor.shape))


def _scaled(tensor: Tensor) -> bool:
    """Whether a scaled initialization has anything to fill (PyTorch warns when not)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return False
    return True


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot initialization: uniform in ``[-a, a]`` with
    ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot initialization: ``N(0, std^2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def kaiming_uniform_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> Tensor:
    """He initialization: uniform in ``[-bound, bound]`` with
    ``bound = gain * sqrt(3 / fan)``; ``a`` is the leaky ReLU slope for the gain.
    ``Linear`` uses it with ``a=sqrt(5)``, i.e. ``bound = 1 / sqrt(fan_in)``."""
    if not _scaled(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> Tensor:
    """He initialization: ``N(0, std^2)`` with ``std = gain / sqrt(fan)``."""
    if not _scaled(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Any = None) -> Tensor:
    """Fills ``tensor`` (2-D or more, flattened past the first dim) with a (semi-)orthogonal
    matrix times ``gain``: the Q of the QR decomposition of a Gaussian matrix, with signs
    fixed so the result is uniformly distributed (Saxe et al. 2013).

    >>> import ferrograd, numpy as np
    >>> q = orthogonal_(ferrograd.empty(3, 3)).numpy()
    >>> bool(np.allclose(q @ q.T, np.eye(3), atol=1e-6))
    True
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    gaussian = _core.empty(rows, cols, dtype=_core.float64).normal_(0, 1, generator=generator).numpy()
    if rows < cols:
        gaussian = gaussian.T
    q, r = np.linalg.qr(gaussian)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with no_grad():
        tensor.copy_(_core.tensor(np.ascontiguousarray(q) * gain).reshape(tensor.shape))
    return tensor


__all__ = [
    "calculate_gain",
    "constant_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
