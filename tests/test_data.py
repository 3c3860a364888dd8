"""``ferrograd.utils.data``: datasets, splits, samplers, ``DataLoader`` batching and
shuffling, and default collation."""

import collections

import numpy as np
import pytest

import ferrograd
from ferrograd.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    random_split,
)


def numbers(n=10):
    return TensorDataset(ferrograd.arange(float(n)).reshape(n, 1), ferrograd.arange(n))


# ---- datasets ----


def test_tensor_dataset():
    data = numbers(5)
    assert len(data) == 5
    x, y = data[2]
    assert x.tolist() == [2.0] and y.item() == 2
    with pytest.raises(AssertionError, match="^Size mismatch between tensors$"):
        TensorDataset(ferrograd.ones(3), ferrograd.ones(4))


def test_subset_and_concat():
    data = numbers(6)
    sub = Subset(data, [4, 0, 2])
    assert len(sub) == 3 and sub[0][1].item() == 4 and sub[2][1].item() == 2
    both = data + sub
    assert isinstance(both, ConcatDataset) and len(both) == 9
    assert both[5][1].item() == 5 and both[6][1].item() == 4 and both[-1][1].item() == 2


def test_base_dataset_needs_getitem():
    with pytest.raises(NotImplementedError, match="^Subclasses of Dataset should implement __getitem__.$"):
        Dataset()[0]


def test_random_split_lengths_and_reproducibility():
    data = numbers(10)
    parts = random_split(data, [3, 7], generator=ferrograd.Generator().manual_seed(42))
    assert [len(p) for p in parts] == [3, 7]
    seen = sorted(i for p in parts for i in p.indices)
    assert seen == list(range(10))
    again = random_split(data, [3, 7], generator=ferrograd.Generator().manual_seed(42))
    assert [p.indices for p in again] == [p.indices for p in parts]
    assert parts[0].indices != list(range(3))


def test_random_split_fractions():
    parts = random_split(range(10), [0.33, 0.33, 0.34])
    assert [len(p) for p in parts] == [4, 3, 3]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [1.0, 0.0])
    with pytest.raises(ValueError, match="^Sum of input lengths does not equal the length of the input dataset!$"):
        random_split(range(10), [3, 3])


# ---- samplers ----


def test_sequential_and_batch_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    batches = BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False)
    assert list(batches) == [[0, 1, 2], [3, 4, 5], [6]] and len(batches) == 3
    dropped = BatchSampler(range(7), batch_size=3, drop_last=True)
    assert list(dropped) == [[0, 1, 2], [3, 4, 5]] and len(dropped) == 2
    with pytest.raises(ValueError, match="^batch_size should be a positive integer value, but got batch_size=0$"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="^drop_last should be a boolean value, but got drop_last=1$"):
        BatchSampler(range(3), 2, 1)


def test_random_sampler():
    order = list(RandomSampler(range(20), generator=ferrograd.Generator().manual_seed(3)))
    assert sorted(order) == list(range(20)) and order != list(range(20))
    assert list(RandomSampler(range(20), generator=ferrograd.Generator().manual_seed(3))) == order
    more = list(RandomSampler(range(5), num_samples=12, generator=ferrograd.Generator().manual_seed(0)))
    assert len(more) == 12 and sorted(more[:5]) == list(range(5)) and sorted(more[5:10]) == list(range(5))
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=100))
    assert len(drawn) == 100 and set(drawn) == {0, 1, 2}
    ferrograd.manual_seed(1)
    first = list(RandomSampler(range(10)))
    ferrograd.manual_seed(1)
    assert list(RandomSampler(range(10))) == first
    with pytest.raises(TypeError, match="^replacement should be a boolean value, but got replacement=1$"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="^num_samples should be a positive integer value, but got num_samples=0$"):
        RandomSampler(range(3), num_samples=0)


def test_subset_random_sampler():
    picked = list(SubsetRandomSampler([10, 20, 30], generator=ferrograd.Generator().manual_seed(0)))
    assert sorted(picked) == [10, 20, 30]


# ---- DataLoader ----


