"""max_pool2d (with indices), avg_pool2d and adaptive_avg_pool2d against direct NumPy loops:
kernel, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override,
gradients of every order, and PyTorch's errors."""

import nn_reference as ref
import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)

MAX_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), dilation=2),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
]


def distinct(*shape):
    """Values without ties, so the maximum (and so the gradient) is unique."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 7.0


@pytest.mark.parametrize("kw", MAX_CASES, ids=str)
def test_max_pool2d(device, kw):
    check_op(lambda x: F.max_pool2d(x, **kw), lambda x: ref.max_pool2d(x, **kw)[0], distinct(2, 3, 7, 6), device=device)


@pytest.mark.parametrize("kw", MAX_CASES, ids=str)
def test_max_pool2d_indices(kw):
    x = distinct(2, 2, 7, 6)
    values, indices = F.max_pool2d(ferrograd.tensor(x), return_indices=True, **kw)
    expected_values, expected_indices = ref.max_pool2d(x, **kw)
    assert indices.dtype == ferrograd.int64
    np.testing.assert_array_equal(indices.numpy(), expected_indices)
    np.testing.assert_array_equal(values.numpy(), expected_values)
    v2, i2 = F.max_pool2d_with_indices(ferrograd.tensor(x), **kw)
    np.testing.assert_array_equal(i2.numpy(), expected_indices)


def test_max_pool2d_unbatched_and_integer_input():
    x = distinct(3, 5, 5)
    np.testing.assert_array_equal(F.max_pool2d(ferrograd.tensor(x), 2).numpy(), ref.max_pool2d(x, 2)[0])
    xi = np.arange(32).reshape(1, 2, 4, 4)
    got = F.max_pool2d(ferrograd.tensor(xi), 2)
    assert got.dtype == ferrograd.int64
    np.testing.assert_array_equal(got.numpy(), [[[[5, 7], [13, 15]], [[21, 23], [29, 31]]]])


def test_max_pool2d_ties_send_the_gradient_to_the_first_maximum_and_nan_wins():
    x = ferrograd.ones(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1.0, 0.0], [0.0, 0.0]]]])
    y = F.max_pool2d(ferrograd.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]]), 2)
    assert np.isnan(y.item())


def test_max_pool2d_empty_batch():
    assert F.max_pool2d(ferrograd.zeros(0, 3, 4, 4), 2).shape == (0, 3, 2, 2)


AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), divisor_override=3),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, divisor_override=2),
]


@pytest.mark.parametrize("kw", AVG_CASES, ids=str)
def test_avg_pool2d(device, kw):
    check_op(
        lambda x: F.avg_pool2d(x, **kw),
        lambda x: ref.avg_pool2d(x, **kw),
        rng.standard_normal((2, 3, 7, 6)),
        device=device,
    )


def test_avg_pool2d_integer_input_truncates():
    x = ferrograd.arange(16).reshape(1, 1, 4, 4)
    got = F.avg_pool2d(x, 3, 2, 1)
    assert got.dtype == ferrograd.int64
    np.testing.assert_array_equal(got.numpy(), [[[[1, 2], [5, 10]]]])


@pytest.mark.parametrize("size", [3, (2, 4), (7, 6), (5, None), (4, 1)], ids=str)
def test_adaptive_avg_pool2d(device, size):
    x = rng.standard_normal((2, 3, 7, 6))
    full = (size[0], 6) if isinstance(size, tuple) and size[1] is None else size
    check_op(lambda t: F.adaptive_avg_pool2d(t, size), lambda a: ref.adaptive_avg_pool2d(a, full), x, device=device)


def test_adaptive_avg_pool2d_to_one_is_a_mean():
    x = ferrograd.randn(2, 3, 4, 5, requires_grad=True)
    y = F.adaptive_avg_pool2d(x, 1)
    assert y.shape == (2, 3, 1, 1)
    assert type(y.grad_fn).__name__ == "MeanBackward1"
    # Against the float64 mean: NumPy's float32 sum rounds differently (means near 0 differ relatively).
    expected = x.detach().numpy().astype(np.float64).mean(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "op",
    [lambda x: F.max_pool2d(x, 2), lambda x: F.avg_pool2d(x, 3, 2, 1), lambda x: F.adaptive_avg_pool2d(x, 3)],
)
def test_double_backward(op):
    check_double_backward(op, distinct(1, 2, 5, 5))


def test_node_names():
    x = ferrograd.randn(1, 2, 5, 5, requires_grad=True)
    names = {
        "MaxPool2DWithIndicesBackward0": F.max_pool2d(x, 2),
        "AvgPool2DBackward0": F.avg_pool2d(x, 2),
        "AdaptiveAvgPool2DBackward0": F.adaptive_avg_pool2d(x, 2),
    }
    for name, y in names.items():
        assert type(y.grad_fn).__name__ == name
        (g,) = ferrograd.autograd.grad(y, [x], ferrograd.ones(*y.shape, requires_grad=True), create_graph=True)
        assert type(g.grad_fn).__name__ == name.replace("Backward0", "BackwardBackward0")


def test_errors():
    x = ferrograd.randn(2, 3, 6, 6)
    runtime = [
        (
            lambda: F.max_pool2d(x, 2, padding=2),
            "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1",
        ),
        (
            lambda: F.max_pool2d(x, 7),
            "Given input size: (3x6x6). Calculated output size: (3x0x0). Output size is too small",
        ),
        (lambda: F.max_pool2d(x[0, 0], 2), "non-empty 3D or 4D (batch mode) tensor expected for input"),
        (lambda: F.max_pool2d(x, 2, stride=0), "stride should not be zero"),
        (
            lambda: F.max_pool2d(x, 2, dilation=0),
            "dilation should be greater than zero, but got dilationH: 0 dilationW: 0",
        ),
        (lambda: F.max_pool2d(x, 2, padding=-1), "pad must be non-negative, but got pad: -1"),
        (lambda: F.max_pool2d(x, -1), "kernel size should be greater than zero, but got kH: -1 kW: -1"),
        (lambda: F.max_pool2d(x, 2, stride=-1), "stride should be greater than zero, but got dH: -1 dW: -1"),
        (
            lambda: F.max_pool2d(x, (2, 2, 2)),
            "max_pool2d: kernel_size must either be a single int, or a tuple of two ints",
        ),
        (
            lambda: F.max_pool2d(x, 2, dilation=(1, 2, 3)),
            "max_pool2d: dilation must be either a single int, or a tuple of two ints",
        ),
        (
            lambda: F.max_pool2d(ferrograd.randn(2, 0, 6, 6), 2),
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 0, 6, 6]",
        ),
        (lambda: F.avg_pool2d(x, 2, divisor_override=0), "divisor must be not zero"),
        (
            lambda: F.avg_pool2d(x, 2, stride=(1, 2, 3)),
            "avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints",
        ),
        (
            lambda: F.avg_pool2d(x, 2, padding=(1, 2, 3)),
            "avg_pool2d: padding must either be a single int, or a tuple of two ints",
        ),
        (lambda: F.adaptive_avg_pool2d(x[0, 0], 2), "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [6, 6]"),
        (lambda: F.adaptive_avg_pool2d(x, (2, 2, 2)), "adaptive_avg_pool2d: output_size must be 2"),
        (
            lambda: F.adaptive_avg_pool2d(x, -1),
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {-1, -1}",
        ),
    ]
    for fn, message in runtime:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == message
    with pytest.raises(NotImplementedError, match="\"max_pool2d\" not implemented for 'Bool'"):
        F.max_pool2d(x.bool(), 2)
    with pytest.raises(NotImplementedError, match="\"adaptive_avg_pool2d\" not implemented for 'Long'"):
        F.adaptive_avg_pool2d(x.long(), 2)
    with pytest.raises(
        IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got -3\)"
    ):
        F.avg_pool2d(x[0, 0], 2)
    with pytest.raises(RuntimeError, match="adaptive_avg_pool2d: output size 1099511627776 is too large"):
        F.adaptive_avg_pool2d(x, 2**40)
    # A kernel far larger than the input (padding up to half of it) still pools.
    assert F.max_pool2d(x, 2**40, padding=2**39).shape == (2, 3, 1, 1)
    # Channels may be empty for the adaptive pool (only the spatial dims must not be).
    assert F.adaptive_avg_pool2d(ferrograd.randn(2, 0, 6, 6), 2).shape == (2, 0, 2, 2)
