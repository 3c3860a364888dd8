"""MultiheadAttention against a NumPy reference written from the definition (packed and
separate projections, batch_first, unbatched input, boolean and float masks, key padding,
bias_kv, zero attention, per-head weights), with gradients of the inputs and projections,
state dict keys, reprs and PyTorch's errors."""

import math

import nn_reference as ref
import numpy as np
import pytest
from module_check import check_module

import ferrograd
from ferrograd import nn
from opcheck import LAYOUTS

rng = np.random.default_rng(3)
E, H = 8, 2


def attention(q, k, v, mha, w_q, w_k, w_v, b_in, attn_mask=None, key_padding_mask=None):
    """Sequence-first ``(L, N, E)`` multi-head attention; returns the output and the per-head
    weights ``(N, H, L, S)``."""
    b_q, b_k, b_v = np.split(b_in, 3) if b_in is not None else (0, 0, 0)
    Q, K, V = q @ w_q.T + b_q, k @ w_k.T + b_k, v @ w_v.T + b_v
    n, d = q.shape[1], E // H
    if mha.bias_k is not None:
        K = np.concatenate([K, np.broadcast_to(mha.bias_k.detach().cpu().numpy(), (1, n, E))])
        V = np.concatenate([V, np.broadcast_to(mha.bias_v.detach().cpu().numpy(), (1, n, E))])

    def heads(x):  # (S, N, E) -> (N, H, S, d)
        return x.reshape(x.shape[0], n, H, d).transpose(1, 2, 0, 3)

    Q, K, V = heads(Q), heads(K), heads(V)
    if mha.add_zero_attn:
        K = np.concatenate([K, np.zeros((n, H, 1, d))], axis=2)
        V = np.concatenate([V, np.zeros((n, H, 1, d))], axis=2)
    scores = Q @ K.transpose(0, 1, 3, 2) / math.sqrt(d)
    src = scores.shape[-1]
    if attn_mask is not None:
        mask = np.where(attn_mask, -np.inf, 0.0) if attn_mask.dtype == bool else attn_mask
        mask = np.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, src - mask.shape[-1])])
        scores = scores + (mask.reshape(n, H, *mask.shape[1:]) if mask.ndim == 3 else mask)
    if key_padding_mask is not None:
        padding = np.pad(key_padding_mask, [(0, 0), (0, src - key_padding_mask.shape[-1])])
        scores = np.where(padding[:, None, None, :], -np.inf, scores)
    weights = ref.softmax(scores, -1)
    out = (weights @ V).transpose(2, 0, 1, 3).reshape(q.shape[0], n, E)
    out = out @ mha.out_proj.weight.detach().cpu().numpy().T
    if mha.out_proj.bias is not None:
        out = out + mha.out_proj.bias.detach().cpu().numpy()
    return out, weights


def packed_reference(mha, **masks):
    def reference(q, k, v, w_in, b_in=None):
        return attention(q, k, v, mha, *np.split(w_in, 3), b_in, **masks)[0]

    return reference


def randomized(mha: nn.MultiheadAttention) -> nn.MultiheadAttention:
    """Non-zero biases, so that every term is exercised."""
    with ferrograd.no_grad():
        for p in mha.parameters():
            p.copy_(ferrograd.randn(*p.shape) * 0.5)
    return mha.double()


def test_packed_projections(device):
    mha = randomized(nn.MultiheadAttention(E, H))
    q, kv = rng.standard_normal((3, 2, E)), rng.standard_normal((5, 2, E))
    # Off the CPU (slow finite differences through many small kernels) one layout is enough.
    layouts = LAYOUTS if device == "cpu" else ("contiguous",)
    params = ("in_proj_weight", "in_proj_bias")
    check_module(mha, packed_reference(mha), q, kv, kv, params=params, device=device, layouts=layouts)


def test_masks_and_key_padding():
    mha = randomized(nn.MultiheadAttention(E, H, bias=False))
    q, kv = rng.standard_normal((4, 2, E)), rng.standard_normal((5, 2, E))
    causal = np.triu(np.ones((4, 5), dtype=bool), 2)
    padding = np.zeros((2, 5), dtype=bool)
    padding[1, 3:] = True
    masks = {"attn_mask": causal, "key_padding_mask": padding}
    keywords = {name: ferrograd.tensor(m) for name, m in masks.items()}
    reference = packed_reference(mha, **masks)
    check_module(mha, reference, q, kv, kv, params=("in_proj_weight",), keywords=keywords)


def test_float_and_per_head_masks():
    mha = randomized(nn.MultiheadAttention(E, H))
    q, kv = rng.standard_normal((3, 2, E)), rng.standard_normal((4, 2, E))
    mask = rng.standard_normal((2 * H, 3, 4))
    keywords = {"attn_mask": ferrograd.tensor(mask)}
    reference = packed_reference(mha, attn_mask=mask)
    check_module(mha, reference, q, kv, kv, params=("in_proj_weight", "in_proj_bias"), keywords=keywords)