def test_batches_in_order():
    loader = DataLoader(numbers(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    x, y = batches[0]
    assert x.shape == (4, 1) and x.dtype == ferrograd.float32 and y.tolist() == [0, 1, 2, 3]
    assert batches[2][1].tolist() == [8, 9]
    dropped = DataLoader(numbers(10), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [b[1].tolist() for b in dropped] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_shuffle_is_reproducible_and_new_every_epoch():
    g = ferrograd.Generator().manual_seed(0)
    loader = DataLoader(numbers(12), batch_size=5, shuffle=True, generator=g)
    first = [y.tolist() for _, y in loader]
    second = [y.tolist() for _, y in loader]
    assert sorted(sum(first, [])) == list(range(12)) and first != second
    again = DataLoader(numbers(12), batch_size=5, shuffle=True, generator=ferrograd.Generator().manual_seed(0))
    assert [y.tolist() for _, y in again] == first
    ferrograd.manual_seed(5)
    seeded = [y.tolist() for _, y in DataLoader(numbers(12), batch_size=5, shuffle=True)]
    ferrograd.manual_seed(5)
    assert [y.tolist() for _, y in DataLoader(numbers(12), batch_size=5, shuffle=True)] == seeded


def test_without_batching():
    loader = DataLoader(numbers(3), batch_size=None)
    items = list(loader)
    assert len(loader) == 3 and items[1][0].tolist() == [1.0]
    assert list(DataLoader([np.ones(2)], batch_size=None))[0].dtype == ferrograd.float64


def test_sampler_and_batch_sampler_choose_indices():
    data = numbers(6)
    assert [y.tolist() for _, y in DataLoader(data, batch_size=2, sampler=[5, 3, 1])] == [[5, 3], [1]]
    assert [y.tolist() for _, y in DataLoader(data, batch_sampler=[[0, 5], [2]])] == [[0, 5], [2]]


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        DataLoader(Stream(), shuffle=True)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sampler": [0], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
        (
            {"batch_sampler": [[0]], "batch_size": 2},
            "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last",
        ),
        (
            {"batch_size": None, "drop_last": True},
            "batch_size=None option disables auto-batching and is mutually exclusive with drop_last",
        ),
        (
            {"num_workers": -1},
            "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.",
        ),
    ],
)
def test_loader_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        DataLoader(range(5), **kwargs)
    assert str(info.value) == message


# ---- collation ----


def test_collate_structures():
    Point = collections.namedtuple("Point", ["x", "y"])
    samples = [
        (ferrograd.full((2,), float(i)), i, i + 0.5, "s", {"k": ferrograd.zeros(1)}, Point(i, [i, i])) for i in range(3)
    ]
    x, ints, floats, strings, mapping, point = default_collate(samples)
    assert x.tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    assert ints.dtype == ferrograd.int64 and ints.tolist() == [0, 1, 2]
    assert floats.dtype == ferrograd.float64 and floats.tolist() == [0.5, 1.5, 2.5]
    assert strings == ("s", "s", "s")
    assert mapping["k"].shape == (3, 1)
    assert (
        isinstance(point, Point) and point.x.tolist() == [0, 1, 2] and [t.tolist() for t in point.y] == [[0, 1, 2]] * 2
    )


def test_collate_numpy_and_bools():
    batch = default_collate([np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int32)])
    assert batch.dtype == ferrograd.int32 and batch.shape == (2, 3)
    assert default_collate([np.float32(2.0)]).tolist() == [2.0]
    assert default_collate([True, False]).tolist() == [True, False]


def test_collate_keeps_dtypes():
    batch = default_collate([ferrograd.ones(2, dtype=ferrograd.float64), ferrograd.zeros(2, dtype=ferrograd.float64)])
    assert batch.dtype == ferrograd.float64


@pytest.mark.parametrize(
    "batch, error, message",
    [
        (
            [ferrograd.ones(2), ferrograd.ones(3)],
            RuntimeError,
            "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1",
        ),
        ([[1, 2], [3]], RuntimeError, "each element in list of batch should be of equal size"),
        (
            [object()],
            TypeError,
            "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
            "found <class 'object'>",
        ),
    ],
)
def test_collate_errors(batch, error, message):
    with pytest.raises(error) as info:
        default_collate(batch)
    assert str(info.value) == message


def test_training_loop_over_a_loader():
    """Mini-batch SGD through a DataLoader fits a line."""
    ferrograd.manual_seed(0)
    x = ferrograd.randn(64, 1)
    y = x * 3.0 - 1.0
    model = ferrograd.nn.Linear(1, 1)
    opt = ferrograd.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(
        TensorDataset(x, y), batch_size=16, shuffle=True, generator=ferrograd.Generator().manual_seed(0)
    )
    for _ in range(30):
        for xb, yb in loader:
            opt.zero_grad()
            (model(xb) - yb).square().mean().backward()
            opt.step()
    assert model.weight.item() == pytest.approx(3.0, abs=1e-3)
    assert model.bias.item() == pytest.approx(-1.0, abs=1e-3)
