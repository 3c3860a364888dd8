"""Lookups by integer index: ``embedding`` (rows of a weight table) and ``one_hot``.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> table = ferrograd.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
>>> F.embedding(ferrograd.tensor([2, 1]), table)
tensor([[3., 4.],
        [1., 2.]])
>>> F.one_hot(ferrograd.tensor([0, 2]), 3)
tensor([[1, 0, 0],
        [0, 0, 1]])
"""

from __future__ import annotations

from ... import _core


def embedding(
    input: _core.Tensor,
    weight: _core.Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> _core.Tensor:
    """Rows ``weight[input]``. The ``padding_idx`` row gets no gradient; with ``max_norm`` the
    rows looked up are first scaled (in place) to norm at most ``max_norm``."""
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported")
    if padding_idx is not None:
        rows = weight.size(0)
        if not -rows <= padding_idx < rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx += rows
    return _core._nn.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)


def one_hot(tensor: _core.Tensor, num_classes: int = -1) -> _core.Tensor:
    """int64 ``(*tensor.shape, num_classes)`` with a 1 at each class index (``num_classes=-1``:
    one more than the largest index)."""
    if tensor.dtype != _core.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if tensor.min().item() < 0:
            raise RuntimeError("Class values must be non-negative.")
        largest = tensor.max().item()
        if num_classes == -1:
            num_classes = largest + 1
        elif largest >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = _core.arange(max(num_classes, 0), device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


__all__ = ["embedding", "one_hot"]
