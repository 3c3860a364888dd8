"""Custom ``autograd.Function``s: the ``ctx`` API, the node they make, double backward, and
PyTorch's errors for what ``backward`` returns."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ferrograd
from ferrograd.autograd import Function
from ferrograd.autograd.function import once_differentiable


def leaf(values, dtype=ferrograd.float32):
    return ferrograd.tensor(values, dtype=dtype, requires_grad=True)


def values(t):
    return t.detach().numpy().tolist()


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad


class Scale(Function):
    """``x * k`` with a Python number ``k``: a non-tensor argument."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        ctx.seen_needs = ctx.needs_input_grad
        ctx.grad_mode_in_forward = ferrograd.is_grad_enabled()
        return x * k

    @staticmethod
    def backward(ctx, grad):
        ctx.grad_mode_in_backward = ferrograd.is_grad_enabled()
        return grad * ctx.k, None


def test_values_node_name_and_ctx():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    assert values(y) == [1.0, 8.0]
    assert type(y.grad_fn).__name__ == "CubeBackward"
    assert y.grad_fn.name() == "CubeBackward"
    assert y.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"
    y.sum().backward()
    assert values(x.grad) == [3.0, 12.0]


def test_non_tensor_arguments_needs_input_grad_and_grad_mode():
    x = leaf([1.0, 2.0])
    y = Scale.apply(x, 3.0)
    ctx = y.grad_fn
    assert ctx.seen_needs == (True, False)
    assert ctx.needs_input_grad == (True, False)
    assert ctx.grad_mode_in_forward is False
    assert len(ctx.next_functions) == 1
    y.sum().backward()
    assert ctx.grad_mode_in_backward is False
    assert values(x.grad) == [3.0, 3.0]


def test_keyword_arguments_and_no_input_requiring_grad():
    class Kw(Function):
        @staticmethod
        def forward(ctx, x, scale=2.0):
            return x * scale

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = leaf([1.0, 2.0])
    assert values(Kw.apply(x, scale=3.0)) == [3.0, 6.0]
    assert values(Kw.apply(x)) == [2.0, 4.0]
    plain = Kw.apply(ferrograd.ones(2))
    assert plain.grad_fn is None and not plain.requires_grad
    with ferrograd.no_grad():
        assert Kw.apply(x).grad_fn is None


def test_multiple_outputs_non_tensor_outputs_and_non_differentiable_ones():
    received = []

    class Split(Function):
        @staticmethod
        def forward(ctx, x):
            index = ferrograd.tensor([1, 0])
            ctx.mark_non_differentiable(index)
            return x * 2, x * 3, index, "label"

        @staticmethod
        def backward(ctx, ga, gb, gi, gs):
            received.append((values(ga), values(gb), values(gi), gs))
            return ga * 2 + gb * 3

    x = leaf([1.0, 2.0])
    a, b, index, label = Split.apply(x)
    assert label == "label"
    assert a.grad_fn is b.grad_fn and a.grad_fn.name() == "SplitBackward"
    assert index.grad_fn is None and not index.requires_grad
    a.sum().backward()
    assert received == [([1.0, 1.0], [0.0, 0.0], [0, 0], None)]
    assert values(x.grad) == [2.0, 2.0]


def test_set_materialize_grads_false_passes_none():
    received = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            received.append((ga, None if gb is None else values(gb)))
            return None if ga is None else ga * 2

    x = leaf([1.0])
    _, b = Two.apply(x)
    b.sum().backward()
    assert received == [(None, [1.0])]
    assert x.grad is None


