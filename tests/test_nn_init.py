"""``nn.init`` and the random fills under it (``uniform_``, ``normal_``, ``randperm``):
bounds, statistics, reproducibility, PyTorch's default layer initialization and errors."""

import math
import warnings

import numpy as np
import pytest

import ferrograd
from ferrograd import nn
from ferrograd.nn import init


def stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std()


# ---- Tensor.uniform_, normal_, randperm ----


def test_uniform_fills_the_range_in_place():
    t = ferrograd.empty(200, 100)
    assert t.uniform_(-2.0, 3.0) is t
    a = t.numpy()
    assert a.min() >= -2.0 and a.max() < 3.0
    mean, std = stats(t)
    assert abs(mean - 0.5) < 0.05 and abs(std - 5 / math.sqrt(12)) < 0.03
    assert t.dtype == ferrograd.float32


def test_normal_statistics_in_both_float_dtypes():
    for dtype in (ferrograd.float32, ferrograd.float64):
        t = ferrograd.empty(20000, dtype=dtype).normal_(3.0, 0.5)
        mean, std = stats(t)
        assert t.dtype == dtype and abs(mean - 3.0) < 0.02 and abs(std - 0.5) < 0.02


def test_fills_reach_non_contiguous_views_only():
    base = ferrograd.zeros(4, 6)
    base[:, ::2].uniform_(1.0, 2.0)
    a = base.numpy()
    assert (a[:, ::2] >= 1.0).all() and (a[:, 1::2] == 0.0).all()


def test_seeds_make_fills_reproducible():
    ferrograd.manual_seed(123)
    first = ferrograd.empty(5).normal_().tolist()
    ferrograd.manual_seed(123)
    assert ferrograd.empty(5).normal_().tolist() == first
    g1, g2 = ferrograd.Generator().manual_seed(9), ferrograd.Generator().manual_seed(9)
    assert ferrograd.empty(5).uniform_(generator=g1).tolist() == ferrograd.empty(5).uniform_(generator=g2).tolist()
    assert ferrograd.empty(5).uniform_(generator=g1).tolist() != ferrograd.empty(5).uniform_(generator=g1).tolist()


def test_randperm_is_a_reproducible_permutation():
    g = ferrograd.Generator().manual_seed(0)
    p = ferrograd.randperm(50, generator=g)
    assert p.dtype == ferrograd.int64 and sorted(p.tolist()) == list(range(50))
    assert p.tolist() != list(range(50))
    assert ferrograd.randperm(50, generator=ferrograd.Generator().manual_seed(0)).tolist() == p.tolist()
    assert ferrograd.randperm(0).tolist() == []
    assert ferrograd.randperm(4, dtype=ferrograd.float32).dtype == ferrograd.float32


def test_recorded_fill_cuts_the_gradient():
    x = ferrograd.ones(3, requires_grad=True)
    y = x * 2
    y.normal_()
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: ferrograd.ones(2).uniform_(1, 0),
            RuntimeError,
            "uniform_ expects to return a [from, to) range, but found from=1 > to=0",
        ),
        (lambda: ferrograd.ones(2).uniform_(0, math.inf), RuntimeError, "to is out of bounds for float"),
        (lambda: ferrograd.ones(2).normal_(0, -1), RuntimeError, "normal expects std >= 0.0, but found std -1"),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int64).uniform_(),
            NotImplementedError,
            "\"check_uniform_bounds\" not implemented for 'Long'",
        ),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int32).normal_(),
            NotImplementedError,
            "\"normal_kernel_cpu\" not implemented for 'Int'",
        ),
        (
            lambda: ferrograd.ones(2, requires_grad=True).uniform_(),
            RuntimeError,
            "a leaf Variable that requires grad is being used in an in-place operation.",
        ),
        (lambda: ferrograd.randperm(-1), RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"),
        (
            lambda: ferrograd.randperm(3, dtype=ferrograd.bool),
            NotImplementedError,
            "\"randperm\" not implemented for 'Bool'",
        ),
    ],
)
def test_fill_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


# ---- gains and fans ----


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == 5.0 / 3
    assert init.calculate_gain("relu") == math.sqrt(2.0)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01**2))
    assert init.calculate_gain("leaky_relu", 0.2) == 1.3867504905630728
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="^Unsupported nonlinearity foo$"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="^negative_slope True not a valid number$"):
        init.calculate_gain("leaky_relu", True)


def test_fans():
    assert init._calculate_fan_in_and_fan_out(ferrograd.empty(16, 3, 5, 5)) == (75, 400)
    assert init._calculate_fan_in_and_fan_out(ferrograd.empty(4, 7)) == (7, 4)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ferrograd.empty(3))
    with pytest.raises(ValueError, match=r"^Mode x not supported, please use one of \['fan_in', 'fan_out'\]$"):
        init.kaiming_uniform_(ferrograd.empty(3, 3), mode="x")


# ---- the schemes ----


def test_constant_zeros_ones_eye():
    t = ferrograd.empty(2, 3)
    assert init.constant_(t, 0.25) is t and t.tolist() == [[0.25] * 3] * 2
    assert init.zeros_(t).tolist() == [[0.0] * 3] * 2
    assert init.ones_(t).tolist() == [[1.0] * 3] * 2
    assert init.eye_(t).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
        init.eye_(ferrograd.empty(3))


