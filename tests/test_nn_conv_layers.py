"""Conv1d, Conv2d and ConvTranspose2d: forward against NumPy and gradients of input, weight
and bias (padding modes, "same", groups, stride, dilation, output_size), PyTorch's default
initialization, reprs and errors."""

import math

import nn_reference as ref
import numpy as np
import pytest
from module_check import check_module

import ferrograd
from ferrograd import nn

rng = np.random.default_rng(0)
NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def padded(x: np.ndarray, widths: list[tuple[int, int]], mode: str) -> np.ndarray:
    """``x`` padded on its trailing (spatial) dims by ``widths`` in ``mode``."""
    return np.pad(x, [(0, 0)] * (x.ndim - len(widths)) + widths, mode=NUMPY_MODES[mode])


def test_conv1d(device):
    conv = nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2)
    reference = lambda x, w, b: ref.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2)  # noqa: E731
    check_module(conv, reference, rng.standard_normal((2, 4, 9)), device=device)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv1d_padding_modes(mode, device):
    conv = nn.Conv1d(2, 3, 3, padding=2, bias=False, padding_mode=mode)
    check_module(
        conv,
        lambda x, w: ref.conv1d(padded(x, [(2, 2)], mode), w),
        rng.standard_normal((2, 2, 6)),
        device=device,
    )


def test_conv2d(device):
    conv = nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0))
    reference = lambda x, w, b: ref.conv2d(x, w, b, stride=(2, 1), padding=(1, 0))  # noqa: E731
    check_module(conv, reference, rng.standard_normal((2, 2, 6, 5)), device=device)


def test_conv2d_unbatched(device):
    conv = nn.Conv2d(2, 3, 2)
    check_module(conv, lambda x, w, b: ref.conv2d(x[None], w, b)[0], rng.standard_normal((2, 4, 3)), device=device)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "circular"])
def test_conv2d_same_padding(mode, device):
    # An even kernel: the extra padding element goes on the right/bottom.
    conv = nn.Conv2d(2, 2, (3, 4), padding="same", padding_mode=mode)
    widths = [(1, 1), (1, 2)]

    def reference(x, w, b):
        xp = np.pad(x, [(0, 0), (0, 0), *widths]) if mode == "zeros" else padded(x, widths, mode)
        return ref.conv2d(xp, w, b)

    x = rng.standard_normal((1, 2, 5, 6))
    check_module(conv, reference, x, device=device)
    assert tuple(conv(ferrograd.tensor(x, device=device)).shape) == (1, 2, 5, 6)


def test_conv_transpose2d(device):
    conv = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=1)
    reference = lambda x, w, b: ref.conv_transpose2d(x, w, b, 2, 1, 1, 2)  # noqa: E731
    check_module(conv, reference, rng.standard_normal((2, 4, 3, 3)), device=device)


def test_conv_transpose2d_output_size():
    conv = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)
    x = ferrograd.randn(1, 1, 4, 4)
    assert tuple(conv(x).shape) == (1, 1, 7, 7)
    assert tuple(conv(x, output_size=[8, 8]).shape) == (1, 1, 8, 8)
    assert tuple(conv(x, output_size=(1, 1, 8, 7)).shape) == (1, 1, 8, 7)
    np.testing.assert_allclose(conv(x, output_size=[8, 8]).detach().numpy()[..., :7, :7], conv(x).detach().numpy())
    with pytest.raises(ValueError, match=r"requested an output size of \[10, 10\], but valid sizes range from "
                       r"\[7, 7\] to \[8, 8\] \(for an input of ferrograd.Size\(\[4, 4\]\)\)"):  # fmt: skip
        conv(x, output_size=[10, 10])
    with pytest.raises(ValueError, match="ConvTranspose2D: for 4D input, output_size must have 2 or 4 elements"):
        conv(x, output_size=[10])


