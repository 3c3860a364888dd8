"""Advanced indexing: ``x[idx]`` and ``x[idx] = v`` with lists, integer and boolean tensors,
combined with ints, slices, ``None`` and ``...``; ``index_put``. Results against NumPy (where
PyTorch and NumPy agree), gradients against finite differences, PyTorch's errors."""

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
from opcheck import check_op

RNG = np.random.default_rng(11)
X = RNG.standard_normal((4, 5, 6))
MASK = X[:, :, 0] > 0
ROW_MASK = np.array([True, False, True, True])

# Indices that mean the same in NumPy and PyTorch (NumPy arrays and lists are accepted by both).
SAME_AS_NUMPY = [
    [0, 2],
    [-1, 0, -4],
    np.array([[1, 1], [0, 3]]),
    np.array([2, 0], dtype=np.int32),
    [],
    (slice(None), [0, 4, 4]),
    (slice(None), slice(None), [5, 0]),
    ([0, 2], slice(1, 4), [1, 3]),
    ([0, 2], [1, 3]),
    ([0, 2], [1, 3], [5, 0]),
    (slice(1, None), [0, 2], [3, 4]),
    (Ellipsis, [1, 2]),
    ([1, 2], Ellipsis),
    (None, [1, 2]),
    ([1, 2], None),
    ([1, 2], None, [0, 1]),
    (slice(None, None, 2), [[0], [3]], [1, 2, 3]),
    ([[0], [3]], slice(None), [1, 2, 3]),
    MASK,
    ROW_MASK,
    (ROW_MASK, [0, 1, 4]),
    (slice(None), X[0] > 0),
    (ROW_MASK, slice(None), [0, 5, 2]),
    (slice(None), np.array([True, False, False, True, True])),
    (Ellipsis, np.array([True, False, True, False, False, True])),
    ([3, 3, 0], [1, 1, 1]),
    (np.array(True),),
    (np.array(False),),
]


def ids(index):
    return repr(index).replace(" ", "")[:60]


@pytest.mark.parametrize("index", SAME_AS_NUMPY, ids=ids)
def test_getitem_matches_numpy(device, index):
    check_op(lambda a: a[index], lambda a: a[index], X, device=device)


@pytest.mark.parametrize(
    "index, reference",
    [
        # An int is a plain select before advanced indexing (NumPy counts it as an advanced index).
        ((0, slice(None), [1, 2]), lambda a: a[0][:, [1, 2]]),
        (([1, 2], slice(None), 0), lambda a: a[:, :, 0][[1, 2]]),
        ((slice(None), [0, 2], 3), lambda a: a[:, :, 3][:, [0, 2]]),
        ((1, [0, 2], [3, 4]), lambda a: a[1][[0, 2], [3, 4]]),
    ],
    ids=["int-slice-list", "list-slice-int", "slice-list-int", "int-list-list"],
)
def test_ints_select_first_as_in_pytorch(device, index, reference):
    check_op(lambda a: a[index], reference, X, device=device)


def test_scalar_tensor_and_bool_entries():
    x = ferrograd.tensor(X)
    np.testing.assert_array_equal(x[ferrograd.tensor(1)].numpy(), X[1])
    assert type(x.requires_grad_()[ferrograd.tensor(1)].grad_fn).__name__ == "SelectBackward0"
    assert tuple(x[True].shape) == (1, 4, 5, 6)
    assert tuple(x[False].shape) == (0, 4, 5, 6)
    assert tuple(x[0, True].shape) == (1, 5, 6)
    assert tuple(x[ferrograd.tensor(True)].shape) == (1, 4, 5, 6)
    s = ferrograd.tensor(5.0)
    np.testing.assert_array_equal(s[ferrograd.tensor(True)].numpy(), [5.0])
    np.testing.assert_array_equal(s[None].numpy(), [5.0])


def test_nested_list_is_read_as_a_tuple():
    x = ferrograd.tensor(X)
    with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional indexing"):
        got = x[[[0, 1], [1, 0]]]
    np.testing.assert_array_equal(got.numpy(), X[[0, 1], [1, 0]])
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal(x[[0, slice(None)]].numpy(), X[0])


