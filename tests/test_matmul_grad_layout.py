"""The gradient of a matrix used through ``.t()`` (a linear layer's weight) comes out in the
weight's own row-major layout, with the right values, as in PyTorch: accumulating it needs
no transposing copy. ``autograd.grad`` shows the layout the backward pass produced."""

import numpy as np
import pytest

import ferrograd
import ferrograd.nn.functional as F

rng = np.random.default_rng(0)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_weight_grad_is_row_major(device, bias):
    x, w, b = rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    g = rng.standard_normal((5, 3))
    xt = ferrograd.tensor(x, device=device, requires_grad=True)
    wt = ferrograd.tensor(w, device=device, requires_grad=True)
    bt = ferrograd.tensor(b, device=device, requires_grad=True) if bias else None
    out = F.linear(xt, wt, bt)
    gx, gw = ferrograd.autograd.grad(out, [xt, wt], ferrograd.tensor(g, device=device))
    assert gw.stride() == (4, 1)
    np.testing.assert_allclose(gw.cpu().numpy(), g.T @ x, rtol=1e-12)
    np.testing.assert_allclose(gx.cpu().numpy(), g @ w, rtol=1e-12)


def test_mm_with_transposed_operands(device):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((5, 4))
    g = rng.standard_normal((3, 5))
    at = ferrograd.tensor(a, device=device, requires_grad=True)
    bt = ferrograd.tensor(b, device=device, requires_grad=True)
    out = ferrograd.mm(at.t(), bt.t())
    ga, gb = ferrograd.autograd.grad(out, [at, bt], ferrograd.tensor(g, device=device))
    assert ga.stride() == (3, 1) and gb.stride() == (4, 1)
    np.testing.assert_allclose(ga.cpu().numpy(), b.T @ g.T, rtol=1e-12)
    np.testing.assert_allclose(gb.cpu().numpy(), g.T @ a.T, rtol=1e-12)