def test_separate_projections_bias_kv_and_zero_attention():
    mha = randomized(nn.MultiheadAttention(E, H, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=5))
    assert mha.in_proj_weight is None and tuple(mha.k_proj_weight.shape) == (E, 3)
    q, k, v = rng.standard_normal((3, 2, E)), rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 5))
    padding = np.array([[False, False, True, True], [False, False, False, False]])
    keywords = {"key_padding_mask": ferrograd.tensor(padding)}

    def reference(q, k, v, w_q, w_k, w_v, b_in):
        return attention(q, k, v, mha, w_q, w_k, w_v, b_in, key_padding_mask=padding)[0]

    params = ("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias")
    check_module(mha, reference, q, k, v, params=params, keywords=keywords)


def test_attention_weights_batch_first_and_unbatched():
    mha = randomized(nn.MultiheadAttention(E, H, batch_first=True))
    q, kv = rng.standard_normal((2, 3, E)), rng.standard_normal((2, 4, E))
    w_in, b_in = mha.in_proj_weight.detach().numpy(), mha.in_proj_bias.detach().numpy()
    expected_out, expected_weights = attention(
        q.transpose(1, 0, 2), kv.transpose(1, 0, 2), kv.transpose(1, 0, 2), mha, *np.split(w_in, 3), b_in
    )
    t = ferrograd.tensor
    out, weights = mha(t(q), t(kv), t(kv))
    np.testing.assert_allclose(out.detach().numpy(), expected_out.transpose(1, 0, 2), atol=1e-12)
    np.testing.assert_allclose(weights.detach().numpy(), expected_weights.mean(axis=1), atol=1e-12)
    _, per_head = mha(t(q), t(kv), t(kv), average_attn_weights=False)
    np.testing.assert_allclose(per_head.detach().numpy(), expected_weights, atol=1e-12)
    out, none = mha(t(q), t(kv), t(kv), need_weights=False)
    assert none is None and tuple(out.shape) == (2, 3, E)
    single, single_weights = mha(t(q[0]), t(kv[0]), t(kv[0]))
    np.testing.assert_allclose(single.detach().numpy(), expected_out[:, 0], atol=1e-12)
    assert tuple(single_weights.shape) == (3, 4)


def test_initialization_and_state_dict_match_pytorch():
    ferrograd.manual_seed(0)
    mha = nn.MultiheadAttention(64, 4)
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ of (3E, E)
    w = mha.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert not mha.in_proj_bias.detach().numpy().any() and not mha.out_proj.bias.detach().numpy().any()
    separate = nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True)
    assert list(separate.state_dict()) == [
        "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj.weight",
        "out_proj.bias",
    ]  # fmt: skip
    assert nn.MultiheadAttention(8, 2, bias=False).in_proj_bias is None


def test_repr_matches_pytorch():
    assert repr(nn.MultiheadAttention(8, 2, bias=False, batch_first=True, kdim=4, vdim=6)) == (
        "MultiheadAttention(\n"
        "  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=False)\n"
        ")"
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, t: nn.MultiheadAttention(8, 3), AssertionError, "embed_dim must be divisible by num_heads"),
        (lambda m, t: m(t(2, 3, 4), t(2, 3, 4), t(2, 3, 4)), AssertionError,
         "was expecting embedding dimension of 8, but got 4"),
        (lambda m, t: m(t(2, 3, 2, 8), t(2, 3, 8), t(2, 3, 8)), AssertionError,
         "query should be unbatched 2D or batched 3D tensor but received 4-D query tensor"),
        (lambda m, t: m(t(2, 3, 8), t(3, 8), t(3, 8)), AssertionError,
         "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found 2-D and 2-D tensors respectively"),
        (lambda m, t: m(t(2, 3, 8), t(4, 3, 8), t(5, 3, 8)), AssertionError,
         "key shape ferrograd.Size([4, 3, 8]) does not match value shape ferrograd.Size([5, 3, 8])"),
        (lambda m, t: m(t(2, 3, 8), t(4, 3, 8), t(4, 3, 8), attn_mask=t(2, 5)), RuntimeError,
         "The shape of the 2D attn_mask is ferrograd.Size([2, 5]), but should be (2, 4)."),
        (lambda m, t: m(t(2, 3, 8), t(4, 3, 8), t(4, 3, 8), attn_mask=t(3, 2, 4)), RuntimeError,
         "The shape of the 3D attn_mask is ferrograd.Size([3, 2, 4]), but should be (6, 2, 4)."),
        (lambda m, t: m(t(2, 3, 8), t(4, 3, 8), t(4, 3, 8), key_padding_mask=t(3, 5)), AssertionError,
         "expecting key_padding_mask shape of (3, 4), but got ferrograd.Size([3, 5])"),
        (lambda m, t: m(t(2, 3, 8), t(4, 3, 8), t(4, 3, 8), attn_mask=t(2, 4).long()), AssertionError,
         "only bool and floating types of attn_mask are supported"),
        (lambda m, t: m(t(2, 3, 8), t(4, 3, 8), t(4, 3, 8), is_causal=True), RuntimeError,
         "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
         "`generate_square_subsequent_mask` to create this mask."),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call(nn.MultiheadAttention(8, 2), ferrograd.zeros)
    assert str(info.value) == message
