"""Neural-network building blocks: ``Module`` and its layers, containers, losses,
``Parameter``, initialization (``nn.init``), helpers (``nn.utils``) and the functions they
are made of (``nn.functional``).

>>> import ferrograd
>>> from ferrograd import nn
>>> net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
>>> tuple(net(ferrograd.ones(5, 2)).shape)
(5, 1)
>>> import ferrograd.nn.functional as F
>>> F.binary_cross_entropy_with_logits.__name__
'binary_cross_entropy_with_logits'
"""

from . import functional, init, utils
from .activation import *  # noqa: F403
from .activation import __all__ as _activation_all
from .attention import MultiheadAttention
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .dropout import Dropout, Dropout1d, Dropout2d
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .loss import *  # noqa: F403
from .loss import __all__ as _loss_all
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .parameter import Buffer, Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .sparse import Embedding

__all__ = [
    "functional",
    "init",
    "utils",
    "Bilinear",
    "Buffer",
    "Flatten",
    "Identity",
    "Linear",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "Sequential",
    "Unflatten",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Embedding",
    "GroupNorm",
    "LayerNorm",
    "MaxPool2d",
    "MultiheadAttention",
    *_activation_all,
    *_loss_all,
]
