"""The loss modules against NumPy for every reduction, with gradients of input (and target
where differentiable), their settings, buffers (class weights), reprs and errors."""

import nn_reference as ref
import numpy as np
import pytest

import ferrograd
from ferrograd import nn
from opcheck import check_op

rng = np.random.default_rng(4)
REDUCE = {"none": lambda v: v, "mean": np.mean, "sum": np.sum}


def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))


ELEMENTWISE = [
    (lambda r: nn.MSELoss(reduction=r), lambda x, t: (x - t) ** 2),
    (lambda r: nn.L1Loss(reduction=r), lambda x, t: np.abs(x - t)),
    (lambda r: nn.SmoothL1Loss(reduction=r, beta=0.5), lambda x, t: huber(x - t, 0.5) / 0.5),
    (lambda r: nn.HuberLoss(reduction=r, delta=0.7), lambda x, t: huber(x - t, 0.7)),
    (lambda r: nn.BCEWithLogitsLoss(reduction=r), lambda x, t: softplus(x) - x * t),
]


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(("make", "elementwise"), ELEMENTWISE)
def test_elementwise_losses(make, elementwise, reduction, device):
    # Values kept away from the kinks of |d| and of the Huber switch, for finite differences.
    x = rng.uniform(-2, 2, (3, 4))
    t = x + rng.choice([-1, 1], (3, 4)) * rng.uniform(0.1, 0.3, (3, 4)) * rng.choice([1, 4], (3, 4))
    check_op(make(reduction), lambda x, t: REDUCE[reduction](elementwise(x, t)), x, t, device=device)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_bce_loss_with_class_weights(reduction, device):
    p, t, w = rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0, 1, (4, 3)), rng.uniform(0.5, 2, 3)
    loss = nn.BCELoss(weight=ferrograd.tensor(w, device=device), reduction=reduction)

    def reference(p, t):
        return REDUCE[reduction](-w * (t * np.log(p) + (1 - t) * np.log(1 - p)))

    check_op(loss, reference, p, t, grad=[0], device=device)


def test_bce_with_logits_pos_weight(device):
    x, t, pos = rng.standard_normal((5, 3)), rng.uniform(0, 1, (5, 3)), np.array([1.0, 2.0, 0.5])
    loss = nn.BCEWithLogitsLoss(pos_weight=ferrograd.tensor(pos, device=device))
    reference = lambda x, t: np.mean(pos * t * softplus(-x) + (1 - t) * softplus(x))  # noqa: E731
    check_op(loss, reference, x, t, device=device)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_and_nll_with_weights_and_ignore_index(reduction, device):
    x, target, w = rng.standard_normal((6, 4)), np.array([0, 3, 1, -100, 2, 3]), rng.uniform(0.5, 2, 4)
    kept = target != -100
    logp = ref.log_softmax(x, 1)
    picked = np.where(kept, -w[np.where(kept, target, 0)] * logp[np.arange(6), np.where(kept, target, 0)], 0.0)
    expected = picked.sum() / w[target[kept]].sum() if reduction == "mean" else REDUCE[reduction](picked)
    weight = ferrograd.tensor(w, device=device)
    check_op(nn.CrossEntropyLoss(weight=weight, reduction=reduction), lambda x, t: expected, x, target, device=device)
    check_op(
        lambda x, t: nn.NLLLoss(weight=weight, reduction=reduction)(x.log_softmax(1), t),
        lambda x, t: expected,
        x,
        target,
        device=device,
    )


def test_cross_entropy_with_label_smoothing_and_probabilities(device):
    x, target = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    logp = ref.log_softmax(x, 1)
    smoothed = np.full((5, 3), 0.2 / 3) + 0.8 * np.eye(3)[target]
    loss = nn.CrossEntropyLoss(label_smoothing=0.2)
    check_op(loss, lambda x, t: np.mean(-(smoothed * logp).sum(1)), x, target, device=device)
    probabilities = rng.dirichlet(np.ones(3), 5)
    check_op(nn.CrossEntropyLoss(), lambda x, p: np.mean(-(p * ref.log_softmax(x, 1)).sum(1)), x, probabilities,
             device=device)  # fmt: skip


def test_kl_div_loss(device):
    x, t = ref.log_softmax(rng.standard_normal((4, 3)), 1), rng.dirichlet(np.ones(3), 4)
    check_op(nn.KLDivLoss(reduction="batchmean"), lambda x, t: np.sum(t * (np.log(t) - x)) / 4, x, t, device=device)
    check_op(
        nn.KLDivLoss(reduction="sum", log_target=True),
        lambda x, t: np.sum(np.exp(t) * (t - x)),
        x,
        np.log(t),
        device=device,
    )


def test_settings_buffers_and_reprs():
    weighted = nn.CrossEntropyLoss(weight=ferrograd.ones(3), ignore_index=1, label_smoothing=0.1)
    assert (weighted.ignore_index, weighted.label_smoothing, weighted.reduction) == (1, 0.1, "mean")
    assert list(weighted.state_dict()) == ["weight"] and list(nn.NLLLoss().state_dict()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=ferrograd.ones(2)).state_dict()) == ["pos_weight"]
    assert weighted.double().weight.dtype == ferrograd.float64
    assert [repr(m) for m in (nn.MSELoss(), nn.CrossEntropyLoss(label_smoothing=0.1), nn.SmoothL1Loss(beta=2.0),
                              nn.HuberLoss(), nn.KLDivLoss(), nn.BCELoss())] == [
        "MSELoss()", "CrossEntropyLoss()", "SmoothL1Loss()", "HuberLoss()", "KLDivLoss()", "BCELoss()"
    ]  # fmt: skip
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        assert nn.MSELoss(reduce=False).reduction == "none"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.MSELoss(reduction="foo")(ferrograd.ones(2), ferrograd.ones(2)), ValueError,
         "foo is not a valid value for reduction"),
        (lambda: nn.CrossEntropyLoss()(ferrograd.ones(2, 3), ferrograd.tensor([0, 3])), IndexError,
         "Target 3 is out of bounds."),
        (lambda: nn.NLLLoss()(ferrograd.ones(2, 3), ferrograd.tensor([0])), ValueError,
         "Expected input batch_size (2) to match target batch_size (1)."),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
