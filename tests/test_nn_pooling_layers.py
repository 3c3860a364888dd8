"""MaxPool2d, AvgPool2d and AdaptiveAvgPool2d against NumPy, with gradients, reprs and
PyTorch's errors for wrong input shapes."""

import nn_reference as ref
import numpy as np
import pytest

import ferrograd
from ferrograd import nn
from opcheck import check_op

rng = np.random.default_rng(1)


def test_max_pool2d(device):
    pool = nn.MaxPool2d(3, stride=2, padding=1, dilation=1, ceil_mode=True)
    check_op(pool, lambda x: ref.max_pool2d(x, 3, 2, 1, 1, True)[0], rng.standard_normal((2, 3, 7, 6)), device=device)


def test_max_pool2d_returns_indices(device):
    x = rng.standard_normal((2, 5, 6))
    pool = nn.MaxPool2d((2, 3), return_indices=True)
    values, indices = pool(ferrograd.tensor(x, device=device))
    expected_values, expected_indices = ref.max_pool2d(x, (2, 3))
    np.testing.assert_allclose(values.cpu().numpy(), expected_values)
    np.testing.assert_array_equal(indices.cpu().numpy(), expected_indices)
    assert pool.stride == (2, 3)


def test_avg_pool2d(device):
    pool = nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)
    reference = lambda x: ref.avg_pool2d(x, 3, 2, 1, True, False)  # noqa: E731
    check_op(pool, reference, rng.standard_normal((2, 2, 7, 6)), device=device)
    pool = nn.AvgPool2d(2, divisor_override=3)
    check_op(pool, lambda x: ref.avg_pool2d(x, 2, divisor_override=3), rng.standard_normal((1, 4, 4)), device=device)


@pytest.mark.parametrize("size", [1, (2, 3), (3, None)])
def test_adaptive_avg_pool2d(size, device):
    x = rng.standard_normal((2, 3, 5, 7))
    expected_size = size if not isinstance(size, tuple) or size[1] is not None else (size[0], 7)
    pool = nn.AdaptiveAvgPool2d(size)
    check_op(pool, lambda x: ref.adaptive_avg_pool2d(x, expected_size), x, device=device)


def test_reprs_match_pytorch():
    assert [repr(m) for m in (
        nn.MaxPool2d(2),
        nn.MaxPool2d(3, stride=2, padding=1, dilation=2, return_indices=True, ceil_mode=True),
        nn.AvgPool2d(2),
        nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False, divisor_override=2),
        nn.AdaptiveAvgPool2d(1),
        nn.AdaptiveAvgPool2d((2, None)),
    )] == [
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)",
        "AvgPool2d(kernel_size=2, stride=2, padding=0)",
        "AvgPool2d(kernel_size=3, stride=2, padding=1)",
        "AdaptiveAvgPool2d(output_size=1)",
        "AdaptiveAvgPool2d(output_size=(2, None))",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("layer", "shape", "error", "message"),
    [
        (nn.MaxPool2d(2), (5, 5), RuntimeError, "non-empty 3D or 4D (batch mode) tensor expected for input"),
        (
            nn.AvgPool2d(2),
            (5, 5),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
        ),
        (nn.AdaptiveAvgPool2d(2), (5,), RuntimeError, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [5]"),
    ],
)
def test_wrong_input_shapes(layer, shape, error, message):
    with pytest.raises(error) as info:
        layer(ferrograd.ones(*shape))
    assert str(info.value) == message
