"""A leaf's first gradient is stored without a copy when nothing else holds it, and copied
when the caller (or a view of the caller's tensor) still does: `.grad` never aliases a
tensor the user can change."""

import numpy as np
import pytest

import ferrograd


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x,  # the gradient goes straight to the leaf
        lambda x: x + 1,  # passed through unchanged
        lambda x: x.reshape(2, 3).reshape(6),  # passed through views of it
    ],
    ids=["leaf", "add", "views"],
)
def test_grad_does_not_alias_the_callers_tensor(make):
    x = ferrograd.zeros(6, requires_grad=True)
    g = ferrograd.arange(6.0)
    make(x).backward(g)
    g.add_(100)
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0))
    x.grad.add_(1)
    np.testing.assert_array_equal(g.numpy(), np.arange(6.0) + 100)


def test_fresh_gradients_accumulate_correctly():
    x = ferrograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = ferrograd.tensor([4.0, 5.0, 6.0], requires_grad=True)
    for step in range(1, 4):
        ((x * w + 1).relu() * x).sum().backward()
        xs, ws = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
        np.testing.assert_allclose(x.grad.numpy(), step * (2 * xs * ws + 1))
        np.testing.assert_allclose(w.grad.numpy(), step * xs * xs)
    assert x.grad.is_contiguous() and x.grad.grad_fn is None
    grad = x.grad
    x.sum().backward()
    assert x.grad is grad  # later gradients are added in place


def test_gradient_of_two_leaves_sharing_one_result_are_separate():
    x = ferrograd.ones(4, requires_grad=True)
    y = ferrograd.ones(4, requires_grad=True)
    (x + y).sum().backward()
    x.grad.add_(1)
    np.testing.assert_array_equal(y.grad.numpy(), np.ones(4))
