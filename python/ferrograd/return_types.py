"""Named results of ops that return several tensors, like ``max(dim)``.

>>> import ferrograd
>>> values, indices = ferrograd.tensor([[1, 5], [7, 2]]).max(dim=1)
>>> indices
tensor([1, 0])
"""

from __future__ import annotations

from typing import Any, NamedTuple


class _ValuesIndices(NamedTuple):
    values: Any
    indices: Any


def _result_type(name: str) -> type[_ValuesIndices]:
    def __repr__(self: _ValuesIndices) -> str:
        return f"ferrograd.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    cls = type(name, (_ValuesIndices,), {"__repr__": __repr__, "__module__": __name__})
    return cls


max = _result_type("max")
min = _result_type("min")
median = _result_type("median")
sort = _result_type("sort")
topk = _result_type("topk")
