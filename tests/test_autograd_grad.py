"""``autograd.grad``, ``backward(inputs=...)`` and higher derivatives through the built-in ops,
against analytic derivatives; errors as PyTorch words them."""

from __future__ import annotations

import numpy as np
import pytest

import ferrograd
from ferrograd.autograd import grad


def leaf(values, dtype=ferrograd.float64):
    return ferrograd.tensor(values, dtype=dtype, requires_grad=True)


def close(t, expected, tol=1e-10):
    np.testing.assert_allclose(t.detach().numpy(), np.asarray(expected, dtype=np.float64), rtol=tol, atol=tol)


# ---- values ----


def test_gradient_of_a_cubic_and_grad_leaves_dot_grad_alone():
    x = leaf([1.0, 2.0, -3.0])
    (g,) = grad((x**3).sum(), x)
    close(g, 3 * np.array([1.0, 2.0, -3.0]) ** 2)
    assert x.grad is None
    assert g.grad_fn is None and not g.requires_grad


def test_several_inputs_and_outputs_with_grad_outputs():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 5.0])
    y1, y2 = a * b, a + b
    v1 = ferrograd.tensor([1.0, 10.0], dtype=ferrograd.float64)
    v2 = ferrograd.tensor([2.0, 3.0], dtype=ferrograd.float64)
    ga, gb = grad([y1, y2], [a, b], [v1, v2])
    # d(v1.(a*b) + v2.(a+b))/da = v1*b + v2
    close(ga, [1 * 3 + 2, 10 * 5 + 3])
    close(gb, [1 * 1 + 2, 10 * 2 + 3])


def test_single_tensor_and_dict_inputs():
    x = leaf([2.0])
    y = leaf([3.0])
    out = (x * x * y).sum()
    result = grad(out, {"x": x, "y": y}, retain_graph=True)
    assert list(result) == ["x", "y"]
    close(result["x"], [12.0])
    close(result["y"], [4.0])
    (gx,) = grad(out, x)
    close(gx, [12.0])


def test_duplicated_inputs_get_the_same_gradient():
    x = leaf([1.0, 2.0])
    g1, g2 = grad((x * x).sum(), [x, x])
    close(g1, [2.0, 4.0])
    close(g2, [2.0, 4.0])


def test_gradient_of_a_leaf_with_respect_to_itself():
    s = leaf(3.0)
    (g,) = grad(s, s)
    close(g, 1.0)
    x = leaf([1.0, 2.0])
    (g,) = grad(x, x, ferrograd.tensor([3.0, 4.0], dtype=ferrograd.float64))
    close(g, [3.0, 4.0])


def test_non_leaf_inputs():
    x = leaf([1.0, 2.0])
    h = x * 3
    out = (h * h).sum()
    gh, gx = grad(out, [h, x])
    close(gh, [6.0, 12.0])
    close(gx, [18.0, 36.0])


def test_unused_inputs_allow_unused_and_materialize_grads():
    x, w = leaf([1.0, 2.0]), leaf([5.0, 5.0])
    y = (x * x).sum()
    with pytest.raises(RuntimeError) as e:
        grad(y, [x, w], retain_graph=True)
    assert str(e.value) == (
        "The differentiated Tensor at index 1 appears to not have been used in the graph. "
        "Set allow_unused=True if this is the desired behavior."
    )
    gx, gw = grad(y, [x, w], retain_graph=True, allow_unused=True)
    close(gx, [2.0, 4.0])
    assert gw is None
    gx, gw = grad(y, [x, w], retain_graph=True, materialize_grads=True)
    close(gw, [0.0, 0.0])
    assert not gw.requires_grad
    _, gw = grad(y, [x, w], create_graph=True, materialize_grads=True)
    assert gw.requires_grad
    with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed when materialize_grads=True"):
        grad(y, [x, w], allow_unused=False, materialize_grads=True)


def test_grad_outputs_in_another_dtype_are_cast_to_the_outputs():
    x = leaf([1.0, 2.0], dtype=ferrograd.float32)
    (g,) = grad(x * 1, x, ferrograd.ones(2, dtype=ferrograd.float64))
    assert g.dtype == ferrograd.float32
    close(g, [1.0, 1.0])


def test_retain_grad_tensors_are_filled_by_autograd_grad_too():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.retain_grad()
    grad((h * h).sum(), x)
    close(h.grad, [4.0, 8.0])


def test_leaf_hooks_apply_to_captured_gradients():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (g,) = grad((x * x).sum(), x)
    close(g, [20.0, 40.0])
    assert x.grad is None


