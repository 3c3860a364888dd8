"""``gradcheck`` / ``gradgradcheck``: they pass for correct gradients of the built-in ops and
catch wrong ones, with PyTorch's messages."""

from __future__ import annotations

import numpy as np
import pytest

import ferrograd
from ferrograd.autograd import Function, gradcheck, gradgradcheck
from ferrograd.autograd.gradcheck import GradcheckError


def leaf(values):
    return ferrograd.tensor(values, dtype=ferrograd.float64, requires_grad=True)


X = [0.3, -1.2, 2.0]
M = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]


@pytest.mark.parametrize(
    "f, inputs",
    [
        (lambda a: a.exp(), [X]),
        (lambda a: a.tanh() * a.sigmoid(), [X]),
        (lambda a: (a * a + 1).log(), [X]),
        (lambda a, b: a @ b, [M, [[1.0], [2.0], [-1.0]]]),
        (lambda a: a.norm(), [X]),
        (lambda a: a.mean(), [M]),
        (lambda a: a.t()[1:].sum(0), [M]),
        (lambda a: a.max(), [X]),
        (lambda a, b: (a / b, a * b), [X, [1.5, 2.0, -3.0]]),
    ],
)
def test_gradcheck_and_gradgradcheck_pass_for_builtin_ops(f, inputs):
    tensors = tuple(leaf(v) for v in inputs)
    assert gradcheck(f, tensors)
    assert gradgradcheck(f, tensors)


class WrongScale(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


def test_a_wrong_backward_is_reported_with_both_jacobians():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(GradcheckError) as e:
        gradcheck(WrongScale.apply, (x,))
    assert isinstance(e.value, RuntimeError)
    assert str(e.value) == (
        "Jacobian mismatch for output 0 with respect to input 0,\n"
        "numerical:tensor([[2.0000, 0.0000, 0.0000],\n"
        "        [0.0000, 2.0000, 0.0000],\n"
        "        [0.0000, 0.0000, 2.0000]], dtype=ferrograd.float64)\n"
        "analytical:tensor([[3., 0., 0.],\n"
        "        [0., 3., 0.],\n"
        "        [0., 0., 3.]], dtype=ferrograd.float64)\n"
    )
    assert gradcheck(WrongScale.apply, (x,), raise_exception=False) is False


def test_the_failing_output_and_input_are_named():
    class SecondWrong(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 2, b * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2, gb * 4

    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 1 with respect to input 1,\nnumerical:"):
        gradcheck(SecondWrong.apply, (leaf(X), leaf(M)))


def test_tolerances():
    class SlightlyOff(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.01

    x = leaf(X)
    assert not gradcheck(SlightlyOff.apply, (x,), raise_exception=False)
    assert gradcheck(SlightlyOff.apply, (x,), atol=0.02)
    assert gradcheck(SlightlyOff.apply, (x,), rtol=0.01)
    assert gradcheck(lambda a: a**3, (x,), eps=1e-3, atol=1e-5, rtol=1e-5)


def test_checks_of_the_inputs():
    with pytest.raises(ValueError) as e:
        gradcheck(lambda a: a.exp(), (ferrograd.ones(2, dtype=ferrograd.float64),))
    assert str(e.value) == (
        "gradcheck expects at least one input tensor to require gradient, but none of them have requires_grad=True."
    )
    x32 = ferrograd.tensor(X, requires_grad=True)
    with pytest.warns(UserWarning, match="^Input #0 requires gradient and is not a double precision floating point"):
        assert not gradcheck(lambda a: a.exp(), (x32,), raise_exception=False)


def test_a_function_whose_output_does_not_depend_on_the_input():
    x = leaf(X)
    assert gradcheck(lambda a: ferrograd.ones(2, dtype=ferrograd.float64), (x,))
    sneaky = ferrograd.tensor(X, dtype=ferrograd.float64)

    def depends_without_graph(a):
        # reads the input's memory, so the numerical gradient is not zero
        return sneaky * 0 + a.detach() * 2

    sneaky_input = ferrograd.tensor(X, dtype=ferrograd.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="^Numerical gradient for function expected to be zero$"):
        gradcheck(depends_without_graph, (sneaky_input,))


def test_non_reentrant_and_grad_output_ignoring_backwards_are_caught():
    calls = []

    class Drifting(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            calls.append(1)
            return grad * (2 + 1e-7 * len(calls))

    with pytest.raises(GradcheckError, match="^Backward is not reentrant"):
        gradcheck(Drifting.apply, (leaf(X),), atol=1e-3)
    assert gradcheck(Drifting.apply, (leaf(X),), atol=1e-3, nondet_tol=1e-4)

    class IgnoresGrad(Function):
        @staticmethod
        def forward(ctx, a):
            return a.sum()

        @staticmethod
        def backward(ctx, grad):
            return ferrograd.ones(3, dtype=ferrograd.float64)

    with pytest.raises(GradcheckError, match="^backward not multiplied by grad_output$"):
        gradcheck(IgnoresGrad.apply, (leaf(X),))


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class FirstRightSecondWrong(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a**2

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * (a.detach() * 2)  # right values, but cut from the graph

    x = leaf(X)
    assert gradcheck(FirstRightSecondWrong.apply, (x,))
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 0 with respect to input 0,"):
        gradgradcheck(FirstRightSecondWrong.apply, (x,))
    assert not gradgradcheck(FirstRightSecondWrong.apply, (x,), raise_exception=False)


def test_gradgradcheck_with_given_and_non_contiguous_grad_outputs():
    x = leaf(M)
    v = ferrograd.tensor(np.full((2, 3), 0.5), dtype=ferrograd.float64, requires_grad=True)
    assert gradgradcheck(lambda a: a**3, (x,), (v,))
    assert gradgradcheck(lambda a: a.tanh(), (x,), gen_non_contig_grad_outputs=True)


def test_non_contiguous_inputs():
    base = ferrograd.tensor(np.arange(12.0).reshape(3, 4) / 10, dtype=ferrograd.float64)
    x = base.t()[::2].detach().requires_grad_()
    assert not x.is_contiguous()
    assert gradcheck(lambda a: (a * a).exp(), (x,))
