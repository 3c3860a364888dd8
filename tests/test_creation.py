"""Making tensors: dtype inference of ``tensor``, ``as_tensor`` / ``from_numpy`` / ``numpy()``
memory sharing, the factories, ``*_like``, seeding, the legacy typed constructors, dtype
aliases, and conversion back to Python (``tolist``, ``item``, ``float``, ``int``, ``bool``,
``len``, iteration).

Expected values follow PyTorch 2.15.
"""

from __future__ import annotations

import numpy as np
import pytest

import ferrograd

F32, F64, I64, I32, BOOL = ferrograd.float32, ferrograd.float64, ferrograd.int64, ferrograd.int32, ferrograd.bool


@pytest.mark.parametrize(
    ("data", "dtype", "shape", "values"),
    [
        (1.5, F32, (), 1.5),
        (2, I64, (), 2),
        (True, BOOL, (), True),
        ([1, 2.5], F32, (2,), [1.0, 2.5]),
        ([1, True], I64, (2,), [1, 1]),
        ([True, False], BOOL, (2,), [True, False]),
        ([[1, 2], [3, 4]], I64, (2, 2), [[1, 2], [3, 4]]),
        ([[[1.0], [2.0]]], F32, (1, 2, 1), [[[1.0], [2.0]]]),
        ((1, 2), I64, (2,), [1, 2]),
        ([], F32, (0,), []),
        ([[]], F32, (1, 0), [[]]),
        ([2**40], I64, (1,), [2**40]),
        (np.float64(2.0), F64, (), 2.0),
        (np.float32(1.5), F32, (), 1.5),
        (np.int32(3), I32, (), 3),
        (np.int64(4), I64, (), 4),
        (np.bool_(True), BOOL, (), True),
        ([np.float64(1.0), 2], F64, (2,), [1.0, 2.0]),
        ([np.int32(1), 2], I64, (2,), [1, 2]),
        ([np.int32(1), np.int32(2)], I32, (2,), [1, 2]),
        (np.array([1, 2], dtype=np.int32), I32, (2,), [1, 2]),
        (np.array([1.0, 2.0]), F64, (2,), [1.0, 2.0]),
        (np.array([1.0, 2.0], dtype=np.float32), F32, (2,), [1.0, 2.0]),
        (np.array(True), BOOL, (), True),
        (np.array([[1, 2], [3, 4]]).T, I64, (2, 2), [[1, 3], [2, 4]]),
        ([ferrograd.tensor(1.0), ferrograd.tensor(2.0)], F32, (2,), [1.0, 2.0]),
        ([ferrograd.tensor(1, dtype=I32), 2], I64, (2,), [1, 2]),
    ],
)
def test_tensor_infers_dtype(data, dtype, shape, values):
    t = ferrograd.tensor(data)
    assert t.dtype == dtype
    assert t.shape == shape
    assert t.tolist() == values


def test_tensor_with_dtype_converts():
    assert ferrograd.tensor([1, 2], dtype=F64).tolist() == [1.0, 2.0]
    assert ferrograd.tensor([1.7, -2.7], dtype=I64).tolist() == [1, -2]
    assert ferrograd.tensor([0.0, 2.0], dtype=BOOL).tolist() == [False, True]
    assert ferrograd.tensor(3, dtype=ferrograd.float).dtype == F32


def test_tensor_copies():
    a = np.array([1.0, 2.0])
    t = ferrograd.tensor(a)
    a[0] = 9
    assert t.tolist() == [1.0, 2.0]
    src = ferrograd.ones(2)
    with pytest.warns(UserWarning):
        c = ferrograd.tensor(src)
    src.add_(1)
    assert c.tolist() == [1.0, 1.0]


def test_tensor_requires_grad():
    t = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf
    assert repr(t) == "tensor([1., 2.], requires_grad=True)"


def test_as_tensor_shares_numpy_memory():
    a = np.array([1.0, 2.0, 3.0])
    t = ferrograd.as_tensor(a)
    a[0] = 10
    assert t.tolist() == [10.0, 2.0, 3.0] and t.dtype == F64
    converted = ferrograd.as_tensor(a, dtype=F32)
    a[1] = 20
    assert converted.tolist() == [10.0, 2.0, 3.0] and converted.dtype == F32


