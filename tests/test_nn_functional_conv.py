"""conv1d, conv2d and conv_transpose2d against direct-loop NumPy convolutions: stride,
padding (numbers, "same", "valid"), dilation, groups, bias, batched and unbatched input,
gradients of every order, and PyTorch's errors."""

import nn_reference as ref
import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape)


CONV2D_CASES = [
    dict(),
    dict(stride=2),
    dict(padding=1),
    dict(stride=(2, 1), padding=(1, 2)),
    dict(dilation=2, padding=1),
    dict(padding="same"),
    dict(padding="valid", stride=1),
    dict(padding="same", dilation=(1, 2)),
]


@pytest.mark.parametrize("kw", CONV2D_CASES, ids=str)
def test_conv2d(device, kw):
    x, w, b = r(2, 3, 6, 5), r(4, 3, 3, 2), r(4)
    pad = kw.get("padding", 0)
    if pad == "same":
        # PyTorch's "same": total padding d (k - 1) per dim, the odd one extra at the end.
        d = ref.pair(kw.get("dilation", 1))
        totals = [d[i] * (w.shape[2 + i] - 1) for i in range(2)]
        pad = tuple((t // 2, t - t // 2) for t in totals)
    elif pad == "valid":
        pad = 0
    opts = {k: v for k, v in kw.items() if k != "padding"}
    check_op(
        lambda x, w, b: F.conv2d(x, w, b, **kw),
        lambda x, w, b: ref.conv2d(x, w, b, padding=pad, **opts),
        x,
        w,
        b,
        device=device,
    )


def test_conv2d_groups_and_no_bias(device):
    check_op(
        lambda x, w: F.conv2d(x, w, groups=2, padding=1),
        lambda x, w: ref.conv2d(x, w, groups=2, padding=1),
        r(2, 4, 5, 5),
        r(6, 2, 3, 3),
        device=device,
    )


def test_conv2d_pointwise(device):
    # 1x1 without stride or padding multiplies in place (no unfolding).
    check_op(lambda x, w: F.conv2d(x, w), lambda x, w: ref.conv2d(x, w), r(2, 4, 3, 3), r(5, 4, 1, 1), device=device)


def test_conv2d_unbatched(device):
    x, w = r(3, 5, 5), r(2, 3, 3, 3)
    check_op(
        lambda x, w: F.conv2d(x, w, stride=2), lambda x, w: ref.conv2d(x[None], w, stride=2)[0], x, w, device=device
    )


def test_conv2d_large_inputs_take_the_tiled_paths():
    # Big images unfold in blocks of rows; small ones several samples per GEMM.
    for x, w, kw in [
        (r(2, 8, 40, 37), r(4, 8, 3, 3), dict(padding=1)),
        (r(2, 8, 40, 37), r(4, 8, 3, 3), dict()),
        (r(33, 6, 12, 12), r(8, 3, 5, 5), dict(groups=2)),
        (r(3, 4, 30, 30), r(4, 4, 3, 3), dict(stride=2, dilation=2, padding=2)),
    ]:
        got = F.conv2d(ferrograd.tensor(x), ferrograd.tensor(w), **kw).numpy()
        np.testing.assert_allclose(got, ref.conv2d(x, w, **kw), rtol=1e-10, atol=1e-10)


def test_conv2d_float32_gradients_on_larger_shapes():
    x, w, g = r(5, 6, 17, 19), r(8, 6, 3, 3), None
    xt = ferrograd.tensor(x.astype(np.float32), requires_grad=True)
    wt = ferrograd.tensor(w.astype(np.float32), requires_grad=True)
    y = F.conv2d(xt, wt, padding=1)
    g = rng.standard_normal(tuple(y.shape))
    y.backward(ferrograd.tensor(g.astype(np.float32)))
    xd = ferrograd.tensor(x, requires_grad=True)
    wd = ferrograd.tensor(w, requires_grad=True)
    F.conv2d(xd, wd, padding=1).backward(ferrograd.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), xd.grad.numpy(), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(wt.grad.numpy(), wd.grad.numpy(), rtol=1e-3, atol=1e-2)


def test_conv2d_empty_batch():
    w = ferrograd.tensor(r(4, 3, 3, 3), requires_grad=True)
    y = F.conv2d(ferrograd.zeros(0, 3, 5, 5, dtype=ferrograd.float64), w)
    assert y.shape == (0, 4, 3, 3)
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((4, 3, 3, 3)))


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(dilation=2), dict(padding="same")], ids=str)
def test_conv1d(device, kw):
    x, w, b = r(2, 3, 9), r(4, 3, 3), r(4)
    pad = kw.get("padding", 0)
    pad = ((1, 1),) if pad == "same" else pad
    opts = {k: v for k, v in kw.items() if k != "padding"}
    check_op(
        lambda x, w, b: F.conv1d(x, w, b, **kw),
        lambda x, w, b: ref.conv1d(x, w, b, padding=pad, **opts),
        x,
        w,
        b,
        device=device,
    )


