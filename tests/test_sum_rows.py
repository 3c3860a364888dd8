"""Float sums over leading dims (``x.sum(0)``, a bias gradient) add whole rows at once; each
output must still be the float64 sum of its elements in index order, rounded once."""

import numpy as np
import pytest

import ferrograd

rng = np.random.default_rng(0)


def sequential_sum(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Adds the reduced elements one at a time in row-major order, in float64."""
    kept = [d for d in range(a.ndim) if d not in axes]
    moved = np.moveaxis(a.astype(np.float64), list(axes), list(range(len(axes))))
    rows = moved.reshape(-1, *[a.shape[d] for d in kept])
    acc = np.zeros(rows.shape[1:])
    for row in rows:
        acc = acc + row
    return acc.astype(a.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "axes"), [((129, 33), (0,)), ((4, 6, 5), (0, 1)), ((7, 3, 8), (0,))], ids=str)
def test_leading_dim_sums_are_exact(dtype, shape, axes):
    a = (rng.standard_normal(shape) * 1e3).astype(dtype)
    out = ferrograd.from_numpy(a).sum(axes).numpy()
    np.testing.assert_array_equal(out, sequential_sum(a, axes))


def test_sliced_and_expanded_inputs():
    a = rng.standard_normal((40, 30)).astype(np.float32)
    t = ferrograd.from_numpy(a)
    np.testing.assert_array_equal(t[::3, 2:20].sum(0).numpy(), sequential_sum(a[::3, 2:20], (0,)))
    row = ferrograd.from_numpy(a[0]).expand(50, 30)
    np.testing.assert_array_equal(row.sum(0).numpy(), sequential_sum(np.broadcast_to(a[0], (50, 30)), (0,)))
    assert t.sum(0).dtype == ferrograd.float32
