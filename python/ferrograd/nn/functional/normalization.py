"""Normalization: layer, group and batch norm (fused kernels), and ``normalize`` (``x / ||x||``).

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> x = ferrograd.tensor([[1.0, 3.0], [2.0, 6.0]])
>>> F.layer_norm(x, (2,))
tensor([[-1.0000,  1.0000],
        [-1.0000,  1.0000]])
>>> mean, var = ferrograd.zeros(2), ferrograd.ones(2)
>>> F.batch_norm(x, mean, var, training=True, momentum=0.5)
tensor([[-1.0000, -1.0000],
        [ 1.0000,  1.0000]])
>>> mean
tensor([0.7500, 2.2500])
>>> F.normalize(ferrograd.tensor([[3.0, 4.0]]))
tensor([[0.6000, 0.8000]])
"""

from __future__ import annotations

from ... import _core

_nn = _core._nn

layer_norm = _nn.layer_norm
batch_norm = _nn.batch_norm


def _verify_batch_size(size: list[int]) -> None:
    """PyTorch's check that each normalized group has more than one value."""
    count = size[0]
    for s in size[2:]:
        count *= s
    if count == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def group_norm(
    input: _core.Tensor,
    num_groups: int,
    weight: _core.Tensor | None = None,
    bias: _core.Tensor | None = None,
    eps: float = 1e-5,
) -> _core.Tensor:
    """Normalizes each group of ``num_groups`` channel groups per sample, then scales per channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups, *input.shape[2:]])
    return _nn.group_norm(input, num_groups, weight, bias, eps)


def normalize(
    input: _core.Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: _core.Tensor | None = None
) -> _core.Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    norm = input.norm(p, dim, keepdim=True)
    denom = _core.where(norm >= eps, norm, eps).expand_as(input)
    result = input / denom
    if out is None:
        return result
    out.copy_(result)
    return out


__all__ = ["batch_norm", "group_norm", "layer_norm", "normalize"]
