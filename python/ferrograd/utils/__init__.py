"""Utilities in PyTorch's ``torch.utils`` namespace: ``data`` (datasets and loaders) and
``hooks``.

>>> from ferrograd.utils.data import TensorDataset
>>> TensorDataset.__name__
'TensorDataset'
"""

from . import data, hooks

__all__ = ["data", "hooks"]
