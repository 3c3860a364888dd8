"""The legacy tensor types: ``FloatTensor([1, 2])`` builds a float32 tensor from data,
``FloatTensor(2, 3)`` one of that size, and ``isinstance(t, FloatTensor)`` checks the dtype.

>>> import ferrograd
>>> ferrograd.FloatTensor([1, 0])
tensor([1., 0.])
>>> isinstance(ferrograd.ones(2), ferrograd.FloatTensor)
True
"""

from __future__ import annotations

from typing import Any

from . import _core


class _LegacyTensorType(type):
    dtype: _core.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, _core.Tensor) and obj.dtype is cls.dtype


def _legacy_type(name: str, dtype: _core.dtype) -> type:
    def __new__(cls: type, *args: Any) -> _core.Tensor:
        return _core._legacy_new(dtype, *args)

    return _LegacyTensorType(name, (), {"dtype": dtype, "__new__": __new__, "__module__": "ferrograd"})


FloatTensor = _legacy_type("FloatTensor", _core.float32)
DoubleTensor = _legacy_type("DoubleTensor", _core.float64)
LongTensor = _legacy_type("LongTensor", _core.int64)
IntTensor = _legacy_type("IntTensor", _core.int32)
BoolTensor = _legacy_type("BoolTensor", _core.bool)
