"""Functions on tensors used to build networks, usually imported as ``F``.

One submodule per family (activations, losses, ...); this package re-exports them all.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.relu(ferrograd.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from .activation import *  # noqa: F403
from .activation import __all__ as _activation_all
from .loss import *  # noqa: F403
from .loss import __all__ as _loss_all

__all__ = [*_activation_all, *_loss_all]
