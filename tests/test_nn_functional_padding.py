"""pad: constant (with negative sizes cropping), reflect, replicate and circular, over 1 to 3
dims, with gradients of every order and PyTorch's errors."""

import nn_reference as ref
import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)


@pytest.mark.parametrize("pads", [(1, 2), (0, 1, 2, 0), (1, 1, 1, 1, 1, 1), (-1, 2), (-2, -1, 1, 0)], ids=str)
def test_constant(device, pads):
    check_op(
        lambda x: F.pad(x, pads, value=1.5),
        lambda x: ref.pad(x, pads, value=1.5),
        rng.standard_normal((2, 3, 4)),
        device=device,
    )


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "shape,pads", [((2, 3, 5), (2, 3)), ((2, 3, 4), (2, 1, 1, 2)), ((1, 2, 3, 4, 3), (1, 1, 1, 0, 0, 1))], ids=str
)
def test_modes(device, mode, shape, pads):
    check_op(
        lambda x: F.pad(x, pads, mode=mode), lambda x: ref.pad(x, pads, mode), rng.standard_normal(shape), device=device
    )


def test_circular_may_wrap_a_whole_period():
    x = np.arange(4.0).reshape(1, 1, 4)
    np.testing.assert_array_equal(
        F.pad(ferrograd.tensor(x), (4, 1), mode="circular").numpy(), ref.pad(x, (4, 1), "circular")
    )


def test_integer_input_keeps_its_dtype():
    got = F.pad(ferrograd.tensor([[1, 2]]), (1, 1), value=2.5)
    assert got.dtype == ferrograd.int64
    np.testing.assert_array_equal(got.numpy(), [[2, 1, 2, 2]])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate"])
def test_double_backward(mode):
    check_double_backward(lambda x: F.pad(x, (2, 1), mode=mode) ** 2, rng.standard_normal((2, 3, 4)))


def test_node_names():
    x = ferrograd.randn(1, 2, 4, 4, requires_grad=True)
    names = {
        "constant": "ConstantPadNdBackward0",
        "reflect": "ReflectionPad2DBackward0",
        "replicate": "ReplicationPad2DBackward0",
    }
    for mode, name in names.items():
        assert type(F.pad(x, (1, 1, 1, 1), mode=mode).grad_fn).__name__ == name
    assert type(F.pad(x[0], (1, 1), mode="reflect").grad_fn).__name__ == "ReflectionPad1DBackward0"


def test_errors():
    x = ferrograd.randn(2, 3, 4)
    runtime = [
        (lambda: F.pad(x, (1, 2, 3)), "Padding length must be divisible by 2"),
        (
            lambda: F.pad(x, (1, 2, 3, 4, 5, 6, 7, 8)),
            (
                "Padding length should be less than or equal to two times the input "
                "dimension but got padding length 8 and input of dimension 3"
            ),
        ),
        (lambda: F.pad(x, (-5, 0)), "narrow(): length must be non-negative."),
        (
            lambda: F.pad(x, (4, 1), mode="reflect"),
            (
                "Argument #4: Padding size should be less than the corresponding input "
                "dimension, but got: padding (4, 1) at dimension 2 of input [2, 3, 4]"
            ),
        ),
        (lambda: F.pad(x, (5, 1), mode="circular"), "Padding value causes wrapping around more than once."),
        (lambda: F.pad(x, (1, 1), mode="reflect", value=1.0), 'Padding mode "reflect" doesn\'t take in value argument'),
        (
            lambda: F.pad(ferrograd.randn(2, 0, 4), (1, 1), mode="reflect"),
            (
                "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and "
                "other non-zero dimensions for input, but got: [2, 0, 4]"
            ),
        ),
    ]
    for fn, message in runtime:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == message
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    with pytest.raises(NotImplementedError, match="Padding size 6 is not supported for 3D input tensor."):
        F.pad(x, (1, 1, 1, 1, 1, 1), mode="reflect")
