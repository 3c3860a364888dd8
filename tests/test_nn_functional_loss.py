"""Losses against NumPy: nll_loss, cross_entropy (class indices and probabilities,
ignore_index, label_smoothing, class weights, every reduction, PyTorch's weighted mean),
mse / l1 / smooth_l1 / huber, binary_cross_entropy (with and without logits), kl_div;
gradients of every order, node names and PyTorch's errors."""

import warnings

import nn_reference as ref
import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]
TARGET = np.array([0, 1, 2, 0, 1])


def on(device, array):
    return ferrograd.tensor(array, device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(device, reduction):
    check_op(
        lambda x: F.nll_loss(x, on(device, TARGET), reduction=reduction),
        lambda x: ref.nll_loss(x, TARGET, reduction=reduction),
        rng.standard_normal((5, 3)),
        device=device,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_weighted_mean_divides_by_the_weights_of_counted_targets(device, reduction):
    w = np.array([0.2, 1.5, 3.0])
    check_op(
        lambda x: F.nll_loss(x, on(device, TARGET), weight=on(device, w), ignore_index=1, reduction=reduction),
        lambda x: ref.nll_loss(x, TARGET, w, ignore_index=1, reduction=reduction),
        rng.standard_normal((5, 3)),
        device=device,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_spatial(device, reduction):
    target = rng.integers(0, 3, (2, 4, 5))
    target[0, 0, 0] = -100
    w = np.array([0.5, 1.0, 2.0])
    check_op(
        lambda x: F.nll_loss(x, on(device, target), weight=on(device, w), reduction=reduction),
        lambda x: ref.nll_loss(x, target, w, reduction=reduction),
        rng.standard_normal((2, 3, 4, 5)),
        device=device,
    )


def test_nll_loss_without_batch_dim():
    x = ferrograd.tensor([0.1, -2.0, 0.5])
    assert F.nll_loss(x, ferrograd.tensor(1)).item() == pytest.approx(2.0)


def test_all_ignored_and_empty_batches():
    x = ferrograd.randn(5, 3, requires_grad=True)
    ignored = ferrograd.full((5,), -100)
    assert np.isnan(F.nll_loss(x, ignored).item())
    assert F.nll_loss(x, ignored, reduction="sum").item() == 0.0
    np.testing.assert_array_equal(F.nll_loss(x, ignored, reduction="none").detach().numpy(), np.zeros(5))
    F.nll_loss(x, ignored, reduction="sum").backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((5, 3)))
    assert np.isnan(F.nll_loss(ferrograd.zeros(0, 3), ferrograd.zeros(0, dtype=ferrograd.int64)).item())
    assert np.isnan(F.cross_entropy(ferrograd.randn(5, 3), ignored, label_smoothing=0.1).item())


def smoothed_cross_entropy(x, target, weight, ignore_index, smoothing, reduction):
    """PyTorch's definition: (1 - s) nll + s / C * (minus the weighted sum of log-probabilities,
    0 at ignored targets), with the smoothing term's mean over the same denominator."""
    c = x.shape[1]
    logp = ref.log_softmax(x, 1)
    w = np.ones(c) if weight is None else weight
    nll = ref.nll_loss(logp, target, weight, ignore_index, reduction)
    smooth = -(logp * w.reshape(1, -1)).sum(1)
    valid = target != ignore_index
    smooth = np.where(valid, smooth, 0.0)
    if reduction == "mean":
        denominator = w[np.where(valid, target, 0)][valid].sum() if weight is not None else valid.sum()
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - smoothing) * nll + smoothing / c * smooth


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_class_indices(device, reduction, weighted, smoothing):
    w = np.array([0.5, 2.0, 1.0]) if weighted else None

    def op(x):
        weight = on(device, w) if weighted else None
        return F.cross_entropy(
            x, on(device, TARGET), weight=weight, ignore_index=0, reduction=reduction, label_smoothing=smoothing
        )

    check_op(
        op,
        lambda x: smoothed_cross_entropy(x, TARGET, w, 0, smoothing, reduction),
        rng.standard_normal((5, 3)),
        device=device,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_class_probabilities(device, reduction, smoothing):
    p = rng.uniform(size=(5, 3))
    p /= p.sum(1, keepdims=True)
    w = np.array([0.5, 2.0, 1.0])

    def reference(x, p):
        target = p * (1 - smoothing) + smoothing / 3
        losses = -(ref.log_softmax(x, 1) * target * w).sum(1)
        return {"mean": losses.sum() / 5, "sum": losses.sum(), "none": losses}[reduction]

    check_op(
        lambda x, p: F.cross_entropy(x, p, weight=on(device, w), reduction=reduction, label_smoothing=smoothing),
        reference,
        rng.standard_normal((5, 3)),
        p,
        device=device,
    )


def test_cross_entropy_spatial_and_unbatched():
    x, t = rng.standard_normal((2, 3, 4)), rng.integers(0, 3, (2, 4))
    got = F.cross_entropy(ferrograd.tensor(x), ferrograd.tensor(t)).item()
    assert got == pytest.approx(ref.nll_loss(ref.log_softmax(x, 1), t))
    x1 = rng.standard_normal(4)
    assert F.cross_entropy(ferrograd.tensor(x1), ferrograd.tensor(2)).item() == pytest.approx(
        -ref.log_softmax(x1, 0)[2]
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(device, reduction):
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    d = lambda a, b: a - b  # noqa: E731
    cases = [
        (lambda a, b: F.mse_loss(a, b, reduction=reduction), lambda a, b: d(a, b) ** 2),
        (lambda a, b: F.l1_loss(a, b, reduction=reduction), lambda a, b: np.abs(d(a, b))),
        (
            lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=0.7),
            lambda a, b: np.where(np.abs(d(a, b)) < 0.7, 0.5 * d(a, b) ** 2 / 0.7, np.abs(d(a, b)) - 0.35),
        ),
        (
            lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=0.7),
            lambda a, b: np.where(np.abs(d(a, b)) < 0.7, 0.5 * d(a, b) ** 2, 0.7 * (np.abs(d(a, b)) - 0.35)),
        ),
        (lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=0.0), lambda a, b: np.abs(d(a, b))),
    ]
    for op, elementwise in cases:
        check_op(op, lambda a, b, f=elementwise: ref.reduce(f(a, b), reduction), x, y, device=device)


