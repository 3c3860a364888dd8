"""embedding (padding_idx, scale_grad_by_freq, max_norm) and one_hot."""

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)
INDICES = np.array([[1, 2, 1], [9, 0, 1]])


def counts_of(idx, rows):
    return np.bincount(idx.reshape(-1), minlength=rows)


def test_embedding(device):
    check_op(
        lambda w: F.embedding(ferrograd.tensor(INDICES, device=w.device), w),
        lambda w: w[INDICES],
        rng.standard_normal((10, 3)),
        device=device,
    )


def test_embedding_gradient_sums_repeated_rows():
    w = ferrograd.tensor(rng.standard_normal((10, 3)), requires_grad=True)
    F.embedding(ferrograd.tensor(INDICES), w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.repeat(counts_of(INDICES, 10)[:, None], 3, axis=1))


@pytest.mark.parametrize("padding_idx", [1, -1])
def test_padding_idx_row_gets_no_gradient(padding_idx):
    w = ferrograd.tensor(rng.standard_normal((10, 3)), requires_grad=True)
    y = F.embedding(ferrograd.tensor(INDICES), w, padding_idx=padding_idx)
    np.testing.assert_array_equal(y.detach().numpy(), w.detach().numpy()[INDICES])  # the row is still read
    y.sum().backward()
    expected = counts_of(INDICES, 10).astype(float)
    expected[padding_idx] = 0
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], expected)


def test_scale_grad_by_freq():
    w = ferrograd.tensor(rng.standard_normal((10, 3)), requires_grad=True)
    F.embedding(ferrograd.tensor(INDICES), w, scale_grad_by_freq=True).sum().backward()
    expected = (counts_of(INDICES, 10) > 0).astype(float)  # each used row: count * (1 / count)
    np.testing.assert_allclose(w.grad.numpy()[:, 0], expected)


def test_max_norm_renormalizes_looked_up_rows_in_place():
    table = rng.standard_normal((5, 4)) * 3
    w = ferrograd.tensor(table)
    y = F.embedding(ferrograd.tensor([0, 2]), w, max_norm=1.0)
    norms = np.linalg.norm(w.numpy(), axis=1)
    np.testing.assert_allclose(norms[[0, 2]], 1.0, rtol=1e-6)
    np.testing.assert_array_equal(w.numpy()[[1, 3, 4]], table[[1, 3, 4]])
    np.testing.assert_allclose(y.numpy(), w.numpy()[[0, 2]])


def test_int32_indices_and_double_backward():
    w = ferrograd.randn(6, 2)
    np.testing.assert_array_equal(F.embedding(ferrograd.tensor([5, 0]).int(), w).numpy(), w.numpy()[[5, 0]])
    check_double_backward(lambda w: F.embedding(ferrograd.tensor([1, 2, 1]), w) ** 2, rng.standard_normal((4, 3)))


def test_embedding_node_name_and_errors():
    w = ferrograd.randn(10, 3, requires_grad=True)
    assert type(F.embedding(ferrograd.tensor([1]), w).grad_fn).__name__ == "EmbeddingBackward0"
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ferrograd.tensor([10]), w)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ferrograd.tensor([-1]), w)
    with pytest.raises(
        RuntimeError,
        match=(
            "Expected tensor for argument #1 'indices' to have one of the "
            "following scalar types: Long, Int; but got ferrograd.FloatTensor "
            "instead \\(while checking arguments for embedding\\)"
        ),
    ):
        F.embedding(ferrograd.tensor([1.0]), w)
    with pytest.raises(RuntimeError, match="'weight' must be 2-D"):
        F.embedding(ferrograd.tensor([1]), w[0])
    for bad in (10, -11):
        with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
            F.embedding(ferrograd.tensor([1]), w, padding_idx=bad)


def test_one_hot():
    got = F.one_hot(ferrograd.tensor([1, 0, 3]))
    assert got.dtype == ferrograd.int64
    np.testing.assert_array_equal(got.numpy(), np.eye(4, dtype=np.int64)[[1, 0, 3]])
    np.testing.assert_array_equal(
        F.one_hot(ferrograd.tensor([[1], [2]]), 5).numpy(), np.eye(5, dtype=np.int64)[[[1], [2]]]
    )
    np.testing.assert_array_equal(F.one_hot(ferrograd.tensor(2), 3).numpy(), [0, 0, 1])
    assert F.one_hot(ferrograd.tensor([], dtype=ferrograd.int64), 3).shape == (0, 3)


def test_one_hot_errors():
    cases = [
        (lambda: F.one_hot(ferrograd.tensor([1, -1])), "Class values must be non-negative."),
        (lambda: F.one_hot(ferrograd.tensor([1, 3]), 3), "Class values must be smaller than num_classes."),
        (lambda: F.one_hot(ferrograd.tensor([1.0])), "one_hot is only applicable to index tensor of type LongTensor."),
        (
            lambda: F.one_hot(ferrograd.tensor([1]).int()),
            "one_hot is only applicable to index tensor of type LongTensor.",
        ),
        (
            lambda: F.one_hot(ferrograd.tensor([], dtype=ferrograd.int64)),
            "Can not infer total number of classes from empty tensor.",
        ),
    ]
    for fn, message in cases:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == message
