"""softmax / log_softmax: values, gradients (first and second order), dims, dtypes, errors."""

import nn_reference as ref
import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("log", [False, True])
def test_matches_reference_with_gradients(device, dim, log):
    x = rng.standard_normal((3, 4, 5))
    op = F.log_softmax if log else F.softmax
    reference = ref.log_softmax if log else ref.softmax
    check_op(lambda a: op(a, dim=dim), lambda a: reference(a, dim), x, device=device)


@pytest.mark.parametrize("log", [False, True])
def test_double_backward(log):
    op = F.log_softmax if log else F.softmax
    check_double_backward(lambda a: op(a, dim=1), rng.standard_normal((3, 4)))


def test_node_names():
    x = ferrograd.randn(2, 3, requires_grad=True)
    assert type(F.softmax(x, 1).grad_fn).__name__ == "SoftmaxBackward0"
    assert type(F.log_softmax(x, 1).grad_fn).__name__ == "LogSoftmaxBackward0"
    assert type(F.softmax(x, 1, dtype=ferrograd.float64).grad_fn).__name__ == "SoftmaxBackward0"


def test_large_rows_are_stable_and_sum_to_one():
    # Wide rows take the vectorized path; huge logits must not overflow.
    x = rng.standard_normal((7, 1000)).astype(np.float32) * 50
    y = F.softmax(ferrograd.tensor(x), dim=1).numpy()
    np.testing.assert_allclose(y, ref.softmax(x.astype(np.float64), 1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y.sum(1), 1.0, rtol=1e-5)
    ly = F.log_softmax(ferrograd.tensor(x), dim=1).numpy()
    np.testing.assert_allclose(ly, ref.log_softmax(x.astype(np.float64), 1), rtol=1e-5, atol=1e-4)


def test_float32_gradient_matches_float64():
    x = rng.standard_normal((64, 300))
    g = rng.standard_normal((64, 300))
    grads = []
    for dtype in (ferrograd.float32, ferrograd.float64):
        t = ferrograd.tensor(x, dtype=dtype, requires_grad=True)
        F.log_softmax(t, dim=1).backward(ferrograd.tensor(g, dtype=dtype))
        grads.append(t.grad.double().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-4, atol=1e-5)


def test_masked_entries_and_fully_masked_rows():
    x = ferrograd.tensor([[1.0, float("-inf"), 2.0], [float("-inf")] * 3])
    y = F.softmax(x, dim=1)
    np.testing.assert_allclose(y[0].numpy(), ref.softmax(np.array([1.0, -np.inf, 2.0]), 0), rtol=1e-6)
    assert y[0, 1].item() == 0.0
    assert np.isnan(y[1].numpy()).all()  # as in PyTorch: no maximum to shift by


def test_dtype_argument_casts_first_and_the_gradient_comes_back_in_the_input_dtype():
    x = ferrograd.tensor([[1.0, 2.0]], requires_grad=True)
    y = F.softmax(x, dim=1, dtype=ferrograd.float64)
    assert y.dtype == ferrograd.float64
    y[0, 0].backward()
    assert x.grad.dtype == ferrograd.float32
    np.testing.assert_allclose(x.grad.numpy(), [[0.196612, -0.196612]], rtol=1e-5)
    assert F.softmax(ferrograd.tensor([[1, 2]]), dim=1, dtype=ferrograd.float64).dtype == ferrograd.float64


def test_implicit_dim_warns_and_follows_pytorch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = F.softmax(ferrograd.ones(2, 3))
    np.testing.assert_allclose(y.numpy(), np.full((2, 3), 1 / 3), rtol=1e-6)
    with pytest.warns(UserWarning):
        y = F.log_softmax(ferrograd.ones(2, 3, 4))  # 3-D: dim 0
    np.testing.assert_allclose(y.numpy(), np.full((2, 3, 4), np.log(0.5)), rtol=1e-6)


def test_scalar_and_empty_inputs():
    assert F.softmax(ferrograd.tensor(3.0), dim=0).item() == 1.0
    assert F.log_softmax(ferrograd.tensor(3.0), dim=0).item() == 0.0
    assert F.softmax(ferrograd.zeros(0, 3), dim=1).shape == (0, 3)


def test_errors():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)"):
        F.softmax(ferrograd.ones(2, 3), dim=3)
    with pytest.raises(NotImplementedError, match="\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"):
        F.softmax(ferrograd.ones(2, 3).long(), dim=1)
    with pytest.raises(NotImplementedError, match="\"log_softmax_kernel_impl\" not implemented for 'Long'"):
        F.log_softmax(ferrograd.ones(2, 3).long(), dim=0)


def test_tensor_methods_and_top_level_functions():
    x = ferrograd.tensor([[1.0, 2.0, 3.0]])
    expected = ref.softmax(np.array([[1.0, 2.0, 3.0]]), 1)
    np.testing.assert_allclose(x.softmax(1).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(ferrograd.softmax(x, -1).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(x.log_softmax(dim=1).numpy(), np.log(expected), rtol=1e-6)
    np.testing.assert_allclose(
        ferrograd.log_softmax(x, 1, dtype=ferrograd.float64).numpy(), np.log(expected), rtol=1e-12
    )