def test_as_tensor_of_a_tensor():
    t = ferrograd.ones(2)
    assert ferrograd.as_tensor(t) is t
    assert ferrograd.as_tensor(t, dtype=F32) is t
    other = ferrograd.as_tensor(t, dtype=F64)
    assert other is not t and other.dtype == F64
    assert ferrograd.as_tensor([1, 2]).tolist() == [1, 2]


def test_from_numpy_shares_memory_both_ways():
    a = np.array([1.0, 2.0, 3.0])
    t = ferrograd.from_numpy(a)
    t[2] = 30
    assert a.tolist() == [1.0, 2.0, 30.0]
    a[0] = -1
    assert t.tolist() == [-1.0, 2.0, 30.0]
    assert ferrograd.from_numpy(np.array([1, 2], dtype=np.int32)).dtype == I32
    assert ferrograd.from_numpy(np.array([True])).dtype == BOOL


def test_from_numpy_keeps_strides():
    t = ferrograd.from_numpy(np.arange(6.0).reshape(2, 3).T)
    assert t.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert t.stride() == (1, 3) and not t.is_contiguous()


def test_numpy_shares_memory():
    t = ferrograd.ones(2, 2)
    n = t.numpy()
    n[0, 0] = 5
    assert t.tolist() == [[5.0, 1.0], [1.0, 1.0]]
    t.mul_(2)
    assert n.tolist() == [[10.0, 2.0], [2.0, 2.0]]
    assert n.dtype == np.float32
    assert ferrograd.tensor([1]).numpy().dtype == np.int64
    assert ferrograd.tensor(2.5).numpy().shape == ()
    assert ferrograd.ones(2, requires_grad=True).detach().numpy().tolist() == [1.0, 1.0]


def test_numpy_array_protocol():
    assert np.asarray(ferrograd.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert np.asarray(ferrograd.tensor([1, 2]), dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    ("make", "dtype", "values"),
    [
        (lambda: ferrograd.ones(2, 3), F32, [[1.0] * 3] * 2),
        (lambda: ferrograd.ones((2, 1)), F32, [[1.0], [1.0]]),
        (lambda: ferrograd.zeros(2), F32, [0.0, 0.0]),
        (lambda: ferrograd.zeros([1, 2], dtype=I32), I32, [[0, 0]]),
        (lambda: ferrograd.ones(ferrograd.Size([2])), F32, [1.0, 1.0]),
        (lambda: ferrograd.ones(()), F32, 1.0),
        (lambda: ferrograd.full((2, 2), 7), I64, [[7, 7], [7, 7]]),
        (lambda: ferrograd.full((2,), 1.5), F32, [1.5, 1.5]),
        (lambda: ferrograd.full((2,), True), BOOL, [True, True]),
        (lambda: ferrograd.full((1,), 2, dtype=F64), F64, [2.0]),
        (lambda: ferrograd.eye(3), F32, [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]]),
        (lambda: ferrograd.eye(2, 3), F32, [[1.0, 0, 0], [0, 1.0, 0]]),
        (lambda: ferrograd.eye(2, dtype=I64), I64, [[1, 0], [0, 1]]),
        (lambda: ferrograd.arange(5), I64, [0, 1, 2, 3, 4]),
        (lambda: ferrograd.arange(1, 4), I64, [1, 2, 3]),
        (lambda: ferrograd.arange(10, 0, -3), I64, [10, 7, 4, 1]),
        (lambda: ferrograd.arange(0, 1, 0.25), F32, [0.0, 0.25, 0.5, 0.75]),
        (lambda: ferrograd.arange(5.0), F32, [0.0, 1.0, 2.0, 3.0, 4.0]),
        (lambda: ferrograd.arange(1, 2.5, 0.5), F32, [1.0, 1.5, 2.0]),
        (lambda: ferrograd.arange(3, dtype=F64), F64, [0.0, 1.0, 2.0]),
        (lambda: ferrograd.arange(np.int64(3)), I64, [0, 1, 2]),
        (lambda: ferrograd.linspace(0, 1, 5), F32, [0.0, 0.25, 0.5, 0.75, 1.0]),
        (lambda: ferrograd.linspace(-1, 1, 1), F32, [-1.0]),
        (lambda: ferrograd.linspace(0, 10, 3, dtype=F64), F64, [0.0, 5.0, 10.0]),
        (lambda: ferrograd.linspace(2, 2, 0), F32, []),
    ],
)
def test_factories(make, dtype, values):
    t = make()
    assert t.dtype == dtype
    assert t.tolist() == values


