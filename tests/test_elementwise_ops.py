"""Elementwise ops: values against NumPy and exact math, gradients against finite
differences (check_op), broadcasting, layouts, empty tensors, dtype rules, node names,
second derivatives and PyTorch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
from opcheck import check_op, make_tensor

erf_np = np.vectorize(math.erf)

rng = np.random.default_rng(42)


def uniform(lo: float, hi: float, shape=(3, 4)) -> np.ndarray:
    return rng.uniform(lo, hi, size=shape)


def off_integers(shape=(3, 4)) -> np.ndarray:
    """Values at least 0.2 away from every integer (rounding ops are flat there)."""
    return rng.integers(-5, 5, size=shape) + rng.uniform(0.2, 0.8, size=shape)


# name, ferrograd function, NumPy reference, input values, grad_fn name
UNARY = [
    ("exp2", lambda x: x.exp2(), np.exp2, uniform(-3, 3), "Exp2Backward0"),
    ("expm1", lambda x: x.expm1(), np.expm1, uniform(-3, 3), "Expm1Backward0"),
    ("log2", lambda x: x.log2(), np.log2, uniform(0.2, 5), "Log2Backward0"),
    ("log10", lambda x: x.log10(), np.log10, uniform(0.2, 5), "Log10Backward0"),
    ("log1p", lambda x: x.log1p(), np.log1p, uniform(-0.8, 5), "Log1PBackward0"),
    ("rsqrt", lambda x: x.rsqrt(), lambda a: 1 / np.sqrt(a), uniform(0.2, 5), "RsqrtBackward0"),
    ("reciprocal", lambda x: x.reciprocal(), lambda a: 1 / a, uniform(0.5, 3), "ReciprocalBackward0"),
    ("square", lambda x: x.square(), np.square, uniform(-3, 3), "PowBackward0"),
    ("sign", lambda x: x.sign(), np.sign, off_integers(), "SignBackward0"),
    ("floor", lambda x: x.floor(), np.floor, off_integers(), "FloorBackward0"),
    ("ceil", lambda x: x.ceil(), np.ceil, off_integers(), "CeilBackward0"),
    ("round", lambda x: x.round(), np.round, off_integers(), "RoundBackward0"),
    ("trunc", lambda x: x.trunc(), np.trunc, off_integers(), "TruncBackward0"),
    ("frac", lambda x: x.frac(), lambda a: a - np.trunc(a), off_integers(), "FracBackward0"),
    ("sinh", lambda x: x.sinh(), np.sinh, uniform(-3, 3), "SinhBackward0"),
    ("cosh", lambda x: x.cosh(), np.cosh, uniform(-3, 3), "CoshBackward0"),
    ("tan", lambda x: x.tan(), np.tan, uniform(-1.2, 1.2), "TanBackward0"),
    ("asin", lambda x: x.asin(), np.arcsin, uniform(-0.9, 0.9), "AsinBackward0"),
    ("acos", lambda x: x.acos(), np.arccos, uniform(-0.9, 0.9), "AcosBackward0"),
    ("atan", lambda x: x.atan(), np.arctan, uniform(-4, 4), "AtanBackward0"),
    ("erf", lambda x: x.erf(), erf_np, uniform(-3, 3), "ErfBackward0"),
    ("erfinv", lambda x: x.erfinv(), None, uniform(-0.95, 0.95), "ErfinvBackward0"),
]


@pytest.mark.parametrize("name, fn, ref, values, node", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_and_gradients(device, name, fn, ref, values, node):
    check_op(fn, ref, values, device=device)
    x = ferrograd.tensor(values, requires_grad=True)
    assert type(fn(x).grad_fn).__name__ == node
    # The module-level function is the same op.
    np.testing.assert_allclose(getattr(ferrograd, name)(x).detach().numpy(), fn(x).detach().numpy())


@pytest.mark.parametrize("name, fn, ref, values, node", UNARY, ids=[u[0] for u in UNARY])
def test_unary_on_empty_tensors(name, fn, ref, values, node):
    out = fn(ferrograd.zeros(0, 3))
    assert tuple(out.shape) == (0, 3)


def test_erf_matches_math_erf_to_float64_precision():
    x = np.concatenate([np.linspace(-7, 7, 2001), [0.0, -0.0, 1e-300, 5.9, 6.0, 6.1]])
    got = ferrograd.tensor(x).erf().numpy()
    np.testing.assert_allclose(got, erf_np(x), rtol=1e-14, atol=1e-300)
    assert ferrograd.tensor([math.inf, -math.inf, math.nan]).erf().tolist()[:2] == [1.0, -1.0]
    assert math.isnan(ferrograd.tensor([math.nan]).erf().item())


def test_erf_float32_is_correctly_rounded_from_float64():
    x = np.linspace(-4, 4, 1001).astype(np.float32)
    got = ferrograd.tensor(x).erf().numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, erf_np(x.astype(np.float64)), rtol=1e-7, atol=1e-7)


def test_erfinv_inverts_erf():
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 4001), [1 - 1e-12, -(1 - 1e-15), 0.0]])
    x = ferrograd.tensor(y).erfinv()
    np.testing.assert_allclose(erf_np(x.numpy()), y, rtol=1e-13, atol=1e-15)
    special = ferrograd.tensor([1.0, -1.0, 1.5, -2.0, math.nan]).erfinv().tolist()
    assert special[:2] == [math.inf, -math.inf]
    assert all(math.isnan(v) for v in special[2:])


def test_erfinv_float32():
    y = np.linspace(-0.99, 0.99, 199).astype(np.float32)
    x = ferrograd.tensor(y).erfinv().numpy()
    assert x.dtype == np.float32
    np.testing.assert_allclose(erf_np(x.astype(np.float64)), y, rtol=1e-6, atol=1e-7)


def test_erfinv_gradient_is_the_reciprocal_slope_of_erf():
    y = np.array([-0.9, -0.3, 0.0, 0.5, 0.99])
    check_op(lambda x: x.erfinv(), None, y)
    x = ferrograd.tensor(y, requires_grad=True)
    x.erfinv().sum().backward()
    inv = np.array([ferrograd.tensor([v]).erfinv().item() for v in y])
    np.testing.assert_allclose(x.grad.numpy(), math.sqrt(math.pi) / 2 * np.exp(inv**2), rtol=1e-12)


def test_round_is_half_to_even_and_supports_decimals(device):
    x = make_tensor(np.array([0.5, 1.5, 2.5, -0.5, -2.5, 3.7]), device=device)
    assert x.round().tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, 4.0]
    v = np.array([1.2345, -2.5678, 1234.5678, 0.125])
    check_op(lambda t: t.round(decimals=2), lambda a: np.round(a, 2), v, grad=False, device=device)
    check_op(lambda t: t.round(decimals=-2), lambda a: np.round(a, -2), v * 100, grad=False, device=device)
    # PyTorch scales in the tensor's dtype: float32 rounding shows.
    assert ferrograd.tensor([1234.5678]).round(decimals=2).item() == np.float32(1234.5699)
    t = ferrograd.tensor(v, requires_grad=True)
    out = t.round(decimals=1)
    assert type(out.grad_fn).__name__ == "RoundBackward1"
    out.sum().backward()
    assert t.grad.tolist() == [0.0] * 4


def test_unary_dtype_rules():
    i = ferrograd.tensor([1, 2])
    b = ferrograd.tensor([True, False])
    for op in ("exp2", "expm1", "log2", "log1p", "sinh", "tan", "atan", "erf", "erfinv", "rsqrt", "reciprocal"):
        assert getattr(i, op)().dtype == ferrograd.float32, op
        assert getattr(b, op)().dtype == ferrograd.float32, op
    for op in ("floor", "ceil", "round", "trunc", "sign", "square"):
        out = getattr(i, op)()
        assert out.dtype == ferrograd.int64 and out.tolist() == getattr(np, op)(np.array([1, 2])).tolist(), op
    assert b.square().dtype == ferrograd.int64 and b.square().tolist() == [1, 0]
    assert b.sign().tolist() == [True, False]
    assert ferrograd.tensor([2.0], dtype=ferrograd.float64).exp2().dtype == ferrograd.float64


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ferrograd.tensor([True]).floor(), "\"floor_vml_cpu\" not implemented for 'Bool'"),
        (lambda: ferrograd.tensor([True]).ceil(), "\"ceil_vml_cpu\" not implemented for 'Bool'"),
        (lambda: ferrograd.tensor([True]).round(), "\"round_vml_cpu\" not implemented for 'Bool'"),
        (lambda: ferrograd.tensor([True]).trunc(), "\"trunc_vml_cpu\" not implemented for 'Bool'"),
        (lambda: ferrograd.tensor([1, 2]).frac(), "\"frac_cpu\" not implemented for 'Long'"),
        (lambda: ferrograd.tensor([True]).abs(), "\"abs_cpu\" not implemented for 'Bool'"),
        (lambda: ferrograd.tensor([1, 2]).round(decimals=2), "\"round_cpu\" not implemented for 'Long'"),
    ],
)
def test_unary_errors(call, message):
    with pytest.raises(NotImplementedError) as e:
        call()
    assert str(e.value) == message


SECOND_ORDER_UNARY = ["exp2", "log1p", "tan", "asin", "atan", "erf", "erfinv", "sinh", "rsqrt"]


@pytest.mark.parametrize("name", SECOND_ORDER_UNARY)
def test_unary_second_derivatives(name):
    values = {"log1p": uniform(0.1, 2, (5,)), "rsqrt": uniform(0.5, 2, (5,))}.get(name, uniform(-0.8, 0.8, (5,)))
    check_double_backward(lambda x: getattr(x, name)(), values)


# ---- two-input math ----

BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,))]


def apart(shape_a, shape_b, lo=0.5, hi=3.0):
    """Two arrays whose broadcast elements never tie, with |b| >= lo."""
    a = rng.uniform(-hi, hi, size=shape_a)
    b = rng.uniform(lo, hi, size=shape_b) * rng.choice([-1, 1], size=shape_b)
    return a, b


@pytest.mark.parametrize("shapes", BROADCAST)
def test_atan2(device, shapes):
    a, b = apart(*shapes)
    check_op(lambda x, y: x.atan2(y), np.arctan2, a, b, device=device)
    check_op(lambda x, y: ferrograd.atan2(x, y), np.arctan2, a, b, grad=False, device=device)
    assert type(ferrograd.tensor(a, requires_grad=True).atan2(ferrograd.tensor(b)).grad_fn).__name__ == "Atan2Backward0"


def safe_division_pair(shape_a, shape_b):
    """Dividends (of the broadcast shape) and divisors whose quotients stay 0.1 away from
    integers: fmod and remainder are smooth there."""
    shape = np.broadcast_shapes(shape_a, shape_b)
    b = rng.uniform(0.5, 2.0, size=shape_b) * rng.choice([-1, 1], size=shape_b)
    q = rng.integers(-4, 4, size=shape) + rng.uniform(0.1, 0.9, size=shape)
    return q * b, b


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,))])
def test_fmod_and_remainder(device, shapes):
    a, b = safe_division_pair(*shapes)
    check_op(lambda x, y: x.fmod(y), np.fmod, a, b, device=device)
    check_op(lambda x, y: x.remainder(y), np.remainder, a, b, device=device)
    check_op(lambda x, y: x % y, np.remainder, a, b, device=device)
    check_op(lambda x: x % 1.5, lambda v: np.remainder(v, 1.5), a, device=device)
    check_op(lambda x: x.fmod(-1.5), lambda v: np.fmod(v, -1.5), a, device=device)


def test_remainder_node_names_and_reflected_forms():
    x = ferrograd.tensor([-2.5, 1.5, 3.0], requires_grad=True)
    y = ferrograd.tensor([2.0, -1.0, 2.0])
    assert type((x % y).grad_fn).__name__ == "RemainderBackward1"
    assert type((x % 2).grad_fn).__name__ == "RemainderBackward0"
    assert type(x.fmod(y).grad_fn).__name__ == "FmodBackward1"
    assert type(x.fmod(2).grad_fn).__name__ == "FmodBackward0"
    np.testing.assert_allclose((2 % x).detach().numpy(), np.remainder(2, [-2.5, 1.5, 3.0]))
    np.testing.assert_allclose(ferrograd.remainder(2, x).detach().numpy(), np.remainder(2, [-2.5, 1.5, 3.0]))
    # PyTorch has no derivative for a number divided by a tensor.
    with pytest.raises(RuntimeError, match="derivative for aten::remainder is not implemented"):
        (2 % x).sum().backward()


def test_integer_remainder_floor_divide_and_fmod_follow_python():
    a = np.array([-7, -5, -1, 0, 1, 5, 7])
    for b in (3, -3):
        t = ferrograd.tensor(a)
        assert (t % b).tolist() == (a % b).tolist()
        assert (t // b).tolist() == (a // b).tolist()
        assert t.fmod(b).tolist() == np.fmod(a, b).tolist()
        assert (b % ferrograd.tensor([2, -4, 5])).tolist() == (b % np.array([2, -4, 5])).tolist()
        assert (b // ferrograd.tensor([2, -4, 5])).tolist() == (b // np.array([2, -4, 5])).tolist()
    assert (ferrograd.tensor([5, 7]) % 2).dtype == ferrograd.int64
    assert (ferrograd.tensor([5, 7], dtype=ferrograd.int32) // 2).dtype == ferrograd.int32
    assert (ferrograd.tensor([1, 2]) % 1.5).dtype == ferrograd.float32
    assert (ferrograd.tensor([True, False]) // ferrograd.tensor([1, 2])).tolist() == [1, 0]


def test_float_floor_divide_matches_python(device):
    a = np.array([7.5, -7.5, 1e10, -0.0, 3.0, -3.0, 0.3])
    b = np.array([2.0, 2.0, 3.0, 1.0, -0.1, 0.7, 0.1])
    got = (make_tensor(a, device=device) // make_tensor(b, device=device)).tolist()
    assert got == [x // y for x, y in zip(a.tolist(), b.tolist())]
    assert math.copysign(1, got[3]) == -1.0  # -0.0 // 1 keeps the sign
    inf = (ferrograd.tensor([5.0, -5.0]) // 0).tolist()
    assert inf == [math.inf, -math.inf]
    nan = (ferrograd.tensor([5.0, -5.0]) % 0).tolist()
    assert all(math.isnan(v) for v in nan)


def test_floor_divide_has_no_derivative():
    x = ferrograd.tensor([3.0, 4.0], requires_grad=True)
    out = x // 2
    assert type(out.grad_fn).__name__ == "NotImplemented"
    assert out.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        out.sum().backward()
    assert ferrograd.floor_divide(x, 2).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("expr", ["a % b", "a // b", "a.fmod(b)", "a % 0", "a.fmod(0)", "a // 0"])
def test_integer_division_by_zero_raises(expr):
    a, b = ferrograd.tensor([5, 7]), ferrograd.tensor([1, 0])  # noqa: F841 (used by eval)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        eval(expr)


def test_remainder_and_floor_divide_reject_bool():
    b = ferrograd.tensor([True, False])
    with pytest.raises(NotImplementedError, match="\"remainder_cpu\" not implemented for 'Bool'"):
        b % b
    with pytest.raises(NotImplementedError, match="\"fmod_cpu\" not implemented for 'Bool'"):
        b.fmod(b)
    with pytest.raises(NotImplementedError, match="\"div_floor_cpu\" not implemented for 'Bool'"):
        b // b


def test_inplace_mod_and_floordiv():
    t = ferrograd.tensor([-7, 5, 9])
    t %= 4
    assert t.tolist() == [1, 1, 1]
    t = ferrograd.tensor([-7, 5, 9])
    same = t
    t //= 2
    assert t is same and t.tolist() == [-4, 2, 4]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        t %= 0
    f = ferrograd.tensor([5.5, -1.0], requires_grad=True)
    g = f * 1
    g %= 2
    assert g.tolist() == [1.5, 1.0]
    g.sum().backward()
    assert f.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("shapes", BROADCAST)
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum(device, shapes, name):
    a, b = apart(*shapes)
    check_op(lambda x, y: getattr(x, name)(y), getattr(np, name), a, b, device=device)
    check_op(lambda x, y: getattr(ferrograd, name)(x, y), getattr(np, name), a, b, device=device)
    # max(a, b) / min(a, b) with a tensor second argument are the elementwise forms.
    short = name[:3]
    check_op(lambda x, y: getattr(ferrograd, short)(x, y), getattr(np, name), a, b, device=device)
    check_op(lambda x, y: getattr(x, short)(y), getattr(np, name), a, b, device=device)


def test_maximum_ties_share_the_gradient_and_nan_wins():
    a = ferrograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ferrograd.tensor([1.0, 1.0, 4.0], requires_grad=True)
    out = ferrograd.maximum(a, b)
    assert type(out.grad_fn).__name__ == "MaximumBackward0"
    out.sum().backward()
    assert a.grad.tolist() == [0.5, 1.0, 0.0] and b.grad.tolist() == [0.5, 0.0, 1.0]
    a.grad = b.grad = None
    ferrograd.minimum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0, 1.0] and b.grad.tolist() == [0.5, 1.0, 0.0]
    n = ferrograd.tensor([math.nan, 1.0])
    assert math.isnan(ferrograd.maximum(n, ferrograd.tensor([0.0, 2.0])).tolist()[0])
    assert math.isnan(ferrograd.minimum(ferrograd.tensor([0.0, 2.0]), n).tolist()[0])


def test_maximum_dtype_and_errors():
    f = ferrograd.tensor([1.5, 2.0])
    assert f.maximum(ferrograd.tensor([1, 5])).tolist() == [1.5, 5.0]
    assert ferrograd.maximum(ferrograd.tensor([1, 5]), ferrograd.tensor(2.5)).dtype == ferrograd.float32
    assert ferrograd.tensor([True, False]).maximum(ferrograd.tensor([False, False])).tolist() == [True, False]
    with pytest.raises(TypeError, match=r"maximum\(\): argument 'other' \(position 1\) must be Tensor, not float"):
        f.maximum(2.0)
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        f.minimum(ferrograd.tensor([1.0, 5.0, 6.0]))


def test_binary_second_derivatives():
    a, b = apart((4,), (4,))
    check_double_backward(lambda x, y: x.atan2(y), a, b)
    check_double_backward(lambda x, y: x.atan2(y), a, b)
    check_double_backward(lambda x, y: ferrograd.maximum(x, y) * x, a, b)


def test_binary_ops_on_empty_tensors():
    e = ferrograd.zeros(0, 3)
    for out in (e.atan2(e), e % 2, e // 2, ferrograd.maximum(e, ferrograd.zeros(3)), e.clamp(0, 1)):
        assert tuple(out.shape) == (0, 3)
    assert tuple((ferrograd.zeros(0, dtype=ferrograd.int64) % ferrograd.zeros(0, dtype=ferrograd.int64)).shape) == (0,)


# ---- clamp ----


def test_clamp_with_number_bounds(device):
    x = uniform(-3, 3, (4, 5))
    x[np.abs(np.abs(x) - 1) < 0.05] = 0.5  # keep finite differences off the bounds
    check_op(lambda t: t.clamp(-1, 1), lambda a: np.clip(a, -1, 1), x, device=device)
    check_op(lambda t: t.clamp(min=-1), lambda a: np.maximum(a, -1), x, device=device)
    check_op(lambda t: t.clamp(max=1), lambda a: np.minimum(a, 1), x, device=device)
    check_op(lambda t: ferrograd.clip(t, -1, 1), lambda a: np.clip(a, -1, 1), x, device=device)
    check_op(lambda t: t.clamp_min(-1), lambda a: np.maximum(a, -1), x, device=device)
    check_op(lambda t: t.clamp_max(1), lambda a: np.minimum(a, 1), x, device=device)


def test_clamp_with_tensor_bounds(device):
    x = uniform(-3, 3, (3, 4))
    lo = uniform(-2, -0.5, (4,))
    hi = uniform(0.5, 2, (3, 1))
    check_op(lambda t, a, b: t.clamp(a, b), lambda t, a, b: np.minimum(np.maximum(t, a), b), x, lo, hi, device=device)
    check_op(lambda t, a: t.clamp(min=a), lambda t, a: np.maximum(t, a), x, lo, device=device)
    check_op(lambda t, b: ferrograd.clamp(t, max=b), lambda t, b: np.minimum(t, b), x, hi, device=device)
    check_op(lambda t, a: t.clamp_min(a), lambda t, a: np.maximum(t, a), x, lo, device=device)


def test_clamp_node_names():
    x = ferrograd.tensor([0.5, 2.0], requires_grad=True)
    lo = ferrograd.tensor([0.0, 1.0])
    names = {
        "ClampBackward1": [x.clamp(0, 1), x.clamp(min=0), x.clip(max=1)],
        "ClampBackward0": [x.clamp(lo, lo + 1), x.clamp(min=lo), x.clamp(max=lo)],
        "ClampMinBackward0": [x.clamp_min(0)],
        "ClampMaxBackward0": [x.clamp_max(0)],
        "ClampMinBackward1": [x.clamp_min(lo)],
        "ClampMaxBackward1": [x.clamp_max(lo)],
    }
    for name, outs in names.items():
        assert [type(o.grad_fn).__name__ for o in outs] == [name] * len(outs)


def test_clamp_number_bounds_pass_gradient_strictly_inside():
    x = ferrograd.tensor([-3.0, -1.0, 0.0, 1.0, 3.0], requires_grad=True)
    x.clamp(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    x.grad = None
    x.clamp_min(0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    x.grad = None
    x.clamp(2, 0).sum().backward()  # min > max: everything becomes max
    assert x.grad.tolist() == [0.0] * 5
    assert ferrograd.tensor([0.0, 1.0, 2.0]).clamp(2, 0).tolist() == [0.0, 0.0, 0.0]


# (x, lo, hi) -> (grad x, grad lo, grad hi), as PyTorch 2.15 computes them.
CLAMP_TIES = {
    (0, 0, 0): (1.0, 0.0, 0.0),
    (0, 0, 1): (0.5, 0.5, 0.0),
    (0, 1, 0): (0.0, 0.0, 1.0),
    (0, 1, 1): (0.0, 1.0, 0.0),
    (0, 1, 2): (0.0, 1.0, 0.0),
    (1, 0, 1): (0.5, 0.0, 0.5),
    (1, 0, 2): (1.0, 0.0, 0.0),
    (1, 1, 0): (0.0, 0.0, 1.0),
    (1, 2, 1): (0.0, 0.0, 1.0),
    (2, 1, 1): (0.0, 0.0, 1.0),
    (2, 2, 2): (1.0, 0.0, 0.0),
    (2, 0, 1): (0.0, 0.0, 1.0),
}


def test_clamp_tensor_bounds_split_ties_like_pytorch():
    keys = list(CLAMP_TIES)
    x = ferrograd.tensor([float(k[0]) for k in keys], requires_grad=True)
    lo = ferrograd.tensor([float(k[1]) for k in keys], requires_grad=True)
    hi = ferrograd.tensor([float(k[2]) for k in keys], requires_grad=True)
    x.clamp(lo, hi).sum().backward()
    got = list(zip(x.grad.tolist(), lo.grad.tolist(), hi.grad.tolist()))
    assert got == [CLAMP_TIES[k] for k in keys]
    a = ferrograd.tensor([0.0, 0.0, 1.0], requires_grad=True)
    m = ferrograd.tensor([0.0, 1.0, 0.0], requires_grad=True)
    a.clamp(min=m).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0, 1.0] and m.grad.tolist() == [0.5, 1.0, 0.0]


def test_clamp_dtypes_nan_and_errors():
    i = ferrograd.tensor([1, 2])
    assert i.clamp(0, 1).dtype == ferrograd.int64 and i.clamp(0, 1).tolist() == [1, 1]
    assert i.clamp(0.5).dtype == ferrograd.float32
    assert ferrograd.tensor([True, False]).clamp(0).dtype == ferrograd.int64
    f64 = ferrograd.tensor([0.0], dtype=ferrograd.float64)
    assert ferrograd.tensor([5.0]).clamp(f64, ferrograd.tensor([1.0])).dtype == ferrograd.float64
    assert math.isnan(ferrograd.tensor([math.nan, 1.0]).clamp(0, 0.5).tolist()[0])
    assert all(math.isnan(v) for v in ferrograd.tensor([1.0, 2.0]).clamp(math.nan, 0.5).tolist())
    with pytest.raises(RuntimeError, match="ferrograd.clamp: At least one of 'min' or 'max' must not be None"):
        ferrograd.tensor([1.0]).clamp()
    with pytest.raises(TypeError, match="clamp\\(\\) received an invalid combination of arguments"):
        ferrograd.tensor([1.0]).clamp(ferrograd.tensor([0.0]), 1.0)


def test_clamp_second_derivative():
    check_double_backward(lambda t: t.clamp(-1, 1) * t, uniform(-2, 2, (6,)))


# ---- lerp ----


def test_lerp(device):
    s, e = uniform(-2, 2, (3, 4)), uniform(-2, 2, (4,))
    w = uniform(-0.5, 1.5, (3, 1))
    check_op(lambda a, b: a.lerp(b, 0.3), lambda a, b: a + 0.3 * (b - a), s, e, device=device)
    check_op(lambda a, b: ferrograd.lerp(a, b, 0.8), lambda a, b: a + 0.8 * (b - a), s, e, device=device)
    check_op(lambda a, b, c: a.lerp(b, c), lambda a, b, c: a + c * (b - a), s, e, w, device=device)
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    y = ferrograd.tensor([3.0, 4.0])
    assert type(x.lerp(y, 0.5).grad_fn).__name__ == "LerpBackward0"
    assert type(x.lerp(y, ferrograd.tensor([0.5, 2.0])).grad_fn).__name__ == "LerpBackward1"
    assert x.lerp(y, ferrograd.tensor([0.5, 2.0])).tolist() == [2.0, 6.0]
    assert x.lerp(y, True).tolist() == [3.0, 4.0]
    check_double_backward(lambda a, b, c: a.lerp(b, c) * c, s[0], e, w[:, 0][:1])


def test_lerp_errors():
    f = ferrograd.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        f.lerp(f.double(), 0.5)
    with pytest.raises(RuntimeError, match="expected dtype float for `weight` but got dtype long int"):
        f.lerp(f, ferrograd.tensor([1, 2]))
    with pytest.raises(NotImplementedError, match="\"lerp_kernel_scalar\" not implemented for 'Long'"):
        ferrograd.tensor([1, 2]).lerp(ferrograd.tensor([1, 2]), 0.5)


# ---- NaN and infinity ----


def test_nan_and_inf_tests(device):
    v = np.array([1.0, math.nan, math.inf, -math.inf, -0.0])
    t = make_tensor(v, device=device)
    assert t.isnan().tolist() == np.isnan(v).tolist()
    assert t.isinf().tolist() == np.isinf(v).tolist()
    assert t.isfinite().tolist() == np.isfinite(v).tolist()
    assert t.isposinf().tolist() == np.isposinf(v).tolist()
    assert ferrograd.isneginf(t).tolist() == np.isneginf(v).tolist()
    i = ferrograd.tensor([1, 2])
    assert i.isnan().tolist() == [False, False] and i.isfinite().tolist() == [True, True]
    assert ferrograd.tensor([True]).isinf().tolist() == [False]
    assert t.isnan().dtype == ferrograd.bool and not t.isnan().requires_grad


def test_nan_to_num(device):
    v = np.array([1.0, math.nan, math.inf, -math.inf])
    t = make_tensor(v, device=device)
    assert t.float().nan_to_num().tolist() == np.nan_to_num(v.astype(np.float32)).tolist()
    assert t.nan_to_num().tolist() == np.nan_to_num(v).tolist()
    assert t.nan_to_num(nan=2.0, posinf=3.0, neginf=-4.0).tolist() == [1.0, 2.0, 3.0, -4.0]
    assert ferrograd.nan_to_num(t, posinf=9.0).tolist()[2] == 9.0
    i = ferrograd.tensor([1, 2])
    assert i.nan_to_num(nan=1.5).tolist() == [1, 2] and i.nan_to_num().dtype == ferrograd.int64
    x = ferrograd.tensor(v, requires_grad=True)
    out = x.nan_to_num()
    assert type(out.grad_fn).__name__ == "NanToNumBackward0"
    (out * ferrograd.tensor([2.0, 3.0, 4.0, 5.0])).sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0, 0.0]
    check_op(lambda a: a.nan_to_num(), lambda a: a, uniform(-2, 2), device=device)


# ---- logical and bitwise ----


def test_logical_ops(device):
    a = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]])
    b = np.array([1, 0, 7])
    ta, tb = make_tensor(a, device=device), make_tensor(b, device=device)
    for name in ("logical_and", "logical_or", "logical_xor"):
        out = getattr(ta, name)(tb)
        assert out.dtype == ferrograd.bool
        assert out.tolist() == getattr(np, name)(a, b).tolist(), name
        assert getattr(ferrograd, name)(ta, tb).tolist() == out.tolist()
    assert ta.logical_not().tolist() == np.logical_not(a).tolist()
    assert ferrograd.logical_not(tb).tolist() == np.logical_not(b).tolist()


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_bitwise_ops_and_operators(dtype):
    np_dtype = {"int64": np.int64, "int32": np.int32, "bool": np.bool_}[dtype]
    a = np.array([[5, 0, -3], [12, 7, 1]]).astype(np_dtype)
    b = np.array([3, 6, 5]).astype(np_dtype)
    ta, tb = ferrograd.tensor(a), ferrograd.tensor(b)
    assert (ta & tb).tolist() == (a & b).tolist()
    assert (ta | tb).tolist() == (a | b).tolist()
    assert (ta ^ tb).tolist() == (a ^ b).tolist()
    assert (~ta).tolist() == (~a).tolist()
    assert ta.bitwise_and(tb).tolist() == np.bitwise_and(a, b).tolist()
    assert ferrograd.bitwise_or(ta, tb).tolist() == np.bitwise_or(a, b).tolist()
    assert ferrograd.bitwise_xor(ta, tb).tolist() == np.bitwise_xor(a, b).tolist()
    assert ferrograd.bitwise_not(ta).tolist() == np.bitwise_not(a).tolist()
    assert (ta & tb).dtype == getattr(ferrograd, dtype)
    c = ta.clone()
    alias = c
    c &= tb
    c |= ferrograd.tensor(b[:1])
    c ^= tb
    assert c is alias and c.tolist() == (((a & b) | b[:1]) ^ b).tolist()


def test_bitwise_with_numbers_promotes_like_pytorch():
    i, b = ferrograd.tensor([1, 5]), ferrograd.tensor([True, False])
    assert (i & 3).tolist() == [1, 1] and (3 & i).tolist() == [1, 1]
    assert (3 ^ i).tolist() == [2, 6] and (i | True).tolist() == [1, 5]
    assert (b & True).dtype == ferrograd.bool and (b & True).tolist() == [True, False]
    assert (b | 1).dtype == ferrograd.int64
    assert (b & 3).tolist() == [1, 0]
    mixed = b.bitwise_or(ferrograd.tensor([1, 2], dtype=ferrograd.int32))
    assert mixed.dtype == ferrograd.int32 and mixed.tolist() == [1, 2]


@pytest.mark.parametrize(
    "expr, kernel",
    [
        ("f & f", "bitwise_and_cpu"),
        ("f | 1", "bitwise_or_cpu"),
        ("i ^ 1.5", "bitwise_xor_cpu"),
        ("i & ferrograd.tensor(1.5)", "bitwise_and_cpu"),
        ("f.bitwise_not()", "bitwise_not_cpu"),
    ],
)
def test_bitwise_rejects_floats(expr, kernel):
    f, i = ferrograd.tensor([1.0]), ferrograd.tensor([1])  # noqa: F841 (used by eval)
    with pytest.raises(NotImplementedError) as e:
        eval(expr)
    assert str(e.value) == f"\"{kernel}\" not implemented for 'Float'"


def test_invert_on_float_is_a_type_error():
    with pytest.raises(TypeError, match=r"~ \(operator.invert\) is only implemented on integer and Boolean-type"):
        ~ferrograd.tensor([1.0])
