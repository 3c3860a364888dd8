"""The extension module's type stub names every binding the built module has.

When this fails after adding a binding, regenerate the stub:
``python tools/write_core_stub.py && ruff format python/ferrograd/_core.pyi``.
"""

import ast
from pathlib import Path

import ferrograd
import ferrograd._core as core

STUB = Path(ferrograd.__file__).with_name("_core.pyi")
SKIPPED = {"__doc__", "__module__", "__dict__", "__weakref__", "__text_signature__"}


def stub_names() -> tuple[set[str], dict[str, set[str]]]:
    """Module-level names and, per class, member names declared in the stub."""
    tree = ast.parse(STUB.read_text())
    top: set[str] = set()
    members: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            top.add(node.name)
            members[node.name] = {
                item.name if isinstance(item, ast.FunctionDef) else item.target.id  # type: ignore[union-attr]
                for item in node.body
                if isinstance(item, ast.FunctionDef) or isinstance(item, ast.AnnAssign)
            }
        elif isinstance(node, ast.FunctionDef):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
    return top, members


def test_stub_declares_every_module_name():
    top, _ = stub_names()
    built = {name for name in dir(core) if not name.startswith("__")} | {"__version__"}
    assert built - top == set()
    assert top - built == set()


def test_stub_declares_every_class_member():
    _, members = stub_names()
    for name in dir(core):
        cls = getattr(core, name)
        if isinstance(cls, type):
            assert set(vars(cls)) - SKIPPED - members[name] == set(), name


def test_stub_types_tensor_results():
    tree = ast.parse(STUB.read_text())
    tensor = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Tensor")
    results = {item.name: ast.unparse(item.returns) for item in tensor.body if isinstance(item, ast.FunctionDef)}
    assert results["exp"] == "Tensor"
    assert results["dim"] == "builtins.int"
    assert results["is_leaf"] == "builtins.bool"
    assert results["tolist"] == "Any"
