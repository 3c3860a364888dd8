"""The usage examples in the docstrings of ``ferrograd.nn``'s layer modules run and print
what they show."""

import doctest
import importlib

import pytest

MODULES = ["attention", "conv", "dropout", "flatten", "linear", "loss", "normalization", "pooling", "sparse"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"ferrograd.nn.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
