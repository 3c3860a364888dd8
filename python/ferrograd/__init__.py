"""ferrograd: PyTorch-compatible tensors and autograd with a Rust core.

``import ferrograd as torch`` runs PyTorch autograd code unchanged:

>>> import ferrograd as torch
>>> x = torch.ones(2, 2, requires_grad=True)
>>> out = ((x + 2) * (x + 2) * 3).mean()
>>> out.backward()
>>> x.grad
tensor([[4.5000, 4.5000],
        [4.5000, 4.5000]])
"""

from __future__ import annotations

from . import _core
from ._core import (
    Generator,
    Tensor,
    arange,
    as_tensor,
    device,
    dtype,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    is_grad_enabled,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from ._legacy import BoolTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor
from ._size import Size
from ._tensor_str import get_printoptions, set_printoptions
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import enable_grad, inference_mode, is_inference_mode_enabled, no_grad, set_grad_enabled

__version__: str = _core.__version__

float32 = _core.float32
float64 = _core.float64
int64 = _core.int64
int32 = _core.int32
bool = _core.bool
float = float32
double = float64
long = int64
int = int32

where = _core.where

# Functions that are Tensor methods, called with the tensor first: ferrograd.exp(x).
abs = Tensor.abs
add = Tensor.add
bmm = Tensor.bmm
clone = Tensor.clone
cos = Tensor.cos
div = Tensor.div
dot = Tensor.dot
eq = Tensor.eq
exp = Tensor.exp
flatten = Tensor.flatten
ge = Tensor.ge
gt = Tensor.gt
le = Tensor.le
log = Tensor.log
lt = Tensor.lt
matmul = Tensor.matmul
max = Tensor.max
mean = Tensor.mean
min = Tensor.min
mm = Tensor.mm
mul = Tensor.mul
mv = Tensor.mv
ne = Tensor.ne
neg = Tensor.neg
norm = Tensor.norm
permute = Tensor.permute
pow = Tensor.pow
reciprocal = Tensor.reciprocal
relu = Tensor.relu
reshape = Tensor.reshape
rsqrt = Tensor.rsqrt
sigmoid = Tensor.sigmoid
sign = Tensor.sign
sin = Tensor.sin
sqrt = Tensor.sqrt
square = Tensor.square
squeeze = Tensor.squeeze
sub = Tensor.sub
sum = Tensor.sum
t = Tensor.t
tanh = Tensor.tanh
transpose = Tensor.transpose
unsqueeze = Tensor.unsqueeze


def is_tensor(obj: object) -> builtins_bool:
    """Whether ``obj`` is a ferrograd tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> builtins_int:
    """The number of elements of ``input``."""
    return input.numel()


def is_floating_point(input: Tensor) -> builtins_bool:
    """Whether ``input`` has a floating dtype."""
    return input.is_floating_point()


def get_default_dtype() -> dtype:
    """The dtype of floating tensors made from Python floats: ``float32``."""
    return float32


from builtins import bool as builtins_bool  # noqa: E402
from builtins import int as builtins_int  # noqa: E402

from . import autograd, nn, return_types  # noqa: E402

__all__ = [
    "BoolTensor",
    "DoubleTensor",
    "FloatTensor",
    "Generator",
    "IntTensor",
    "LongTensor",
    "Size",
    "Tensor",
    "abs",
    "add",
    "arange",
    "as_tensor",
    "autograd",
    "bmm",
    "bool",
    "clone",
    "cos",
    "device",
    "div",
    "dot",
    "double",
    "dtype",
    "empty",
    "empty_like",
    "enable_grad",
    "eq",
    "exp",
    "eye",
    "flatten",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "ge",
    "get_default_dtype",
    "get_printoptions",
    "gt",
    "initial_seed",
    "int",
    "int32",
    "int64",
    "inference_mode",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_floating_point",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "is_tensor",
    "le",
    "linspace",
    "log",
    "long",
    "lt",
    "manual_seed",
    "matmul",
    "max",
    "mean",
    "min",
    "mm",
    "mul",
    "mv",
    "ne",
    "neg",
    "nn",
    "no_grad",
    "norm",
    "numel",
    "ones",
    "ones_like",
    "permute",
    "pow",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "reciprocal",
    "relu",
    "reshape",
    "return_types",
    "rsqrt",
    "seed",
    "set_grad_enabled",
    "set_printoptions",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "square",
    "squeeze",
    "sub",
    "sum",
    "t",
    "tanh",
    "tensor",
    "transpose",
    "unsqueeze",
    "where",
    "zeros",
    "zeros_like",
]
