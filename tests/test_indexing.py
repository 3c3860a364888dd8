"""Basic indexing (ints, slices with steps, ``None``, ``...``) as views, and assignment
through it (``x[idx] = v``). Expected shapes, values and strides follow PyTorch 2.15 (and
NumPy, which agrees on these). Gradients through indexing are in test_ops_gradients.py and
test_autograd_semantics.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import ferrograd

BASE = np.arange(24.0).reshape(2, 3, 4)

INDICES = [
    0,
    -1,
    (1, 2),
    (1, 2, 3),
    (-1, -1, -1),
    slice(None),
    slice(1, None),
    (slice(None), 1),
    (Ellipsis, 0),
    (0, Ellipsis, 1),
    (None, 0),
    (0, None, slice(None, None, 2)),
    slice(None, None, 3),
    (slice(0, 2), slice(1, 3), slice(0, 4, 2)),
    (Ellipsis,),
    (Ellipsis, None),
    (1, slice(5, 10)),
    (slice(-2, None), -2),
    (slice(None, None, 2), slice(None, None, 2), slice(1, None, 2)),
    None,
    (None, None),
    (0, slice(3, 1)),
    (slice(-100, 100), slice(1, -1), slice(-3, None, 2)),
    (np.int64(1), 0),
]


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_getitem_matches_numpy(index):
    t = ferrograd.tensor(BASE)
    view = t[index]
    expected = BASE[index]
    assert view.shape == expected.shape
    assert view.tolist() == expected.tolist()
    has_new_axis = index is None or (isinstance(index, tuple) and None in index)
    if view.numel() > 0 and view.ndim > 0 and not has_new_axis:  # NumPy gives new axes stride 0
        assert view.stride() == tuple(s // 8 for s in expected.strides)
        assert view.storage_offset() == (expected.__array_interface__["data"][0] - BASE.ctypes.data) // 8


def test_strides_of_new_axes():
    t = ferrograd.tensor(BASE)
    assert t[None].stride() == (24, 12, 4, 1)
    assert t[0, None, ::2].stride() == (12, 8, 1)
    assert t[..., None].stride() == (12, 4, 1, 1)
    assert t[1, 2, 3].stride() == () and t[1, 2, 3].storage_offset() == 23


def test_indexing_makes_views():
    t = ferrograd.zeros(3, 4)
    row = t[1]
    row[2] = 5.0
    col = t[:, 3]
    col.fill_(1.0)
    assert t.tolist() == [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 5.0, 1.0], [0.0, 0.0, 0.0, 1.0]]
    assert t._version == row._version == col._version == 2


def test_chained_indexing():
    t = ferrograd.tensor(BASE)
    assert t[1][2][3].item() == 23.0
    assert t[1, 2, 3].item() == 23.0
    assert t[0].sum().item() == 66.0
    assert t[:, ::2][1, -1].tolist() == [20.0, 21.0, 22.0, 23.0]


def test_setitem():
    x = ferrograd.zeros(3, 4)
    x[0] = 1
    x[1, 2] = 5
    x[:, 3] = ferrograd.tensor([7.0, 8.0, 9.0])
    x[2, :2] = ferrograd.tensor(4.0)
    x[..., 1] += 1
    assert x.tolist() == [[1.0, 2.0, 1.0, 7.0], [0.0, 1.0, 5.0, 8.0], [4.0, 5.0, 0.0, 9.0]]
    x[1:] = ferrograd.tensor([[1.0, 2.0, 3.0, 4.0]])
    assert x.tolist() == [[1.0, 2.0, 1.0, 7.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]
    x[0] = ferrograd.tensor([[[0.5, 0.5, 0.5, 0.5]]])  # leading size-1 dims are dropped
    assert x[0].tolist() == [0.5, 0.5, 0.5, 0.5]


def test_setitem_converts_the_value():
    y = ferrograd.zeros(3, dtype=ferrograd.int64)
    y[0] = 2.7
    y[1] = True
    y[2] = ferrograd.tensor(-3.9)
    assert y.tolist() == [2, 1, -3]
    z = ferrograd.zeros(2)
    z[0] = ferrograd.tensor(3, dtype=ferrograd.int64)
    z[1] = ferrograd.tensor(0.25, dtype=ferrograd.float64)
    assert z.tolist() == [3.0, 0.25] and z.dtype == ferrograd.float32


def test_setitem_with_steps_and_ellipsis():
    x = ferrograd.zeros(2, 6)
    x[:, ::2] = 1.0
    x[..., 1::3] = ferrograd.tensor([[2.0, 3.0], [4.0, 5.0]])
    assert x.tolist() == [[1.0, 2.0, 1.0, 0.0, 3.0, 0.0], [1.0, 4.0, 1.0, 0.0, 5.0, 0.0]]


def test_setitem_from_a_clone_of_an_overlapping_view():
    x = ferrograd.tensor([1.0, 2.0, 3.0, 4.0])
    x[1:] = x[:3].clone()
    assert x.tolist() == [1.0, 1.0, 2.0, 3.0]


def test_iteration_yields_views():
    t = ferrograd.zeros(2, 2)
    for row in t:
        row.add_(1.0)
    assert t.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert [r.shape for r in ferrograd.zeros(3, 2)] == [(2,)] * 3
    assert list(ferrograd.zeros(0, 2)) == []
