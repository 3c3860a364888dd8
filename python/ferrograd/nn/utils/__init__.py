"""Helpers around modules and their parameters: gradient clipping and flattening.

>>> import ferrograd
>>> from ferrograd import nn
>>> w = nn.Parameter(ferrograd.zeros(3))
>>> w.grad = ferrograd.tensor([-2.0, 0.5, 3.0])
>>> nn.utils.clip_grad_value_([w], 1.0)
>>> w.grad
tensor([-1.0000,  0.5000,  1.0000])
"""

from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]