def test_results_are_copies_and_basic_results_views():
    x = ferrograd.tensor(X)
    picked = x[[0, 1]]
    assert picked.is_contiguous()
    picked.fill_(0.0)
    np.testing.assert_array_equal(x.numpy(), X)
    view = x[1:, ::2]
    view.fill_(0.0)
    assert (x.numpy()[1:, ::2] == 0).all() and (x.numpy()[0] == X[0]).all()
    assert x[:, [0, 2]].stride() == (12, 6, 1)


def test_node_names():
    x = ferrograd.tensor(X, requires_grad=True)
    for out in (x[[0, 1]], x[ferrograd.tensor(MASK)], x[:, [0, 1], 2:], x[True]):
        assert type(out.grad_fn).__name__ == "IndexBackward0"
    assert type(x[...].grad_fn).__name__ == "AliasBackward0"
    assert type(x[:].grad_fn).__name__ == "SliceBackward0"
    assert type(x[:, :].grad_fn).__name__ == "AliasBackward0"
    assert type(x[0, :].grad_fn).__name__ == "SelectBackward0"


def test_repeated_indices_add_up_in_the_gradient():
    x = ferrograd.tensor(X, requires_grad=True)
    x[[1, 1, 3], 2].sum().backward()
    expected = np.zeros_like(X)
    expected[1, 2] = 2
    expected[3, 2] = 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_index_double_backward():
    check_double_backward(lambda a: a[[2, 0, 2], 1:] ** 2, X[:, :2, :2])
    check_double_backward(lambda a: a[ferrograd.tensor(X[:, :2, 0] > 0)], X[:, :2, :2])


def test_getitem_errors():
    x = ferrograd.tensor(X)
    cases = [
        (lambda: x[0, 0, 0, 0], IndexError, "too many indices for tensor of dimension 3"),
        (lambda: x[[0], [0], [0], [0]], IndexError, "too many indices for tensor of dimension 3"),
        (lambda: ferrograd.tensor(5.0)[[0]], IndexError, "too many indices for tensor of dimension 0"),
        (
            lambda: x[ferrograd.tensor([True, False, True])],
            IndexError,
            r"The shape of the mask \[3\] at index 0 does not match the shape of the indexed tensor \[4, 5, 6\] "
            "at index 0",
        ),
        (
            lambda: x[:, ferrograd.ones(5, 5, dtype=ferrograd.bool)],
            IndexError,
            r"The shape of the mask \[5, 5\] at index 1 does not match the shape of the indexed tensor \[4, 5, 6\] "
            "at index 2",
        ),
        (
            lambda: x[[0, 1], [0, 1, 2]],
            IndexError,
            r"shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]",
        ),
        (
            lambda: x[ferrograd.tensor([0.5])],
            IndexError,
            "tensors used as indices must be long, int, byte or bool tensors",
        ),
        (lambda: x[x], IndexError, "tensors used as indices must be long, int, byte or bool tensors"),
        (lambda: x[1.5], IndexError, r"only integers, slices \(`:`\), ellipsis \(`...`\), None and long or byte"),
        (lambda: x[[5]], IndexError, "index 5 is out of bounds for dimension 0 with size 4"),
        (lambda: x[[-5]], IndexError, "index -5 is out of bounds for dimension 0 with size 4"),
        (lambda: x[:, [5]], IndexError, "index 5 is out of bounds for dimension 0 with size 5"),
        (lambda: x[[0], :, [9]], IndexError, "index 9 is out of bounds for dimension 1 with size 6"),
        (lambda: x[:, [0], [9]], IndexError, "index 9 is out of bounds for dimension 1 with size 6"),
        (lambda: x[None, :, [9]], IndexError, "index 9 is out of bounds for dimension 0 with size 5"),
        (lambda: x[..., ..., 0], IndexError, "an index can only have a single ellipsis"),
        (lambda: x[::0], ValueError, "slice step cannot be zero"),
    ]
    for fn, kind, message in cases:
        with pytest.raises(kind, match=message):
            fn()


