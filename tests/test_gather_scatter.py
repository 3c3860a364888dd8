"""Index ops along a dim and masks: gather, take_along_dim, index_select, scatter (tensor and
number), scatter_add, index_add, index_fill, masked_fill, masked_select, nonzero."""

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
from opcheck import check_op

RNG = np.random.default_rng(5)
X = RNG.standard_normal((3, 4, 5))
SRC = RNG.standard_normal((3, 4, 5))


def grad_fn_name(t):
    return type(t.grad_fn).__name__


def index_for(shape, dim, size, seed=0):
    """A random int64 index of ``shape`` with values below ``size``."""
    return np.random.default_rng(seed).integers(0, size, shape)


def np_scatter(x, dim, index, src, add=False):
    out = x.copy()
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[dim] = index[pos]
        value = src[pos] if isinstance(src, np.ndarray) else src
        if add:
            out[tuple(target)] += value
        else:
            out[tuple(target)] = value
    return out


# ---- gather / take_along_dim ----


def np_gather(a, dim, index):
    """``gather`` in NumPy: the index may be smaller than ``a`` outside ``dim``."""
    crop = tuple(slice(None) if d == dim % a.ndim else slice(n) for d, n in enumerate(index.shape))
    return np.take_along_axis(a[crop], index, dim)


@pytest.mark.parametrize(
    "dim, shape", [(0, (2, 4, 5)), (1, (3, 6, 5)), (2, (3, 4, 2)), (-1, (1, 2, 7)), (1, (2, 0, 3))]
)
def test_gather(device, dim, shape):
    index = index_for(shape, dim, X.shape[dim])
    check_op(lambda a, i: a.gather(dim, i), lambda a, i: np_gather(a, dim, i), X, index, device=device)
    check_op(lambda a, i: ferrograd.gather(a, dim, i), lambda a, i: np_gather(a, dim, i), X, index, device=device)


def test_gather_int32_scalar_and_name():
    x = ferrograd.tensor(X, requires_grad=True)
    index = ferrograd.tensor(index_for((3, 2, 5), 1, 4), dtype=ferrograd.int32)
    np.testing.assert_array_equal(x.gather(1, index).detach().numpy(), np.take_along_axis(X, index.numpy(), 1))
    assert grad_fn_name(x.gather(1, index)) == "GatherBackward0"
    assert ferrograd.tensor(5.0).gather(0, ferrograd.tensor(0)).item() == 5.0
    assert tuple(ferrograd.tensor(5.0).gather(0, ferrograd.tensor([0])).shape) == (1,)


def test_gather_double_backward():
    index = ferrograd.tensor(index_for((3, 6, 5), 1, 4))
    check_double_backward(lambda a: a.gather(1, index), X)
    check_double_backward(lambda a: a.gather(1, index) ** 2, X)


def test_gather_errors():
    x = ferrograd.tensor(X)
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 1 with size 4"):
        x.gather(1, ferrograd.tensor([[[5]]]))
    with pytest.raises(RuntimeError, match="index -1 is out of bounds for dimension 0 with size 3"):
        x.gather(0, ferrograd.tensor([[[-1]]]))
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions as input tensor"):
        x.gather(0, ferrograd.tensor([[0]]))
    with pytest.raises(
        RuntimeError,
        match=r"Size does not match at dimension 0 expected index \[4, 2, 5\] to be no larger than self \[3, 4, 5\] "
        "apart from dimension 1",
    ):
        x.gather(1, ferrograd.zeros(4, 2, 5, dtype=ferrograd.int64))
    with pytest.raises(RuntimeError, match=r"gather\(\): Expected dtype int32/int64 for index"):
        x.gather(1, ferrograd.zeros(3, 2, 5))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.gather(3, ferrograd.zeros(3, 2, 5, dtype=ferrograd.int64))


@pytest.mark.parametrize("dim, shape", [(1, (3, 2, 5)), (1, (1, 6, 1)), (0, (2, 4, 1)), (None, (7,)), (None, (2, 3))])
def test_take_along_dim(device, dim, shape):
    index = index_for(shape, 0, X.shape[dim] if dim is not None else X.size)

    def reference(a, i):
        if dim is None:
            return np.take_along_axis(a.reshape(-1), i.reshape(-1), 0)
        return np.take_along_axis(a, i, dim)

    check_op(lambda a, i: a.take_along_dim(i, dim), reference, X, index, device=device)
    check_op(lambda a, i: ferrograd.take_along_dim(a, i, dim=dim), reference, X, index, device=device)