def test_empty_has_the_shape_and_dtype():
    assert ferrograd.empty(2, 3).shape == (2, 3) and ferrograd.empty(2, 3).dtype == F32
    assert ferrograd.empty(0).shape == (0,)
    assert ferrograd.empty((2,), dtype=I32).dtype == I32


def test_factories_with_requires_grad():
    for t in (
        ferrograd.ones(2, requires_grad=True, dtype=F64),
        ferrograd.zeros(2, requires_grad=True),
        ferrograd.arange(3.0, requires_grad=True),
        ferrograd.eye(2, requires_grad=True),
        ferrograd.full((2,), 1.0, requires_grad=True),
        ferrograd.randn(2, requires_grad=True),
    ):
        assert t.requires_grad and t.is_leaf


def test_random_factories():
    assert ferrograd.randn(2, 3).shape == (2, 3) and ferrograd.randn(2, 3).dtype == F32
    assert ferrograd.rand(2, dtype=F64).dtype == F64
    u = ferrograd.rand(1000).tolist()
    assert all(0.0 <= v < 1.0 for v in u)
    n = np.array(ferrograd.randn(20000).tolist())
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    i = ferrograd.randint(3, (2, 2))
    assert i.shape == (2, 2) and i.dtype == I64
    values = ferrograd.randint(1, 3, (500,)).tolist()
    assert set(values) == {1, 2}
    assert ferrograd.randint(0, 5, size=(3,), dtype=I32).dtype == I32


def test_manual_seed_reproduces():
    def draw():
        return ferrograd.randn(3).tolist(), ferrograd.rand(2).tolist(), ferrograd.randint(0, 10, (4,)).tolist()

    ferrograd.manual_seed(0)
    first = draw()
    ferrograd.manual_seed(0)
    assert draw() == first
    ferrograd.manual_seed(1)
    assert draw() != first
    assert ferrograd.initial_seed() == 1


def test_generator_objects():
    g = ferrograd.Generator().manual_seed(7)
    a = ferrograd.randn(3, generator=g).tolist()
    g.manual_seed(7)
    assert ferrograd.randn(3, generator=g).tolist() == a


def test_like_functions():
    x = ferrograd.tensor([[1, 2], [3, 4]], dtype=I32)
    assert ferrograd.ones_like(x).tolist() == [[1, 1], [1, 1]] and ferrograd.ones_like(x).dtype == I32
    assert ferrograd.zeros_like(x, dtype=F64).dtype == F64
    assert ferrograd.full_like(x, 7).tolist() == [[7, 7], [7, 7]]
    assert ferrograd.empty_like(x).shape == (2, 2)
    assert ferrograd.rand_like(ferrograd.ones(2)).shape == (2,)
    assert ferrograd.randn_like(ferrograd.ones(2, dtype=F64)).dtype == F64
    assert not ferrograd.ones_like(ferrograd.ones(2, requires_grad=True)).requires_grad
    assert ferrograd.zeros_like(ferrograd.ones(2), requires_grad=True).requires_grad


def test_legacy_constructors():
    assert ferrograd.FloatTensor([1, 2]).tolist() == [1.0, 2.0] and ferrograd.FloatTensor([1, 2]).dtype == F32
    assert ferrograd.FloatTensor(2, 3).shape == (2, 3)
    assert ferrograd.FloatTensor(ferrograd.Size([2, 1])).shape == (2, 1)
    assert ferrograd.FloatTensor().shape == (0,)
    assert ferrograd.DoubleTensor([1]).dtype == F64
    assert ferrograd.LongTensor([1.7, 2]).tolist() == [1, 2]
    assert ferrograd.LongTensor(2).shape == (2,) and ferrograd.LongTensor(2).dtype == I64
    assert ferrograd.IntTensor([1]).dtype == I32
    assert ferrograd.BoolTensor([1, 0]).tolist() == [True, False]
    assert ferrograd.Tensor([1, 2]).dtype == F32 and ferrograd.Tensor(2, 2).shape == (2, 2)
    assert ferrograd.Tensor().shape == (0,)


