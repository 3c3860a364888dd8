"""Collation: turning a list of samples into one batch.

>>> import ferrograd
>>> from ferrograd.utils.data import default_collate
>>> batch = default_collate([(ferrograd.ones(2), 0), (ferrograd.zeros(2), 1)])
>>> batch
[tensor([[1., 1.],
        [0., 0.]]), tensor([0, 1])]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ... import _core

_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_numeric_array(obj: Any) -> bool:
    return isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in "biuf"


def default_collate(batch: Sequence[Any]) -> Any:
    """Stacks a batch of samples, keeping their structure: tensors and NumPy arrays become
    one tensor with a new first dimension, Python floats a float64 tensor, ints an int64
    tensor, dicts a dict of collated values, tuples and lists a list of collated fields;
    strings stay as they are."""
    elem = batch[0]
    if isinstance(elem, _core.Tensor):
        return _core.stack(batch)
    if _is_numeric_array(elem):
        return _core.stack([_core.as_tensor(np.asarray(b)) for b in batch])
    if isinstance(elem, bool):
        return _core.tensor(batch)
    if isinstance(elem, float):
        return _core.tensor(batch, dtype=_core.float64)
    if isinstance(elem, int):
        return _core.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(field) for field in zip(*batch)]
        if isinstance(elem, tuple):
            return fields
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Without batching: NumPy arrays become tensors, inside any dicts and sequences."""
    if isinstance(data, _core.Tensor):
        return data
    if _is_numeric_array(data):
        return _core.as_tensor(np.asarray(data))
    if isinstance(data, Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})  # type: ignore[call-arg]
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return type(data)([default_convert(d) for d in data])  # type: ignore[call-arg]
    return data


__all__ = ["default_collate", "default_convert"]
