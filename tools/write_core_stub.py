"""Writes ``python/ferrograd/_core.pyi``, the type stub of the Rust extension module.

PyO3 records each function's parameters in ``__text_signature__``; this script turns those
into stub lines, typing parameters as ``Any`` and return values by name (most Tensor
methods return a Tensor). Run it after adding a binding, from a built checkout::

    maturin develop --profile dev-fast && python tools/write_core_stub.py && ruff format python/ferrograd/_core.pyi

``tests/test_core_stub.py`` fails when a binding is missing from the stub.
"""

from __future__ import annotations

import inspect
import keyword
import sys
import types
from pathlib import Path
from typing import Any

import ferrograd._core as core

STUB = Path(__file__).resolve().parents[1] / "python" / "ferrograd" / "_core.pyi"

# Return types by name; a Tensor method not named here returns a Tensor.
BOOL_RESULTS = {
    "__bool__", "_webgpu_available", "allclose", "equal", "is_complex", "is_contiguous", "is_cuda",
    "is_floating_point", "is_grad_enabled", "is_inference", "is_inference_mode_enabled", "is_leaf",
    "is_nonzero", "is_set_to", "is_signed", "requires_grad", "retains_grad",
}  # fmt: skip
INT_RESULTS = {
    "__hash__", "__index__", "__int__", "__len__", "_live_nodes", "_version", "data_ptr", "dim",
    "element_size", "get_device", "initial_seed", "itemsize", "ndim", "ndimension", "nelement",
    "numel", "seed", "storage_offset",
}  # fmt: skip
NONE_RESULTS = {"__init__", "__setitem__", "_backward", "backward", "remove", "retain_grad", "set_default_device"}
STR_RESULTS = {"__format__", "__repr__", "__str__", "name"}
ANY_TENSOR_RESULTS = {
    "__array__", "__deepcopy__", "__eq__", "__float__", "__getitem__", "__iter__", "__ne__", "__reduce_ex__",
    "chunk", "grad_fn", "item", "max", "median", "min", "nonzero", "numpy", "register_hook",
    "register_post_accumulate_grad_hook", "shape", "size", "sort", "split", "std_mean", "stride", "to", "tolist",
    "topk", "type", "unbind", "var_mean",
}  # fmt: skip
TENSOR_FUNCTIONS = {
    "arange", "binary_cross_entropy_with_logits", "cat", "concat", "concatenate", "einsum", "empty", "empty_like",
    "eye", "from_numpy", "full", "full_like", "linspace", "ones", "ones_like", "rand", "rand_like", "randint",
    "randn", "randn_like", "randperm", "stack", "tensor", "where", "zeros", "zeros_like",
}  # fmt: skip
SKIPPED_ATTRIBUTES = {"__doc__", "__module__", "__dict__", "__weakref__", "__text_signature__"}


def result_type(name: str, owner: str) -> str:
    """The annotation for what ``owner.name`` returns (``owner`` is "" for module functions)."""
    if name in BOOL_RESULTS:
        return "builtins.bool"  # the module defines `bool` as a dtype
    if name in INT_RESULTS:
        return "builtins.int"
    if name in NONE_RESULTS:
        return "None"
    if name in STR_RESULTS:
        return "builtins.str"
    if owner == "Tensor" and name not in ANY_TENSOR_RESULTS:
        return "Tensor"
    if not owner and name in TENSOR_FUNCTIONS:
        return "Tensor"
    return "Any"


def split_parameters(signature: str) -> list[str]:
    """The top-level comma-separated parts of a text signature's parameter list."""
    parts, depth, current = [], 0, ""
    for char in signature.strip()[1:-1]:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()] if current.strip() else parts


def annotate(parameter: str) -> str:
    """One parameter typed ``Any``; defaults that are not plain literals become ``...``."""
    if parameter in ("self", "cls", "/", "*"):
        return parameter
    if "=" not in parameter:
        return f"{parameter}: Any"
    name, default = (piece.strip() for piece in parameter.split("=", 1))
    literal = default in ("None", "True", "False") or default.startswith(("'", '"'))
    literal = literal or default.lstrip("-").replace(".", "", 1).isdigit()
    return f"{name}: Any = {default if literal else '...'}"


