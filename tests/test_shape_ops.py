"""Shape ops: flatten/unflatten, movedim, repeat/tile, flip, roll, narrow, tril/triu,
diagonal, diag. Forward against NumPy, gradients against finite differences, views sharing
storage where PyTorch returns views, PyTorch's node names and error messages."""

import numpy as np
import pytest

import ferrograd
from opcheck import check_op

RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 3, 4))
M = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)


def grad_fn_name(t):
    return type(t.grad_fn).__name__


def leaf(shape=(2, 3, 4)):
    return ferrograd.arange(float(np.prod(shape))).reshape(shape).requires_grad_()


def assert_shares_storage(view, base):
    """Writing through ``view`` must show up in ``base``: they are one storage."""
    before = base.detach().numpy().copy()
    with ferrograd.no_grad():
        view.detach().fill_(-123.0)
    after = base.detach().numpy()
    assert (after == -123.0).sum() == view.numel() > 0
    assert not np.array_equal(before, after)


# ---- flatten / unflatten ----


@pytest.mark.parametrize(
    "start, end, expected",
    [(0, -1, (24,)), (1, -1, (2, 12)), (0, 1, (6, 4)), (-2, -1, (2, 12))],
)
def test_flatten(device, start, end, expected):
    check_op(lambda a: a.flatten(start, end), lambda a: a.reshape(expected), X, device=device)
    check_op(lambda a: ferrograd.flatten(a, start, end), lambda a: a.reshape(expected), X, device=device)


def test_flatten_returns_the_input_when_nothing_merges():
    x = leaf((4,)) * 1
    assert grad_fn_name(x.flatten()) == "MulBackward0"
    assert grad_fn_name((leaf() * 1).flatten(1, 1)) == "MulBackward0"
    assert tuple(ferrograd.tensor(3.0).flatten().shape) == (1,)
    assert grad_fn_name(leaf().flatten()) == "ViewBackward0"
    assert grad_fn_name(leaf().transpose(0, 2).flatten()) == "UnsafeViewBackward0"
    with pytest.raises(RuntimeError, match="flatten\\(\\) has invalid args: start_dim cannot come after end_dim"):
        leaf().flatten(2, 1)


@pytest.mark.parametrize(
    "dim, sizes, expected",
    [(1, (3, 1), (2, 3, 1, 4)), (2, (-1, 2), (2, 3, 2, 2)), (-1, (2, -1), (2, 3, 2, 2)), (0, (1, 2), (1, 2, 3, 4))],
)
def test_unflatten(device, dim, sizes, expected):
    check_op(lambda a: a.unflatten(dim, sizes), lambda a: a.reshape(expected), X, device=device)
    x = leaf()
    y = x.unflatten(dim, sizes)
    assert grad_fn_name(y) == "ViewBackward0"
    assert_shares_storage(y, x)


def test_unflatten_is_a_view():
    x = leaf()
    assert_shares_storage(x.unflatten(1, (3, 1))[:, 1:], x)


def test_unflatten_errors():
    x = leaf()
    with pytest.raises(
        RuntimeError,
        match=r"unflatten: Provided sizes \[2, 2\] don't multiply up to the size of dim 1 \(3\) in the input tensor",
    ):
        x.unflatten(1, (2, 2))
    with pytest.raises(RuntimeError, match="unflatten: sizes must be non-empty"):
        x.unflatten(1, ())
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.unflatten(1, (-1, -1))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)"):
        x.unflatten(3, (3, 1))


def test_expand_as(device):
    check_op(lambda a, b: a.expand_as(b), lambda a, b: np.broadcast_to(a, b.shape), X[:1, :, :1], X, device=device)
    y = leaf((1, 3, 1))
    assert grad_fn_name(y.expand_as(leaf())) == "ExpandBackward0"


# ---- movedim ----


@pytest.mark.parametrize("source, destination", [(0, 2), ((0, 1), (2, 0)), (-1, 0), ((2, 0), (0, 1)), ((), ())])
def test_movedim(device, source, destination):
    check_op(lambda a: a.movedim(source, destination), lambda a: np.moveaxis(a, source, destination), X, device=device)
    check_op(
        lambda a: ferrograd.moveaxis(a, source, destination),
        lambda a: np.moveaxis(a, source, destination),
        X,
        device=device,
    )


def test_movedim_is_a_permute_view():
    x = leaf()
    y = x.movedim(0, 2)
    assert grad_fn_name(y) == "PermuteBackward0"
    assert not y.is_contiguous()
    assert_shares_storage(y[1], x)


def test_movedim_errors():
    x = leaf()
    with pytest.raises(
        RuntimeError,
        match=r"movedim: Invalid source or destination dims: source \(\[0, 1\] dims\) should contain the same "
        r"number of dims as destination \(\[0\] dims\)",
    ):
        x.movedim((0, 1), (0,))
    with pytest.raises(RuntimeError, match=r"movedim: repeated dim in `source` \(\[0, 0\]\)"):
        x.movedim((0, 0), (0, 1))
    with pytest.raises(RuntimeError, match=r"movedim: repeated dim in `destination` \(\[1, 1\]\)"):
        x.movedim((0, 1), (1, 1))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.movedim(3, 0)


