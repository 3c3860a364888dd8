"""``autograd.functional``: Jacobians, Hessians and vector products of known functions,
result structure, ``create_graph``, strict mode and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import ferrograd
from ferrograd.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def t(values):
    return ferrograd.tensor(values, dtype=ferrograd.float64)


def close(x, expected):
    np.testing.assert_allclose(x.detach().numpy(), np.asarray(expected, dtype=np.float64), rtol=1e-10, atol=1e-12)


XV = np.array([1.0, 2.0, 3.0])
A = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, -1.0]])


def test_jacobian_of_elementwise_and_linear_maps():
    close(jacobian(lambda a: a.exp(), t(XV)), np.diag(np.exp(XV)))
    close(jacobian(lambda a: t(A) @ a, t(XV)), A)
    close(jacobian(lambda a: a.sum(), t(XV)), np.ones(3))
    jac = jacobian(lambda m: m * m, t(A))
    assert tuple(jac.shape) == (2, 3, 2, 3)
    np.testing.assert_allclose(jac.numpy().reshape(6, 6), np.diag(2 * A.ravel()))


def test_jacobian_structure_for_tuples():
    x, y = t(XV), t([[1.0, 2.0], [3.0, 4.0]])
    (j,) = jacobian(lambda a: a * 2, (x,))
    close(j, 2 * np.eye(3))
    (j_ax, j_ay), (j_bx, j_by) = jacobian(lambda a, b: (a.sum() * b, b * 2), (x, y))
    assert tuple(j_ax.shape) == (2, 2, 3) and tuple(j_by.shape) == (2, 2, 2, 2)
    close(j_ax, np.broadcast_to(np.array([[1.0, 2.0], [3.0, 4.0]])[..., None], (2, 2, 3)))
    close(j_ay, 6 * np.eye(4).reshape(2, 2, 2, 2))
    close(j_bx, np.zeros((2, 2, 3)))
    close(j_by, 2 * np.eye(4).reshape(2, 2, 2, 2))
    j_a, j_b = jacobian(lambda a: (a, a * a), x)
    close(j_a, np.eye(3))
    close(j_b, np.diag(2 * XV))


def test_jacobian_create_graph_is_differentiable():
    x = ferrograd.tensor(XV, dtype=ferrograd.float64, requires_grad=True)
    plain = jacobian(lambda a: a**3, x)
    assert not plain.requires_grad
    jac = jacobian(lambda a: a**3, x, create_graph=True)
    assert jac.requires_grad
    (g,) = ferrograd.autograd.grad(jac.sum(), x)
    close(g, 6 * XV)


def test_jacobian_strict_mode_and_errors():
    x = t(XV)
    close(jacobian(lambda a: ferrograd.ones(2), x), np.zeros((2, 3)))
    with pytest.raises(RuntimeError) as e:
        jacobian(lambda a: ferrograd.ones(2), x, strict=True)
    assert str(e.value) == (
        "Output 0 of the user-provided function does not require gradients. The outputs must be computed in a "
        "differentiable manner from the input when running in strict mode."
    )
    with pytest.raises(
        RuntimeError,
        match="^Output 0 of the user-provided function is independent of input 1. This is not allowed in strict mode.$",
    ):
        jacobian(lambda a, b: a * 2, (x, x), strict=True)
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True` are not supported together"):
        jacobian(lambda a: a, x, strict=True, vectorize=True)
    close(jacobian(lambda a: a * 2, x, vectorize=True), 2 * np.eye(3))
    with pytest.raises(NotImplementedError):
        jacobian(lambda a: a, x, strategy="forward-mode")
    with pytest.raises(TypeError) as e:
        jacobian(lambda a: a, 3)
    assert str(e.value) == (
        "The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the given inputs has type "
        "<class 'int'>."
    )
    with pytest.raises(TypeError) as e:
        jacobian(lambda a: [a], x)
    assert str(e.value) == (
        "The outputs of the user-provided function given to jacobian must be either a Tensor or a tuple of Tensors "
        "but the given outputs of the user-provided function has type <class 'list'>."
    )


def test_hessians_of_known_functions():
    close(hessian(lambda a: (a**3).sum(), t(XV)), np.diag(6 * XV))
    B = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0], [4.0, 0.5, 2.0]])
    close(hessian(lambda a: a @ (t(B) @ a), t(XV)), B + B.T)
    # f(x) = sum(exp(x)) * x0: H = diag(exp(x)) * x0 + e0 exp(x)^T + exp(x) e0^T
    e = np.exp(XV)
    expected = np.diag(e) * XV[0]
    expected[0, :] += e
    expected[:, 0] += e
    close(hessian(lambda a: a.exp().sum() * a[0], t(XV)), expected)


def test_hessian_blocks_for_several_inputs():
    x, y = t([1.0, 2.0]), t([[1.0, 2.0], [3.0, 4.0]])
    (hxx, hxy), (hyx, hyy) = hessian(lambda a, b: (a**2).sum() * b.sum(), (x, y))
    close(hxx, 2 * 10 * np.eye(2))
    close(hxy, np.broadcast_to((2 * np.array([1.0, 2.0]))[:, None, None], (2, 2, 2)))
    close(hyx, np.broadcast_to((2 * np.array([1.0, 2.0]))[None, None, :], (2, 2, 2)))
    close(hyy, np.zeros((2, 2, 2, 2)))


def test_hessian_errors_and_strict_mode():
    x = t(XV)
    with pytest.raises(
        RuntimeError, match="^The Tensor returned by the function given to hessian should contain a single element$"
    ):
        hessian(lambda a: a**3, x)
    with pytest.raises(
        RuntimeError,
        match="^While computing the hessian, found that the jacobian of the user-provided function with respect to "
        "input 0 is independent of the input.",
    ):
        hessian(lambda a: a.sum(), x, strict=True)
    close(hessian(lambda a: a.sum(), x), np.zeros((3, 3)))
    h = hessian(lambda a: (a * a).sum(), ferrograd.tensor(XV, requires_grad=True), create_graph=True)
    close(h, 2 * np.eye(3))


def test_vjp_and_jvp():
    x = t(XV)
    out, v = vjp(lambda a: a**2, x, t([1.0, 0.5, 0.0]))
    close(out, XV**2)
    close(v, [2.0, 2.0, 0.0])
    out, v = vjp(lambda a: (a**2).sum(), x)
    close(out, 14.0)
    close(v, 2 * XV)
    out, v = jvp(lambda a: t(A) @ a, x, t([1.0, 0.0, 1.0]))
    close(out, A @ XV)
    close(v, A @ np.array([1.0, 0.0, 1.0]))
    (o1, o2), (v1, v2) = jvp(lambda a, b: (a * b, a + b), (x, x * 2), (t([1.0, 1.0, 1.0]), t([0.0, 1.0, 0.0])))
    close(v1, 2 * XV + XV * np.array([0.0, 1.0, 0.0]))
    close(v2, [1.0, 2.0, 1.0])


def test_vector_errors():
    x = t(XV)
    with pytest.raises(
        RuntimeError,
        match="^The vector v can only be None if the user-provided function returns a single Tensor with a single "
        "element.$",
    ):
        vjp(lambda a: a**2, x)
    with pytest.raises(
        RuntimeError,
        match="^The vector v can only be None if the input to the user-provided function is a single Tensor with a "
        "single element.$",
    ):
        jvp(lambda a: (a**2).sum(), x)
    with pytest.raises(RuntimeError) as e:
        vjp(lambda a: a**2, x, ferrograd.ones(2, dtype=ferrograd.float64))
    assert str(e.value) == "v has invalid size: should be ferrograd.Size([3]) but got ferrograd.Size([2])."
    with pytest.raises(RuntimeError, match="^v is a tuple of invalid length: should be 2 but got 1.$"):
        jvp(lambda a, b: a + b, (x, x), (x,))
    with pytest.raises(RuntimeError, match="^Output 0 of the user-provided function does not require gradients."):
        vjp(lambda a: a.detach(), x, x, strict=True)
    with pytest.raises(RuntimeError, match="^Output 0 of the user-provided function does not require gradients."):
        jvp(lambda a: ferrograd.ones(3), x, x, strict=True)


def test_hvp_and_vhp():
    x = t(XV)
    v = t([1.0, 0.0, 2.0])
    out, hv = hvp(lambda a: (a**3).sum(), x, v)
    close(out, 36.0)
    close(hv, 6 * XV * np.array([1.0, 0.0, 2.0]))
    B = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0], [4.0, 0.5, 2.0]])
    _, hv = hvp(lambda a: a @ (t(B) @ a), x, v)
    _, vh = vhp(lambda a: a @ (t(B) @ a), x, v)
    close(hv, (B + B.T) @ np.array([1.0, 0.0, 2.0]))
    close(vh, np.array([1.0, 0.0, 2.0]) @ (B + B.T))
    with pytest.raises(
        RuntimeError, match="^The Tensor returned by the function given to hvp should contain a single element$"
    ):
        hvp(lambda a: a**3, x, v)
    with pytest.raises(
        RuntimeError, match="^The Tensor returned by the function given to vhp should contain a single element$"
    ):
        vhp(lambda a: a**3, x, v)
    out, hv = hvp(lambda a: a.sum(), x, v)
    close(hv, np.zeros(3))
    with pytest.raises(RuntimeError, match="^While computing the hessian, found that the jacobian"):
        hvp(lambda a: a.sum(), x, v, strict=True)
