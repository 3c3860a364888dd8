"""linear: values and gradients for every input rank, with and without bias, and the graph
PyTorch builds (addmm for matrices)."""

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)


@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 5, 4), (2, 2, 3, 4)], ids=str)
def test_linear(device, shape):
    x, w, b = rng.standard_normal(shape), rng.standard_normal((3, 4)), rng.standard_normal(3)
    check_op(lambda x, w, b: F.linear(x, w, b), lambda x, w, b: x @ w.T + b, x, w, b, device=device)
    check_op(lambda x, w: F.linear(x, w), lambda x, w: x @ w.T, x, w, device=device)


def test_scalar_bias_broadcasts(device):
    check_op(
        lambda x, w, b: F.linear(x, w, b),
        lambda x, w, b: x @ w.T + b,
        rng.standard_normal((5, 4)),
        rng.standard_normal((3, 4)),
        np.array(0.5),
        device=device,
    )


def test_double_backward():
    check_double_backward(
        lambda x, w, b: F.linear(x, w, b) ** 2,
        rng.standard_normal((3, 4)),
        rng.standard_normal((2, 4)),
        rng.standard_normal(2),
    )


def test_node_names_follow_pytorch():
    w, b = ferrograd.randn(3, 4, requires_grad=True), ferrograd.randn(3, requires_grad=True)

    def name(t):
        return type(t.grad_fn).__name__

    y = F.linear(ferrograd.randn(5, 4), w, b)
    assert name(y) == "AddmmBackward0"
    assert [type(f[0]).__name__ for f in y.grad_fn.next_functions] == ["AccumulateGrad", "NoneType", "TBackward0"]
    assert name(F.linear(ferrograd.randn(5, 4), w)) == "MmBackward0"
    assert name(F.linear(ferrograd.randn(2, 5, 4), w, b)) == "UnsafeViewBackward0"
    assert name(F.linear(ferrograd.randn(4), w, b)) == "UnsafeViewBackward0"
    assert name(F.linear(ferrograd.randn(5, 2, 4).transpose(0, 1), w, b)) == "AddBackward0"


def test_errors():
    x = ferrograd.randn(3, 4)
    cases = [
        (lambda: F.linear(x, ferrograd.randn(5, 3)), "mm: mat1 and mat2 shapes cannot be multiplied (3x4 and 3x5)"),
        (
            lambda: F.linear(x, ferrograd.randn(5, 4), ferrograd.randn(4)),
            (
                "The expanded size of the tensor (5) must match the existing size (4) "
                "at non-singleton dimension 1.  Target sizes: [3, 5].  Tensor sizes: "
                "[4]"
            ),
        ),
        (
            lambda: F.linear(x, ferrograd.randn(5, 4).double()),
            "expected m1 and m2 to have the same dtype, but got: float != double",
        ),
        (lambda: F.linear(x, ferrograd.randn(4), ferrograd.randn(())), "addmm: mat2 must be a matrix, got 1-D tensor"),
        (lambda: F.linear(x, ferrograd.randn(2, 3, 4)), "t() expects a tensor with <= 2 dimensions, but self is 3D"),
    ]
    for fn, message in cases:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == message
