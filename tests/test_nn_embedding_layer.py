"""Embedding: rows of the table picked by index (any index shape), gradients that skip the
padding row, N(0, 1) initialization, from_pretrained, max_norm, reprs and errors."""

import numpy as np
import pytest

import ferrograd
from ferrograd import nn


def test_lookup_and_gradient(device):
    emb = nn.Embedding(5, 3, padding_idx=-1).to(device)
    assert emb.padding_idx == 4
    np.testing.assert_array_equal(emb.weight[4].detach().cpu().numpy(), np.zeros(3))
    index = np.array([[0, 2, 4], [2, 2, 1]])
    out = emb(ferrograd.tensor(index, device=device))
    table = emb.weight.detach().cpu().numpy()
    np.testing.assert_array_equal(out.detach().cpu().numpy(), table[index])
    upstream = np.arange(18.0).reshape(2, 3, 3)
    out.backward(ferrograd.tensor(upstream, dtype=ferrograd.float32, device=device))
    expected = np.zeros((5, 3))
    np.add.at(expected, index, upstream)
    expected[4] = 0  # the padding row gets no gradient
    np.testing.assert_allclose(emb.weight.grad.cpu().numpy(), expected)


def test_initialization_is_standard_normal():
    ferrograd.manual_seed(0)
    w = nn.Embedding(1000, 50).weight.detach().numpy()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01


def test_from_pretrained_and_max_norm():
    table = ferrograd.tensor([[3.0, 4.0], [0.3, 0.4]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and repr(emb) == "Embedding(2, 2)"
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    capped = nn.Embedding.from_pretrained(table.clone(), max_norm=1.0)
    np.testing.assert_allclose(capped(ferrograd.tensor([0, 1])).numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(capped.weight[0].numpy(), [0.6, 0.8], rtol=1e-6)  # renormalized in place


def test_reprs_match_pytorch():
    assert repr(nn.Embedding(10, 3)) == "Embedding(10, 3)"
    full = nn.Embedding(10, 3, padding_idx=-1, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)
    assert repr(full) == "Embedding(10, 3, padding_idx=9, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)"
    assert list(full.state_dict()) == ["weight"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.Embedding(3, 2, padding_idx=3), AssertionError, "Padding_idx must be within num_embeddings"),
        (lambda: nn.Embedding(3, 2, padding_idx=-4), AssertionError, "Padding_idx must be within num_embeddings"),
        (lambda: nn.Embedding(3, 2, _weight=ferrograd.ones(2, 2)), AssertionError,
         "Shape of weight does not match num_embeddings and embedding_dim"),
        (lambda: nn.Embedding.from_pretrained(ferrograd.ones(2)), AssertionError,
         "Embeddings parameter is expected to be 2-dimensional"),
        (lambda: nn.Embedding(3, 2)(ferrograd.tensor([5])), IndexError, "index out of range in self"),
        (lambda: nn.Embedding(3, 2)(ferrograd.tensor([1.0])), RuntimeError,
         "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
         "ferrograd.FloatTensor instead (while checking arguments for embedding)"),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
