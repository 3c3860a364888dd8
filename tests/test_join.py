"""Joining and splitting: cat (concat, concatenate), stack, split, chunk, unbind."""

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
from opcheck import check_op

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 3, 4))
Y = RNG.standard_normal((2, 5, 4))


def grad_fn_name(t):
    return type(t.grad_fn).__name__


def leaf(shape=(2, 3, 4)):
    return ferrograd.arange(float(np.prod(shape))).reshape(shape).requires_grad_()


@pytest.mark.parametrize("dim", [1, -2])
def test_cat(device, dim):
    check_op(lambda a, b: ferrograd.cat([a, b], dim), lambda a, b: np.concatenate([a, b], dim), X, Y, device=device)
    check_op(
        lambda a, b: ferrograd.cat((b, a, b), dim=dim), lambda a, b: np.concatenate([b, a, b], dim), X, Y, device=device
    )


@pytest.mark.parametrize("dim", [0, 2, -1])
def test_cat_other_dims_and_aliases(device, dim):
    check_op(lambda a: ferrograd.cat([a, a * 2], dim), lambda a: np.concatenate([a, a * 2], dim), X, device=device)
    check_op(lambda a: ferrograd.concat([a, a], dim=dim), lambda a: np.concatenate([a, a], dim), X, device=device)
    check_op(lambda a: ferrograd.concatenate([a, a], axis=dim), lambda a: np.concatenate([a, a], dim), X, device=device)


def test_cat_promotes_and_skips_legacy_empty_vectors():
    assert ferrograd.cat([ferrograd.ones(2), ferrograd.ones(2, dtype=ferrograd.float64)]).dtype == ferrograd.float64
    assert ferrograd.cat([ferrograd.ones(2, dtype=ferrograd.int64), ferrograd.ones(2)]).dtype == ferrograd.float32
    joined = ferrograd.cat([ferrograd.tensor([1, 2]), ferrograd.tensor([True, False])])
    assert joined.dtype == ferrograd.int64
    np.testing.assert_array_equal(joined.numpy(), [1, 2, 1, 0])
    x = leaf()
    e = ferrograd.zeros(0, requires_grad=True)
    out = ferrograd.cat([x, e], 1)
    assert tuple(out.shape) == (2, 3, 4)
    out.sum().backward()
    assert tuple(e.grad.shape) == (0,)
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3, 4)))
    assert tuple(ferrograd.cat([ferrograd.zeros(0), ferrograd.zeros(0)]).shape) == (0,)


def test_cat_gradient_is_split_by_input_and_cast_back():
    a = ferrograd.ones(2, requires_grad=True)
    b = ferrograd.ones(3, dtype=ferrograd.float64, requires_grad=True)
    out = ferrograd.cat([a, b])
    assert grad_fn_name(out) == "CatBackward0"
    (out * ferrograd.arange(5.0, dtype=ferrograd.float64)).sum().backward()
    assert a.grad.dtype == ferrograd.float32
    np.testing.assert_array_equal(a.grad.numpy(), [0, 1])
    np.testing.assert_array_equal(b.grad.numpy(), [2, 3, 4])


def test_cat_double_backward():
    check_double_backward(lambda a, b: ferrograd.cat([a * a, b], 1), X[:, :2], Y[:, :1])


def test_cat_errors():
    x = leaf()
    with pytest.raises(ValueError, match=r"ferrograd.cat\(\): expected a non-empty list of Tensors"):
        ferrograd.cat([])
    with pytest.raises(RuntimeError, match="Tensors must have same number of dimensions: got 3 and 2"):
        ferrograd.cat([x, ferrograd.ones(2, 3)])
    with pytest.raises(
        RuntimeError,
        match="Sizes of tensors must match except in dimension 2. Expected size 3 but got size 2 for tensor "
        "number 1 in the list.",
    ):
        ferrograd.cat([x, ferrograd.ones(2, 2, 4)], 2)
    with pytest.raises(RuntimeError, match=r"zero-dimensional tensor \(at position 0\) cannot be concatenated"):
        ferrograd.cat([ferrograd.tensor(1.0), ferrograd.tensor(2.0)])
    with pytest.raises(IndexError, match="Dimension out of range"):
        ferrograd.cat([x, x], 3)
    with pytest.raises(TypeError, match="expected Tensor as element 1 in argument 0, but got int"):
        ferrograd.cat([x, 1])
    with pytest.raises(
        TypeError, match=r"cat\(\): argument 'tensors' \(position 1\) must be tuple of Tensors, not Tensor"
    ):
        ferrograd.cat(x)


@pytest.mark.parametrize("dim", [0, 1, 3, -1, -4])
def test_stack(device, dim):
    check_op(lambda a, b: ferrograd.stack([a, b], dim), lambda a, b: np.stack([a, b], dim), X, X[::-1], device=device)
    check_op(
        lambda a: ferrograd.stack([a, a, a * 3], dim=dim), lambda a: np.stack([a, a, a * 3], dim), X, device=device
    )


def test_stack_names_dtypes_and_errors():
    assert grad_fn_name(ferrograd.stack([leaf(), leaf()])) == "StackBackward0"
    assert ferrograd.stack([ferrograd.ones(2), ferrograd.ones(2, dtype=ferrograd.float64)]).dtype == ferrograd.float64
    np.testing.assert_array_equal(ferrograd.stack([ferrograd.tensor(1.0), ferrograd.tensor(2.0)]).numpy(), [1, 2])
    with pytest.raises(RuntimeError, match="stack expects a non-empty TensorList"):
        ferrograd.stack([])
    with pytest.raises(
        RuntimeError,
        match=r"stack expects each tensor to be equal size, but got \[2, 3, 4\] at entry 0 and \[2, 3\] at entry 1",
    ):
        ferrograd.stack([leaf(), ferrograd.ones(2, 3)])
    with pytest.raises(IndexError, match=r"expected to be in range of \[-4, 3\], but got 4"):
        ferrograd.stack([leaf(), leaf()], 4)