# ---- repeat / tile ----


@pytest.mark.parametrize("reps", [(2, 1, 1), (1, 2, 3), (2, 1, 1, 2), (3, 2, 2, 1, 1), (1, 0, 2)])
def test_repeat(device, reps):
    check_op(lambda a: a.repeat(*reps), lambda a: np.tile(a, reps), X, device=device)
    check_op(lambda a: a.repeat(reps), lambda a: np.tile(a, reps), X, device=device)


@pytest.mark.parametrize("reps", [(2,), (2, 1), (1, 1, 1), (2, 1, 1, 3), ()])
def test_tile(device, reps):
    check_op(lambda a: a.tile(reps), lambda a: np.tile(a, reps), X, device=device)
    check_op(lambda a: ferrograd.tile(a, reps), lambda a: np.tile(a, reps), X, device=device)


def test_repeat_scalar_and_names():
    check_op(lambda a: a.repeat(2, 3), lambda a: np.tile(a, (2, 3)), np.array(1.5))
    assert grad_fn_name(leaf().repeat(2, 1, 1)) == "RepeatBackward0"
    assert grad_fn_name(leaf().tile((2,))) == "RepeatBackward0"
    x = leaf()
    with pytest.raises(
        RuntimeError,
        match="Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
    ):
        x.repeat(2, 2)
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -4: \[4, 6, -4\]"):
        x.repeat(2, 2, -1)


# ---- flip / roll ----


@pytest.mark.parametrize("dims", [(0,), (0, 2), (-1,), (1, 2), (0, 1, 2), ()])
def test_flip(device, dims):
    check_op(lambda a: a.flip(dims), lambda a: np.flip(a, dims) if dims else a.copy(), X, device=device)
    check_op(
        lambda a: ferrograd.flip(a, list(dims)), lambda a: np.flip(a, dims) if dims else a.copy(), X, device=device
    )


def test_flip_copies_and_checks():
    x = leaf()
    y = x.flip(0)
    assert grad_fn_name(y) == "FlipBackward0"
    with ferrograd.no_grad():
        y.fill_(0.0)
    assert x.detach().numpy().sum() == sum(range(24))
    np.testing.assert_array_equal(ferrograd.tensor(5.0).flip(0).numpy(), 5.0)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        x.flip((0, 0))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.flip(3)


@pytest.mark.parametrize(
    "shifts, dims", [(1, 0), (1, None), (-7, None), ((1, 2), (0, 1)), ((1, 2), (0, 0)), (5, 2), (-3, -1), (0, 1)]
)
def test_roll(device, shifts, dims):
    def reference(a):
        if dims is None:
            return np.roll(a, shifts)
        if isinstance(dims, tuple):
            for s, d in zip(shifts, dims):
                a = np.roll(a, s, d)
            return a
        return np.roll(a, shifts, dims)

    check_op(lambda a: a.roll(shifts, dims), reference, X, device=device)
    check_op(lambda a: ferrograd.roll(a, shifts, dims), reference, X, device=device)


def test_roll_names_and_errors():
    x = leaf()
    assert grad_fn_name(x.roll(1)) == "RollBackward0"
    assert grad_fn_name(x.roll(1, 0)) == "RollBackward0"
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:1"):
        x.roll((1, 2), (0,))
    with pytest.raises(RuntimeError, match="`shifts` required"):
        x.roll((), ())
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.roll(1, 3)


# ---- narrow ----


@pytest.mark.parametrize("dim, start, length", [(1, 1, 2), (2, 0, 4), (-1, 3, 1), (1, -1, 1), (0, 1, 0), (1, 3, 0)])
def test_narrow(device, dim, start, length):
    def reference(a):
        s = start % a.shape[dim] if start < 0 else start
        return np.take(a, range(s, s + length), axis=dim)

    check_op(lambda a: a.narrow(dim, start, length), reference, X, device=device)
    check_op(lambda a: ferrograd.narrow(a, dim, start, length), reference, X, device=device)


def test_narrow_is_a_view():
    x = leaf()
    y = x.narrow(1, 1, 2)
    assert grad_fn_name(y) == "SliceBackward0"
    assert_shares_storage(y, x)
    by_tensor = leaf().narrow(-1, ferrograd.tensor(1), 2)
    np.testing.assert_array_equal(by_tensor.detach().numpy(), np.arange(24.0).reshape(2, 3, 4)[..., 1:3])