# ---- assignment ----


def assign(base, index, value):
    out = base.clone() if isinstance(base, ferrograd.Tensor) else base.copy()
    out[index] = value
    return out


@pytest.mark.parametrize(
    "index, value",
    [
        ([0, 2], 7.0),
        ([0, 2], np.arange(6.0)),
        (([0, 2], slice(None), [1, 3]), np.arange(5.0)),
        ((slice(None), [4, 0]), np.arange(6.0)),
        ((Ellipsis, [5, 1]), 2.5),
        (MASK, -1.0),
        (MASK, np.arange(float(MASK.sum()))[:, None]),
        (ROW_MASK, np.arange(30.0).reshape(5, 6)),
        ((slice(1, 3), [0, 4]), np.ones((2, 2, 6))),
        (([1, 2], 0), np.arange(6.0)),
        (np.array([[0], [3]]), 1.0),
        ([3, 0, 3], np.arange(3.0)[:, None, None]),
    ],
    ids=ids,
)
def test_setitem_matches_numpy(index, value):
    to_ferro = (lambda v: ferrograd.tensor(v)) if isinstance(value, np.ndarray) else (lambda v: v)
    got = assign(ferrograd.tensor(X), index, to_ferro(value))
    np.testing.assert_array_equal(got.numpy(), assign(X, index, value))


@pytest.mark.parametrize(
    "index, value_shape",
    [
        ([0, 2], (6,)),
        (([0, 2], slice(None), [1, 3]), (5,)),
        ((slice(None), [4, 0]), ()),
        (MASK, (int(MASK.sum()), 1)),
        ((slice(1, 3), [0, 4]), (2, 2, 6)),
        (([1, 2], 0), (2, 6)),
    ],
    ids=ids,
)
def test_setitem_gradients(device, index, value_shape):
    value = RNG.standard_normal(value_shape)
    check_op(lambda a, v: assign(a * 1, index, v), lambda a, v: assign(a, index, v), X, value, device=device)


def test_setitem_node_names_follow_pytorch():
    x = ferrograd.tensor(X[:3, :4, 0], requires_grad=True)

    def name_after(index, value):
        y = x * 1
        y[index] = value
        return type(y.grad_fn).__name__

    assert name_after([0, 1], 5.0) == "IndexFillBackward0"
    assert name_after((slice(None), [0, 1]), 5.0) == "IndexFillBackward0"
    assert name_after([0, 1], ferrograd.tensor(5.0, dtype=ferrograd.float64)) == "IndexPutBackward0"
    assert name_after(([0, 1], [0, 1]), 5.0) == "IndexPutBackward0"
    assert name_after(ferrograd.tensor(X[:3, :4, 0] > 0), 5.0) == "MaskedFillBackward0"
    assert name_after((0, [0, 1]), 5.0) == "CopySlices"
    assert name_after((None, [0, 1]), 5.0) == "CopySlices"
    assert name_after(slice(None), 5.0) != "CopySlices"


def test_setitem_repeated_positions_follow_pytorch():
    x = ferrograd.zeros(3, 4, requires_grad=True)
    y = x * 1
    v = ferrograd.tensor([7.0, 8.0], requires_grad=True)
    y[[0, 0], [1, 1]] = v
    assert y[0, 1].item() in (7.0, 8.0)
    (y * ferrograd.arange(12.0).reshape(3, 4)).sum().backward()
    # Every duplicate gets the gradient of its position; the target none there.
    np.testing.assert_array_equal(v.grad.numpy(), [1.0, 1.0])
    expected = np.arange(12.0).reshape(3, 4)
    expected[0, 1] = 0
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_setitem_values_and_dtypes():
    z = ferrograd.zeros(3, 4, dtype=ferrograd.int64)
    z[[0]] = 2.7
    np.testing.assert_array_equal(z.numpy()[0], [2, 2, 2, 2])
    z = ferrograd.zeros(3, 4)
    z[[0]] = ferrograd.ones(1, 1, 4)
    np.testing.assert_array_equal(z.numpy()[0], np.ones(4))
    z[ferrograd.tensor(z.numpy() == 0)] = ferrograd.tensor([5.0])
    np.testing.assert_array_equal(z.numpy()[1:], np.full((2, 4), 5.0))
    z = ferrograd.zeros(3)
    z[[0, 1]] = z[[2, 2]] + 1
    np.testing.assert_array_equal(z.numpy(), [1.0, 1.0, 0.0])
    aliased = ferrograd.arange(4.0)
    aliased[[0, 1]] = aliased[2:]
    np.testing.assert_array_equal(aliased.numpy(), [2.0, 3.0, 2.0, 3.0])


