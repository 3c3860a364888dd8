"""Every backend kernel on every available device: forward against NumPy and gradients
against float64 finite differences (on the GPU too where it holds float64)."""

import numpy as np
import pytest

import ferrograd
from opcheck import check_op, make_tensor, to_numpy

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal(4)
POSITIVE = np.abs(A) + 0.5

UNARY = {
    "neg": (lambda x: -x, lambda a: -a, A),
    "abs": (lambda x: x.abs(), np.abs, A),
    "exp": (lambda x: x.exp(), np.exp, A),
    "log": (lambda x: x.log(), np.log, POSITIVE),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, POSITIVE),
    "rsqrt": (lambda x: x.rsqrt(), lambda a: 1 / np.sqrt(a), POSITIVE),
    "sin": (lambda x: x.sin(), np.sin, A),
    "cos": (lambda x: x.cos(), np.cos, A),
    "tanh": (lambda x: x.tanh(), np.tanh, A),
    "sigmoid": (lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), A),
    "relu": (lambda x: x.relu(), lambda a: np.maximum(a, 0), A),
    "reciprocal": (lambda x: x.reciprocal(), lambda a: 1 / a, POSITIVE),
    "square": (lambda x: x.square(), np.square, A),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, device):
    fn, ref, data = UNARY[name]
    check_op(fn, ref, data, device=device)


BINARY = {
    "add": (lambda x, y: x + y, np.add),
    "sub": (lambda x, y: x - y, np.subtract),
    "mul": (lambda x, y: x * y, np.multiply),
    "div": (lambda x, y: x / (y.abs() + 1), lambda a, b: a / (np.abs(b) + 1)),
    "pow": (lambda x, y: x.abs() ** y, lambda a, b: np.abs(a) ** b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcast(name, device):
    fn, ref = BINARY[name]
    check_op(fn, ref, A, B, device=device)


def test_elementwise_maximum_propagates_nan(device):
    a = np.array([1.0, np.nan, 3.0, -1.0])
    b = np.array([2.0, 0.0, np.nan, -2.0])
    check_op(lambda x, y: x.max(y), np.maximum, a, b, grad=False, device=device)
    check_op(lambda x, y: x.min(y), np.minimum, a, b, grad=False, device=device)


def test_scalar_operands(device):
    check_op(lambda x: 2.5 * x - 1 + x / 4 + 2**x, lambda a: 2.5 * a - 1 + a / 4 + 2**a, A, device=device)


@pytest.mark.parametrize("op", ["__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"])
def test_comparisons(op, device):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    check_op(lambda x, y: getattr(x, op)(y), lambda x, y: getattr(x, op)(y), a, b, grad=False, device=device)


def test_where_picks_and_routes_gradients(device):
    check_op(lambda x, y: ferrograd.where(x > 0, x, y), lambda a, b: np.where(a > 0, a, b), A, B, device=device)


@pytest.mark.parametrize(
    "fn, ref",
    [
        (lambda x: x.sum(), np.sum),
        (lambda x: x.sum(0), lambda a: a.sum(0)),
        (lambda x: x.sum((0, 1), keepdim=True), lambda a: a.sum((0, 1), keepdims=True)),
        (lambda x: x.mean(1), lambda a: a.mean(1)),
        (lambda x: x.norm(), np.linalg.norm),
        (lambda x: x.norm(dim=0), lambda a: np.linalg.norm(a, axis=0)),
        (lambda x: x.max(), np.max),
        (lambda x: x.min(dim=1)[0], lambda a: a.min(1)),
        (lambda x: x.max(dim=0, keepdim=True)[0], lambda a: a.max(0, keepdims=True)),
    ],
)
def test_reductions(fn, ref, device):
    check_op(fn, ref, RNG.standard_normal((3, 4, 2)), device=device)


def test_arg_reductions_return_first_extreme(device):
    x = make_tensor(np.array([[1.0, 3.0, 3.0], [2.0, np.nan, 0.0], [5.0, 5.0, 1.0]]), device=device)
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(to_numpy(indices), [1, 1, 0])
    np.testing.assert_array_equal(to_numpy(values), [3.0, np.nan, 5.0])
    assert to_numpy(x.min(dim=0)[1]).tolist() == [0, 1, 1]


def test_integer_and_bool_reductions(device):
    x = make_tensor(np.arange(12, dtype=np.int64).reshape(3, 4), device=device)
    assert x.sum().item() == 66 and x.sum().dtype == ferrograd.int64
    assert to_numpy(x.max(dim=1)[0]).tolist() == [3, 7, 11]
    assert (x > 5).sum().item() == 6


def test_large_reduction_in_two_passes(device):
    data = RNG.standard_normal((2, 30000)).astype(np.float32)
    x = make_tensor(data, device=device)
    np.testing.assert_allclose(to_numpy(x.sum(1)), data.sum(1, dtype=np.float64), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(to_numpy(x.norm()), np.linalg.norm(data), rtol=1e-5)
    assert x.max().item() == data.max()


@pytest.mark.parametrize(
    "shapes",
    [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 2)), ((4,), (4,)), ((3, 4), (4,)), ((70, 9), (9, 66))],
)
def test_matmul(shapes, device):
    a, b = (RNG.standard_normal(s) for s in shapes)
    check_op(lambda x, y: x @ y, np.matmul, a, b, device=device, grad=max(a.size, b.size) < 200)


def test_matmul_vec4_path_matches_numpy(device):
    a = RNG.standard_normal((65, 128)).astype(np.float32)
    b = RNG.standard_normal((128, 68)).astype(np.float32)
    got = to_numpy(make_tensor(a, device=device) @ make_tensor(b, device=device))
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)