def test_weighted_regression_losses():
    x, y, w = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.uniform(size=(4, 3))
    X, Y, W = (ferrograd.tensor(a) for a in (x, y, w))
    assert F.mse_loss(X, Y, weight=W).item() == pytest.approx(((x - y) ** 2 * w).sum() / w.sum())
    assert F.l1_loss(X, Y, weight=W).item() == pytest.approx((np.abs(x - y) * w).sum() / w.sum())
    huber = np.where(np.abs(x - y) < 1, 0.5 * (x - y) ** 2, np.abs(x - y) - 0.5)
    assert F.huber_loss(X, Y, weight=W).item() == pytest.approx((huber * w).mean())
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        F.mse_loss(X, Y, weight=W[0])


def test_regression_losses_broadcast_with_a_warning():
    x, y = rng.standard_normal(5), rng.standard_normal((5, 1))
    with pytest.warns(UserWarning, match="Using a target size"):
        got = F.mse_loss(ferrograd.tensor(x), ferrograd.tensor(y))
    assert got.item() == pytest.approx(((x - y) ** 2).mean())
    got = F.mse_loss(ferrograd.ones(3), ferrograd.zeros(3, dtype=ferrograd.float64))
    assert got.dtype == ferrograd.float64


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(device, reduction):
    p, t, w = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(size=(4, 3)), rng.uniform(size=(4, 3))

    def reference(p, t):
        return ref.reduce(-w * (t * np.log(p) + (1 - t) * np.log(1 - p)), reduction)

    check_op(
        lambda p, t: F.binary_cross_entropy(p, t, weight=on(device, w), reduction=reduction),
        reference,
        p,
        t,
        device=device,
    )


def test_binary_cross_entropy_clamps_logs_and_broadcasts_weight():
    got = F.binary_cross_entropy(ferrograd.tensor([0.0, 1.0]), ferrograd.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(got.numpy(), [100.0, 100.0])
    p, t = rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(size=(4, 3))
    got = F.binary_cross_entropy(
        ferrograd.tensor(p), ferrograd.tensor(t), weight=ferrograd.tensor(np.array([1.0, 2.0, 3.0]))
    )
    expected = (-np.array([1.0, 2.0, 3.0]) * (t * np.log(p) + (1 - t) * np.log(1 - p))).mean()
    assert got.item() == pytest.approx(expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(device, reduction):
    w, pw = rng.uniform(size=(4, 3)), rng.uniform(0.5, 2.0, 3)

    def reference(x, t):
        s = 1 / (1 + np.exp(-x))
        return ref.reduce(-w * (pw * t * np.log(s) + (1 - t) * np.log(1 - s)), reduction)

    check_op(
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, weight=on(device, w), pos_weight=on(device, pw), reduction=reduction
        ),
        reference,
        rng.standard_normal((4, 3)) * 3,
        rng.uniform(size=(4, 3)),
        device=device,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(device, reduction, log_target):
    x = np.log(rng.uniform(0.1, 1.0, (4, 3)))
    t = np.log(rng.uniform(0.1, 1.0, (4, 3))) if log_target else rng.uniform(0.1, 1.0, (4, 3))

    def reference(x, t):
        p = np.exp(t) if log_target else t
        losses = p * (np.log(p) - x)
        return losses.sum() / 4 if reduction == "batchmean" else ref.reduce(losses, reduction)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_op(
            lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target), reference, x, t, device=device
        )


def test_kl_div_zero_targets_contribute_nothing():
    x = ferrograd.tensor([[-1.0, -2.0]], requires_grad=True)
    t = ferrograd.tensor([[0.0, 1.0]])
    got = F.kl_div(x, t, reduction="sum")
    assert got.item() == pytest.approx(2.0)
    got.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, -1.0]])
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss"):
        F.kl_div(x, t)