def test_a_non_leaf_input_that_also_leads_to_another_input_is_captured_before_its_hooks():
    # PyTorch's rule: gradients of a node that must run are captured before its tensor hooks.
    a = leaf([1.0, 2.0])
    h = a * 3
    h.register_hook(lambda g: g * 100)
    gh, ga = grad((h * h).sum(), [h, a])
    close(gh, [6.0, 12.0])
    close(ga, [1800.0, 3600.0])
    h2 = a * 3
    h2.register_hook(lambda g: g * 100)
    (gh2,) = grad((h2 * h2).sum(), h2)
    close(gh2, [600.0, 1200.0])


# ---- errors ----


def test_errors_for_bad_inputs():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="^all inputs have to be Tensors or GradientEdges, but got int$"):
        grad(y, [x, 3], retain_graph=True)
    with pytest.raises(TypeError, match="'int' object is not iterable"):
        grad(y, 3, retain_graph=True)
    with pytest.raises(RuntimeError, match="^One of the differentiated Tensors does not require grad$"):
        grad(y, [x, ferrograd.ones(2)], retain_graph=True)
    with pytest.raises(RuntimeError, match="^`inputs` argument to `grad\\(\\)` cannot be empty.$"):
        grad(y, [], retain_graph=True)


def test_errors_for_bad_outputs_and_grad_outputs():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs$"):
        grad(x * 2, x)
    with pytest.raises(RuntimeError) as e:
        grad(y, x, ferrograd.ones(1), retain_graph=True)
    assert str(e.value) == (
        "Mismatch in shape: grad_output[0] has a shape of ferrograd.Size([1]) and output[0] has a shape of "
        "ferrograd.Size([])."
    )
    with pytest.raises(RuntimeError, match="^got 2 tensors and 1 gradients$"):
        grad([y, y * 2], x, [ferrograd.ones(())], retain_graph=True)
    with pytest.raises(TypeError, match="^gradients can be either Tensors or None, but got float$"):
        grad(y, x, [1.0], retain_graph=True)
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does not have a grad_fn$"):
        grad(ferrograd.ones(2).sum(), x)


def test_second_pass_without_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    grad(y, x)
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        grad(y, x)


# ---- higher derivatives through the built-in ops ----


def nth_derivative(f, x, n):
    """d^n/dx^n of sum(f(x)), elementwise for an elementwise f."""
    g = f(x).sum()
    for _ in range(n):
        (g,) = grad(g, x, create_graph=True)
        result = g
        g = g.sum()
    return result


@pytest.mark.parametrize(
    "f, d1, d2",
    [
        (lambda t: t**3, lambda v: 3 * v**2, lambda v: 6 * v),
        (lambda t: t.exp(), np.exp, np.exp),
        (lambda t: t.log(), lambda v: 1 / v, lambda v: -1 / v**2),
        (lambda t: t.tanh(), lambda v: 1 - np.tanh(v) ** 2, lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
        (
            lambda t: t.sigmoid(),
            lambda v: 1 / (1 + np.exp(-v)) * (1 - 1 / (1 + np.exp(-v))),
            lambda v: (s := 1 / (1 + np.exp(-v))) * (1 - s) * (1 - 2 * s),
        ),
        (lambda t: t.relu() * t, lambda v: 2 * v * (v > 0), lambda v: 2.0 * (v > 0)),
        (lambda t: 1 / t, lambda v: -1 / v**2, lambda v: 2 / v**3),
        (lambda t: t.sqrt(), lambda v: 0.5 / np.sqrt(v), lambda v: -0.25 * v**-1.5),
    ],
)
def test_first_and_second_derivatives(f, d1, d2):
    values = np.array([0.3, 1.1, 2.5])
    x = leaf(values)
    close(nth_derivative(f, x, 1), d1(values), tol=1e-9)
    close(nth_derivative(f, x, 2), d2(values), tol=1e-9)


def test_third_derivative_of_a_quartic():
    x = leaf([1.0, -2.0])
    close(nth_derivative(lambda t: t**4, x, 3), 24 * np.array([1.0, -2.0]))


def test_hessian_of_a_quadratic_form_by_double_backward():
    a = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, -1.0], [0.0, 4.0, 1.0]])
    A = ferrograd.tensor(a)
    x = leaf([1.0, -1.0, 2.0])
    f = x @ (A @ x)
    (g,) = grad(f, x, create_graph=True)
    close(g, (a + a.T) @ np.array([1.0, -1.0, 2.0]))
    rows = [grad(g[i], x, retain_graph=True)[0].numpy() for i in range(3)]
    np.testing.assert_allclose(np.stack(rows), a + a.T)


