"""Containers: modules that hold other modules or parameters.

``Sequential`` chains modules; ``ModuleList`` and ``ModuleDict`` register modules held in a
list or dict; ``ParameterList`` and ``ParameterDict`` do the same for parameters.

>>> import ferrograd
>>> from ferrograd import nn
>>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
>>> net
Sequential(
  (0): Linear(in_features=4, out_features=3, bias=True)
  (1): ReLU()
  (2): Linear(in_features=3, out_features=1, bias=True)
)
>>> tuple(net(ferrograd.ones(2, 4)).shape)
(2, 1)
>>> net[0:2]
Sequential(
  (0): Linear(in_features=4, out_features=3, bias=True)
  (1): ReLU()
)
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from .. import _core
from .._typename import typename
from .module import Module, _addindent
from .parameter import Parameter

T = TypeVar("T", bound="_IndexedModules")


class _IndexedModules(Module):
    """What ``Sequential`` and ``ModuleList`` share: children named ``"0"``, ``"1"``, ...
    indexed like a list."""

    def _index(self, idx: Any) -> str:
        """The name of the child at the (possibly negative) position ``idx``."""
        idx = operator.index(idx)
        size = len(self._modules)
        if not -size <= idx < size:
            raise IndexError(f"index {idx} is out of range")
        return list(self._modules)[idx % size]

    def _renumber(self, modules: list[Module]) -> None:
        """Makes ``modules`` the children, named ``"0"``, ``"1"``, ... (after a deletion or
        an insertion)."""
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def __getitem__(self: T, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return self._from_items(list(self._modules.items())[idx])
        return self._modules[self._index(idx)]

    def _from_items(self: T, items: list[tuple[str, Module]]) -> T:
        raise NotImplementedError

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(self._index(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        if isinstance(idx, slice):
            for name in list(self._modules)[idx]:
                del self._modules[name]
        else:
            del self._modules[self._index(idx)]
        self._renumber(list(self._modules.values()))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self: T, module: Module) -> T:
        """Adds ``module`` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self: T, modules: Iterable[Module]) -> T:
        """Adds each of ``modules`` at the end."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Inserts ``module`` before position ``index``."""
        if not isinstance(module, Module):
            raise TypeError(f"{typename(module)} is not a Module subclass")
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def pop(self, index: int = -1) -> Module:
        """Removes and returns the module at ``index``."""
        module = self[index]
        del self[index]
        return module


class Sequential(_IndexedModules):
    """Runs its modules in order, each on the previous one's output. Built from modules
    (named ``"0"``, ``"1"``, ...) or from an ``OrderedDict`` of named modules.

    >>> from collections import OrderedDict
    >>> from ferrograd import nn
    >>> nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    Sequential(
      (fc): Linear(in_features=2, out_features=2, bias=True)
      (act): Tanh()
    )
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def _from_items(self, items: list[tuple[str, Module]]) -> Sequential:
        return type(self)(OrderedDict(items))

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                f"add operator supports only objects of Sequential class, but {str(type(other))} is given."
            )
        return Sequential(*self, *other)

    def forward(self, input: Any) -> Any:
        for module in self:
            input = module(input)
        return input


class ModuleList(_IndexedModules):
    """A list of modules whose parameters belong to the owner. Unlike ``Sequential`` it
    has no ``forward``: the owner decides how to use them.

    >>> from ferrograd import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> layers
    ModuleList(
      (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)
    )
    >>> len(list(layers.parameters()))
    6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _from_items(self, items: list[tuple[str, Module]]) -> ModuleList:
        return type(self)(module for _, module in items)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def __repr__(self) -> str:
        # Runs of identical reprs print once, as "(first-last): count x repr".
        lines: list[str] = []
        reprs = [repr(m) for m in self]
        start = 0
        for end in range(1, len(reprs) + 1):
            if end < len(reprs) and reprs[end] == reprs[start]:
                continue
            count = end - start
            text = f"({start}): {reprs[start]}" if count == 1 else f"({start}-{end - 1}): {count} x {reprs[start]}"
            lines.append(_addindent(text, 2))
            start = end
        if not lines:
            return f"{self._get_name()}()"
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules whose parameters belong to the owner; keeps insertion order.

    >>> from ferrograd import nn
    >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 4)})
    >>> list(heads.keys())
    ['cls', 'box']
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Removes every module."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Removes and returns the module at ``key``."""
        module = self[key]
        del self[key]
        return module

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Adds (or replaces) modules from a mapping or from ``(key, module)`` pairs."""
        items = modules.items() if isinstance(modules, Mapping) else modules
        for i, item in enumerate(items):
            if not isinstance(modules, Mapping) and len(item) != 2:
                raise ValueError(f"ModuleDict update sequence element #{i} has length {len(item)}; 2 is required")
            key, module = item
            self[key] = module


def _as_parameter(value: Any) -> Any:
    """Plain tensors put in a parameter container become parameters."""
    if isinstance(value, _core.Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _size_text(p: _core.Tensor) -> str:
    return "x".join(str(s) for s in p.shape)


class ParameterList(Module):
    """A list of parameters registered on the owner. Tensors added to it become
    ``Parameter`` s; other objects are stored as they are.

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> weights = nn.ParameterList([ferrograd.ones(2), ferrograd.zeros(3, 4)])
    >>> weights
    ParameterList(
        (0): Parameter containing: [ferrograd.float32 of size 2]
        (1): Parameter containing: [ferrograd.float32 of size 3x4]
    )
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _index(self, idx: int) -> str:
        idx = operator.index(idx)
        if not -self._size <= idx < self._size:
            raise IndexError(f"index {idx} is out of range")
        return str(idx % self._size)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(self[i] for i in range(self._size)[idx])
        return getattr(self, self._index(idx))

    def __setitem__(self, idx: int, value: Any) -> None:
        setattr(self, self._index(idx), _as_parameter(value))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self._size))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        """Adds ``value`` at the end."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Adds each of ``values`` at the end."""
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        lines = []
        for i, p in enumerate(self):
            if isinstance(p, _core.Tensor):
                kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
                device = "" if p.device.type == "cpu" else f" ({p.device})"
                lines.append(f"  ({i}): {kind} containing: [{p.dtype} of size {_size_text(p)}{device}]")
            else:
                lines.append(f"  ({i}): Object of type: {type(p).__name__}")
        return "\n".join(lines)


class ParameterDict(Module):
    """A dict of parameters registered on the owner; keeps insertion order. Tensors added
    to it become ``Parameter`` s.

    >>> import ferrograd
    >>> from ferrograd import nn
    >>> scales = nn.ParameterDict({"a": ferrograd.ones(2)})
    >>> [name for name, _ in scales.named_parameters()]
    ['a']
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Iterable[str]:
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((k, self[k]) for k in self._keys)

    def values(self) -> Iterator[Any]:
        return (self[k] for k in self._keys)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def pop(self, key: str) -> Any:
        """Removes and returns the parameter at ``key``."""
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        """Removes every entry."""
        for key in list(self._keys):
            del self[key]

    def update(self, parameters: Any) -> None:
        """Adds (or replaces) entries from a mapping or from ``(key, value)`` pairs."""
        items = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in items:
            self[key] = value

    def extra_repr(self) -> str:
        lines = []
        for key, p in self.items():
            if isinstance(p, _core.Tensor):
                kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
                device = "" if p.device.type == "cpu" else f" ({p.device})"
                lines.append(f"  ({key}): {kind} containing: [{typename(p)} of size {_size_text(p)}{device}]")
            else:
                lines.append(f"  ({key}): Object of type: {type(p).__name__}")
        return "\n".join(lines)


__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"]