def test_legacy_size_average_and_reduce():
    x, y = ferrograd.randn(4, 3), ferrograd.randn(4, 3)
    with pytest.warns(
        UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum' instead."
    ):
        got = F.mse_loss(x, y, size_average=False)
    assert got.item() == pytest.approx(F.mse_loss(x, y, reduction="sum").item())
    with pytest.warns(UserWarning):
        assert F.nll_loss(x, ferrograd.tensor([0, 1, 2, 0]), reduce=False).shape == (4,)


@pytest.mark.parametrize(
    "op",
    [
        lambda x: F.cross_entropy(x, ferrograd.tensor([0, 2, 1])),
        lambda x: F.cross_entropy(
            x,
            ferrograd.tensor([0, 2, 1]),
            label_smoothing=0.3,
            weight=ferrograd.tensor([1.0, 2.0, 0.5, 1.0], dtype=ferrograd.float64),
        ),
        lambda x: F.nll_loss(x, ferrograd.tensor([0, 2, 1]), reduction="sum"),
        lambda x: F.mse_loss(x, ferrograd.ones(3, 4, dtype=ferrograd.float64)),
        lambda x: F.huber_loss(x, ferrograd.zeros(3, 4, dtype=ferrograd.float64), delta=0.5),
        lambda x: F.smooth_l1_loss(x, ferrograd.zeros(3, 4, dtype=ferrograd.float64), beta=0.5),
        lambda x: F.binary_cross_entropy(x.sigmoid(), ferrograd.full((3, 4), 0.3, dtype=ferrograd.float64)),
        lambda x: F.kl_div(x, ferrograd.full((3, 4), 0.25, dtype=ferrograd.float64), reduction="batchmean"),
    ],
)
def test_double_backward(op):
    check_double_backward(op, rng.standard_normal((3, 4)))


def test_double_backward_in_the_target():
    check_double_backward(lambda x, t: F.mse_loss(x, t), rng.standard_normal(4), rng.standard_normal(4))
    check_double_backward(lambda p, t: F.binary_cross_entropy(p, t), rng.uniform(0.2, 0.8, 4), rng.uniform(size=4))


def test_node_names():
    x = ferrograd.randn(5, 3, requires_grad=True)
    y, t = ferrograd.randn(5, 3), ferrograd.tensor(TARGET)
    names = [
        (F.nll_loss(x, t), "NllLossBackward0"),
        (F.nll_loss(x.reshape(5, 3, 1), t.reshape(5, 1)), "NllLoss2DBackward0"),
        (F.cross_entropy(x, t), "NllLossBackward0"),
        (F.cross_entropy(x, t, label_smoothing=0.1), "AddBackward0"),
        (F.cross_entropy(x, y.softmax(1)), "DivBackward1"),
        (F.mse_loss(x, y), "MseLossBackward0"),
        (F.l1_loss(x, y), "MeanBackward0"),
        (F.l1_loss(x, y, reduction="none"), "AbsBackward0"),
        (F.smooth_l1_loss(x, y), "SmoothL1LossBackward0"),
        (F.huber_loss(x, y), "HuberLossBackward0"),
        (F.binary_cross_entropy(x.sigmoid(), y.sigmoid()), "BinaryCrossEntropyBackward0"),
        (F.binary_cross_entropy_with_logits(x, y), "BinaryCrossEntropyWithLogitsBackward0"),
        (F.kl_div(x, y, reduction="batchmean"), "DivBackward0"),
        (F.kl_div(x, y, reduction="none"), "SubBackward0"),
    ]
    for out, name in names:
        assert type(out.grad_fn).__name__ == name