def test_setitem_errors():
    z = ferrograd.zeros(3, 4)
    with pytest.raises(
        RuntimeError,
        match="Index put requires the source and destination dtypes match, got Float for the destination and "
        "Long for the source.",
    ):
        z[[0]] = ferrograd.tensor([1, 2, 3, 4])
    with pytest.raises(
        RuntimeError,
        match=r"shape mismatch: value tensor of shape \[2\] cannot be broadcast to indexing result of shape \[1, 4\]",
    ):
        z[[0]] = ferrograd.tensor([1.0, 2.0])
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 0 with size 3"):
        z[[9]] = 1.0
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 1 with size 4"):
        z[:, [9]] = 1.0
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 0 with size 4"):
        z[:, [9]] = ferrograd.tensor(1.0)
    leaf = ferrograd.zeros(3, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."
    ):
        leaf[[0]] = 1.0
    np.testing.assert_array_equal(z.numpy(), np.zeros((3, 4)))


# ---- index_put ----


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(device, accumulate):
    rows, cols = np.array([3, 0, 1]), np.array([1, 1, 4])
    value = RNG.standard_normal(3)

    def reference(a, v):
        out = a.copy()
        if accumulate:
            np.add.at(out, (rows, cols), v)
        else:
            out[rows, cols] = v
        return out

    def fn(a, v):
        return a.index_put((ferrograd.tensor(rows), ferrograd.tensor(cols)), v, accumulate=accumulate)

    check_op(fn, reference, X[:, :, 0], value, device=device)
    check_op(
        lambda a, v: ferrograd.index_put(a, (ferrograd.tensor(rows), ferrograd.tensor(cols)), v, accumulate),
        reference,
        X[:, :, 0],
        value,
        device=device,
    )


def test_index_put_repeated_and_in_place():
    z = ferrograd.zeros(5)
    out = z.index_put((ferrograd.tensor([0, 0, 2]),), ferrograd.tensor([1.0, 2.0, 3.0]), accumulate=True)
    np.testing.assert_array_equal(out.numpy(), [3.0, 0.0, 3.0, 0.0, 0.0])
    np.testing.assert_array_equal(z.numpy(), np.zeros(5))
    assert z.index_put_((ferrograd.tensor([1, 4]),), ferrograd.tensor(2.0)) is z
    np.testing.assert_array_equal(z.numpy(), [0.0, 2.0, 0.0, 0.0, 2.0])
    masked = ferrograd.zeros(3).index_put((ferrograd.tensor([True, False, True]),), ferrograd.tensor([1.0, 2.0]))
    np.testing.assert_array_equal(masked.numpy(), [1.0, 0.0, 2.0])
    x = ferrograd.ones(3, requires_grad=True) * 1
    assert type(x.index_put((ferrograd.tensor([0]),), ferrograd.tensor(1.0)).grad_fn).__name__ == "IndexPutBackward0"
    with pytest.raises(TypeError, match="expected Tensor as element 0 in argument 0, but got NoneType"):
        z.index_put([None], ferrograd.tensor(1.0))
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        z.index_put((ferrograd.tensor([0]),), ferrograd.tensor(1.0, dtype=ferrograd.float64))
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 0 with size 5"):
        z.index_put_((ferrograd.tensor([9]),), ferrograd.tensor(1.0), accumulate=True)


def test_index_put_double_backward():
    rows = ferrograd.tensor([2, 0, 2])
    check_double_backward(lambda a, v: a.index_put((rows,), v * v, accumulate=True), X[:3, 0], X[:3, 1])
