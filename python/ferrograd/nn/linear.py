"""Affine layers: ``Identity``, ``Linear`` (``y = x W^T + b``) and ``Bilinear``
(``y = x1^T A x2 + b``).

>>> import ferrograd
>>> from ferrograd import nn
>>> fc = nn.Linear(4, 2)
>>> fc
Linear(in_features=4, out_features=2, bias=True)
>>> tuple(fc(ferrograd.ones(3, 4)).shape)
(3, 2)
"""

from __future__ import annotations

import math
from typing import Any

from .. import _core
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

Tensor = _core.Tensor


def _bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``, as one
    matmul against ``weight`` laid out as ``(in1, out * in2)`` and a product-sum over ``j``."""
    out_features, in1, in2 = weight.shape
    for name, x, expected in (("input1", input1, in1), ("input2", input2, in2)):
        if x.shape[-1] != expected:
            raise RuntimeError(
                f"bilinear(): {name} size does not match weight size: got {x.shape[-1]} but expected {expected}"
            )
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(
                "bilinear(): input batch dimensions do not match at dim "
                f"{d}: got {input1.shape[d]} and {input2.shape[d]}"
            )
    batch = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    mixed = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out_features * in2))
    out = (mixed.reshape(-1, out_features, in2) * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(*batch, out_features)


class Identity(Module):
    """Returns its input unchanged; the arguments are accepted and ignored (handy as a
    placeholder when swapping layers out).

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> nn.Identity(54, unused="x")(ferrograd.ones(2))
    tensor([1., 1.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


def _factory(device: Any, dtype: Any) -> dict[str, Any]:
    """``empty()`` keyword arguments for a layer's ``device=`` and ``dtype=``."""
    return {"device": device, "dtype": dtype if dtype is not None else _core.float32}


class Linear(Module):
    """``y = x W^T + b`` over the last dimension of ``x``: ``(*, in_features)`` to
    ``(*, out_features)``.

    ``weight`` is ``(out_features, in_features)`` and ``bias`` ``(out_features,)``, both
    uniform in ``[-k, k]`` with ``k = 1 / sqrt(in_features)``, as PyTorch initializes them.

    >>> from ferrograd import nn
    >>> fc = nn.Linear(3, 2, bias=False)
    >>> tuple(fc.weight.shape), fc.bias
    ((2, 3), None)
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        factory = _factory(device, dtype)
        self.weight = Parameter(_core.empty((out_features, in_features), **factory))
        if bias:
            self.bias = Parameter(_core.empty(out_features, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draws new initial weights (kaiming_uniform_ with ``a=sqrt(5)``) and bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under the name PyTorch gives ``MultiheadAttention.out_proj`` (which
    shows in reprs); it computes exactly what ``Linear`` does."""


class Bilinear(Module):
    """``y = x1^T A x2 + b``: ``(*, in1_features)`` and ``(*, in2_features)`` to
    ``(*, out_features)``. ``weight`` is ``(out_features, in1_features, in2_features)``;
    weight and bias start uniform in ``[-k, k]`` with ``k = 1 / sqrt(in1_features)``.

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> tuple(nn.Bilinear(2, 3, 4)(ferrograd.ones(5, 2), ferrograd.ones(5, 3)).shape)
    (5, 4)
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        factory = _factory(device, dtype)
        self.weight = Parameter(_core.empty((out_features, in1_features, in2_features), **factory))
        if bias:
            self.bias = Parameter(_core.empty(out_features, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draws new initial weights and bias, uniform in ``[-k, k]``."""
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return _bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


__all__ = ["Bilinear", "Identity", "Linear", "NonDynamicallyQuantizableLinear"]