def test_errors():
    x, t = ferrograd.randn(5, 3), ferrograd.tensor(TARGET)
    cases = [
        (IndexError, lambda: F.nll_loss(x, ferrograd.tensor([0, 1, 2, 0, 3])), "Target 3 is out of bounds."),
        (IndexError, lambda: F.nll_loss(x, ferrograd.tensor([0, 1, 2, 0, -5])), "Target -5 is out of bounds."),
        (RuntimeError, lambda: F.nll_loss(x, t.float()), "expected target dtype to be Long or Byte, but got Float"),
        (ValueError, lambda: F.nll_loss(x, t[:4]), "Expected input batch_size (5) to match target batch_size (4)."),
        (
            RuntimeError,
            lambda: F.nll_loss(x, t, weight=ferrograd.ones(4)),
            (
                "weight tensor should be defined either for all 3 classes or no "
                "classes but got weight tensor of shape: [4]"
            ),
        ),
        (ValueError, lambda: F.nll_loss(x, t, reduction="foo"), "foo is not a valid value for reduction"),
        (
            RuntimeError,
            lambda: F.nll_loss(ferrograd.randn(2, 3, 4), ferrograd.zeros(2, 5, dtype=ferrograd.int64)),
            "Expected target size [2, 4], got [2, 5]",
        ),
        (
            RuntimeError,
            lambda: F.nll_loss(x.double(), t, weight=ferrograd.ones(3)),
            "expected scalar type Double but found Float",
        ),
        (
            ValueError,
            lambda: F.nll_loss(ferrograd.tensor(1.0), ferrograd.tensor(0)),
            "Expected 1 or more dimensions (got 0)",
        ),
        (
            RuntimeError,
            lambda: F.nll_loss(x, t, weight=ferrograd.ones(3, requires_grad=True)),
            (
                "The function 'nll_loss_forward' is not differentiable with respect to "
                "argument 'weight'. This input cannot have requires_grad True."
            ),
        ),
        (
            RuntimeError,
            lambda: F.cross_entropy(x, t, label_smoothing=1.5),
            "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
        ),
        (
            RuntimeError,
            lambda: F.cross_entropy(x, ferrograd.rand(5, 4)),
            "0D or 1D target tensor expected, multi-target not supported",
        ),
        (
            RuntimeError,
            lambda: F.cross_entropy(x, ferrograd.rand(5, 3), ignore_index=1),
            "ignore_index is not supported for floating point target",
        ),
        (
            RuntimeError,
            lambda: F.cross_entropy(x[0], ferrograd.ones(3).long()),
            "Expected floating point type for target with class probabilities, got Long",
        ),
        (
            ValueError,
            lambda: F.binary_cross_entropy(x.sigmoid(), ferrograd.rand(5, 1)),
            (
                "Using a target size (ferrograd.Size([5, 1])) that is different to the "
                "input size (ferrograd.Size([5, 3])) is deprecated. Please ensure they "
                "have the same size."
            ),
        ),
        (
            RuntimeError,
            lambda: F.binary_cross_entropy(x, ferrograd.rand(5, 3)),
            "all elements of input should be between 0 and 1",
        ),
        (
            RuntimeError,
            lambda: F.binary_cross_entropy(x.sigmoid(), ferrograd.rand(5, 3).double()),
            "Found dtype Double but expected Float",
        ),
        (
            RuntimeError,
            lambda: F.binary_cross_entropy(x.sigmoid(), x.sigmoid(), weight=ferrograd.ones(4)),
            (
                "Attempting to broadcast a dimension of length 4 at -1! Mismatching "
                "argument at index 1 had ferrograd.Size([4]); but expected shape "
                "should be broadcastable to [5, 3]"
            ),
        ),
        (NotImplementedError, lambda: F.mse_loss(x.long(), x.long()), "\"mse_cpu\" not implemented for 'Long'"),
        (
            RuntimeError,
            lambda: F.mse_loss(x, ferrograd.rand(4)),
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
        ),
        (
            RuntimeError,
            lambda: F.smooth_l1_loss(x, x, beta=-1.0),
            "smooth_l1_loss does not support negative values for beta.",
        ),
        (
            RuntimeError,
            lambda: F.huber_loss(x, x, delta=0.0),
            "huber_loss does not support non-positive values for delta.",
        ),
        (ValueError, lambda: F.kl_div(x, x, reduction="foo"), "foo is not a valid value for reduction"),
        (ValueError, lambda: F.l1_loss(x, x, reduction="foo"), "foo is not a valid value for reduction"),
    ]
    for kind, fn, message in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(kind) as info:
                fn()
        assert str(info.value) == message, message