def test_integer_matmul(device):
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    got = to_numpy(make_tensor(a, device=device) @ make_tensor(a.T.copy(), device=device))
    np.testing.assert_array_equal(got, a @ a.T)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_casts_and_fills(dtype, device):
    x = make_tensor(np.array([[-1.5, 0.0], [2.7, 3.0]]), "transposed", device=device)
    target = getattr(ferrograd, dtype)
    np.testing.assert_array_equal(to_numpy(x.to(target)), to_numpy(x).astype(dtype))
    filled = ferrograd.full((2, 3), 7, dtype=target, device=device)
    assert filled.device.type == device
    np.testing.assert_array_equal(to_numpy(filled), np.full((2, 3), 7).astype(dtype))


def test_creation_functions_place_tensors(device):
    for t in [
        ferrograd.zeros(2, 3, device=device),
        ferrograd.ones(2, device=device),
        ferrograd.eye(3, device=device),
        ferrograd.arange(5, device=device),
        ferrograd.linspace(0, 1, 5, device=device),
        ferrograd.rand(4, device=device),
        ferrograd.randn(4, device=device),
        ferrograd.randint(0, 3, (4,), device=device),
        ferrograd.tensor([1, 2], device=device),
        ferrograd.zeros_like(ferrograd.ones(2), device=device),
    ]:
        assert t.device.type == device
    assert to_numpy(ferrograd.eye(2, device=device)).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert to_numpy(ferrograd.arange(1, 7, 2, device=device)).tolist() == [1, 3, 5]


def test_random_draws_are_seeded(device):
    ferrograd.manual_seed(3)
    a = ferrograd.randn(2000, device=device)
    ferrograd.manual_seed(3)
    b = ferrograd.randn(2000, device=device)
    c = ferrograd.randn(2000, device=device)
    assert (a == b).sum().item() == 2000
    assert (a != c).sum().item() > 1900
    values = to_numpy(a)
    assert abs(values.mean()) < 0.1 and abs(values.std() - 1) < 0.1
    u = to_numpy(ferrograd.rand(2000, device=device))
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.05
    ints = to_numpy(ferrograd.randint(-3, 4, (2000,), device=device))
    assert set(ints.tolist()) == set(range(-3, 4))


def test_inplace_ops_and_views(device):
    x = ferrograd.zeros(3, 4, device=device)
    x[:, 1] = 5
    x.add_(1)
    x[0] += ferrograd.ones(4, device=device)
    expected = np.ones((3, 4))
    expected[:, 1] = 6
    expected[0] += 1
    np.testing.assert_array_equal(to_numpy(x), expected)


def test_backward_keeps_gradients_on_the_device(device):
    w = ferrograd.randn(4, 3, device=device, requires_grad=True)
    x = ferrograd.randn(5, 4, device=device)
    loss = (x @ w).relu().mean()
    loss.backward()
    assert w.grad.device.type == device
    first = to_numpy(w.grad).copy()
    (x @ w).relu().mean().backward()
    assert w.grad.device.type == device
    np.testing.assert_allclose(to_numpy(w.grad), 2 * first, rtol=1e-6)
    xs, ws = to_numpy(x), to_numpy(w.detach())
    mask = (xs @ ws > 0).astype(np.float64)
    np.testing.assert_allclose(first, xs.T @ mask / mask.size, rtol=1e-5, atol=1e-7)