@pytest.mark.parametrize(
    ("layer", "fan_in"),
    [
        (lambda: nn.Conv1d(8, 64, 5), 8 * 5),
        (lambda: nn.Conv2d(6, 64, 3, groups=2), 3 * 9),
        (lambda: nn.ConvTranspose2d(64, 8, 3, groups=2), 4 * 9),
    ],
)
def test_default_initialization_is_uniform_within_one_over_sqrt_fan_in(layer, fan_in):
    # kaiming_uniform_(a=sqrt(5)) has bound sqrt(6 / ((1 + 5) fan_in)) = 1 / sqrt(fan_in), as the bias.
    ferrograd.manual_seed(0)
    conv = layer()
    bound = 1 / math.sqrt(fan_in)
    w = conv.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    b = conv.bias.detach().numpy()
    assert np.abs(b).max() <= bound and len(set(b.tolist())) == len(b)


def test_parameters_and_state_dict():
    conv = nn.ConvTranspose2d(4, 6, (3, 2), groups=2, bias=False)
    assert tuple(conv.weight.shape) == (4, 3, 3, 2) and conv.bias is None
    assert list(conv.state_dict()) == ["weight"]
    assert list(nn.Conv1d(2, 4, 3).state_dict()) == ["weight", "bias"]
    conv = nn.Conv2d(2, 4, 3, dtype=ferrograd.float64)
    assert conv.weight.dtype == ferrograd.float64 and conv.bias.dtype == ferrograd.float64


def test_reprs_match_pytorch():
    assert [repr(m) for m in (
        nn.Conv1d(2, 4, 3),
        nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2, groups=2, bias=False, padding_mode="reflect"),
        nn.Conv2d(1, 6, 5),
        nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=1),
        nn.Conv2d(2, 4, 3, padding="same"),
        nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1),
        nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, groups=2, bias=False, dilation=2),
    )] == [
        "Conv1d(2, 4, kernel_size=(3,), stride=(1,))",
        "Conv1d(2, 4, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), groups=2, bias=False, "
        "padding_mode=reflect)",
        "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))",
        "Conv2d(2, 4, kernel_size=(3, 2), stride=(2, 1), padding=(1, 1))",
        "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=same)",
        "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))",
        "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2, "
        "bias=False)",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible by groups"),
        (lambda: nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible by groups"),
        (lambda: nn.Conv2d(4, 4, 3, groups=0), ValueError, "groups must be a positive integer"),
        (lambda: nn.Conv2d(3, 4, 3, padding="same", stride=2), ValueError,
         "padding='same' is not supported for strided convolutions"),
        (lambda: nn.Conv2d(3, 4, 3, padding="full"), ValueError,
         "Invalid padding string 'full', should be one of {'valid', 'same'}"),
        (lambda: nn.Conv2d(3, 4, 3, padding_mode="foo"), ValueError,
         "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='foo'"),
        (lambda: nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"), ValueError,
         'Only "zeros" padding mode is supported for ConvTranspose2d'),
    ],
)  # fmt: skip
def test_construction_errors(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("layer", "shape", "message"),
    [
        (nn.Conv2d(3, 4, 3), (2, 3), "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
         "[2, 3]"),
        (nn.Conv2d(3, 4, 3), (1, 2, 5, 5), "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 5, 5] "
         "to have 3 channels, but got 2 channels instead"),
        (nn.Conv1d(2, 4, 3), (1, 2, 5, 5), "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of "
         "size: [1, 2, 5, 5]"),
        (nn.Conv2d(3, 4, 3), (1, 3, 2, 2), "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). "
         "Kernel size can't be greater than actual input size"),
        (nn.ConvTranspose2d(3, 4, 3), (1, 2, 5, 5), "Given transposed=1, weight of size [3, 4, 3, 3], expected "
         "input[1, 2, 5, 5] to have 3 channels, but got 2 channels instead"),
    ],
)  # fmt: skip
def test_wrong_input_shapes(layer, shape, message):
    with pytest.raises(RuntimeError) as info:
        layer(ferrograd.ones(*shape))
    assert str(info.value) == message
