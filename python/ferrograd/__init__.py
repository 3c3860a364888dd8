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
    get_default_device,
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
    randperm,
    seed,
    set_default_device,
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
cat = _core.cat
concat = _core.concat
concatenate = _core.concatenate
stack = _core.stack
einsum = _core.einsum

# Functions that are Tensor methods, called with the tensor first: ferrograd.exp(x).
abs = Tensor.abs
add = Tensor.add
addcdiv = Tensor.addcdiv
addcmul = Tensor.addcmul
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
relu_ = Tensor.relu_
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
chunk = Tensor.chunk
diag = Tensor.diag
diagonal = Tensor.diagonal
flip = Tensor.flip
gather = Tensor.gather
ger = Tensor.ger
index_add = Tensor.index_add
index_fill = Tensor.index_fill
index_put = Tensor.index_put
index_select = Tensor.index_select
masked_fill = Tensor.masked_fill
masked_select = Tensor.masked_select
moveaxis = Tensor.moveaxis
movedim = Tensor.movedim
narrow = Tensor.narrow
nonzero = Tensor.nonzero
outer = Tensor.outer
roll = Tensor.roll
scatter = Tensor.scatter
scatter_add = Tensor.scatter_add
split = Tensor.split
take_along_dim = Tensor.take_along_dim
tile = Tensor.tile
tril = Tensor.tril
triu = Tensor.triu
unbind = Tensor.unbind
unflatten = Tensor.unflatten

# Elementwise ops, activations and reductions (methods first: ferrograd.floor(x)).
acos = Tensor.acos
all = Tensor.all
amax = Tensor.amax
amin = Tensor.amin
any = Tensor.any
arccos = Tensor.arccos
arcsin = Tensor.arcsin
arctan = Tensor.arctan
arctan2 = Tensor.arctan2
argmax = Tensor.argmax
argmin = Tensor.argmin
argsort = Tensor.argsort
asin = Tensor.asin
atan = Tensor.atan
atan2 = Tensor.atan2
bitwise_and = Tensor.bitwise_and
bitwise_not = Tensor.bitwise_not
bitwise_or = Tensor.bitwise_or
bitwise_xor = Tensor.bitwise_xor
ceil = Tensor.ceil
clamp = Tensor.clamp
clamp_max = Tensor.clamp_max
clamp_min = Tensor.clamp_min
clip = Tensor.clip
cosh = Tensor.cosh
count_nonzero = Tensor.count_nonzero
cumprod = Tensor.cumprod
cumsum = Tensor.cumsum
erf = Tensor.erf
erfinv = Tensor.erfinv
exp2 = Tensor.exp2
expm1 = Tensor.expm1
fix = Tensor.fix
floor = Tensor.floor
floor_divide = Tensor.floor_divide
fmod = Tensor.fmod
frac = Tensor.frac
isfinite = Tensor.isfinite
isinf = Tensor.isinf
isnan = Tensor.isnan
isneginf = Tensor.isneginf
isposinf = Tensor.isposinf
lerp = Tensor.lerp
log10 = Tensor.log10
log1p = Tensor.log1p
log2 = Tensor.log2
logical_and = Tensor.logical_and
logical_not = Tensor.logical_not
logical_or = Tensor.logical_or
logical_xor = Tensor.logical_xor
logsumexp = Tensor.logsumexp
maximum = Tensor.maximum
median = Tensor.median
minimum = Tensor.minimum
nan_to_num = Tensor.nan_to_num
prod = Tensor.prod
round = Tensor.round
sinh = Tensor.sinh
sort = Tensor.sort
std = Tensor.std
tan = Tensor.tan
topk = Tensor.topk
trunc = Tensor.trunc
var = Tensor.var
softmax = Tensor.softmax
log_softmax = Tensor.log_softmax
remainder = _core.remainder
var_mean = _core.var_mean
std_mean = _core.std_mean
selu = _core.selu
celu = _core.celu


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

from . import autograd, datasets, linalg, nn, optim, return_types, utils, webgpu  # noqa: E402
from ._typename import typename  # noqa: E402
from .serialization import load, save  # noqa: E402

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
    "addcdiv",
    "addcmul",
    "arange",
    "as_tensor",
    "autograd",
    "bmm",
    "bool",
    "cat",
    "chunk",
    "clone",
    "concat",
    "concatenate",
    "cos",
    "datasets",
    "device",
    "diag",
    "diagonal",
    "div",
    "dot",
    "double",
    "dtype",
    "einsum",
    "empty",
    "empty_like",
    "enable_grad",
    "eq",
    "exp",
    "eye",
    "flatten",
    "flip",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "gather",
    "ge",
    "get_default_device",
    "ger",
    "get_default_dtype",
    "get_printoptions",
    "gt",
    "index_add",
    "index_fill",
    "index_put",
    "index_select",
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
    "linalg",
    "linspace",
    "load",
    "log",
    "long",
    "lt",
    "manual_seed",
    "masked_fill",
    "masked_select",
    "matmul",
    "max",
    "mean",
    "min",
    "mm",
    "moveaxis",
    "movedim",
    "mul",
    "mv",
    "narrow",
    "ne",
    "neg",
    "nn",
    "optim",
    "no_grad",
    "nonzero",
    "norm",
    "numel",
    "ones",
    "ones_like",
    "outer",
    "permute",
    "pow",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "reciprocal",
    "relu",
    "relu_",
    "reshape",
    "return_types",
    "roll",
    "rsqrt",
    "save",
    "scatter",
    "scatter_add",
    "seed",
    "set_default_device",
    "set_grad_enabled",
    "set_printoptions",
    "sigmoid",
    "sign",
    "sin",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "t",
    "take_along_dim",
    "tanh",
    "tensor",
    "tile",
    "transpose",
    "typename",
    "tril",
    "triu",
    "unbind",
    "unflatten",
    "unsqueeze",
    "utils",
    "webgpu",
    "where",
    "zeros",
    "zeros_like",
    "acos",
    "all",
    "amax",
    "amin",
    "any",
    "arccos",
    "arcsin",
    "arctan",
    "arctan2",
    "argmax",
    "argmin",
    "argsort",
    "asin",
    "atan",
    "atan2",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "cosh",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "erf",
    "erfinv",
    "exp2",
    "expm1",
    "fix",
    "floor",
    "floor_divide",
    "fmod",
    "frac",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "lerp",
    "log10",
    "log1p",
    "log2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logsumexp",
    "maximum",
    "median",
    "minimum",
    "nan_to_num",
    "prod",
    "round",
    "sinh",
    "sort",
    "std",
    "tan",
    "topk",
    "trunc",
    "var",
    "remainder",
    "var_mean",
    "std_mean",
    "selu",
    "celu",
    "softmax",
    "log_softmax",
]
