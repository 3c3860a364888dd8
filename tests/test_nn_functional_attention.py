"""scaled_dot_product_attention: plain, causal, boolean and additive masks, custom scale,
unequal lengths and head sizes, dropout, gradients of every order and PyTorch's errors."""

import nn_reference as ref
import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)


def qkv(*lead, l_=4, s=4, e=5, ev=5):
    return rng.standard_normal((*lead, l_, e)), rng.standard_normal((*lead, s, e)), rng.standard_normal((*lead, s, ev))


def test_plain(device):
    check_op(F.scaled_dot_product_attention, ref.attention, *qkv(2, 3), device=device)


def test_causal_and_scale(device):
    check_op(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
        lambda q, k, v: ref.attention(q, k, v, causal=True, scale=0.3),
        *qkv(2, 2, s=6),
        device=device,
    )


def test_boolean_mask_with_a_fully_masked_row(device):
    mask = rng.uniform(size=(4, 4)) > 0.4
    mask[1] = False  # attends to nothing: zeros, and no NaN in the gradients

    def op(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=ferrograd.tensor(mask, device=q.device))

    check_op(op, lambda q, k, v: ref.attention(q, k, v, mask=mask), *qkv(2, 3), device=device)


def test_additive_mask_with_gradient(device):
    q, k, v = qkv(2, l_=3, s=5)
    check_op(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        lambda q, k, v, m: ref.attention(q, k, v, mask=m),
        q,
        k,
        v,
        rng.standard_normal((3, 5)),
        device=device,
    )


def test_unbatched_and_different_value_size(device):
    check_op(F.scaled_dot_product_attention, ref.attention, *qkv(l_=3, s=6, ev=7), device=device)
    check_op(F.scaled_dot_product_attention, ref.attention, *qkv(2, l_=3, s=6, ev=2), device=device)


def test_dropout_keeps_expectation():
    q, k, v = (ferrograd.tensor(a) for a in qkv(1, 1, l_=2, s=3))
    ferrograd.manual_seed(0)
    outs = [F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy() for _ in range(4000)]
    np.testing.assert_allclose(np.mean(outs, axis=0), ref.attention(*(t.numpy() for t in (q, k, v))), atol=0.1)


def test_double_backward():
    check_double_backward(F.scaled_dot_product_attention, *qkv(1, 2, l_=3, s=3, e=2, ev=2))
    check_double_backward(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), *qkv(1, l_=3, s=3, e=2, ev=2)
    )


def test_node_names():
    q, k, v = (ferrograd.tensor(a, requires_grad=True) for a in qkv(2, 3))

    def name(t):
        return type(t.grad_fn).__name__

    assert name(F.scaled_dot_product_attention(q, k, v)) == "ScaledDotProductFlashAttentionForCpuBackward0"
    assert (
        name(F.scaled_dot_product_attention(q, k, v, is_causal=True)) == "ScaledDotProductFlashAttentionForCpuBackward0"
    )
    assert name(F.scaled_dot_product_attention(q[0], k[0], v[0])) == "SqueezeBackward1"
    assert name(F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)) == "UnsafeViewBackward0"
    assert name(F.scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0])) == "MmBackward0"


def test_errors():
    q = ferrograd.randn(2, 3, 4, 5)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ferrograd.ones(4, 4, dtype=ferrograd.bool), is_causal=True)
    with pytest.raises(
        RuntimeError,
        match=r"Expected size for first two dimensions of batch2 tensor to be: \[6, 5\] but got: \[6, 4\].",
    ):
        F.scaled_dot_product_attention(q, q[..., :4], q)
    with pytest.raises(
        RuntimeError,
        match=(
            "Expected query, key, and value to have the same dtype, but got "
            "query.dtype: float key.dtype: double and value.dtype: float instead."
        ),
    ):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(
        RuntimeError,
        match="The size of tensor a \\(4\\) must match the size of tensor b \\(3\\) at non-singleton dimension 2",
    ):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ferrograd.randn(3, 4))