def test_take_along_dim_errors():
    x = ferrograd.tensor(X, requires_grad=True)
    assert grad_fn_name(x.take_along_dim(ferrograd.zeros(3, 1, 5, dtype=ferrograd.int64), 1)) == "GatherBackward0"
    with pytest.raises(
        RuntimeError,
        match=r"ferrograd.take_along_dim\(\): input and indices should have the same number of dimensions, but got 3 "
        "dimensions for input, and 2 dimensions for indices",
    ):
        x.take_along_dim(ferrograd.zeros(2, 1, dtype=ferrograd.int64), 1)
    with pytest.raises(
        RuntimeError, match=r"ferrograd.take_along_dim\(\): dtype of indices should be Long but got Float"
    ):
        x.take_along_dim(ferrograd.zeros(1, 5, 1), 1)


# ---- index_select ----


@pytest.mark.parametrize("dim, index", [(0, [2, 0]), (1, [3, 3, 0]), (-1, [4]), (2, []), (1, [1, 2, 3, 0, 1])])
def test_index_select(device, dim, index):
    idx = np.array(index, dtype=np.int64)
    check_op(lambda a, i: a.index_select(dim, i), lambda a, i: np.take(a, i, dim), X, idx, device=device)
    check_op(lambda a, i: ferrograd.index_select(a, dim, i), lambda a, i: np.take(a, i, dim), X, idx, device=device)


def test_index_select_scalars_name_and_double_backward():
    x = ferrograd.tensor(X, requires_grad=True)
    assert grad_fn_name(x.index_select(1, ferrograd.tensor([0]))) == "IndexSelectBackward0"
    assert tuple(x.index_select(1, ferrograd.tensor(1)).shape) == (3, 1, 5)
    assert tuple(x.index_select(1, ferrograd.tensor([1], dtype=ferrograd.int32)).shape) == (3, 1, 5)
    assert ferrograd.tensor(5.0).index_select(0, ferrograd.tensor(0)).item() == 5.0
    index = ferrograd.tensor([2, 0, 2])
    check_double_backward(lambda a: a.index_select(1, index), X[:, :, :2])
    check_double_backward(lambda a: a.index_select(0, index) * a.index_select(0, index), X[:, :2, :2])


def test_index_select_errors():
    x = ferrograd.tensor(X)
    for bad in ([5], [-1]):
        with pytest.raises(IndexError, match="index out of range in self"):
            x.index_select(0, ferrograd.tensor(bad))
    with pytest.raises(IndexError, match=r"index_select\(\): Index is supposed to be a vector"):
        x.index_select(0, ferrograd.tensor([[0]]))
    with pytest.raises(RuntimeError, match=r"index_select\(\): Expected dtype int32 or int64 for index"):
        x.index_select(0, ferrograd.tensor([0.0]))
    with pytest.raises(
        RuntimeError, match=r"index_select\(\): Index to scalar can have only 1 value, got 2 value\(s\)"
    ):
        ferrograd.tensor(5.0).index_select(0, ferrograd.tensor([0, 0]))


# ---- scatter / scatter_add ----


@pytest.mark.parametrize("dim, shape", [(0, (2, 4, 5)), (1, (3, 2, 5)), (2, (3, 4, 3)), (-1, (1, 2, 2))])
def test_scatter_add(device, dim, shape):
    index = index_for(shape, dim, X.shape[dim], seed=1)
    src = SRC[tuple(slice(n) for n in shape)]
    check_op(
        lambda a, i, s: a.scatter_add(dim, i, s),
        lambda a, i, s: np_scatter(a, dim % 3, i, s, add=True),
        X,
        index,
        src,
        device=device,
    )
    check_op(
        lambda a, i, s: ferrograd.scatter_add(a, dim, i, s),
        lambda a, i, s: np_scatter(a, dim % 3, i, s, add=True),
        X,
        index,
        src,
        device=device,
    )


