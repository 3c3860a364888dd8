"""In-place kernels on large contiguous tensors: the in-place loops (one pointer read and
written) and the parallel split give NumPy's values, including when the other operand is a
view of the same storage."""

import numpy as np
import pytest

import ferrograd

N = 300_001  # several parallel chunks, and a ragged tail
rng = np.random.default_rng(7)


@pytest.mark.parametrize(
    ("inplace", "reference"),
    [
        (lambda x, y: x.add_(y), lambda x, y: x + y),
        (lambda x, y: x.sub_(y, alpha=0.5), lambda x, y: x - 0.5 * y),
        (lambda x, y: x.mul_(y), lambda x, y: x * y),
        (lambda x, y: x.mul_(0.25), lambda x, y: x * np.float32(0.25)),
        (lambda x, y: x.addcmul_(y, y, value=2.0), lambda x, y: x + 2.0 * y * y),
        (lambda x, y: x.lerp_(y, 0.3), lambda x, y: x + np.float32(0.3) * (y - x)),
        (lambda x, y: x.div_(y), lambda x, y: x / y),
    ],
    ids=["add_", "sub_alpha", "mul_tensor", "mul_number", "addcmul_", "lerp_", "div_"],
)
def test_large_in_place_ops_match_numpy(inplace, reference):
    a = rng.standard_normal(N).astype(np.float32)
    b = rng.standard_normal(N).astype(np.float32)
    x, y = ferrograd.tensor(a), ferrograd.tensor(b)
    out = inplace(x, y)
    assert out is x
    np.testing.assert_allclose(x.numpy(), reference(a, b), rtol=1e-6, atol=1e-6)


def test_in_place_with_an_overlapping_operand():
    a = rng.standard_normal(N + 1).astype(np.float32)
    x = ferrograd.tensor(a)
    x[1:].add_(x[:-1])  # PyTorch copies the overlapping operand first
    expected = a.copy()
    expected[1:] = a[1:] + a[:-1]
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6)
