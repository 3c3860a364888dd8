"""Convolution layers: ``Conv1d``, ``Conv2d`` and ``ConvTranspose2d``.

Each holds ``weight`` (``(out, in / groups, *kernel)``; ``(in, out / groups, *kernel)`` for
the transposed one) and ``bias`` (``(out,)``), initialized as PyTorch does: kaiming-uniform
with ``a = sqrt(5)``, the bias uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.

>>> import ferrograd
>>> from ferrograd import nn
>>> conv = nn.Conv2d(1, 6, 5)
>>> conv
Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
>>> tuple(conv(ferrograd.ones(2, 1, 32, 32)).shape)
(2, 6, 28, 28)
>>> nn.ConvTranspose2d(6, 1, 2, stride=2)(ferrograd.ones(1, 6, 3, 3)).shape
ferrograd.Size([1, 1, 6, 6])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Union

from .. import _core
from . import functional as F
from . import init
from .linear import _factory
from .module import Module
from .parameter import Parameter

Tensor = _core.Tensor
Size = Union[int, Sequence[int]]
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value: Size, n: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * n
    return tuple(value)


class _ConvNd(Module):
    """What every convolution shares: checked settings, parameters, initialization, repr."""

    _dims = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size,
        padding: Size | str,
        dilation: Size,
        groups: int,
        bias: bool,
        padding_mode: str,
        output_padding: Size = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        n = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in _ntuple(stride, n)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got "
                f"padding_mode={padding_mode!r}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        self.dilation = _ntuple(dilation, n)
        self.transposed = self._transposed
        self.output_padding = _ntuple(output_padding, n)
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._explicit_padding()
        factory = _factory(device, dtype)
        if self.transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(_core.empty(shape, **factory))
        if bias:
            self.bias = Parameter(_core.empty(out_channels, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _explicit_padding(self) -> list[int]:
        """``F.pad``'s argument for a non-zero ``padding_mode``: (left, right) per spatial dim,
        last dim first; ``"same"`` puts the odd extra element on the right."""
        if self.padding == "valid":
            return [0, 0] * self._dims
        pads: list[int] = []
        for i in reversed(range(self._dims)):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                pads += [total // 2, total - total // 2]
            else:
                pads += [self.padding[i], self.padding[i]]
        return pads

    def reset_parameters(self) -> None:
        """Draws new initial weights (kaiming_uniform_ with ``a=sqrt(5)``) and bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = self._dims
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    """A forward convolution; a non-zero ``padding_mode`` pads with ``F.pad`` first."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size | str = 0,
        dilation: Size = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device=device,
            dtype=dtype,
        )

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = F.conv1d if self._dims == 1 else F.conv2d
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over ``(N, C_in, L)`` (or unbatched ``(C_in, L)``) input.

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> tuple(nn.Conv1d(2, 4, 3, padding=1)(ferrograd.ones(5, 2, 10)).shape)
    (5, 4, 10)
    """

    _dims = 1


class Conv2d(_Conv):
    """2-D convolution over ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``) input.

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> tuple(nn.Conv2d(3, 8, 3, padding="same")(ferrograd.ones(1, 3, 5, 5)).shape)
    (1, 8, 5, 5)
    """

    _dims = 2


class ConvTranspose2d(_ConvNd):
    """The gradient of a 2-D convolution with respect to its input ("deconvolution"):
    upsamples ``(N, C_in, H, W)`` by ``stride``. ``forward(input, output_size)`` picks the
    ``output_padding`` that gives ``output_size`` when several sizes are possible.

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> up = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)
    >>> tuple(up(ferrograd.ones(1, 1, 4, 4), output_size=[8, 8]).shape)
    (1, 1, 8, 8)
    """

    _dims = 2
    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size = 0,
        output_padding: Size = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Size = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError('Only "zeros" padding mode is supported for ConvTranspose2d')
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            output_padding,
            device,
            dtype,
        )

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        """``output_padding``, or the one that makes the output ``output_size``."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        output_size = list(output_size)
        if len(output_size) == n + 2 or (len(output_size) == n + 1 and input.dim() == n + 1):
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} or {n + 2} elements "
                f"(got {len(output_size)})"
            )
        spatial = input.shape[-n:]
        smallest = self._output_size_bounds(spatial, 0)
        largest = self._output_size_bounds(spatial, 1)
        if any(not lo <= size <= hi for lo, size, hi in zip(smallest, output_size, largest)):
            raise ValueError(
                f"requested an output size of {output_size}, but valid sizes range from {smallest} to {largest} "
                f"(for an input of {spatial})"
            )
        return tuple(size - lo for size, lo in zip(output_size, smallest))

    def _output_size_bounds(self, spatial: Sequence[int], largest: int) -> list[int]:
        """The smallest (``largest=0``) or largest (``largest=1``) output size per spatial dim."""
        return [
            (spatial[d] - 1) * self.stride[d]
            - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1)
            + 1
            + largest * (self.stride[d] - 1)
            for d in range(self._dims)
        ]

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose2d(
            input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation
        )


__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]
