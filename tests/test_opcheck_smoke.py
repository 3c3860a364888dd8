"""The op-check helper itself must catch wrong forwards and wrong gradients."""

import numpy as np
import pytest

import ferrograd
from opcheck import check_op, make_tensor


def test_layouts_hold_the_same_values():
    a = np.arange(12.0).reshape(3, 4)
    for layout in ("contiguous", "transposed", "sliced"):
        t = make_tensor(a, layout)
        np.testing.assert_array_equal(t.numpy(), a)
    assert not make_tensor(a, "transposed").is_contiguous()
    assert not make_tensor(a, "sliced").is_contiguous()


def test_detects_a_wrong_forward():
    with pytest.raises(AssertionError, match="forward mismatch"):
        check_op(lambda a: a * 2, lambda a: a * 3, np.ones(3), grad=False)


def test_detects_a_wrong_gradient():
    def wrong_square(a):
        # Forward is a*a, but the graph only knows d(a*c)/da with c = a.detach(): half the gradient.
        return a * a.detach()

    with pytest.raises(AssertionError, match="gradient of input 0 mismatch"):
        check_op(wrong_square, lambda a: a * a, np.array([1.0, 2.0, 3.0]))


def test_accepts_a_right_op():
    check_op(lambda a, b: a * b + a, lambda a, b: a * b + a, np.ones((2, 3)), np.arange(3.0))
    assert ferrograd.is_grad_enabled()