def test_conv1d_same_with_an_even_kernel_pads_more_at_the_end():
    x, w = r(1, 2, 7), r(3, 2, 4)
    got = F.conv1d(ferrograd.tensor(x), ferrograd.tensor(w), padding="same").numpy()
    np.testing.assert_allclose(got, ref.conv1d(x, w, padding=((1, 2),)), rtol=1e-12)


@pytest.mark.parametrize(
    "kw",
    [dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1), dict(groups=2, dilation=2), dict(padding=1)],
    ids=str,
)
def test_conv_transpose2d(device, kw):
    x, w, b = r(2, 4, 4, 3), r(4, 3, 3, 2), r(3 * kw.get("groups", 1))
    if kw.get("groups", 1) > 1:
        w = r(4, 3, 3, 2)
    check_op(
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
        lambda x, w, b: ref.conv_transpose2d(x, w, b, **kw),
        x,
        w,
        b,
        device=device,
    )


def test_conv_transpose2d_inverts_the_shape_of_conv2d():
    x = ferrograd.randn(1, 3, 9, 9)
    w = ferrograd.randn(5, 3, 3, 3)
    y = F.conv2d(x, w, stride=2, padding=1)
    assert F.conv_transpose2d(y, w, stride=2, padding=1).shape == x.shape


@pytest.mark.parametrize(
    "op",
    [
        lambda x, w: F.conv2d(x, w, stride=2, padding=1),
        lambda x, w: F.conv2d(x, w, dilation=2),
        lambda x, w: F.conv_transpose2d(x, w.transpose(0, 1), stride=2),
    ],
)
def test_double_backward(op):
    check_double_backward(op, r(1, 2, 5, 5), r(3, 2, 3, 3))


def test_node_names():
    x = ferrograd.randn(1, 2, 5, 5, requires_grad=True)
    w = ferrograd.randn(3, 2, 3, 3, requires_grad=True)
    y = F.conv2d(x, w)
    assert type(y.grad_fn).__name__ == "ConvolutionBackward0"
    assert len(y.grad_fn.next_functions) == 3
    assert type(F.conv_transpose2d(x, w.transpose(0, 1)).grad_fn).__name__ == "ConvolutionBackward0"
    assert type(F.conv2d(x[0], w).grad_fn).__name__ == "SqueezeBackward1"
    (gx,) = ferrograd.autograd.grad(y.sum(), [x], create_graph=True)
    assert type(gx.grad_fn).__name__ == "ConvolutionBackwardBackward0"


