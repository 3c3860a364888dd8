"""``ferrograd.Size``: the type of ``tensor.shape``, a tuple of ints.

>>> import ferrograd
>>> ferrograd.ones(2, 3).shape
ferrograd.Size([2, 3])
>>> ferrograd.ones(2, 3).shape[1:]
ferrograd.Size([3])
"""

from __future__ import annotations

from typing import Any, SupportsIndex, overload


class Size(tuple[int, ...]):
    """A tensor's shape. Behaves as a tuple; prints as ``ferrograd.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"ferrograd.Size({list(self)})"

    __str__ = __repr__

    @overload
    def __getitem__(self, key: SupportsIndex) -> int: ...
    @overload
    def __getitem__(self, key: slice) -> Size: ...
    def __getitem__(self, key: Any) -> Any:
        item = super().__getitem__(key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other: Any) -> Size:  # type: ignore[override]
        return Size(tuple(self) + tuple(other))

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for d in self:
            n *= d
        return n

    def __reduce__(self) -> tuple[type[Size], tuple[tuple[int, ...]]]:
        return (Size, (tuple(self),))
