"""Every activation module against its NumPy definition, with gradients, in-place variants
writing into their input, and reprs."""

import math

import nn_reference as ref
import numpy as np
import pytest

import ferrograd
from ferrograd import nn
from opcheck import check_op

rng = np.random.default_rng(5)
erf = np.vectorize(math.erf)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


CASES = [
    (nn.GELU(), lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2)))),
    (nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    (nn.SiLU(), lambda x: x * sigmoid(x)),
    (nn.Mish(), lambda x: x * np.tanh(softplus(x))),
    (nn.Softplus(2.0, 3.0), lambda x: np.where(2 * x > 3, x, softplus(2 * x) / 2)),
    (nn.ELU(0.7), lambda x: elu(x, 0.7)),
    (nn.CELU(2.0), lambda x: np.maximum(x, 0) + np.minimum(0, 2 * np.expm1(np.minimum(x, 0) / 2))),
    (nn.SELU(), lambda x: SELU_SCALE * elu(x, SELU_ALPHA)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.Hardtanh(-0.5, 1.5), lambda x: np.clip(x, -0.5, 1.5)),
    (nn.ReLU6(), lambda x: np.clip(x * 4, 0, 6) / 4),
    (nn.Hardswish(), lambda x: x * np.clip(x + 3, 0, 6) / 6),
    (nn.Hardsigmoid(), lambda x: np.clip(x + 3, 0, 6) / 6),
    (nn.LogSigmoid(), lambda x: -softplus(-x)),
    (nn.Softsign(), lambda x: x / (1 + np.abs(x))),
    (nn.Tanhshrink(), lambda x: x - np.tanh(x)),
    (nn.GLU(0), lambda x: x[:2] * sigmoid(x[2:])),
    (nn.Softmax(1), lambda x: ref.softmax(x, 1)),
    (nn.LogSoftmax(0), lambda x: ref.log_softmax(x, 0)),
    (nn.Softmin(1), lambda x: ref.softmax(-x, 1)),
]


@pytest.mark.parametrize(("module", "reference"), CASES, ids=lambda c: repr(c) if isinstance(c, nn.Module) else "")
def test_activation_module(module, reference, device):
    x = rng.standard_normal((4, 3)) * 2
    if isinstance(module, nn.ReLU6):
        # Scaled so that values cross 6, as the reference expects.
        check_op(lambda t: module(t * 4) / 4, reference, x, device=device)
    else:
        check_op(module, reference, x, device=device)


def test_softmax2d_normalizes_over_channels(device):
    x = rng.standard_normal((2, 3, 2, 2))
    check_op(nn.Softmax2d(), lambda x: ref.softmax(x, 1), x, device=device)
    check_op(nn.Softmax2d(), lambda x: ref.softmax(x, 0), x[0], device=device)
    with pytest.raises(ValueError, match=r"^Softmax2d: expected input to be 3D or 4D, got 2D instead$"):
        nn.Softmax2d()(ferrograd.ones(3, 4))


@pytest.mark.parametrize(
    "module",
    [nn.ReLU(True), nn.SiLU(True), nn.Mish(True), nn.ELU(inplace=True), nn.CELU(inplace=True), nn.SELU(True),
     nn.LeakyReLU(inplace=True), nn.Hardtanh(inplace=True), nn.ReLU6(True), nn.Hardswish(True),
     nn.Hardsigmoid(True)],
    ids=repr,
)  # fmt: skip
def test_inplace_modules_write_into_their_input(module):
    x = ferrograd.tensor([-1.5, 0.5, 2.5])
    expected = type(module)()(x.clone())
    assert module(x) is x
    np.testing.assert_array_equal(x.numpy(), expected.numpy())


def test_new_activation_reprs_match_pytorch():
    modules = [nn.CELU(), nn.CELU(2.0, True), nn.Softmin(1), nn.Softmin(), nn.Tanhshrink(), nn.Softmax2d()]
    assert [repr(m) for m in modules] == [
        "CELU(alpha=1.0)", "CELU(alpha=2.0, inplace=True)", "Softmin(dim=1)", "Softmin(dim=None)", "Tanhshrink()",
        "Softmax2d()",
    ]  # fmt: skip


def test_inplace_relu_matches_relu_and_its_gradient():
    x = ferrograd.tensor([-1.5, 0.0, 2.5], requires_grad=True)
    y = x * 1
    out = nn.ReLU(inplace=True)(y)
    assert out is y and out.tolist() == [0.0, 0.0, 2.5] and str(out[0].item()) == "0.0"
    assert type(out.grad_fn).__name__ == "ReluBackward0"
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
