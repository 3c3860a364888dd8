"""Data loading in PyTorch's ``torch.utils.data`` form: datasets, samplers, collation and
``DataLoader``.

>>> import ferrograd
>>> from ferrograd.utils.data import DataLoader, TensorDataset
>>> loader = DataLoader(TensorDataset(ferrograd.ones(10, 3)), batch_size=4, drop_last=True)
>>> [tuple(x.shape) for (x,) in loader]
[(4, 3), (4, 3)]
"""

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "random_split",
]