def weighted_cat(pieces, dim):
    """Every piece weighted differently, joined back: checks each output's gradient."""
    return ferrograd.cat([p * (i + 1) for i, p in enumerate(pieces)], dim)


def np_weighted_cat(pieces, dim):
    return np.concatenate([p * (i + 1) for i, p in enumerate(pieces)], dim)


@pytest.mark.parametrize("size, dim", [(2, 1), (1, 0), (3, -1), (4, 2), (10, 1)])
def test_split_by_size(device, size, dim):
    def ref(a):
        n = a.shape[dim]
        return np_weighted_cat(np.split(a, range(size, n, size), axis=dim), dim)

    check_op(lambda a: weighted_cat(a.split(size, dim), dim), ref, X, device=device)
    check_op(lambda a: weighted_cat(ferrograd.split(a, size, dim), dim), ref, X, device=device)


@pytest.mark.parametrize("sizes, dim", [([1, 2], 1), ([3, 1], 2), ([0, 2, 0], 0), ([4], -1)])
def test_split_with_sizes(device, sizes, dim):
    def ref(a):
        return np_weighted_cat(np.split(a, np.cumsum(sizes)[:-1], axis=dim), dim)

    check_op(lambda a: weighted_cat(a.split(sizes, dim), dim), ref, X, device=device)


@pytest.mark.parametrize("chunks, dim", [(2, 1), (3, 2), (10, 1), (1, 0), (3, 2)])
def test_chunk(device, chunks, dim):
    def ref(a):
        n = a.shape[dim]
        size = -(-n // chunks)
        return np_weighted_cat(np.split(a, range(size, n, size), axis=dim), dim)

    check_op(lambda a: weighted_cat(a.chunk(chunks, dim), dim), ref, X, device=device)
    check_op(lambda a: weighted_cat(ferrograd.chunk(a, chunks, dim), dim), ref, X, device=device)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind(device, dim):
    def ref(a):
        return np.stack([p * (i + 1) for i, p in enumerate(np.moveaxis(a, dim, 0))], dim)

    check_op(lambda a: ferrograd.stack([p * (i + 1) for i, p in enumerate(a.unbind(dim))], dim), ref, X, device=device)
    check_op(lambda a: ferrograd.unbind(a, dim)[1], lambda a: np.take(a, 1, axis=dim), X, device=device)


def test_pieces_are_views_with_one_node():
    x = leaf()
    for pieces, name in [
        (x.split(2, 1), "SplitBackward0"),
        (x.split([1, 2], 1), "SplitWithSizesBackward0"),
        (x.chunk(2, 1), "SplitBackward0"),
        (x.unbind(1), "UnbindBackward0"),
    ]:
        assert isinstance(pieces, tuple)
        assert {grad_fn_name(p) for p in pieces} == {name}
        assert len({p.grad_fn for p in pieces}) == 1  # one node, several outputs
    base = ferrograd.zeros(2, 3, 4)
    for piece in base.split(2, 1) + base.chunk(3, 2) + base.unbind(0):
        piece.add_(1.0)
    np.testing.assert_array_equal(base.numpy(), np.full((2, 3, 4), 3.0))


def test_unused_pieces_get_zero_gradient():
    x = leaf()
    a, b = x.split([1, 2], 1)
    (b * 2).sum().backward()
    expected = np.zeros((2, 3, 4))
    expected[:, 1:] = 2
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_split_edge_cases():
    assert len(ferrograd.empty(0).chunk(3)) == 3
    assert [tuple(p.shape) for p in ferrograd.empty(0).split(2)] == [(0,)]
    assert len(leaf().chunk(10, 1)) == 3
    assert [p.shape[2] for p in leaf().chunk(3, 2)] == [2, 2]


def test_split_errors():
    x = leaf()
    with pytest.raises(
        RuntimeError, match="split_size can only be 0 if dimension size is 0, but got dimension size of 3"
    ):
        x.split(0, 1)
    with pytest.raises(RuntimeError, match="split expects split_size be non-negative, but got split_size=-1"):
        x.split(-1, 1)
    with pytest.raises(
        RuntimeError,
        match=r"split_with_sizes expects split_sizes to sum exactly to 3 \(input tensor's size at dimension 1\), "
        r"but got split_sizes=\[1, 1\]",
    ):
        x.split([1, 1], 1)
    with pytest.raises(
        RuntimeError,
        match=r"split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=\[4, -1\]",
    ):
        x.split([4, -1], 1)
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0, got: 0"):
        x.chunk(0, 1)
    with pytest.raises(RuntimeError, match="split expects at least a 1-dimensional tensor"):
        ferrograd.tensor(1.0).split(1)
    with pytest.raises(RuntimeError, match="chunk expects at least a 1-dimensional tensor"):
        ferrograd.tensor(1.0).chunk(1)
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        ferrograd.tensor(1.0).unbind(0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.unbind(3)


def test_empty_inputs():
    empty = np.zeros((0, 3))
    check_op(lambda a: ferrograd.cat([a, a], 0), lambda a: np.concatenate([a, a], 0), empty)
    check_op(lambda a: ferrograd.stack([a, a], 1), lambda a: np.stack([a, a], 1), empty)
    check_op(lambda a: weighted_cat(a.split(2, 1), 1), lambda a: np_weighted_cat(np.split(a, [2], 1), 1), empty)