def test_returning_none_gradients():
    class FirstOnly(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    a, b = leaf([1.0]), leaf([2.0])
    FirstOnly.apply(a, b).sum().backward()
    assert values(a.grad) == [1.0] and b.grad is None


def test_an_input_returned_unchanged_becomes_a_view_with_the_new_history():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = leaf([1.0, 2.0])
    y = Identity.apply(x)
    assert y is not x and y.grad_fn.name() == "IdentityBackward"
    y.sum().backward()
    assert values(x.grad) == [5.0, 5.0]


def test_mark_dirty_moves_the_input_onto_the_new_history():
    class Double_(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    with pytest.raises(
        RuntimeError, match="^a leaf Variable that requires grad has been used in an in-place operation.$"
    ):
        Double_.apply(leaf([1.0, 2.0]))
    x = leaf([1.0, 2.0])
    h = x * 1
    y = Double_.apply(h)
    assert y is h and h.grad_fn.name() == "Double_Backward"
    assert h._version == 2  # the in-place op, then mark_dirty
    assert values(h) == [2.0, 4.0]
    y.sum().backward()
    assert values(x.grad) == [2.0, 2.0]

    class DirtyNotReturned(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(
        RuntimeError, match="^Some elements marked as dirty during the forward method were not returned"
    ):
        DirtyNotReturned.apply(x * 1)


def test_a_dirty_output_can_be_saved():
    class Triple_(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(3)
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    x = leaf([1.0, 2.0])
    Triple_.apply(x * 1).sum().backward()
    assert values(x.grad) == [3.0, 6.0]


def test_mark_dirty_on_a_view_rewrites_the_base_history():
    class AddOne_(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 10

    x = leaf([1.0, 2.0, 3.0])
    base = x * 1
    AddOne_.apply(base[1:])
    assert values(base) == [1.0, 3.0, 4.0]
    base.sum().backward()
    assert values(x.grad) == [1.0, 10.0, 10.0]


def test_setup_context_style():
    class Mul(Function):
        @staticmethod
        def forward(x, k):
            return x * k, x + k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.save_for_backward(x)
            ctx.k = k
            ctx.grad_mode = ferrograd.is_grad_enabled()
            ctx.output_is_tuple = isinstance(output, tuple)

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * ctx.k + g2, None

    x = leaf([1.0, 2.0])
    p, q = Mul.apply(x, 3.0)
    assert p.grad_fn.grad_mode is False and p.grad_fn.output_is_tuple
    (p + q).sum().backward()
    assert values(x.grad) == [4.0, 4.0]


def test_double_backward_through_a_function_with_differentiable_backward():
    x = leaf([1.0, 2.0], dtype=ferrograd.float64)
    (g,) = ferrograd.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    assert values(g) == [3.0, 12.0]
    (gg,) = ferrograd.autograd.grad(g.sum(), x)
    assert values(gg) == [6.0, 12.0]


def test_saved_outputs_reconnect_for_double_backward():
    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    x = leaf([0.0, 1.0], dtype=ferrograd.float64)
    (g,) = ferrograd.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
    (gg,) = ferrograd.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(values(gg), np.exp([0.0, 1.0]))


def test_once_differentiable():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            ctx.grad_mode = ferrograd.is_grad_enabled()
            return 2 * x * grad

    x = leaf([1.0, 2.0])
    y = Square.apply(x)
    (g,) = ferrograd.autograd.grad(y, x, ferrograd.ones(2, requires_grad=True), create_graph=True)
    assert y.grad_fn.grad_mode is False
    assert values(g) == [2.0, 4.0]
    assert type(g.grad_fn).__name__ == "Error"
    with pytest.raises(
        RuntimeError, match="^trying to differentiate twice a function that was marked with @once_differentiable$"
    ):
        g.sum().backward()
    (g,) = ferrograd.autograd.grad(Square.apply(x).sum(), x)
    assert g.grad_fn is None and values(g) == [2.0, 4.0]


def test_saved_tensors_are_version_checked_and_freed():
    x = leaf([1.0, 2.0])
    h = x * 1
    y = Cube.apply(h)
    assert [values(t) for t in y.grad_fn.saved_tensors] == [[1.0, 2.0]]
    h.add_(1)
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    assert str(e.value) == (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        "[ferrograd.FloatTensor [2]], which is output 0 of Add, is at version 1; expected version 0 instead. "
        "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
        "ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
    )
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        y.sum().backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        _ = y.grad_fn.saved_tensors


def test_save_for_backward_accepts_none_and_rejects_other_values():
    class SaveNone(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            x, nothing = ctx.saved_tensors
            assert nothing is None
            return grad * 2

    x = leaf([1.0])
    SaveNone.apply(x).sum().backward()
    assert values(x.grad) == [2.0]

    class SaveInt(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(TypeError, match="^save_for_backward can only save variables, but argument 1 is of type int$"):
        SaveInt.apply(x)


def make(backward_result):
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return backward_result(grad)

    return Bad


@pytest.mark.parametrize(
    "result, error, message",
    [
        (
            lambda g: g,
            RuntimeError,
            "function BadBackward returned an incorrect number of gradients (expected 2, got 1)",
        ),
        (
            lambda g: [g, None],
            RuntimeError,
            "function BadBackward returned an incorrect number of gradients (expected 2, got 1)",
        ),
        (
            lambda g: (g, None, g),
            RuntimeError,
            "function BadBackward returned an incorrect number of gradients (expected 2, got 3)",
        ),
        (
            lambda g: (g, g),
            RuntimeError,
            "function BadBackward returned a gradient different than None at position 2, but the corresponding "
            "forward input was not a Variable",
        ),
        (
            lambda g: (ferrograd.ones(3), None),
            RuntimeError,
            "Function BadBackward returned an invalid gradient at index 0 - got [3] but expected shape compatible "
            "with [2]",
        ),
        (lambda g: (5, None), RuntimeError, "expected Variable or None (got int)"),
    ],
)
def test_errors_for_what_backward_returns(result, error, message):
    x = leaf([1.0, 2.0])
    with pytest.raises(error) as e:
        make(result).apply(x, 2.0).sum().backward()
    assert str(e.value) == message


def test_extra_trailing_nones_and_other_dtypes_are_accepted():
    x = leaf([1.0, 2.0])
    make(lambda g: (g, None, None)).apply(x, 2.0).sum().backward()
    assert values(x.grad) == [1.0, 1.0]
    x.grad = None
    make(lambda g: (g.double(), None)).apply(x, 2.0).sum().backward()
    assert x.grad.dtype == ferrograd.float32


def test_exceptions_from_forward_and_backward_surface_unchanged():
    class Boom(Function):
        @staticmethod
        def forward(ctx, x):
            if x.sum().item() < 0:
                raise ValueError("bad forward")
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            raise KeyError("bad backward")

    with pytest.raises(ValueError, match="bad forward"):
        Boom.apply(leaf([-1.0]))
    with pytest.raises(KeyError, match="bad backward"):
        Boom.apply(leaf([1.0])).sum().backward()


def test_missing_methods_and_instantiation():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="^You must implement either the backward or vjp method"):
        NoBackward.apply(leaf([1.0])).sum().backward()
    with pytest.raises(
        NotImplementedError, match="^You must implement the forward function for custom autograd.Function.$"
    ):
        Function.apply(leaf([1.0]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        instance = Cube()
    assert caught[0].category is DeprecationWarning
    assert "should not be instantiated" in str(caught[0].message)
    with pytest.raises(RuntimeError, match="^Legacy autograd function with non-static forward method is deprecated"):
        instance(leaf([1.0]))


def test_gradcheck_of_a_custom_function():
    x = leaf([0.5, -1.5, 2.0], dtype=ferrograd.float64)
    assert ferrograd.autograd.gradcheck(Cube.apply, (x,))
    assert ferrograd.autograd.gradgradcheck(Cube.apply, (x,))


def test_function_nodes_are_freed_with_their_outputs():
    live = ferrograd._core._live_nodes()
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    y.grad_fn.extra = "kept on ctx"
    del y
    assert ferrograd._core._live_nodes() <= live + 1  # at most x's AccumulateGrad


def test_inference_tensors_cannot_be_saved_by_a_function():
    with ferrograd.inference_mode():
        frozen = ferrograd.ones(2)

    class SaveSecond(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(b)
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    with pytest.raises(RuntimeError, match="^Inference tensors cannot be saved for backward."):
        SaveSecond.apply(leaf([1.0, 2.0]), frozen)