def test_errors():
    x = ferrograd.randn(2, 3, 6, 6)
    w = ferrograd.randn(4, 3, 3, 3)
    cases = [
        (
            lambda: F.conv2d(x, ferrograd.randn(4, 2, 3, 3)),
            (
                "Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 6, "
                "6] to have 2 channels, but got 3 channels instead"
            ),
        ),
        (
            lambda: F.conv2d(x[0, 0], w),
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [6, 6]",
        ),
        (
            lambda: F.conv2d(x, w[0]),
            (
                "expected stride to be a single integer value or a list of 1 values to "
                "match the convolution dimensions, but got stride=[1, 1]"
            ),
        ),
        (
            lambda: F.conv2d(x, w, ferrograd.randn(3)),
            (
                "Given weight of size [4, 3, 3, 3], expected bias to be 1-dimensional "
                "with 4 elements, but got bias of size [3] instead"
            ),
        ),
        (lambda: F.conv2d(x, w, padding="same", stride=2), "padding='same' is not supported for strided convolutions"),
        (lambda: F.conv2d(x, w, padding="foo"), "Invalid padding string: 'foo'"),
        (
            lambda: F.conv2d(x, ferrograd.randn(4, 3, 7, 7)),
            (
                "Calculated padded input size per channel: (6 x 6). Kernel size: (7 x "
                "7). Kernel size can't be greater than actual input size"
            ),
        ),
        (
            lambda: F.conv2d(x, w.double()),
            (
                "Input type (ferrograd.FloatTensor) and weight type "
                "(ferrograd.DoubleTensor) should be the same or input should be a "
                "MKLDNN tensor and weight is a dense tensor"
            ),
        ),
        (
            lambda: F.conv2d(x, w, ferrograd.randn(4).double()),
            "Input type (float) and bias type (double) should be the same",
        ),
        (
            lambda: F.conv2d(x, ferrograd.randn(4, 1, 3, 3), groups=3),
            (
                "Given groups=3, expected weight to be divisible by 3 at dimension 0, "
                "but got weight of size [[4, 1, 3, 3]] instead"
            ),
        ),
        (
            lambda: F.conv2d(x, ferrograd.randn(2, 3, 3, 3), groups=4),
            (
                "Given groups=4, expected weight to be at least 4 at dimension 0, but "
                "got weight of size [2, 3, 3, 3] instead"
            ),
        ),
        (lambda: F.conv2d(x, w, stride=0), "non-positive stride is not supported"),
        (lambda: F.conv2d(x, w, padding=-1), "negative padding is not supported"),
        (lambda: F.conv2d(x, w, dilation=0), "non-positive dilation is not supported"),
        (lambda: F.conv2d(x, w, groups=0), "non-positive groups is not supported"),
        (lambda: F.conv2d(x, ferrograd.randn(4, 3)), "weight should have at least three dimensions"),
        (
            lambda: F.conv2d(x, w, stride=(1, 2, 3)),
            (
                "expected stride to be a single integer value or a list of 2 values to "
                "match the convolution dimensions, but got stride=[1, 2, 3]"
            ),
        ),
        (
            lambda: F.conv1d(x, ferrograd.randn(4, 3, 3)),
            "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [2, 3, 6, 6]",
        ),
        (
            lambda: F.conv_transpose2d(x, ferrograd.randn(3, 4, 3, 3), stride=2, output_padding=2),
            (
                "output padding must be smaller than either stride or dilation, but "
                "got output_padding_height: 2 output_padding_width: 2 stride_height: 2 "
                "stride_width: 2 dilation_height: 1 dilation_width: 1"
            ),
        ),
        (
            lambda: F.conv_transpose2d(x, ferrograd.randn(4, 4, 3, 3)),
            (
                "Given transposed=1, weight of size [4, 4, 3, 3], expected input[2, 3, "
                "6, 6] to have 4 channels, but got 3 channels instead"
            ),
        ),
        (
            lambda: F.conv_transpose2d(x, ferrograd.randn(3, 4, 3, 3), ferrograd.randn(3)),
            (
                "Given transposed=1, weight of size [3, 4, 3, 3], expected bias to be "
                "1-dimensional with 4 elements, but got bias of size [3] instead"
            ),
        ),
        (
            lambda: F.conv_transpose2d(x, ferrograd.randn(3, 4, 3, 3), output_padding=-1),
            "negative output_padding is not supported",
        ),
    ]
    for fn, message in cases:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == message
    with pytest.raises(RuntimeError, match="kernel sizes must be positive"):
        F.conv2d(x, ferrograd.randn(4, 3, 0, 3))
    for kw in (dict(padding=2**62), dict(dilation=2**40), dict(stride=2**62)):
        with pytest.raises(RuntimeError, match="must be below 2\\^31"):
            F.conv2d(x, w, **kw)
    with pytest.raises(RuntimeError, match="kernel sizes must be positive"):
        F.conv1d(x[:, :, 0], ferrograd.randn(4, 3, 0))
    with pytest.raises(TypeError, match="conv_transpose2d\\(\\): argument 'padding' must be tuple of ints, not str"):
        F.conv_transpose2d(x, ferrograd.randn(3, 4, 3, 3), padding="same")
