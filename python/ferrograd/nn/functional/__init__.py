"""Functions on tensors used to build networks, usually imported as ``F``.

One submodule per family (activations, losses, ...); this package re-exports them all.

>>> import ferrograd
>>> import ferrograd.nn.functional as F
>>> F.relu(ferrograd.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from .activation import *  # noqa: F403
from .activation import __all__ as _activation_all
from .attention import *  # noqa: F403
from .attention import __all__ as _attention_all
from .conv import *  # noqa: F403
from .conv import __all__ as _conv_all
from .dropout import *  # noqa: F403
from .dropout import __all__ as _dropout_all
from .linear import *  # noqa: F403
from .linear import __all__ as _linear_all
from .loss import *  # noqa: F403
from .loss import __all__ as _loss_all
from .normalization import *  # noqa: F403
from .normalization import __all__ as _normalization_all
from .padding import *  # noqa: F403
from .padding import __all__ as _padding_all
from .pooling import *  # noqa: F403
from .pooling import __all__ as _pooling_all
from .softmax import *  # noqa: F403
from .softmax import __all__ as _softmax_all
from .sparse import *  # noqa: F403
from .sparse import __all__ as _sparse_all

__all__ = [*_activation_all, *_loss_all]
__all__ += [*_attention_all, *_conv_all, *_dropout_all, *_linear_all, *_normalization_all]
__all__ += [*_padding_all, *_pooling_all, *_softmax_all, *_sparse_all]