def parameters(function: Any, first: str) -> str:
    """The stub's parameter list; ``first`` is "self", "cls" or "" (module function)."""
    signature = getattr(function, "__text_signature__", None)
    if not signature:
        return f"({first}, *args: Any, **kwargs: Any)" if first else "(*args: Any, **kwargs: Any)"
    signature = signature.replace("$self", first or "self").replace("$cls", first).replace("$type", first)
    parts = split_parameters(signature)
    if any(keyword.iskeyword(part.split("=")[0].strip()) for part in parts):  # e.g. uniform_(from=...)
        return f"({first}, *args: Any, **kwargs: Any)" if first else "(*args: Any, **kwargs: Any)"
    return "(" + ", ".join(annotate(part) for part in parts) + ")"


def is_writable(cls: type, name: str) -> bool:
    """Whether a Tensor property has a setter (tried on a fresh tensor); others are read-only."""
    if cls is not core.Tensor:
        return False
    tensor = core.tensor([[1.0]])
    try:
        setattr(tensor, name, getattr(tensor, name))
    except AttributeError as error:
        return "not writable" not in str(error)
    except Exception:  # a setter that refused the value still exists
        return True
    return True


def class_lines(cls: type) -> list[str]:
    """The stub of one extension class."""
    owner = cls.__name__
    lines = [f"class {owner}:"]
    for name, attribute in sorted(vars(cls).items()):
        if name in SKIPPED_ATTRIBUTES:
            continue
        if name == "__new__":
            lines.append(f"    def __new__{parameters(attribute, 'cls')} -> {owner}: ...")
        elif type(attribute).__name__ in ("getset_descriptor", "member_descriptor"):
            lines += ["    @property", f"    def {name}(self) -> {result_type(name, owner)}: ..."]
            if is_writable(cls, name):
                lines += [f"    @{name}.setter", f"    def {name}(self, value: Any) -> None: ..."]
        elif type(attribute).__name__ == "classmethod_descriptor":
            lines += ["    @classmethod", f"    def {name}{parameters(attribute, 'cls')} -> Any: ..."]
        elif isinstance(attribute, staticmethod):
            lines += ["    @staticmethod", f"    def {name}{parameters(attribute, '')} -> Any: ..."]
        elif callable(attribute):
            lines.append(f"    def {name}{parameters(attribute, 'self')} -> {result_type(name, owner)}: ...")
        else:
            lines.append(f"    {name}: Any")
    return [*lines, ""]


def value_type(value: object) -> str:
    """The annotation of a module-level value (a dtype object, a submodule)."""
    return "types.ModuleType" if isinstance(value, types.ModuleType) else type(value).__name__


def stub_text() -> str:
    """The whole stub, from the imported extension module."""
    names = sorted(name for name in dir(core) if not name.startswith("__"))
    classes = [name for name in names if isinstance(getattr(core, name), type)]
    functions = [name for name in names if isinstance(getattr(core, name), types.BuiltinFunctionType)]
    values = [name for name in names if name not in classes and name not in functions]
    lines = [
        '"""Type stubs for ferrograd._core, the Rust extension module (written by tools/write_core_stub.py)."""',
        "",
        "import builtins",
        "import types",
        "from typing import Any",
        "",
        *(f"{name}: {value_type(getattr(core, name))}" for name in values),
        "__version__: str",
        "",
    ]
    for name in classes:
        lines += class_lines(getattr(core, name))
    lines += [f"def {name}{parameters(getattr(core, name), '')} -> {result_type(name, '')}: ..." for name in functions]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    assert inspect.ismodule(core)
    STUB.write_text(stub_text())
    print(f"wrote {STUB}", file=sys.stderr)