def test_double_backward_through_reductions_views_and_indexing():
    values = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    x = leaf(values)
    # f = mean(x^2) + sum of the transposed first column cubed + norm(x)^2
    f = (x * x).mean() + (x.t()[0] ** 3).sum() + x.norm() ** 2
    (g,) = grad(f, x, create_graph=True)
    expected = 2 * values / 6 + 2 * values
    expected[:, 0] += 3 * values[:, 0] ** 2
    close(g, expected, tol=1e-9)
    (gg,) = grad(g.sum(), x)
    expected2 = np.full_like(values, 2 / 6 + 2)
    expected2[:, 0] += 6 * values[:, 0]
    close(gg, expected2, tol=1e-9)


def test_double_backward_through_max_and_matmul():
    x = leaf([[1.0, 5.0], [7.0, 2.0]])
    w = leaf([[0.5], [-1.0]])
    f = (x @ w).max() * x.max()
    (gw,) = grad(f, w, create_graph=True)
    # f = (row1 . w) * 7 where row 1 wins the first max: df/dw = 7 * x[1]
    close(gw, [[49.0], [14.0]])
    (gx,) = grad(gw.sum(), x)
    # d/dx sum(x.max() * x[1]) = x[1] at the argmax, plus x.max() on row 1
    close(gx, [[0.0, 0.0], [7.0 + 7.0 + 2.0, 7.0]])


# ---- backward(create_graph=True) and backward(inputs=...) ----


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_gives_differentiable_grad():
    x = leaf([1.0, 2.0])
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    close(g, [3.0, 12.0])
    assert g.requires_grad
    x.grad = None
    g.sum().backward()
    close(x.grad, [6.0, 12.0])


def test_backward_inputs_accumulates_only_into_the_given_tensors():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    h = a * b
    out = (h * h).sum()
    out.backward(inputs=[a], retain_graph=True)
    close(a.grad, [18.0, 64.0])
    assert b.grad is None and not h.retains_grad
    out.backward(inputs=[h], retain_graph=True)
    close(a.grad, [18.0, 64.0])
    assert h.retains_grad
    close(h.grad, [6.0, 16.0])
    out.backward(inputs=h, retain_graph=True)
    close(h.grad, [12.0, 32.0])
    ferrograd.autograd.backward(out, inputs=[a, b], retain_graph=True)
    close(a.grad, [36.0, 128.0])
    close(b.grad, [6.0, 32.0])


def test_backward_inputs_errors_and_unreachable_inputs():
    a = leaf([1.0, 2.0])
    out = (a * a).sum()
    with pytest.raises(RuntimeError, match="^`inputs` argument to `backward\\(\\)` cannot be empty.$"):
        out.backward(inputs=[], retain_graph=True)
    with pytest.raises(RuntimeError, match="^can't retain_grad on Tensor that has requires_grad=False$"):
        out.backward(inputs=[ferrograd.ones(2)], retain_graph=True)
    with pytest.raises(RuntimeError, match="^all inputs have to be Tensors or GradientEdges, but got int$"):
        out.backward(inputs=[3], retain_graph=True)
    c = leaf([1.0, 1.0])
    out.backward(inputs=[c])
    assert c.grad is None and a.grad is None


def test_backward_gradient_count_and_grad_variables():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="^got 2 tensors and 1 gradients$"):
        ferrograd.autograd.backward([y, y * 2], [ferrograd.ones((), dtype=ferrograd.float64)], retain_graph=True)
    with pytest.warns(FutureWarning, match="`grad_variables` is deprecated. Use `grad_tensors` instead."):
        ferrograd.autograd.backward(y, grad_variables=ferrograd.ones((), dtype=ferrograd.float64))
    close(x.grad, [2.0, 4.0])


def test_batched_grad_outputs_give_one_vector_jacobian_product_per_row():
    x = leaf([1.0, 2.0, 3.0])
    w = leaf([1.0, 1.0])
    y = x**2
    (jac,) = grad(y, x, ferrograd.eye(3, dtype=ferrograd.float64), is_grads_batched=True, retain_graph=True)
    close(jac, np.diag([2.0, 4.0, 6.0]))
    gx, gw = grad(
        y,
        [x, w],
        ferrograd.eye(3, dtype=ferrograd.float64)[:2],
        is_grads_batched=True,
        allow_unused=True,
        create_graph=True,
    )
    close(gx, [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0]])
    assert gw is None and gx.requires_grad
    (gg,) = grad(gx.sum(), x)
    close(gg, [2.0, 2.0, 0.0])
    with pytest.raises(RuntimeError, match="^If `is_grads_batched=True`, we interpret the first dimension"):
        grad((x * 1), x, ferrograd.ones(2, 4, dtype=ferrograd.float64), is_grads_batched=True)
