"""Scaled dot-product attention: ``softmax(q @ k.T * scale + mask) @ v``.

``attn_mask`` is boolean (``True`` = attend) or added to the scores; ``is_causal`` masks the
future; ``dropout_p`` drops attention weights; rows with nothing to attend to give zeros.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> q = k = ferrograd.zeros(1, 2, 4)
>>> v = ferrograd.tensor([[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]])
>>> F.scaled_dot_product_attention(q, k, v)
tensor([[[0.5000, 0.5000, 0.0000, 0.0000],
         [0.5000, 0.5000, 0.0000, 0.0000]]])
>>> F.scaled_dot_product_attention(q, k, v, is_causal=True)
tensor([[[1.0000, 0.0000, 0.0000, 0.0000],
         [0.5000, 0.5000, 0.0000, 0.0000]]])
"""

from __future__ import annotations

from ... import _core

scaled_dot_product_attention = _core._nn.scaled_dot_product_attention

__all__ = ["scaled_dot_product_attention"]