def test_narrow_errors():
    x = leaf()
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(2\) exceeds dimension size \(3\)\."):
        x.narrow(1, 2, 2)
    with pytest.raises(RuntimeError, match=r"narrow\(\): length must be non-negative\."):
        x.narrow(1, 0, -1)
    with pytest.raises(IndexError, match=r"start out of range \(expected to be in range of \[-3, 3\], but got 4\)"):
        x.narrow(1, 4, 0)
    with pytest.raises(IndexError, match=r"start out of range \(expected to be in range of \[-3, 3\], but got -4\)"):
        x.narrow(1, -4, 1)
    with pytest.raises(RuntimeError, match=r"narrow\(\) cannot be applied to a 0-dim tensor\."):
        ferrograd.tensor(1.0).narrow(0, 0, 1)


# ---- tril / triu ----


@pytest.mark.parametrize("k", [0, 1, -1, 3, -10, 10])
def test_tril_triu(device, k):
    check_op(lambda a: a.tril(k), lambda a: np.tril(a, k), M, device=device)
    check_op(lambda a: a.triu(k), lambda a: np.triu(a, k), M, device=device)
    check_op(lambda a: ferrograd.tril(a, k), lambda a: np.tril(a, k), X, device=device)
    check_op(lambda a: ferrograd.triu(a, diagonal=k), lambda a: np.triu(a, k), X, device=device)


def test_tril_triu_names_dtypes_and_errors():
    m = leaf((3, 4))
    assert grad_fn_name(m.tril()) == "TrilBackward0"
    assert grad_fn_name(m.triu(1)) == "TriuBackward0"
    ints = ferrograd.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(ints.tril().numpy(), np.tril(np.arange(12).reshape(3, 4)))
    assert ints.tril().dtype == ferrograd.int64
    np.testing.assert_array_equal(
        ferrograd.ones(2, 3, dtype=ferrograd.bool).triu(1).numpy(), np.triu(np.ones((2, 3), bool), 1)
    )
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        ferrograd.ones(3).tril()
    with pytest.raises(RuntimeError, match="triu: input tensor must have at least 2 dimensions"):
        ferrograd.ones(3).triu()


# ---- diagonal / diag ----


@pytest.mark.parametrize(
    "offset, dim1, dim2", [(0, 0, 1), (1, 0, 1), (-2, 0, 1), (0, 1, 2), (1, -1, 0), (5, 1, 2), (-5, 1, 2), (2, 2, 1)]
)
def test_diagonal(device, offset, dim1, dim2):
    check_op(
        lambda a: a.diagonal(offset, dim1, dim2),
        lambda a: np.diagonal(a, offset, dim1, dim2),
        X,
        device=device,
    )
    check_op(
        lambda a: ferrograd.diagonal(a, offset=offset, dim1=dim1, dim2=dim2),
        lambda a: np.diagonal(a, offset, dim1, dim2),
        X,
        device=device,
    )


def test_diagonal_is_a_view():
    x = leaf((3, 4))
    y = x.diagonal(1)
    assert grad_fn_name(y) == "DiagonalBackward0"
    assert not y.is_contiguous()
    assert_shares_storage(y, x)
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 1, 1"):
        leaf().diagonal(0, 1, 1)
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical -1, -1"):
        leaf().diagonal(0, -1, -1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        leaf().diagonal(0, 1, 3)


@pytest.mark.parametrize("k", [0, 1, -1, 2, 5])
def test_diag(device, k):
    check_op(lambda a: a.diag(k), lambda a: np.diag(a, k), M, device=device)
    check_op(lambda a: ferrograd.diag(a, k), lambda a: np.diag(a, k), V, device=device)


def test_diag_names_and_errors():
    m = leaf((3, 4))
    d = m.diag()
    assert grad_fn_name(d) == "DiagonalBackward0_copy"
    assert d.is_contiguous()
    with ferrograd.no_grad():
        d.fill_(0.0)
    assert m.detach().numpy().sum() == sum(range(12))  # a copy, not a view
    assert grad_fn_name(leaf((4,)).diag(1)) == "DiagEmbedBackward0"
    with pytest.raises(RuntimeError, match=r"diag\(\): Supports 1D or 2D tensors. Got 3D"):
        leaf().diag()
    with pytest.raises(RuntimeError, match=r"diag\(\): Supports 1D or 2D tensors. Got 0D"):
        ferrograd.tensor(1.0).diag()


def test_empty_inputs():
    empty = np.zeros((0, 3))
    check_op(lambda a: a.flip(0), lambda a: a.copy(), empty)
    check_op(lambda a: a.roll(2, 1), lambda a: np.roll(a, 2, 1), empty)
    check_op(lambda a: a.repeat(2, 2), lambda a: np.tile(a, (2, 2)), empty)
    check_op(lambda a: a.tril(), lambda a: np.tril(a), empty)
    check_op(lambda a: a.diagonal(), lambda a: np.diagonal(a), empty)
    check_op(lambda a: a.movedim(0, 1), lambda a: np.moveaxis(a, 0, 1), empty)