def test_legacy_isinstance_and_type_names():
    assert isinstance(ferrograd.ones(2), ferrograd.FloatTensor)
    assert not isinstance(ferrograd.ones(2), ferrograd.DoubleTensor)
    assert isinstance(ferrograd.ones(2).long(), ferrograd.LongTensor)
    assert isinstance(ferrograd.ones(2), ferrograd.Tensor)
    assert ferrograd.ones(2).type() == "ferrograd.FloatTensor"
    assert ferrograd.ones(2, dtype=I32).type() == "ferrograd.IntTensor"
    assert ferrograd.ones(2).type(I64).tolist() == [1, 1]


def test_dtype_aliases():
    assert ferrograd.float is ferrograd.float32
    assert ferrograd.double is ferrograd.float64
    assert ferrograd.long is ferrograd.int64
    assert ferrograd.int is ferrograd.int32
    assert ferrograd.get_default_dtype() is ferrograd.float32
    assert ferrograd.float32.is_floating_point and not ferrograd.int64.is_floating_point
    assert isinstance(ferrograd.float32, ferrograd.dtype)


def test_metadata():
    t = ferrograd.zeros(2, 3)
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.numel() == 6 and t.dim() == 2 and t.ndim == 2
    assert t.stride() == (3, 1) and t.stride(0) == 3
    assert t.element_size() == 4 and ferrograd.zeros(1, dtype=F64).element_size() == 8
    assert t.is_floating_point() and not ferrograd.zeros(1, dtype=I64).is_floating_point()
    assert ferrograd.is_tensor(t) and not ferrograd.is_tensor([1])
    assert ferrograd.numel(t) == 6


def test_conversions_between_dtypes():
    assert ferrograd.tensor([1.5, -2.5]).long().tolist() == [1, -2]
    assert ferrograd.tensor([1.5, -2.5]).int().dtype == I32
    assert ferrograd.tensor([0.0, 0.5]).bool().tolist() == [False, True]
    assert ferrograd.tensor([True, False]).float().tolist() == [1.0, 0.0]
    assert ferrograd.tensor([1, 2]).double().dtype == F64
    assert ferrograd.tensor([3.9]).to(I64).tolist() == [3]
    assert ferrograd.ones(2).to("cpu").dtype == F32
    assert ferrograd.ones(2).to("cpu", F64).dtype == F64
    t = ferrograd.ones(2)
    assert t.to(F32) is t and t.cpu() is t


def test_python_conversions():
    t = ferrograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert t[0].tolist() == [1.0, 2.0]
    assert ferrograd.tensor(2.0).tolist() == 2.0
    assert t[0, 0].item() == 1.0 and float(t[1, 1]) == 4.0 and int(t[1, 0]) == 3
    assert bool(t[0, 0]) is True and bool(ferrograd.tensor([0.0])) is False
    assert len(t) == 2 and len(ferrograd.zeros(0, 3)) == 0
    assert [row.tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0]]
    assert int(ferrograd.tensor(2.7)) == 2 and int(ferrograd.tensor(-2.7)) == -2
    assert float(ferrograd.tensor(3)) == 3.0 and int(ferrograd.tensor(True)) == 1
    assert ferrograd.tensor(0.1).item() == 0.10000000149011612
    assert ferrograd.tensor(0.1, dtype=F64).item() == 0.1


@pytest.mark.parametrize(
    ("t", "kind"),
    [
        (ferrograd.tensor([5]), int),
        (ferrograd.tensor([True]), bool),
        (ferrograd.tensor(1.5), float),
        (ferrograd.tensor(2, dtype=I32), int),
        (ferrograd.tensor(2.0, dtype=F64), float),
    ],
)
def test_item_types(t, kind):
    assert type(t.item()) is kind
    assert type(t.tolist()) is kind if t.ndim == 0 else type(t.tolist()[0]) is kind


def test_integer_tensor_as_an_index():
    assert [10, 20, 30][ferrograd.tensor(1)] == 20
    assert [10, 20, 30][ferrograd.tensor([2])] == 30