def test_init_works_on_parameters_that_require_grad():
    p = nn.Parameter(ferrograd.empty(3, 4))
    init.normal_(p)
    init.uniform_(p)
    init.xavier_normal_(p)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None


def test_xavier_uniform_bound_and_spread():
    t = init.xavier_uniform_(ferrograd.empty(300, 200), gain=2.0)
    bound = 2.0 * math.sqrt(6.0 / 500)
    a = t.numpy()
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.99 * bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.01 * bound


def test_xavier_and_kaiming_normal_std():
    _, std = stats(init.xavier_normal_(ferrograd.empty(400, 100)))
    assert abs(std - math.sqrt(2.0 / 500)) < 0.002
    _, std = stats(init.kaiming_normal_(ferrograd.empty(400, 100), nonlinearity="relu"))
    assert abs(std - math.sqrt(2.0 / 100)) < 0.003
    _, std = stats(init.kaiming_normal_(ferrograd.empty(100, 400), mode="fan_out", nonlinearity="relu"))
    assert abs(std - math.sqrt(2.0 / 100)) < 0.003


def test_kaiming_uniform_bound():
    t = init.kaiming_uniform_(ferrograd.empty(50, 8, 3, 3), a=0.0, nonlinearity="relu")
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 72)
    a = np.abs(t.numpy())
    assert a.max() <= bound and a.max() > 0.98 * bound


def test_zero_element_tensors_warn_and_stay():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        t = init.kaiming_uniform_(ferrograd.empty(0, 3))
    assert tuple(t.shape) == (0, 3)


def truncated_normal_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std^2) conditioned on [a, b]."""
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = cdf(beta) - cdf(alpha)
    m = (pdf(alpha) - pdf(beta)) / z
    var = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - m * m
    return mean + std * m, std * math.sqrt(var)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (1.0, 2.0, 0.5, 6.0)])
def test_trunc_normal_bounds_and_moments(mean, std, a, b):
    t = init.trunc_normal_(ferrograd.empty(40000, dtype=ferrograd.float64), mean, std, a, b)
    values = t.numpy()
    assert values.min() >= a and values.max() <= b
    expected_mean, expected_std = truncated_normal_moments(mean, std, a, b)
    assert abs(values.mean() - expected_mean) < 0.02 * std
    assert abs(values.std() - expected_std) < 0.02 * std


def test_trunc_normal_rejects_an_interval_without_mass():
    t = ferrograd.zeros(3)
    with pytest.raises(ValueError, match="holds too little"):
        init.trunc_normal_(t, mean=0.0, std=1.0, a=40.0, b=41.0)
    assert t.tolist() == [0.0, 0.0, 0.0]  # untouched


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (4, 2, 3)])
def test_orthogonal(shape):
    t = init.orthogonal_(ferrograd.empty(*shape, dtype=ferrograd.float64), gain=2.0)
    q = t.numpy().reshape(shape[0], -1)
    small = min(q.shape)
    product = q @ q.T if q.shape[0] == small else q.T @ q
    np.testing.assert_allclose(product, 4.0 * np.eye(small), atol=1e-12)
    with pytest.raises(ValueError, match="^Only tensors with 2 or more dimensions are supported$"):
        init.orthogonal_(ferrograd.empty(3))


def test_schemes_are_reproducible_under_manual_seed():
    for scheme in (init.xavier_uniform_, init.kaiming_normal_, init.orthogonal_, init.trunc_normal_):
        ferrograd.manual_seed(5)
        first = scheme(ferrograd.empty(4, 3)).tolist()
        ferrograd.manual_seed(5)
        assert scheme(ferrograd.empty(4, 3)).tolist() == first
        g = ferrograd.Generator().manual_seed(1)
        again = ferrograd.Generator().manual_seed(1)
        assert (
            scheme(ferrograd.empty(4, 3), generator=g).tolist()
            == scheme(ferrograd.empty(4, 3), generator=again).tolist()
        )


# ---- default layer initialization ----


def test_linear_default_init_is_uniform_in_one_over_sqrt_fan_in():
    layer = nn.Linear(64, 500)
    bound = 1 / math.sqrt(64)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.95 * bound


def test_bilinear_default_init():
    layer = nn.Bilinear(25, 4, 300)
    bound = 1 / math.sqrt(25)
    for p in (layer.weight, layer.bias):
        a = np.abs(p.detach().numpy())
        assert a.max() <= bound and a.max() > 0.95 * bound


def test_layer_init_is_reproducible_and_empty_layers_warn_nothing_else():
    ferrograd.manual_seed(0)
    first = nn.Linear(3, 2).weight.tolist()
    ferrograd.manual_seed(0)
    assert nn.Linear(3, 2).weight.tolist() == first
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        empty = nn.Linear(0, 2)
    assert [str(w.message) for w in caught] == ["Initializing zero-element tensors is a no-op"]
    assert empty.bias.tolist() == [0.0, 0.0]
