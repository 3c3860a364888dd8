"""Activation functions of ferrograd.nn.functional: values against NumPy, gradients against
finite differences, gradients at the kinks as PyTorch defines them, second derivatives,
node names, in-place forms and PyTorch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

erf_np = np.vectorize(math.erf)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


def values(kinks=(0.0,), shape=(4, 5), lo=-5.0, hi=5.0, seed=0) -> np.ndarray:
    """Random values kept 0.05 away from the kinks (finite differences are exact there)."""
    x = np.random.default_rng(seed).uniform(lo, hi, size=shape)
    for k in kinks:
        near = np.abs(x - k) < 0.05
        x[near] = k + 0.1
    return x


# name, ferrograd call, NumPy reference, kinks, grad_fn name
ACTIVATIONS = [
    ("gelu", F.gelu, lambda x: 0.5 * x * (1 + erf_np(x / math.sqrt(2))), (), "GeluBackward0"),
    (
        "gelu_tanh",
        lambda t: F.gelu(t, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        (),
        "GeluBackward0",
    ),
    ("silu", F.silu, lambda x: x * sigmoid_np(x), (), "SiluBackward0"),
    ("mish", F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), (), "MishBackward0"),
    ("softplus", F.softplus, lambda x: np.log1p(np.exp(x)), (), "SoftplusBackward0"),
    (
        "softplus_beta",
        lambda t: F.softplus(t, beta=2.0, threshold=3.0),
        lambda x: np.where(2 * x > 3, x, np.log1p(np.exp(2 * x)) / 2),
        (1.5,),
        "SoftplusBackward0",
    ),
    ("elu", F.elu, lambda x: np.where(x > 0, x, np.expm1(x)), (0.0,), "EluBackward0"),
    (
        "elu_alpha",
        lambda t: F.elu(t, alpha=0.5),
        lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)),
        (0.0,),
        "EluBackward0",
    ),
    (
        "selu",
        F.selu,
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
        (0.0,),
        "EluBackward0",
    ),
    (
        "celu",
        lambda t: F.celu(t, alpha=2.0),
        lambda x: np.maximum(0, x) + np.minimum(0, 2.0 * np.expm1(x / 2.0)),
        (0.0,),
        "CeluBackward0",
    ),
    ("leaky_relu", F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), (0.0,), "LeakyReluBackward0"),
    (
        "leaky_relu_slope",
        lambda t: F.leaky_relu(t, negative_slope=0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
        (0.0,),
        "LeakyReluBackward0",
    ),
    ("hardtanh", F.hardtanh, lambda x: np.clip(x, -1, 1), (-1.0, 1.0), "HardtanhBackward0"),
    (
        "hardtanh_bounds",
        lambda t: F.hardtanh(t, min_val=-2.0, max_val=0.5),
        lambda x: np.clip(x, -2, 0.5),
        (-2.0, 0.5),
        "HardtanhBackward0",
    ),
    ("relu6", F.relu6, lambda x: np.clip(x, 0, 6), (0.0, 6.0), "HardtanhBackward0"),
    ("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, (-3.0, 3.0), "HardswishBackward0"),
    ("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6, (-3.0, 3.0), "HardsigmoidBackward0"),
    ("logsigmoid", F.logsigmoid, lambda x: -np.log1p(np.exp(-x)), (), "LogSigmoidBackward0"),
    ("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), (), "DivBackward0"),
]


@pytest.mark.parametrize("name, fn, ref, kinks, node", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_values_and_gradients(device, name, fn, ref, kinks, node):
    x = values(kinks, hi=7.0)
    check_op(fn, ref, x, device=device)
    out = fn(ferrograd.tensor(x, requires_grad=True))
    assert type(out.grad_fn).__name__ == node
    assert tuple(fn(ferrograd.zeros(0, 3)).shape) == (0, 3)


@pytest.mark.parametrize("name, fn, ref, kinks, node", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_float32(name, fn, ref, kinks, node):
    x = values(kinks, hi=7.0).astype(np.float32)
    out = fn(ferrograd.tensor(x))
    assert out.dtype == ferrograd.float32
    np.testing.assert_allclose(out.numpy(), ref(x.astype(np.float64)), rtol=2e-6, atol=2e-6)


def test_activations_stay_finite_for_large_inputs():
    x = ferrograd.tensor([-1000.0, -50.0, 50.0, 1000.0])
    assert F.softplus(x).tolist() == [0.0, pytest.approx(math.exp(-50)), 50.0, 1000.0]
    assert F.logsigmoid(x).tolist() == [-1000.0, -50.0, pytest.approx(-math.exp(-50)), 0.0]
    assert F.silu(x).tolist() == [-0.0, pytest.approx(-50 * math.exp(-50)), 50.0, 1000.0]
    assert F.mish(x).tolist()[2:] == [50.0, 1000.0]
    assert F.gelu(x).tolist() == [-0.0, -0.0, 50.0, 1000.0]
    x = ferrograd.tensor([-1000.0, 1000.0], requires_grad=True)
    for f in (F.softplus, F.logsigmoid, F.silu, F.mish, F.gelu):
        x.grad = None
        f(x).sum().backward()
        assert all(math.isfinite(v) for v in x.grad.tolist()), f


KINK_POINTS = [-3.0, -1.0, 0.0, 1.0, 3.0, 6.0]
E = math.exp


@pytest.mark.parametrize(
    "fn, expected",
    [
        (F.hardtanh, [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]),
        (F.relu6, [0.0, 0.0, 0.0, 1.0, 1.0, 0.0]),
        (F.hardswish, [0.0, 1 / 6, 0.5, 5 / 6, 1.0, 1.0]),
        (F.hardsigmoid, [0.0, 1 / 6, 1 / 6, 1 / 6, 0.0, 0.0]),
        (lambda t: F.leaky_relu(t, 0.2), [0.2, 0.2, 0.2, 1.0, 1.0, 1.0]),
        (lambda t: F.elu(t, 0.5), [0.5 * E(-3), 0.5 * E(-1), 0.5, 1.0, 1.0, 1.0]),
    ],
)
def test_gradients_at_the_kinks_match_pytorch(fn, expected):
    x = ferrograd.tensor(KINK_POINTS, dtype=ferrograd.float64, requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_softplus_threshold_switches_to_identity():
    x = ferrograd.tensor([0.999, 1.0, 1.001], dtype=ferrograd.float64, requires_grad=True)
    out = F.softplus(x, 2, 2)
    np.testing.assert_allclose(out.detach().numpy(), [math.log1p(E(1.998)) / 2, math.log1p(E(2)) / 2, 1.001])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1 / (1 + E(-1.998)), 1 / (1 + E(-2)), 1.0])


SECOND_ORDER = {
    "gelu": F.gelu,
    "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "silu": F.silu,
    "mish": F.mish,
    "softplus": lambda t: F.softplus(t, beta=1.5),
    "elu": lambda t: F.elu(t, alpha=0.7),
    "selu": F.selu,
    "celu": lambda t: F.celu(t, alpha=2.0),
    "logsigmoid": F.logsigmoid,
    "softsign": F.softsign,
    "hardswish": lambda t: F.hardswish(t) * t,
    "hardsigmoid": lambda t: F.hardsigmoid(t) * t,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.3) * t,
    "hardtanh": lambda t: F.hardtanh(t) * t,
    "glu": lambda t: F.glu(t, 0),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_derivatives(name):
    x = values((0.0, -3.0, 3.0, -1.0, 1.0), shape=(4, 3), lo=-4, hi=4, seed=3)
    check_double_backward(SECOND_ORDER[name], x)


def test_first_derivative_graph_is_differentiable():
    x = ferrograd.tensor([0.5, -1.5], dtype=ferrograd.float64, requires_grad=True)
    (g,) = ferrograd.autograd.grad(F.gelu(x).sum(), [x], create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    (g_plain,) = ferrograd.autograd.grad(F.gelu(x).sum(), [x])
    assert not g_plain.requires_grad
    np.testing.assert_allclose(g.detach().numpy(), g_plain.numpy(), rtol=1e-14)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_glu(device, dim):
    x = values(shape=(4, 6))
    half = x.shape[dim] // 2
    a, b = np.split(x, [half], axis=dim)
    check_op(lambda t: F.glu(t, dim), lambda _: a * sigmoid_np(b), x, device=device)
    assert type(F.glu(ferrograd.tensor(x, requires_grad=True), dim).grad_fn).__name__ == "GluBackward0"


def test_glu_errors():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 0 is size 3"):
        F.glu(ferrograd.zeros(3))
    with pytest.raises(RuntimeError, match="glu does not support scalars because halving size must be even"):
        F.glu(ferrograd.tensor(1.0))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)"):
        F.glu(ferrograd.zeros(2, 4), 3)
    with pytest.raises(NotImplementedError, match="\"glu_cpu\" not implemented for 'Long'"):
        F.glu(ferrograd.tensor([1, 2]))


@pytest.mark.parametrize(
    "fn, kernel",
    [
        (F.gelu, "GeluKernelImpl"),
        (F.silu, "silu_cpu"),
        (F.softplus, "softplus_cpu"),
        (F.elu, "elu_cpu"),
        (F.selu, "elu_cpu"),
        (F.leaky_relu, "leaky_relu_cpu"),
        (F.mish, "mish_cpu"),
        (F.hardswish, "hardswish_cpu"),
        (F.hardsigmoid, "hardsigmoid_cpu"),
        (F.logsigmoid, "log_sigmoid_cpu"),
    ],
)
def test_integer_inputs_are_rejected(fn, kernel):
    with pytest.raises(NotImplementedError) as e:
        fn(ferrograd.tensor([1, 2]))
    assert str(e.value) == f"\"{kernel}\" not implemented for 'Long'"


def test_hardtanh_and_softsign_work_on_integers():
    i = ferrograd.tensor([-5, 1, 2, 9])
    assert F.hardtanh(i).tolist() == [-1, 1, 1, 1] and F.hardtanh(i).dtype == ferrograd.int64
    assert F.relu6(i).tolist() == [0, 1, 2, 6]
    np.testing.assert_allclose(F.softsign(i).numpy(), [-5 / 6, 0.5, 2 / 3, 0.9], rtol=1e-6)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh."):
        F.gelu(ferrograd.zeros(2), approximate="foo")


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("silu", {}),
        ("elu", {"alpha": 0.5}),
        ("leaky_relu", {"negative_slope": 0.1}),
        ("hardtanh", {}),
        ("relu6", {}),
        ("hardswish", {}),
        ("mish", {}),
        ("selu", {}),
    ],
)
def test_inplace_forms(name, kwargs):
    fn = getattr(F, name)
    v = np.array([-2.0, -0.5, 0.5, 7.0])
    expected = fn(ferrograd.tensor(v), **kwargs).tolist()
    t = ferrograd.tensor(v)
    out = fn(t, inplace=True, **kwargs)
    assert out is t and t.tolist() == expected
    # Through autograd: the in-place result has the op's gradient.
    x = ferrograd.tensor(v, dtype=ferrograd.float64, requires_grad=True)
    y = x * 1
    fn(y, inplace=True, **kwargs).sum().backward()
    x2 = ferrograd.tensor(v, dtype=ferrograd.float64, requires_grad=True)
    fn(x2, **kwargs).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x2.grad.numpy())
    leaf = ferrograd.tensor(v, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        fn(leaf, inplace=True, **kwargs)


def test_module_level_functions():
    x = ferrograd.tensor([-1.0, 2.0])
    assert ferrograd.selu(x).tolist() == F.selu(x).tolist()
    assert ferrograd.celu(x, 2.0).tolist() == F.celu(x, alpha=2.0).tolist()
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        F.celu(x, alpha=0.0)
