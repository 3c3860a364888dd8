"""In-place math methods (``exp_``, ``clamp_``, ...): values and gradients of the out-of-place
op, the same node name, and PyTorch's errors for leaves and for results an integer tensor
cannot hold."""

import numpy as np
import pytest

import ferrograd
from opcheck import check_op

RNG = np.random.default_rng(5)
POSITIVE = RNG.uniform(0.5, 2.0, (2, 3))
MIXED = RNG.uniform(-2.0, 2.0, (2, 3))
MIXED[np.abs(MIXED) < 0.2] = 0.7  # away from the kinks of abs/relu/sign/clamp

CASES = [
    ("abs_", MIXED, np.abs, "AbsBackward0"),
    ("neg_", MIXED, np.negative, "NegBackward0"),
    ("exp_", MIXED, np.exp, "ExpBackward0"),
    ("log_", POSITIVE, np.log, "LogBackward0"),
    ("sqrt_", POSITIVE, np.sqrt, "SqrtBackward0"),
    ("rsqrt_", POSITIVE, lambda a: 1 / np.sqrt(a), "RsqrtBackward0"),
    ("sin_", MIXED, np.sin, "SinBackward0"),
    ("cos_", MIXED, np.cos, "CosBackward0"),
    ("tanh_", MIXED, np.tanh, "TanhBackward0"),
    ("sigmoid_", MIXED, lambda a: 1 / (1 + np.exp(-a)), "SigmoidBackward0"),
    ("relu_", MIXED, lambda a: np.maximum(a, 0), "ReluBackward0"),
    ("reciprocal_", POSITIVE, np.reciprocal, "ReciprocalBackward0"),
    ("square_", MIXED, np.square, "PowBackward0"),
    ("floor_", MIXED, np.floor, "FloorBackward0"),
    ("ceil_", MIXED, np.ceil, "CeilBackward0"),
    ("trunc_", MIXED, np.trunc, "TruncBackward0"),
    ("frac_", MIXED, lambda a: a - np.trunc(a), "FracBackward0"),
    ("sign_", MIXED, np.sign, "SignBackward0"),
]


@pytest.mark.parametrize(("method", "values", "reference", "node"), CASES, ids=[c[0] for c in CASES])
def test_in_place_method_matches_the_op(method, values, reference, node, device):
    # `a * 1` is a non-leaf, so it may be changed in place while `a` collects the gradient.
    check_op(lambda a: getattr(a * 1, method)(), reference, values, device=device)
    x = ferrograd.tensor(values, requires_grad=True) * 1
    out = getattr(x, method)()
    assert out is x and type(out.grad_fn).__name__ == node


@pytest.mark.parametrize(
    ("call", "reference"),
    [
        (lambda t: t.clamp_(-0.5, 0.8), lambda a: np.clip(a, -0.5, 0.8)),
        (lambda t: t.clip_(min=0.1), lambda a: np.maximum(a, 0.1)),
        (lambda t: t.clamp_min_(0.3), lambda a: np.maximum(a, 0.3)),
        (lambda t: t.clamp_max_(-0.3), lambda a: np.minimum(a, -0.3)),
    ],
    ids=["clamp_", "clip_", "clamp_min_", "clamp_max_"],
)
def test_in_place_clamps(call, reference, device):
    check_op(lambda a: call(a * 1), reference, MIXED, device=device)


def test_in_place_method_on_a_leaf_that_requires_grad_is_an_error():
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        x.exp_()


@pytest.mark.parametrize("method", ["exp_", "sqrt_", "sigmoid_", "reciprocal_"])
def test_float_results_do_not_fit_an_integer_tensor(method):
    x = ferrograd.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        getattr(x, method)()
    assert x.tolist() == [1, 2]


def test_integer_preserving_methods_work_on_integers():
    x = ferrograd.tensor([-3, 2])
    assert x.abs_().tolist() == [3, 2] and x.neg_().tolist() == [-3, -2] and x.relu_().tolist() == [0, 0]
    assert x.dtype == ferrograd.int64


def test_in_place_method_bumps_the_version_saved_tensors_check():
    x = ferrograd.tensor([0.5, 1.0], requires_grad=True)
    y = x * 1
    z = y.exp()  # saves its output
    z.sigmoid_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