def unique_index(shape, dim, size, seed=0):
    """An index whose positions along ``dim`` are distinct (so scatter has one writer each)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(shape, dtype=np.int64)
    moved = np.moveaxis(out, dim, -1)
    for pos in np.ndindex(*moved.shape[:-1]):
        moved[pos] = rng.permutation(size)[: moved.shape[-1]]
    return out


@pytest.mark.parametrize("dim, shape", [(0, (2, 4, 5)), (1, (3, 3, 5)), (2, (3, 4, 5)), (1, (2, 2, 2))])
def test_scatter(device, dim, shape):
    index = unique_index(shape, dim, X.shape[dim])
    src = SRC[tuple(slice(n) for n in shape)]
    check_op(
        lambda a, i, s: a.scatter(dim, i, s), lambda a, i, s: np_scatter(a, dim, i, s), X, index, src, device=device
    )
    check_op(lambda a, i: a.scatter(dim, i, 2.5), lambda a, i: np_scatter(a, dim, i, 2.5), X, index, device=device)
    check_op(
        lambda a, i: ferrograd.scatter(a, dim, i, value=-1.0),
        lambda a, i: np_scatter(a, dim, i, -1.0),
        X,
        index,
        device=device,
    )


def test_scatter_source_larger_than_index():
    check_op(
        lambda a, i, s: a.scatter(1, i, s),
        lambda a, i, s: np_scatter(a, 1, i, s),
        X,
        unique_index((2, 2, 3), 1, 4),
        SRC,
    )


def test_scatter_names_and_double_backward():
    x = ferrograd.tensor(X, requires_grad=True)
    s = ferrograd.tensor(SRC, requires_grad=True)
    index = ferrograd.tensor(index_for((3, 2, 5), 1, 4))
    assert grad_fn_name(x.scatter(1, index, s)) == "ScatterBackward0"
    assert grad_fn_name(x.scatter(1, index, 2.0)) == "ScatterBackward1"
    assert grad_fn_name(x.scatter_add(1, index, s)) == "ScatterAddBackward0"
    small = ferrograd.tensor(index_for((3, 2, 2), 1, 4))
    check_double_backward(lambda a, b: a.scatter_add(1, small, b * b), X[:, :, :2], SRC[:, :2, :2])


def test_scatter_in_place():
    x = ferrograd.zeros(3, 4)
    index = ferrograd.tensor([[1, 0, 2, 1]])
    assert x.scatter_(0, index, ferrograd.ones(1, 4)) is x
    assert x.scatter_add_(0, index, ferrograd.ones(1, 4)) is x
    x.scatter_(1, ferrograd.tensor([[3], [3], [3]]), 7.0)
    expected = np.zeros((3, 4))
    expected[[1, 0, 2, 1], [0, 1, 2, 3]] = 2
    expected[:, 3] = 7
    np.testing.assert_array_equal(x.numpy(), expected)
    y = ferrograd.zeros(4, requires_grad=True) * 1
    y.scatter_(0, ferrograd.tensor([1]), ferrograd.tensor([5.0]))
    assert grad_fn_name(y) == "ScatterBackward0"


def test_scatter_errors():
    x = ferrograd.tensor(X)
    s = ferrograd.tensor(SRC)
    with pytest.raises(
        RuntimeError,
        match=r"Expected index \[4, 2, 5\] to be no larger than self \[3, 4, 5\] apart from dimension 1 and to be "
        r"no larger size than src \[3, 4, 5\]",
    ):
        x.scatter(1, ferrograd.zeros(4, 2, 5, dtype=ferrograd.int64), s)
    with pytest.raises(RuntimeError, match=r"to be no larger size than src \[3, 1, 5\]"):
        x.scatter_add(
            1, ferrograd.zeros(3, 2, 5, dtype=ferrograd.int64), ferrograd.ones(3, 1, 5, dtype=ferrograd.float64)
        )
    with pytest.raises(RuntimeError, match=r"scatter\(\): Expected self.dtype to be equal to src.dtype"):
        x.scatter(1, ferrograd.zeros(3, 2, 5, dtype=ferrograd.int64), ferrograd.ones(3, 4, 5))
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions as self tensor"):
        x.scatter(1, ferrograd.zeros(3, 2, dtype=ferrograd.int64), s)
    with pytest.raises(RuntimeError, match=r"scatter\(\): Expected dtype int32/int64 for index"):
        x.scatter(1, ferrograd.zeros(1, 1, 1), 1.0)
    for op in (lambda t, i: t.scatter_add(0, i, ferrograd.ones(1)), lambda t, i: t.scatter(0, i, ferrograd.ones(1))):
        with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
            op(ferrograd.zeros(3), ferrograd.tensor([5]))
        with pytest.raises(RuntimeError, match="index -1 is out of bounds for dimension 0 with size 3"):
            op(ferrograd.zeros(3), ferrograd.tensor([-1]))
    z = ferrograd.zeros(2, 3, 4)
    with pytest.raises(RuntimeError, match="index 9 is out of bounds for dimension 2 with size 4"):
        z.scatter_add_(2, ferrograd.tensor([[[9]]]), ferrograd.ones(1, 1, 1))
    np.testing.assert_array_equal(z.numpy(), np.zeros((2, 3, 4)))


# ---- index_add / index_fill ----


@pytest.mark.parametrize("dim, index, alpha", [(0, [2, 0], 1), (1, [3, 3, 0], 1), (-1, [4, 1], 2.5), (2, [], 1)])
def test_index_add(device, dim, index, alpha):
    idx = np.array(index, dtype=np.int64)
    shape = list(X.shape)
    shape[dim] = len(index)
    source = RNG.standard_normal(shape)

    def reference(a, i, s):
        out = np.moveaxis(a.copy(), dim, 0)
        np.add.at(out, i, np.moveaxis(s, dim, 0) * alpha)
        return np.moveaxis(out, 0, dim)

    check_op(lambda a, i, s: a.index_add(dim, i, s, alpha=alpha), reference, X, idx, source, device=device)
    check_op(lambda a, i, s: ferrograd.index_add(a, dim, i, s, alpha=alpha), reference, X, idx, source, device=device)


def test_index_add_in_place_name_and_errors():
    x = ferrograd.zeros(3)
    assert x.index_add_(0, ferrograd.tensor([0, 0, 2]), ferrograd.tensor([1.0, 2.0, 3.0])) is x
    np.testing.assert_array_equal(x.numpy(), [3.0, 0.0, 3.0])
    y = ferrograd.tensor(X, requires_grad=True)
    assert grad_fn_name(y.index_add(1, ferrograd.tensor([0]), y[:, :1])) == "IndexAddBackward0"
    with pytest.raises(IndexError, match="index out of range in self"):
        ferrograd.zeros(3).index_add(0, ferrograd.tensor([5]), ferrograd.ones(1))
    with pytest.raises(IndexError, match="index out of range in self"):
        ferrograd.zeros(3).index_add(0, ferrograd.tensor([-1]), ferrograd.ones(1))
    with pytest.raises(
        RuntimeError,
        match=r"index_add_\(\): Number of indices \(1\) should be equal to source.size\(dim\): \(2\), for dim: 0",
    ):
        ferrograd.zeros(3).index_add(0, ferrograd.tensor([0]), ferrograd.ones(2))
    x = ferrograd.ones(2, 3, 4)
    with pytest.raises(
        RuntimeError, match=r"index_add_\(\): self \(Float\) and source \(Double\) must have the same scalar type"
    ):
        x.index_add(1, ferrograd.tensor([0]), ferrograd.ones(2, 1, 4, dtype=ferrograd.float64))
    with pytest.raises(
        RuntimeError,
        match=r"source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape "
        r"= \[2, 3, 4\] source.shape = \[2, 1, 3\]",
    ):
        x.index_add(1, ferrograd.tensor([0]), ferrograd.ones(2, 1, 3))
    with pytest.raises(
        IndexError,
        match=r"index_add_\(\): Index is supposed to be a vector, but got dim: 2 with type: Long and size: \[1, 1\]",
    ):
        x.index_add(1, ferrograd.tensor([[0]]), ferrograd.ones(2, 1, 4))
    with pytest.raises(RuntimeError, match=r"index_add_\(\): Expected dtype int32/int64 for index but got: Float"):
        x.index_add(1, ferrograd.tensor([0.0]), ferrograd.ones(2, 1, 4))


@pytest.mark.parametrize("dim, index", [(1, [0, 2]), (0, [-1]), (2, [4, 4, 0])])
def test_index_fill(device, dim, index):
    idx = np.array(index, dtype=np.int64)

    def reference(a, i):
        out = np.moveaxis(a.copy(), dim, 0)
        out[i] = -1.5
        return np.moveaxis(out, 0, dim)

    check_op(lambda a, i: a.index_fill(dim, i, -1.5), reference, X, idx, device=device)
    check_op(lambda a, i: ferrograd.index_fill(a, dim, i, -1.5), reference, X, idx, device=device)


def test_index_fill_tensor_value_and_errors():
    check_op(
        lambda a, v: a.index_fill(1, ferrograd.tensor([0, 3]), v),
        lambda a, v: np.where(np.isin(np.arange(4), [0, 3])[None, :, None], v, a),
        X,
        np.array(0.5),
    )
    x = ferrograd.tensor(X, requires_grad=True)
    assert grad_fn_name(x.index_fill(1, ferrograd.tensor([0]), 1.0)) == "IndexFillBackward0"
    value = ferrograd.tensor(1.0, dtype=ferrograd.float64, requires_grad=True)
    assert grad_fn_name(x.index_fill(1, ferrograd.tensor([0]), value)) == "IndexFillBackward1"
    with pytest.raises(IndexError, match=r"index_fill_\(\): Expected dtype int64 for index."):
        x.index_fill(1, ferrograd.tensor([0], dtype=ferrograd.int32), 1.0)
    with pytest.raises(RuntimeError, match="Index has to be a vector/scalar"):
        x.index_fill(1, ferrograd.tensor([[0]]), 1.0)
    with pytest.raises(
        RuntimeError,
        match=r"index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension\(s\).",
    ):
        x.index_fill(1, ferrograd.tensor([0]), ferrograd.tensor([1.0]))
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 2 with size 5"):
        x.index_fill(2, ferrograd.tensor([9]), 1.0)


# ---- masks ----


@pytest.mark.parametrize(
    "mask_shape", [(3, 4, 5), (5,), (4, 1), (1, 4, 5), ()], ids=lambda s: "x".join(map(str, s)) or "scalar"
)
def test_masked_fill(device, mask_shape):
    mask = RNG.standard_normal(mask_shape) > 0
    check_op(lambda a, m: a.masked_fill(m, 2.0), lambda a, m: np.where(m, 2.0, a), X, mask, device=device)
    check_op(lambda a, m, v: ferrograd.masked_fill(a, m, v), lambda a, m, v: np.where(m, v, a), X, mask, np.array(-0.5))


def test_masked_fill_broadcasts_self_and_in_place():
    check_op(lambda a, m: a.masked_fill(m, 1.0), lambda a, m: np.where(m, 1.0, a), X[0, 0], X > 0)
    x = ferrograd.zeros(2, 3)
    assert x.masked_fill_(ferrograd.tensor([True, False, True]), 4.0) is x
    np.testing.assert_array_equal(x.numpy(), [[4.0, 0.0, 4.0]] * 2)
    longs = ferrograd.ones(2, dtype=ferrograd.int64).masked_fill(ferrograd.tensor([True, False]), 2.7)
    np.testing.assert_array_equal(longs.numpy(), [2, 1])
    assert ferrograd.tensor(X).masked_fill(ferrograd.tensor(True), 2).dtype == ferrograd.float64
    y = ferrograd.tensor(X, requires_grad=True)
    mask = ferrograd.tensor(X > 0)
    assert grad_fn_name(y.masked_fill(mask, 1.0)) == "MaskedFillBackward0"
    assert grad_fn_name(y.masked_fill(mask, ferrograd.tensor(1.0))) == "MaskedFillBackward1"


def test_masked_fill_errors():
    x = ferrograd.tensor(X)
    with pytest.raises(
        RuntimeError, match="masked_fill_ only supports boolean masks, but got mask with dtype long int"
    ):
        x.masked_fill(ferrograd.ones(3, 4, 5, dtype=ferrograd.int64), 1.0)
    with pytest.raises(
        RuntimeError, match=r"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension"
    ):
        x.masked_fill(ferrograd.tensor(X > 0), ferrograd.tensor([1.0]))
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        x.masked_fill(ferrograd.ones(3, dtype=ferrograd.bool), 1.0)
    with pytest.raises(RuntimeError, match=r"output with shape \[4\] doesn't match the broadcast shape \[2, 4\]"):
        ferrograd.zeros(4).masked_fill_(ferrograd.ones(2, 4, dtype=ferrograd.bool), 1.0)


@pytest.mark.parametrize("mask_shape", [(3, 4, 5), (5,), (4, 1)], ids=lambda s: "x".join(map(str, s)))
def test_masked_select(device, mask_shape):
    mask = RNG.standard_normal(mask_shape) > 0
    check_op(
        lambda a, m: a.masked_select(m),
        lambda a, m: np.broadcast_to(a, X.shape)[np.broadcast_to(m, X.shape)],
        X,
        mask,
        device=device,
    )
    check_op(
        lambda a, m: ferrograd.masked_select(a, m), lambda a, m: a[np.broadcast_to(m, X.shape)], X, mask, device=device
    )


def test_masked_select_broadcasts_and_checks():
    def reference(a, m):
        shape = np.broadcast_shapes(a.shape, m.shape)
        return np.broadcast_to(a, shape)[np.broadcast_to(m, shape)]

    check_op(lambda a, m: a.masked_select(m), reference, X[0, 0], X[:, :, 0:1] > 0)
    y = ferrograd.tensor(X, requires_grad=True)
    assert grad_fn_name(y.masked_select(ferrograd.tensor(X > 0))) == "MaskedSelectBackward0"
    np.testing.assert_array_equal(ferrograd.tensor(3.0).masked_select(ferrograd.tensor(True)).numpy(), [3.0])
    with pytest.raises(RuntimeError, match="masked_select: expected BoolTensor for mask"):
        y.masked_select(ferrograd.ones(3, 4, 5, dtype=ferrograd.int64))


def test_nonzero():
    x = ferrograd.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    expected = np.array(np.nonzero(x.numpy())).T
    nz = x.nonzero()
    assert nz.dtype == ferrograd.int64
    np.testing.assert_array_equal(nz.numpy(), expected)
    np.testing.assert_array_equal(ferrograd.nonzero(x).numpy(), expected)
    assert nz.stride() == (1, 3)  # stored dim-major, as PyTorch does
    rows, cols = x.nonzero(as_tuple=True)
    np.testing.assert_array_equal(rows.numpy(), expected[:, 0])
    np.testing.assert_array_equal(cols.numpy(), expected[:, 1])
    assert rows.is_contiguous()
    bools = ferrograd.tensor([[True, False], [False, True]])
    np.testing.assert_array_equal(bools.nonzero().numpy(), [[0, 0], [1, 1]])
    assert tuple(ferrograd.tensor(1.0).nonzero().shape) == (1, 0)
    (only,) = ferrograd.tensor(1.0).nonzero(as_tuple=True)
    np.testing.assert_array_equal(only.numpy(), [0])
    (none,) = ferrograd.tensor(0.0).nonzero(as_tuple=True)
    assert tuple(none.shape) == (0,)
    assert tuple(ferrograd.zeros(2, 0).nonzero().shape) == (0, 2)
    big = RNG.standard_normal((3, 4, 5)) > 0.5
    np.testing.assert_array_equal(ferrograd.tensor(big).nonzero().numpy(), np.argwhere(big))


def test_empty_inputs():
    empty = np.zeros((0, 3))
    check_op(lambda a, i: a.gather(1, i), lambda a, i: np.take_along_axis(a, i, 1), empty, np.zeros((0, 2), np.int64))
    check_op(lambda a: a.index_select(1, ferrograd.tensor([2, 0])), lambda a: a[:, [2, 0]], empty)
    check_op(lambda a: a.masked_fill(ferrograd.tensor([True, False, True]), 1.0), lambda a: a, empty)
    check_op(
        lambda a: a.masked_select(ferrograd.tensor([True, False, True])), lambda a: a[:, [0, 2]].reshape(-1), empty
    )
