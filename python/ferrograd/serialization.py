"""``ferrograd.save`` and ``ferrograd.load``: tensors, state dicts and optimizer states in
one safetensors file.

The tensors are the file's tensors, named by where they sit in the saved object (a
module's ``state_dict()`` keeps its own keys, ``"0.weight"``), so any safetensors reader
can use them. The object's structure (dicts, lists, tuples, numbers, strings, ``None``) is
JSON in the file's metadata under ``"ferrograd"``. Nothing is pickled: loading runs no code.

>>> import io, ferrograd
>>> buffer = io.BytesIO()
>>> ferrograd.save({"step": 3, "weights": [ferrograd.ones(2), ferrograd.zeros(1)]}, buffer)
>>> _ = buffer.seek(0)
>>> ferrograd.load(buffer)
{'step': 3, 'weights': [tensor([1., 1.]), tensor([0.])]}
"""

from __future__ import annotations

import json
import math
import os
from collections import OrderedDict
from typing import IO, Any, Union

import numpy as np
import safetensors.numpy

from . import _core
from ._size import Size
from ._typename import typename

FileLike = Union[str, "os.PathLike[str]", IO[bytes]]

_STRUCTURE_KEY = "ferrograd"
_DTYPES = {str(d): d for d in (_core.float32, _core.float64, _core.int64, _core.int32, _core.bool)}


class _Encoder:
    """Turns an object into JSON-ready data, collecting its tensors as NumPy arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.names: dict[int, str] = {}

    def _name_for(self, tensor: _core.Tensor, path: str) -> str:
        """The file name of ``tensor``: its path, made unique; a tensor object saved twice
        is stored once."""
        if id(tensor) in self.names:
            return self.names[id(tensor)]
        name, n = path or "tensor", 1
        while name in self.arrays:
            n += 1
            name = f"{path or 'tensor'}#{n}"
        self.arrays[name] = np.asarray(tensor.detach().cpu().numpy(), order="C")
        self.names[id(tensor)] = name
        return name

    def encode(self, obj: Any, path: str = "") -> Any:
        def child(key: Any) -> str:
            return f"{path}.{key}" if path else str(key)

        if obj is None or isinstance(obj, (bool, int, str)):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, _core.Tensor):
            from .nn.parameter import Parameter

            entry: dict[str, Any] = {"tensor": self._name_for(obj, path)}
            if isinstance(obj, Parameter):
                entry["parameter"] = True
            if obj.requires_grad:
                entry["requires_grad"] = True
            return entry
        if isinstance(obj, Size):
            return {"size": list(obj)}
        if isinstance(obj, _core.dtype):
            return {"dtype": str(obj)}
        if isinstance(obj, _core.device):
            return {"device": str(obj)}
        if isinstance(obj, dict):
            kind = "odict" if isinstance(obj, OrderedDict) else "dict"
            return {kind: [[self.encode(k), self.encode(v, child(k))] for k, v in obj.items()]}
        if isinstance(obj, (list, tuple)):
            items = [self.encode(v, child(i)) for i, v in enumerate(obj)]
            return items if isinstance(obj, list) else {"tuple": items}
        raise TypeError(
            f"ferrograd.save can't store an object of type {typename(obj)}: it stores tensors, numbers, strings, "
            "None, dtypes, devices, and dicts, lists and tuples of them"
        )


def save(obj: Any, f: FileLike) -> None:
    """Writes ``obj`` (tensors, state dicts, optimizer states, and dicts, lists, tuples,
    numbers and strings holding them) to ``f``, a path or a binary file object.
    ``load`` gives back an equal object: same structure, same tensor values, dtypes and
    shapes."""
    encoder = _Encoder()
    structure = encoder.encode(obj)
    data = safetensors.numpy.save(
        encoder.arrays, metadata={"format": "ferrograd", _STRUCTURE_KEY: json.dumps(structure)}
    )
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as out:
            out.write(data)
    else:
        f.write(data)


def _metadata(data: bytes) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file: its header is an 8-byte little-endian
    length and that many bytes of JSON."""
    if len(data) < 8:
        raise RuntimeError("ferrograd.load: the file is not in the safetensors format (it is too short)")
    size = int.from_bytes(data[:8], "little")
    try:
        header = json.loads(data[8 : 8 + size])
    except ValueError as e:
        raise RuntimeError(f"ferrograd.load: the file is not in the safetensors format ({e})") from None
    return header.get("__metadata__") or {}


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], map_location: Any) -> None:
        self.arrays = arrays
        self.map_location = map_location
        self.tensors: dict[str, _core.Tensor] = {}

    def tensor(self, name: str, parameter: bool, requires_grad: bool) -> _core.Tensor:
        if name not in self.tensors:
            t = _core.tensor(self.arrays[name])
            if self.map_location is not None:
                t = t.to(self.map_location)
            if parameter:
                from .nn.parameter import Parameter

                t = Parameter(t, requires_grad=requires_grad)
            elif requires_grad:
                t.requires_grad_(True)
            self.tensors[name] = t
        return self.tensors[name]

    def decode(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self.decode(v) for v in data]
        if not isinstance(data, dict):
            return data
        (kind, value), *_ = data.items()
        if kind == "tensor":
            return self.tensor(value, data.get("parameter", False), data.get("requires_grad", False))
        if kind == "float":
            return float(value)
        if kind == "tuple":
            return tuple(self.decode(v) for v in value)
        if kind in ("dict", "odict"):
            pairs = [(self.decode(k), self.decode(v)) for k, v in value]
            return OrderedDict(pairs) if kind == "odict" else dict(pairs)
        if kind == "size":
            return Size(value)
        if kind == "dtype":
            return _DTYPES[value]
        if kind == "device":
            return _core.device(value)
        raise RuntimeError(f"ferrograd.load: unknown entry {kind!r} in the saved structure")


def load(f: FileLike, map_location: Any = None, weights_only: bool | None = None, **kwargs: Any) -> Any:
    """Reads back what ``save`` wrote to ``f`` (a path or a binary file object).
    ``map_location`` moves every tensor to that device. A safetensors file written by
    another tool loads as a dict from tensor names to tensors. ``weights_only`` is accepted
    for compatibility: loading never runs code either way."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as source:
            data = source.read()
    else:
        data = f.read()
    metadata = _metadata(data)
    decoder = _Decoder(safetensors.numpy.load(data), map_location)
    if _STRUCTURE_KEY not in metadata:
        return {name: decoder.tensor(name, False, False) for name in decoder.arrays}
    return decoder.decode(json.loads(metadata[_STRUCTURE_KEY]))


__all__ = ["load", "save"]
