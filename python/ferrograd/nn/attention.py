"""``MultiheadAttention``: attention from ``num_heads`` learned projections of query, key and
value at once, concatenated and projected back (Vaswani et al., "Attention Is All You
Need").

Inputs are ``(L, N, E)`` (sequence first), ``(N, L, E)`` with ``batch_first=True``, or
unbatched ``(L, E)``. ``forward`` returns ``(output, weights)``; the weights are averaged
over heads unless ``average_attn_weights=False``, and None with ``need_weights=False``.
Masks mark with True (or add a float to) the scores of positions NOT to attend to.

>>> import ferrograd
>>> from ferrograd import nn
>>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
>>> x = ferrograd.randn(3, 5, 8)
>>> out, weights = mha(x, x, x)
>>> tuple(out.shape), tuple(weights.shape)
((3, 5, 8), (3, 5, 5))
>>> mha
MultiheadAttention(
  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
)
"""

from __future__ import annotations

import math
from typing import Any

from .. import _core
from . import functional as F
from . import init
from .linear import NonDynamicallyQuantizableLinear, _factory
from .module import Module
from .parameter import Parameter

Tensor = _core.Tensor


def _additive_mask(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A mask as scores to add: True (masked out) becomes ``-inf``; floats stay."""
    if mask is None:
        return None
    if mask.dtype == _core.bool:
        return _core.zeros(tuple(mask.shape), dtype=dtype, device=mask.device).masked_fill(mask, float("-inf"))
    if not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _pad_masks(*masks: Tensor | None) -> tuple[Tensor | None, ...]:
    """The masks with one more key column that is attended to (an appended key)."""
    return tuple(None if m is None else F.pad(m, (0, 1)) for m in masks)


def _check_shapes(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None) -> bool:
    """PyTorch's checks of batched (3-D) or unbatched (2-D) inputs; returns whether batched."""
    if query.dim() not in (2, 3):
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query tensor"
        )
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found {key.dim()}-D and "
            f"{value.dim()}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {query.dim() - 1}-D but found "
            f"{key_padding_mask.dim()}-D tensor instead"
        )
    return batched


class MultiheadAttention(Module):
    """Multi-head attention over ``embed_dim`` features split into ``num_heads`` heads.

    With ``kdim`` / ``vdim`` equal to ``embed_dim`` (the default) the three input projections
    are packed in ``in_proj_weight`` (``(3 E, E)``); otherwise they are ``q_proj_weight``,
    ``k_proj_weight`` and ``v_proj_weight``. ``add_bias_kv`` appends learned ``bias_k`` /
    ``bias_v`` to the keys and values, ``add_zero_attn`` a zero key and value. Projections
    start xavier-uniform, their biases at zero.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and num_heads={num_heads} "
                "instead"
            )
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        factory = _factory(device, dtype)
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(_core.empty((3 * embed_dim, embed_dim), **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(_core.empty((embed_dim, embed_dim), **factory))
            self.k_proj_weight = Parameter(_core.empty((embed_dim, self.kdim), **factory))
            self.v_proj_weight = Parameter(_core.empty((embed_dim, self.vdim), **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_core.empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **factory)
        if add_bias_kv:
            self.bias_k = Parameter(_core.empty((1, 1, embed_dim), **factory))
            self.bias_v = Parameter(_core.empty((1, 1, embed_dim), **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The query, key and value projections (sequence-first inputs)."""
        if self._qkv_same_embed_dim:
            weights = self.in_proj_weight.chunk(3)
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        biases = (None,) * 3 if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        if self._qkv_same_embed_dim and key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if not self._qkv_same_embed_dim and key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's {value.shape[:2]}"
            )
        q = F.linear(query, weights[0], biases[0])
        k = F.linear(key, weights[1], biases[1])
        v = F.linear(value, weights[2], biases[2])
        return q, k, v

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        batched = _check_shapes(query, key, value, key_padding_mask)
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
                "`generate_square_subsequent_mask` to create this mask."
            )
        if self.batch_first and batched:
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        if not batched:
            query, key, value = (x.unsqueeze(1) for x in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        tgt_len, bsz, embed_dim = query.shape
        if embed_dim != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but got {embed_dim}")
        attn_mask = _additive_mask(attn_mask, "attn_mask", query.dtype)
        key_padding_mask = _additive_mask(key_padding_mask, "key_padding_mask", query.dtype)
        q, k, v = self._project(query, key, value)
        attn_mask = self._check_attn_mask(attn_mask, tgt_len, k.shape[0], bsz)
        if self.bias_k is not None:
            k = _core.cat([k, self.bias_k.repeat(1, bsz, 1)])
            v = _core.cat([v, self.bias_v.repeat(1, bsz, 1)])
            attn_mask, key_padding_mask = _pad_masks(attn_mask, key_padding_mask)
        heads = bsz * self.num_heads
        # (L, N, E) -> (N * H, L, head_dim): one row of matrices per (sample, head).
        q = q.reshape(tgt_len, heads, self.head_dim).transpose(0, 1)
        k = k.reshape(k.shape[0], heads, self.head_dim).transpose(0, 1)
        v = v.reshape(v.shape[0], heads, self.head_dim).transpose(0, 1)
        if self.add_zero_attn:
            zeros = _core.zeros((heads, 1, self.head_dim), dtype=k.dtype, device=k.device)
            k, v = _core.cat([k, zeros], dim=1), _core.cat([v, zeros], dim=1)
            attn_mask, key_padding_mask = _pad_masks(attn_mask, key_padding_mask)
        src_len = k.shape[1]
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (bsz, src_len):
                raise AssertionError(
                    f"expecting key_padding_mask shape of {(bsz, src_len)}, but got {key_padding_mask.shape}"
                )
            padding = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, self.num_heads, -1, -1)
            padding = padding.reshape(heads, 1, src_len)
            attn_mask = padding if attn_mask is None else attn_mask + padding
        scores = (q * math.sqrt(1.0 / self.head_dim)).matmul(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = F.softmax(scores, dim=-1)
        if self.training and self.dropout > 0.0:
            weights = F.dropout(weights, p=self.dropout)
        out = weights.matmul(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = self.out_proj(out).view(tgt_len, bsz, embed_dim)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        if not batched:
            out = out.squeeze(1)
        if not need_weights:
            return out, None
        weights = weights.view(bsz, self.num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return out, (weights if batched else weights.squeeze(0))

    def _check_attn_mask(self, mask: Tensor | None, tgt_len: int, src_len: int, bsz: int) -> Tensor | None:
        """A 2-D ``(L, S)`` mask (shared by all) or 3-D ``(N * H, L, S)`` one, as 3-D."""
        if mask is None:
            return None
        if mask.dim() == 2:
            if tuple(mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {mask.shape}, but should be {(tgt_len, src_len)}."
                )
            return mask.unsqueeze(0)
        if mask.dim() == 3:
            if tuple(mask.shape) != (bsz * self.num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {mask.shape}, but should be "
                    f"{(bsz * self.num_heads, tgt_len, src_len)}."
                )
            return mask
        raise RuntimeError(f"attn_mask's dimension {mask.dim()} is not supported")


__all__ = ["MultiheadAttention"]
