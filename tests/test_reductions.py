"""Reductions, scans and order statistics: values against NumPy, gradients against finite
differences, keepdim and dim handling, empty inputs, dtype rules, node names, return types,
second derivatives and PyTorch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
from opcheck import check_op, make_tensor

rng = np.random.default_rng(7)


def distinct(shape, lo=-3.0, hi=3.0) -> np.ndarray:
    """Values with no ties and no zeros (max/sort/median are smooth there)."""
    n = int(np.prod(shape))
    v = np.linspace(lo, hi, n + 1)
    v = v[v != 0][:n] + 0.01
    return rng.permutation(v).reshape(shape)


def node(t) -> str:
    return type(t.grad_fn).__name__


# ---- prod ----


@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_prod(device, dim, keepdim):
    x = rng.uniform(0.5, 1.5, (3, 4)) * rng.choice([-1, 1], (3, 4))
    if dim is None:
        check_op(lambda t: t.prod(), np.prod, x, device=device)
        check_op(lambda t: ferrograd.prod(t), np.prod, x, device=device)
    else:
        check_op(lambda t: t.prod(dim, keepdim), lambda a: np.prod(a, axis=dim, keepdims=keepdim), x, device=device)


def test_prod_gradient_with_zeros():
    for values in ([2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 3.0, 0.0], [[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]]):
        check_op(lambda t: t.prod(), np.prod, np.array(values))
    check_op(lambda t: t.prod(1), lambda a: a.prod(1), np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0], [0.0, 0.0, 1.0]]))
    x = ferrograd.tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 24.0, 0.0, 0.0]


def test_prod_dtypes_names_and_edges():
    m = ferrograd.tensor([[1, 2, 3], [4, 5, 6]])
    assert m.prod().item() == 720 and m.prod().dtype == ferrograd.int64
    assert m.prod(1, keepdim=True).tolist() == [[6], [120]]
    assert ferrograd.tensor([1, 2], dtype=ferrograd.int32).prod().dtype == ferrograd.int64
    assert ferrograd.tensor([True, True]).prod().dtype == ferrograd.int64
    assert m.prod(dtype=ferrograd.float64).dtype == ferrograd.float64
    assert ferrograd.zeros(0, 3).prod(0).tolist() == [1.0, 1.0, 1.0]
    assert ferrograd.tensor(3.0).prod(0).item() == 3.0
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    assert node(x.prod()) == "ProdBackward0" and node(x.prod(0)) == "ProdBackward1"
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        m.prod(2)


# ---- var / std ----

MOMENT_CASES = [
    ({}, {"ddof": 1}),
    ({"dim": 1}, {"axis": 1, "ddof": 1}),
    ({"dim": (0, 1), "keepdim": True}, {"axis": (0, 1), "ddof": 1, "keepdims": True}),
    ({"dim": 0, "unbiased": False}, {"axis": 0, "ddof": 0}),
    ({"dim": -1, "correction": 0}, {"axis": -1, "ddof": 0}),
    ({"dim": 1, "correction": 2, "keepdim": True}, {"axis": 1, "ddof": 2, "keepdims": True}),
    ({"correction": 0.5}, {"ddof": 0.5}),
]


@pytest.mark.parametrize("kwargs, np_kwargs", MOMENT_CASES)
def test_var_and_std(device, kwargs, np_kwargs):
    x = rng.standard_normal((3, 5))
    check_op(lambda t: t.var(**kwargs), lambda a: np.var(a, **np_kwargs), x, device=device)
    check_op(lambda t: ferrograd.std(t, **kwargs), lambda a: np.std(a, **np_kwargs), x, device=device)


@pytest.mark.parametrize("kwargs, np_kwargs", MOMENT_CASES[:4])
def test_var_mean_and_std_mean(device, kwargs, np_kwargs):
    x = rng.standard_normal((3, 5))
    mean_kwargs = {k: v for k, v in np_kwargs.items() if k != "ddof"}
    for fn, np_fn in ((ferrograd.var_mean, np.var), (ferrograd.std_mean, np.std)):
        # Both outputs carry gradient: combine them so check_op sees both.
        check_op(
            lambda t, fn=fn: (lambda r: r[0] + 2 * r[1])(fn(t, **kwargs)),
            lambda a, np_fn=np_fn: np_fn(a, **np_kwargs) + 2 * np.mean(a, **mean_kwargs),
            x,
            device=device,
        )
        out = fn(ferrograd.tensor(x), **kwargs)
        assert isinstance(out, tuple) and len(out) == 2
        np.testing.assert_allclose(out[1].numpy(), np.mean(x, **mean_kwargs), rtol=1e-12)


def test_moment_overloads_names_and_errors():
    f = ferrograd.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert f.var(True).item() == pytest.approx(3.5)
    assert f.var(False).item() == pytest.approx(35 / 12)
    assert f.std(1, True).tolist() == [1.0, 1.0]
    assert ferrograd.var(f, 1, True, True).shape == (2, 1)
    assert node(f.var()) == "VarBackward0" and node(f.std(1)) == "StdBackward0"
    v, m = ferrograd.var_mean(f, 1)
    assert node(v) == node(m) == "VarMeanBackward0"
    assert node(ferrograd.std_mean(f)[0]) == "StdMeanBackward0"
    assert math.isnan(ferrograd.tensor([1.0]).var().item())
    assert math.isnan(ferrograd.tensor(3.0).var().item())
    assert all(math.isnan(v) for v in ferrograd.zeros(0, 3).var(0).tolist())
    with pytest.raises(NotImplementedError, match="std and var only support floating point and complex dtypes"):
        ferrograd.tensor([1, 2]).var()
    with pytest.raises(IndexError, match="Dimension out of range"):
        f.var(5)


def test_moment_second_derivatives():
    x = rng.standard_normal((3, 4))
    check_double_backward(lambda t: t.var(1), x)
    check_double_backward(lambda t: t.std(), x)
    check_double_backward(lambda t: ferrograd.std_mean(t, 0)[0], x)


# ---- amax / amin / argmax / argmin / max / min ----


@pytest.mark.parametrize(
    "dim, keepdim", [(None, False), ((), False), (0, False), (1, True), ((0, 2), True), (-1, False)]
)
@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_amin(device, name, dim, keepdim):
    x = distinct((2, 3, 4))
    np_dim = None if dim in (None, ()) else dim
    kwargs = {} if dim is None else {"dim": dim}
    check_op(
        lambda t: getattr(t, name)(keepdim=keepdim, **kwargs),
        lambda a: getattr(np, name)(a, axis=np_dim, keepdims=keepdim),
        x,
        device=device,
    )


def test_amax_ties_share_and_dtypes():
    x = ferrograd.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    out = x.amax(1)
    assert node(out) == "AmaxBackward0" and node(x.amin()) == "AminBackward0"
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    assert ferrograd.tensor([[1, 5], [7, 2]]).amax(0).tolist() == [7, 5]
    assert ferrograd.tensor([True, False]).amax().item() is True
    assert math.isnan(ferrograd.tensor([1.0, math.nan]).amax().item())
    with pytest.raises(IndexError, match=r"amax\(\): Expected reduction dim 0 to have non-zero size."):
        ferrograd.zeros(0, 3).amax(0)
    assert tuple(ferrograd.zeros(0, 3).amax(1).shape) == (0,)
    message = r"amin\(\): Expected reduction dim to be specified for input.numel\(\) == 0."
    with pytest.raises(RuntimeError, match=message):
        ferrograd.zeros(0, 3).amin()
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        x.amax(dim=(0, 0))


def test_argmax_argmin(device):
    x = distinct((3, 4, 5))
    t = make_tensor(x, "transposed", device=device)
    assert t.argmax().item() == np.argmax(x)
    assert ferrograd.argmin(t).item() == np.argmin(x)
    for d in (0, 1, -1):
        assert t.argmax(d).tolist() == np.argmax(x, axis=d).tolist()
        assert t.argmin(dim=d, keepdim=True).tolist() == np.expand_dims(np.argmin(x, axis=d), d).tolist()
    assert t.argmax(keepdim=True).shape == (1, 1, 1)
    first = ferrograd.tensor([3.0, 1.0, 2.0, 1.0])
    assert first.argmin().item() == 1
    assert ferrograd.tensor([1.0, math.nan, 3.0]).argmax().item() == 1
    assert ferrograd.tensor(3.0).argmax(0).item() == 0
    assert t.argmax().dtype == ferrograd.int64 and not ferrograd.tensor(x, requires_grad=True).argmax().requires_grad


def test_argmax_errors():
    with pytest.raises(NotImplementedError, match=r"argmax\(\): does not support bool input"):
        ferrograd.tensor([True, False]).argmax()
    message = r"argmax\(\): Expected reduction dim to be specified for input.numel\(\) == 0."
    with pytest.raises(IndexError, match=message):
        ferrograd.zeros(0).argmax()
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim 0 to have non-zero size."):
        ferrograd.zeros(0, 2).argmin(0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ferrograd.zeros(2, 2).argmax(2)


@pytest.mark.parametrize("d, keepdim", [(0, False), (1, True), (-1, False)])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim(device, name, d, keepdim):
    x = distinct((3, 4))
    np_fn, np_arg = getattr(np, name), getattr(np, "arg" + name)
    check_op(lambda t: getattr(t, name)(d, keepdim)[0], lambda a: np_fn(a, axis=d, keepdims=keepdim), x, device=device)
    out = getattr(ferrograd, name)(make_tensor(x, device=device), dim=d, keepdim=keepdim)
    expected = np.expand_dims(np_arg(x, axis=d), d) if keepdim else np_arg(x, axis=d)
    assert type(out).__name__ == name and out.indices.tolist() == expected.tolist()
    check_op(lambda t: getattr(t, name)(), np_fn, x, device=device)


def test_max_return_type_repr():
    text = repr(ferrograd.tensor([[1.0, 5.0]]).max(1))
    assert text == "ferrograd.return_types.max(\nvalues=tensor([5.]),\nindices=tensor([1]))"


# ---- logsumexp ----


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), ((0, 1), False), (-1, False)])
def test_logsumexp(device, dim, keepdim):
    x = rng.standard_normal((3, 4)) * 3

    def ref(a):
        m = np.max(a, axis=dim, keepdims=True)
        out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, axis=dim)

    check_op(lambda t: t.logsumexp(dim, keepdim), ref, x, device=device)
    check_op(lambda t: ferrograd.logsumexp(t, dim, keepdim=keepdim), ref, x, grad=False, device=device)


def test_logsumexp_is_stable_and_promotes():
    big = ferrograd.tensor([1000.0, 1000.0])
    assert big.logsumexp(0).item() == pytest.approx(1000 + math.log(2))
    assert ferrograd.tensor([math.inf, 1.0]).logsumexp(0).item() == math.inf
    assert ferrograd.tensor([-math.inf, -math.inf]).logsumexp(0).item() == -math.inf
    assert ferrograd.zeros(0, 3).logsumexp(0).tolist() == [-math.inf] * 3
    ints = ferrograd.tensor([[1, 2, 3], [4, 5, 6]]).logsumexp(1)
    assert ints.dtype == ferrograd.float32
    np.testing.assert_allclose(ints.numpy(), [3.4076059, 6.4076059], rtol=1e-6)
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    assert node(x.logsumexp(0)) == "LogsumexpBackward0"
    check_double_backward(lambda t: t.logsumexp(1), rng.standard_normal((2, 3)))


# ---- cumsum / cumprod ----


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_cumprod(device, dim):
    x = rng.uniform(0.5, 1.5, (3, 4)) * rng.choice([-1, 1], (3, 4))
    check_op(lambda t: t.cumsum(dim), lambda a: np.cumsum(a, axis=dim), x, device=device)
    check_op(lambda t: ferrograd.cumprod(t, dim), lambda a: np.cumprod(a, axis=dim), x, device=device)


def test_cumprod_gradient_with_zeros():
    x = ferrograd.tensor([2.0, 0.0, 3.0, 0.0, 5.0], requires_grad=True)
    x.cumprod(0).sum().backward()
    assert x.grad.tolist() == [1.0, 8.0, 0.0, 0.0, 0.0]
    for values in ([[1.0, 0.0, 2.0, 3.0], [0.0, 2.0, 0.5, 0.0], [1.5, 2.0, -1.0, 0.5]], [[0.0, 0.0, 1.0, 2.0]]):
        check_op(lambda t: t.cumprod(1), lambda a: np.cumprod(a, axis=1), np.array(values))
    check_op(lambda t: t.cumprod(0), lambda a: np.cumprod(a, axis=0), np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]))


def test_scan_dtypes_names_and_edges():
    m = ferrograd.tensor([[1, 2, 3], [4, 5, 6]], dtype=ferrograd.int32)
    assert m.cumsum(1).dtype == ferrograd.int64 and m.cumsum(1).tolist() == [[1, 3, 6], [4, 9, 15]]
    assert m.cumprod(0).tolist() == [[1, 2, 3], [4, 10, 18]]
    assert ferrograd.tensor([True, True]).cumsum(0).tolist() == [1, 2]
    assert m.cumsum(0, dtype=ferrograd.float32).dtype == ferrograd.float32
    assert tuple(ferrograd.zeros(0, 3).cumsum(0).shape) == (0, 3)
    assert ferrograd.tensor(3.0).cumsum(0).item() == 3.0
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    assert node(x.cumsum(0)) == "CumsumBackward0" and node(x.cumprod(0)) == "CumprodBackward0"
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.cumsum(1)
    check_double_backward(lambda t: t.cumprod(1), rng.uniform(0.5, 2, (2, 3)))
    check_double_backward(lambda t: t.cumsum(0) * t, rng.standard_normal((3, 2)))


# ---- all / any / count_nonzero ----


def test_all_any_count_nonzero(device):
    a = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    t = make_tensor(a, "transposed", device=device)
    assert t.all().item() is False and t.any().item() is True
    assert t.all(1).tolist() == a.all(1).tolist()
    assert ferrograd.any(t, 0).tolist() == a.any(0).tolist()
    assert t.all(dim=1, keepdim=True).tolist() == a.all(1, keepdims=True).tolist()
    assert t.any((0, 1)).item() is True
    assert t.count_nonzero().item() == np.count_nonzero(a)
    assert t.count_nonzero(1).tolist() == np.count_nonzero(a, axis=1).tolist()
    assert ferrograd.count_nonzero(t, dim=(0, 1)).item() == 6
    assert t.count_nonzero().dtype == ferrograd.int64 and t.all().dtype == ferrograd.bool
    assert ferrograd.zeros(0).all().item() is True and ferrograd.zeros(0).any().item() is False
    assert ferrograd.tensor([1, 0]).all().item() is False
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.all(2)


# ---- norm ----


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, math.inf, -math.inf])
@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
def test_norm(device, p, dim):
    x = distinct((3, 4))
    ord_ = 2 if p == "fro" else p
    axis = dim if dim is not None else None

    def ref(a):
        flat = np.abs(a) if axis is not None else np.abs(a).reshape(-1)
        ax = axis if axis is not None else 0
        if ord_ == math.inf:
            return flat.max(axis=ax)
        if ord_ == -math.inf:
            return flat.min(axis=ax)
        return (flat**ord_).sum(axis=ax) ** (1 / ord_)

    kwargs = {} if dim is None else {"dim": dim}
    check_op(lambda t: t.norm(p, **kwargs), ref, x, device=device)


def test_norm_zero_and_edge_cases():
    x = ferrograd.tensor([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0]], requires_grad=True)
    assert x.norm(0).item() == 3.0 and x.norm(0, dim=1).tolist() == [2.0, 1.0]
    x.norm(0).backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    z = ferrograd.zeros(3, requires_grad=True)
    z.norm().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
    t = ferrograd.tensor([1.0, -3.0, 3.0], requires_grad=True)
    t.norm(math.inf).backward()
    assert t.grad.tolist() == [0.0, -0.5, 0.5]
    assert node(t.norm(1)) == "LinalgVectorNormBackward0"
    assert t.norm(p=2, dim=0, keepdim=True).shape == (1,)
    with pytest.raises(NotImplementedError, match="linalg.vector_norm: Expected a floating point or complex tensor"):
        ferrograd.tensor([1, 2]).norm()


# ---- median / sort / topk ----


def lower_median(a: np.ndarray, axis: int, keepdim: bool) -> np.ndarray:
    picked = np.take(np.sort(a, axis=axis), [(a.shape[axis] - 1) // 2], axis=axis)
    return picked if keepdim else np.squeeze(picked, axis=axis)


def test_median_of_all_elements(device):
    for shape in ((3, 5), (4, 4)):
        x = distinct(shape)
        check_op(lambda t: t.median(), lambda a: lower_median(a.reshape(-1), 0, False), x, device=device)
        check_op(lambda t: ferrograd.median(t), lambda a: lower_median(a.reshape(-1), 0, False), x, device=device)


@pytest.mark.parametrize("d, keepdim", [(0, False), (1, True), (-1, False)])
def test_median_along_a_dim(device, d, keepdim):
    x = distinct((3, 5))
    check_op(lambda t: t.median(d, keepdim).values, lambda a: lower_median(a, d, keepdim), x, device=device)
    out = make_tensor(x, device=device).median(d, keepdim)
    indices = out.indices.cpu().numpy() if keepdim else np.expand_dims(out.indices.cpu().numpy(), d)
    picked = np.take_along_axis(x, indices, d)
    np.testing.assert_array_equal(picked if keepdim else picked.squeeze(d), out.values.cpu().numpy())


def test_median_edges_names_and_return_type():
    assert ferrograd.tensor([1.0, 2.0, 3.0, 4.0]).median().item() == 2.0
    assert math.isnan(ferrograd.tensor([1.0, math.nan, 2.0]).median().item())
    assert math.isnan(ferrograd.zeros(0).median().item())
    assert ferrograd.tensor([[1, 2, 3]]).median().item() == 2
    out = ferrograd.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).median(1)
    assert repr(out) == "ferrograd.return_types.median(\nvalues=tensor([2., 5.]),\nindices=tensor([1, 1]))"
    scalar = ferrograd.tensor(3.0).median(0)
    assert scalar.values.item() == 3.0 and scalar.indices.item() == 0
    x = ferrograd.tensor([1.0, 2.0, 2.0, 0.5], requires_grad=True)
    assert node(x.median()) == "MedianBackward0" and node(x.median(0).values) == "MedianBackward1"
    x.median().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 0.0]
    y = ferrograd.tensor([2.0, 2.0, 1.0], requires_grad=True)
    y.median().backward()  # ties share the gradient
    assert y.grad.tolist() == [0.5, 0.5, 0.0]
    with pytest.raises(IndexError, match=r"median\(\): Expected reduction dim 1 to have non-zero size."):
        ferrograd.zeros(2, 0).median(1)
    with pytest.raises(NotImplementedError, match="\"median_cpu\" not implemented for 'Bool'"):
        ferrograd.tensor([True, False]).median()


@pytest.mark.parametrize("dim, descending", [(-1, False), (0, True), (1, False), (0, False)])
def test_sort(device, dim, descending):
    x = distinct((3, 4))
    ref = (lambda a: -np.sort(-a, axis=dim)) if descending else (lambda a: np.sort(a, axis=dim))
    check_op(lambda t: t.sort(dim, descending).values, ref, x, device=device)
    out = ferrograd.sort(make_tensor(x, "transposed", device=device), dim=dim, descending=descending)
    assert type(out).__name__ == "sort"
    np.testing.assert_array_equal(np.take_along_axis(x, out.indices.cpu().numpy(), dim), out.values.cpu().numpy())
    assert ferrograd.argsort(make_tensor(x, device=device), dim, descending).tolist() == out.indices.tolist()


def test_sort_is_stable_and_orders_nan_last():
    t = ferrograd.tensor([2.0, 1.0, 2.0, math.nan, 1.0, 0.0])
    asc = t.sort(stable=True)
    assert asc.indices.tolist() == [5, 1, 4, 0, 2, 3]
    desc = t.sort(descending=True, stable=True)
    assert desc.indices.tolist() == [3, 0, 2, 1, 4, 5]
    assert ferrograd.tensor([True, False]).sort().indices.tolist() == [1, 0]
    i = ferrograd.tensor([[3, 1, 2]]).sort()
    assert i.values.tolist() == [[1, 2, 3]] and i.values.dtype == ferrograd.int64
    s = ferrograd.tensor(3.0).sort()
    assert s.values.item() == 3.0 and s.indices.item() == 0
    e = ferrograd.zeros(0, 3).sort(0)
    assert tuple(e.values.shape) == (0, 3) and e.indices.dtype == ferrograd.int64
    x = ferrograd.tensor([3.0, 1.0], requires_grad=True)
    assert node(x.sort().values) == "SortBackward0"
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.sort(1)


@pytest.mark.parametrize("k, dim, largest", [(2, -1, True), (1, 0, False), (4, 1, False), (3, 1, True), (0, -1, True)])
def test_topk(device, k, dim, largest):
    x = distinct((3, 6))

    def ref(a):
        s = -np.sort(-a, axis=dim) if largest else np.sort(a, axis=dim)
        return np.take(s, range(k), axis=dim)

    check_op(lambda t: t.topk(k, dim, largest).values, ref, x, device=device)
    out = ferrograd.topk(make_tensor(x, device=device), k, dim=dim, largest=largest, sorted=True)
    assert type(out).__name__ == "topk"
    np.testing.assert_array_equal(np.take_along_axis(x, out.indices.cpu().numpy(), dim), out.values.cpu().numpy())


def test_topk_large_slices_and_edges():
    x = rng.permutation(1000).astype(np.float64)
    out = ferrograd.tensor(x).topk(5)
    assert out.values.tolist() == [999.0, 998.0, 997.0, 996.0, 995.0]
    assert out.indices.tolist() == [int(np.where(x == v)[0][0]) for v in out.values.tolist()]
    assert ferrograd.tensor(x).topk(3, largest=False).values.tolist() == [0.0, 1.0, 2.0]
    nan = ferrograd.tensor([1.0, math.nan, 3.0])
    assert math.isnan(nan.topk(2).values.tolist()[0]) and nan.topk(2).indices.tolist() == [1, 2]
    assert nan.topk(2, largest=False).values.tolist() == [1.0, 3.0]
    assert tuple(ferrograd.zeros(2, 3).topk(0).values.shape) == (2, 0)
    assert ferrograd.tensor(3.0).topk(1).values.item() == 3.0
    t = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    assert node(t.topk(1).values) == "TopkBackward0"
    for k in (3, -1):
        with pytest.raises(RuntimeError, match="selected index k out of range"):
            t.topk(k)


def test_selection_second_derivatives():
    x = distinct((3, 4))
    check_double_backward(lambda t: t.sort(1).values * t.sort(1).values, x)
    check_double_backward(lambda t: t.topk(2, 0).values ** 3, x)
    check_double_backward(lambda t: t.median(1).values ** 2, x)
    check_double_backward(lambda t: t.amax(1) ** 2, x)
    check_double_backward(lambda t: t.prod(1), x)
