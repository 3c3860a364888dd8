"""Forward values (against NumPy) and float64 finite-difference gradients of every
differentiable op of the foundation, through ``check_op`` (contiguous, transposed and sliced
inputs), including broadcasting and empty shapes; the ``grad_fn`` name of each; dtype
promotion of mixed operands; and second derivatives against analytic values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

RNG = np.random.default_rng(1234)


def r(*shape: int) -> np.ndarray:
    """Values in [-2, -0.5] U [0.5, 2]: away from the kinks of abs, relu, max."""
    return RNG.uniform(0.5, 2.0, shape) * RNG.choice([-1.0, 1.0], shape)


def pos(*shape: int) -> np.ndarray:
    return RNG.uniform(0.5, 2.0, shape)


def distinct(*shape: int) -> np.ndarray:
    """Values with no ties (for max/min), shuffled; off-centre, so no two have (nearly) equal
    magnitudes either (for the infinity norm)."""
    n = int(np.prod(shape))
    return RNG.permutation(np.linspace(-2.0, 2.3, n)).reshape(shape) if n else np.zeros(shape)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---- arithmetic with tensors and Python scalars, broadcasting ----

ARITHMETIC = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("div", lambda a, b: a / b, lambda a, b: a / b),
    ("add_method_alpha", lambda a, b: a.add(b, alpha=2), lambda a, b: a + 2 * b),
    ("sub_method_alpha", lambda a, b: a.sub(b, alpha=3), lambda a, b: a - 3 * b),
    ("mul_function", lambda a, b: ferrograd.mul(a, b), lambda a, b: a * b),
    ("div_function", lambda a, b: ferrograd.div(a, b), lambda a, b: a / b),
]
SHAPES = [
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((3, 1), (1, 4)),
    ((2, 1, 3), (4, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((0, 3), (3,)),
    ((2, 0), (1,)),
]


@pytest.mark.parametrize(("a_shape", "b_shape"), SHAPES)
@pytest.mark.parametrize(("fn", "ref"), [c[1:] for c in ARITHMETIC], ids=[c[0] for c in ARITHMETIC])
def test_binary_between_tensors(fn, ref, a_shape, b_shape, device):
    b = pos(*b_shape)
    check_op(fn, ref, r(*a_shape), b, device=device)


SCALAR_OPS = [
    ("tensor_plus_scalar", lambda a: a + 2.5, lambda a: a + 2.5),
    ("scalar_plus_tensor", lambda a: 2.5 + a, lambda a: 2.5 + a),
    ("tensor_minus_scalar", lambda a: a - 3, lambda a: a - 3),
    ("scalar_minus_tensor", lambda a: 3 - a, lambda a: 3 - a),
    ("tensor_times_scalar", lambda a: a * -1.5, lambda a: a * -1.5),
    ("scalar_times_tensor", lambda a: 2 * a, lambda a: 2 * a),
    ("tensor_over_scalar", lambda a: a / 4, lambda a: a / 4),
    ("scalar_over_tensor", lambda a: 3.0 / a, lambda a: 3.0 / a),
    ("tensor_pow_scalar", lambda a: a**3, lambda a: a**3),
    ("tensor_pow_half", lambda a: a.abs() ** 0.5, lambda a: np.abs(a) ** 0.5),
    ("tensor_pow_negative", lambda a: a**-2, lambda a: a**-2.0),
    ("scalar_pow_tensor", lambda a: 2.0**a, lambda a: 2.0**a),
    ("neg", lambda a: -a, lambda a: -a),
    ("neg_method", lambda a: a.neg(), lambda a: -a),
    ("pos", lambda a: +a, lambda a: a),
    ("abs", lambda a: a.abs(), np.abs),
    ("abs_builtin", lambda a: abs(a), np.abs),
]


@pytest.mark.parametrize("shape", [(2, 3), (), (0,)])
@pytest.mark.parametrize(("fn", "ref"), [c[1:] for c in SCALAR_OPS], ids=[c[0] for c in SCALAR_OPS])
def test_with_python_scalars(fn, ref, shape, device):
    check_op(fn, ref, r(*shape), device=device)


@pytest.mark.parametrize(("fn", "ref"), [c[1:] for c in ARITHMETIC[:4]], ids=[c[0] for c in ARITHMETIC[:4]])
@pytest.mark.parametrize("int_first", [False, True])
def test_binary_with_an_integer_tensor(fn, ref, int_first, device):
    # float64 with int64 promotes to float64; only the float operand is differentiated.
    n = RNG.integers(1, 4, (3,))
    if int_first:
        check_op(fn, ref, n, pos(2, 3), device=device)
    else:
        check_op(fn, ref, r(2, 3), n, device=device)


@pytest.mark.parametrize(
    ("fn", "ref"),
    [
        (lambda a, b: a.abs() ** b, lambda a, b: np.abs(a) ** b),
        (lambda a, b: a.abs().pow(b), lambda a, b: np.abs(a) ** b),
        (lambda a, b: ferrograd.pow(a.abs(), b), lambda a, b: np.abs(a) ** b),
    ],
)
@pytest.mark.parametrize(("a_shape", "b_shape"), [((2, 3), (2, 3)), ((2, 3), (3,)), ((3, 1), ())])
def test_pow_between_tensors(fn, ref, a_shape, b_shape, device):
    check_op(fn, ref, r(*a_shape), r(*b_shape), device=device)


# ---- unary functions ----

UNARY = [
    ("exp", lambda a: a.exp(), np.exp, r),
    ("exp_function", lambda a: ferrograd.exp(a), np.exp, r),
    ("log", lambda a: a.log(), np.log, pos),
    ("log_function", lambda a: ferrograd.log(a), np.log, pos),
    ("sqrt", lambda a: a.sqrt(), np.sqrt, pos),
    ("sin", lambda a: a.sin(), np.sin, r),
    ("cos", lambda a: a.cos(), np.cos, r),
    ("tanh", lambda a: a.tanh(), np.tanh, r),
    ("tanh_function", lambda a: ferrograd.tanh(a), np.tanh, r),
    ("sigmoid", lambda a: a.sigmoid(), sigmoid, r),
    ("sigmoid_function", lambda a: ferrograd.sigmoid(a), sigmoid, r),
    ("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), r),
    ("relu_functional", lambda a: F.relu(a), lambda a: np.maximum(a, 0), r),
    ("pow_method", lambda a: a.pow(2), lambda a: a**2, r),
]


@pytest.mark.parametrize("shape", [(2, 3), (), (0, 2), (1, 4)])
@pytest.mark.parametrize(("fn", "ref", "make"), [c[1:] for c in UNARY], ids=[c[0] for c in UNARY])
def test_unary(fn, ref, make, shape, device):
    check_op(fn, ref, make(*shape), device=device)


# ---- reductions ----

REDUCTIONS = [
    ("sum", lambda a: a.sum(), lambda a: np.sum(a)),
    ("sum_dim0", lambda a: a.sum(0), lambda a: np.sum(a, 0)),
    ("sum_dim_negative", lambda a: a.sum(-1), lambda a: np.sum(a, -1)),
    ("sum_keepdim", lambda a: a.sum(1, keepdim=True), lambda a: np.sum(a, 1, keepdims=True)),
    ("sum_two_dims", lambda a: a.sum((0, 2)), lambda a: np.sum(a, (0, 2))),
    ("sum_two_dims_keepdim", lambda a: a.sum([0, 2], keepdim=True), lambda a: np.sum(a, (0, 2), keepdims=True)),
    ("sum_function", lambda a: ferrograd.sum(a, dim=1), lambda a: np.sum(a, 1)),
    ("mean", lambda a: a.mean(), lambda a: np.mean(a)),
    ("mean_dim", lambda a: a.mean(1), lambda a: np.mean(a, 1)),
    ("mean_keepdim", lambda a: a.mean(-1, keepdim=True), lambda a: np.mean(a, -1, keepdims=True)),
    ("mean_two_dims", lambda a: a.mean((1, 2)), lambda a: np.mean(a, (1, 2))),
    ("norm", lambda a: a.norm(), lambda a: np.sqrt(np.sum(a**2))),
    ("norm_p1", lambda a: a.norm(p=1), lambda a: np.sum(np.abs(a))),
    ("norm_p3", lambda a: a.norm(3), lambda a: np.sum(np.abs(a) ** 3) ** (1 / 3)),
    ("norm_inf", lambda a: a.norm(float("inf")), lambda a: np.max(np.abs(a))),
    ("norm_dim", lambda a: a.norm(dim=1), lambda a: np.sqrt(np.sum(a**2, 1))),
    ("norm_p1_dim_keepdim", lambda a: a.norm(1, dim=0, keepdim=True), lambda a: np.sum(np.abs(a), 0, keepdims=True)),
    ("norm_inf_dim", lambda a: a.norm(float("inf"), dim=2), lambda a: np.max(np.abs(a), 2)),
    ("norm_p3_dims", lambda a: a.norm(3, dim=(0, 1)), lambda a: np.sum(np.abs(a) ** 3, (0, 1)) ** (1 / 3)),
    ("max", lambda a: a.max(), np.max),
    ("min", lambda a: a.min(), np.min),
    ("max_dim", lambda a: a.max(1).values, lambda a: np.max(a, 1)),
    ("max_dim_keepdim", lambda a: a.max(dim=0, keepdim=True)[0], lambda a: np.max(a, 0, keepdims=True)),
    ("min_dim", lambda a: a.min(-1).values, lambda a: np.min(a, -1)),
    ("max_function", lambda a: ferrograd.max(a, 2)[0], lambda a: np.max(a, 2)),
]


@pytest.mark.parametrize(("fn", "ref"), [c[1:] for c in REDUCTIONS], ids=[c[0] for c in REDUCTIONS])
def test_reductions(fn, ref, device):
    check_op(fn, ref, distinct(2, 3, 4), device=device)


@pytest.mark.parametrize(
    ("fn", "ref"),
    [
        (lambda a: a.sum(), np.sum),
        (lambda a: a.sum(0), lambda a: np.sum(a, 0)),
        (lambda a: a.sum(1), lambda a: np.sum(a, 1)),
        (lambda a: a.mean(0), lambda a: np.full(3, np.nan)),
        (lambda a: a.norm(), lambda a: np.sqrt(np.sum(a**2))),
    ],
)
def test_reductions_of_empty_tensors(fn, ref, device):
    check_op(fn, ref, np.zeros((0, 3)), device=device)


def test_max_indices_and_values():
    values, indices = ferrograd.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]).max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    values, indices = ferrograd.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]).min(0)
    assert values.tolist() == [1.0, 0.0, 2.0] and indices.tolist() == [0, 1, 0]
    assert indices.dtype == ferrograd.int64


def test_max_of_ties_shares_the_gradient():
    x = ferrograd.tensor([3.0, 1.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.5, 0.0, 0.5]


# ---- matrix products ----

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((4, 2, 3), (3,)),
    ((3,), (4, 3, 2)),
    ((4, 2, 3), (3, 5)),
    ((2, 3), (4, 3, 5)),
    ((4, 2, 3), (4, 3, 5)),
    ((2, 1, 2, 3), (4, 3, 2)),
    ((1, 2, 3), (5, 3, 2)),
    ((0, 3), (3, 2)),
    ((2, 0), (0, 3)),
]


@pytest.mark.parametrize(("a_shape", "b_shape"), MATMUL_SHAPES)
def test_matmul(a_shape, b_shape, device):
    check_op(lambda a, b: a @ b, np.matmul, r(*a_shape), r(*b_shape), device=device)
    check_op(lambda a, b: ferrograd.matmul(a, b), np.matmul, r(*a_shape), r(*b_shape), device=device)


@pytest.mark.parametrize(
    ("fn", "shapes"),
    [
        (lambda a, b: a.mm(b), [(2, 3), (3, 4)]),
        (lambda a, b: ferrograd.mm(a, b), [(1, 3), (3, 1)]),
        (lambda a, b: a.bmm(b), [(2, 3, 4), (2, 4, 5)]),
        (lambda a, b: ferrograd.bmm(a, b), [(1, 1, 2), (1, 2, 3)]),
        (lambda a, b: a.dot(b), [(4,), (4,)]),
        (lambda a, b: ferrograd.dot(a, b), [(0,), (0,)]),
        (lambda a, b: a.mv(b), [(3, 4), (4,)]),
        (lambda a, b: ferrograd.mv(a, b), [(2, 0), (0,)]),
        (lambda a, b: a.__rmatmul__(b), [(3, 2), (4, 3)]),
    ],
)
def test_named_products(fn, shapes, device):
    a, b = (r(*s) for s in shapes)
    reference = (lambda x, y: y @ x) if shapes == [(3, 2), (4, 3)] else np.matmul
    check_op(fn, reference, a, b, device=device)


# ---- views and indexing ----

VIEWS = [
    ("view", lambda a: a.contiguous().view(6, 4), lambda a: a.reshape(6, 4)),
    ("view_infer", lambda a: a.contiguous().view(-1), lambda a: a.reshape(-1)),
    ("view_as", lambda a: a.contiguous().view_as(ferrograd.ones(4, 6)), lambda a: a.reshape(4, 6)),
    ("reshape", lambda a: a.reshape(3, 8), lambda a: a.reshape(3, 8)),
    ("reshape_of_transposed", lambda a: a.transpose(0, 2).reshape(-1), lambda a: a.transpose(2, 1, 0).reshape(-1)),
    ("transpose", lambda a: a.transpose(0, 1), lambda a: a.transpose(1, 0, 2)),
    ("transpose_negative", lambda a: a.transpose(-1, 0), lambda a: a.transpose(2, 1, 0)),
    ("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    ("permute_tuple", lambda a: a.permute((1, 2, 0)), lambda a: a.transpose(1, 2, 0)),
    ("t_of_matrix", lambda a: a[0].t(), lambda a: a[0].T),
    ("T_of_matrix", lambda a: a[0].T, lambda a: a[0].T),
    ("expand", lambda a: a[:, :1].expand(2, 3, 4), lambda a: np.broadcast_to(a[:, :1], (2, 3, 4))),
    ("expand_new_dims", lambda a: a[0, 0].expand(5, 2, 4), lambda a: np.broadcast_to(a[0, 0], (5, 2, 4))),
    ("expand_minus_one", lambda a: a[:1].expand(3, -1, -1), lambda a: np.broadcast_to(a[:1], (3, 3, 4))),
    (
        "expand_as",
        lambda a: a[:, :1].expand_as(ferrograd.ones(2, 3, 4)),
        lambda a: np.broadcast_to(a[:, :1], (2, 3, 4)),
    ),
    ("squeeze", lambda a: a[:1, :, :1].squeeze(), lambda a: a[:1, :, :1].squeeze()),
    ("squeeze_dim", lambda a: a[:1].squeeze(0), lambda a: a[0]),
    ("unsqueeze", lambda a: a.unsqueeze(1), lambda a: a[:, None]),
    ("unsqueeze_negative", lambda a: a.unsqueeze(-1), lambda a: a[..., None]),
    ("flatten", lambda a: a.flatten(), lambda a: a.reshape(-1)),
    ("flatten_range", lambda a: a.flatten(1), lambda a: a.reshape(2, 12)),
    ("flatten_function", lambda a: ferrograd.flatten(a, 0, 1), lambda a: a.reshape(6, 4)),
    ("index_int", lambda a: a[1], lambda a: a[1]),
    ("index_ints", lambda a: a[1, -1], lambda a: a[1, -1]),
    ("index_all_ints", lambda a: a[0, 2, 3], lambda a: a[0, 2, 3]),
    ("index_slice", lambda a: a[:, 1:], lambda a: a[:, 1:]),
    ("index_slice_step", lambda a: a[..., ::2], lambda a: a[..., ::2]),
    ("index_slice_step_start", lambda a: a[:, 1::2, 3:0:1], lambda a: a[:, 1::2, 3:0:1]),
    ("index_none", lambda a: a[None, 0, None], lambda a: a[None, 0, None]),
    ("index_ellipsis", lambda a: a[..., 1], lambda a: a[..., 1]),
    ("index_mixed", lambda a: a[1, None, ::2, ..., -2:], lambda a: a[1, None, ::2, ..., -2:]),
    ("select", lambda a: a.select(2, 1), lambda a: a[:, :, 1]),
    ("clone", lambda a: a.clone(), lambda a: a.copy()),
    ("contiguous", lambda a: a.transpose(0, 2).contiguous(), lambda a: a.transpose(2, 1, 0)),
]


@pytest.mark.parametrize(("fn", "ref"), [c[1:] for c in VIEWS], ids=[c[0] for c in VIEWS])
def test_views_and_indexing(fn, ref, device):
    check_op(fn, ref, r(2, 3, 4), device=device)


def test_view_of_a_strided_tensor(device):
    check_op(
        lambda a: a[..., ::2].view(6, 2),
        lambda a: a[..., ::2].reshape(6, 2),
        r(2, 3, 4),
        layouts=("contiguous", "sliced"),
        device=device,
    )


def test_views_of_empty_tensors(device):
    check_op(lambda a: a.reshape(3, 0).t(), lambda a: a.reshape(3, 0).T, np.zeros((0, 3)), device=device)
    check_op(lambda a: a[1:1].unsqueeze(0), lambda a: a[None, 1:1], r(2, 3), device=device)


# ---- where, casts, loss ----


@pytest.mark.parametrize(("c_shape", "a_shape", "b_shape"), [((2, 3),) * 3, ((3,), (2, 3), (2, 1)), ((2, 1), (3,), ())])
def test_where(c_shape, a_shape, b_shape, device):
    cond = r(*c_shape) > 0
    check_op(
        lambda c, a, b: ferrograd.where(c, a, b), np.where, cond, r(*a_shape), r(*b_shape), grad=[1, 2], device=device
    )


def test_where_with_a_scalar(device):
    cond = r(2, 3) > 0
    check_op(
        lambda c, a: ferrograd.where(c, a, 0.5),
        lambda c, a: np.where(c, a, 0.5),
        cond,
        r(2, 3),
        grad=[1],
        device=device,
    )


CASTS = [
    (lambda a: a.to(ferrograd.float32), ferrograd.float32),
    (lambda a: a.to(ferrograd.float64), ferrograd.float64),
    (lambda a: a.to(dtype=ferrograd.float64), ferrograd.float64),
    (lambda a: a.float(), ferrograd.float32),
    (lambda a: a.double(), ferrograd.float64),
    (lambda a: a.type(ferrograd.float64), ferrograd.float64),
    (lambda a: a.to(ferrograd.float32).to(ferrograd.float64), ferrograd.float64),
]


@pytest.mark.parametrize(("fn", "dtype"), CASTS)
@pytest.mark.parametrize("source", [ferrograd.float32, ferrograd.float64])
def test_casts(fn, dtype, source):
    # Values exact in float32, so the gradient (3 * ones) is exact whatever the dtypes.
    x = ferrograd.tensor([[0.5, -1.25], [2.0, 3.5]], dtype=source, requires_grad=True)
    y = fn(x)
    assert y.dtype == dtype
    assert y.tolist() == [[0.5, -1.25], [2.0, 3.5]]
    (y * 3).sum().backward()
    assert x.grad.dtype == source
    assert x.grad.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_cast_to_an_integer_dtype_is_not_differentiable():
    x = ferrograd.tensor([1.5, -2.5], requires_grad=True)
    y = x.long()
    assert y.tolist() == [1, -2] and not y.requires_grad


def test_cast_node_name():
    x = ferrograd.tensor([1.5, 2.0], dtype=ferrograd.float64, requires_grad=True)
    assert type(x.to(ferrograd.float32).grad_fn).__name__ == "ToCopyBackward0"


def bce_reference(weighted: bool, pos_weighted: bool, reduction: str):
    def ref(x, y, *extra):
        w = extra[0] if weighted else 1.0
        p = extra[-1] if pos_weighted else 1.0
        log_sig, log_one_minus = np.log(sigmoid(x)), np.log(1 - sigmoid(x))
        loss = -w * (p * y * log_sig + (1 - y) * log_one_minus)
        return {"none": loss, "mean": np.mean(loss), "sum": np.sum(loss)}[reduction]

    return ref


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("weighted", "pos_weighted"), [(False, False), (True, False), (False, True), (True, True)])
def test_binary_cross_entropy_with_logits(reduction, weighted, pos_weighted, device):
    def fn(x, y, *extra):
        weight = extra[0] if weighted else None
        pos_weight = extra[-1] if pos_weighted else None
        return F.binary_cross_entropy_with_logits(x, y, weight=weight, reduction=reduction, pos_weight=pos_weight)

    inputs = [r(3, 4), RNG.uniform(0.0, 1.0, (3, 4))]
    if weighted:
        inputs.append(pos(4))
    if pos_weighted:
        inputs.append(pos(4))
    # Gradients with respect to the input and the target (weights are constants).
    check_op(fn, bce_reference(weighted, pos_weighted, reduction), *inputs, grad=[0, 1], device=device)


def test_binary_cross_entropy_with_logits_of_an_empty_batch():
    loss = F.binary_cross_entropy_with_logits(ferrograd.zeros(0), ferrograd.zeros(0), reduction="sum")
    assert loss.tolist() == 0.0


# ---- grad_fn names ----

GRAD_FN_NAMES = [
    (lambda x, y: x + y, "AddBackward0"),
    (lambda x, y: x + 1, "AddBackward0"),
    (lambda x, y: 1 + x, "AddBackward0"),
    (lambda x, y: x - y, "SubBackward0"),
    (lambda x, y: x - 1, "SubBackward0"),
    (lambda x, y: 1 - x, "RsubBackward1"),
    (lambda x, y: x * y, "MulBackward0"),
    (lambda x, y: 2 * x, "MulBackward0"),
    (lambda x, y: x / y, "DivBackward0"),
    (lambda x, y: x / 2, "DivBackward0"),
    (lambda x, y: 2 / x, "MulBackward0"),
    (lambda x, y: x**2, "PowBackward0"),
    (lambda x, y: x**y, "PowBackward1"),
    (lambda x, y: 2**x, "PowBackward2"),
    (lambda x, y: -x, "NegBackward0"),
    (lambda x, y: x.abs(), "AbsBackward0"),
    (lambda x, y: x.exp(), "ExpBackward0"),
    (lambda x, y: x.log(), "LogBackward0"),
    (lambda x, y: x.sqrt(), "SqrtBackward0"),
    (lambda x, y: x.sin(), "SinBackward0"),
    (lambda x, y: x.cos(), "CosBackward0"),
    (lambda x, y: x.tanh(), "TanhBackward0"),
    (lambda x, y: x.sigmoid(), "SigmoidBackward0"),
    (lambda x, y: x.relu(), "ReluBackward0"),
    (lambda x, y: x.sum(), "SumBackward0"),
    (lambda x, y: x.sum(0), "SumBackward1"),
    (lambda x, y: x.mean(), "MeanBackward0"),
    (lambda x, y: x.mean(1), "MeanBackward1"),
    (lambda x, y: x.norm(), "LinalgVectorNormBackward0"),
    (lambda x, y: x.norm(dim=1), "LinalgVectorNormBackward0"),
    (lambda x, y: x.max(), "MaxBackward1"),
    (lambda x, y: x.max(0)[0], "MaxBackward0"),
    (lambda x, y: x.min(), "MinBackward1"),
    (lambda x, y: x.min(1).values, "MinBackward0"),
    (lambda x, y: x @ y.t(), "MmBackward0"),
    (lambda x, y: x[0] @ y[0], "DotBackward0"),
    (lambda x, y: x @ y[0], "MvBackward0"),
    (lambda x, y: x[0] @ y.t(), "SqueezeBackward4"),
    (lambda x, y: x[None] @ y.t(), "UnsafeViewBackward0"),
    (lambda x, y: x[None].bmm(y.t()[None]), "BmmBackward0"),
    (lambda x, y: x.view(3, 2), "ViewBackward0"),
    (lambda x, y: x.reshape(6), "ViewBackward0"),
    (lambda x, y: x.t().reshape(6), "UnsafeViewBackward0"),
    (lambda x, y: x.t(), "TBackward0"),
    (lambda x, y: x.transpose(0, 1), "TransposeBackward0"),
    (lambda x, y: x.permute(1, 0), "PermuteBackward0"),
    (lambda x, y: x[:1].expand(3, 3), "ExpandBackward0"),
    (lambda x, y: x[:1].squeeze(), "SqueezeBackward0"),
    (lambda x, y: x[:1].squeeze(0), "SqueezeBackward1"),
    (lambda x, y: x.unsqueeze(0), "UnsqueezeBackward0"),
    (lambda x, y: x.flatten(), "ViewBackward0"),
    (lambda x, y: x[0], "SelectBackward0"),
    (lambda x, y: x[:, 1:], "SliceBackward0"),
    (lambda x, y: x[None], "UnsqueezeBackward0"),
    (lambda x, y: x.clone(), "CloneBackward0"),
    (lambda x, y: x.double(), "ToCopyBackward0"),
    (lambda x, y: ferrograd.where(x > 0, x, y), "WhereBackward0"),
    (lambda x, y: F.binary_cross_entropy_with_logits(x, y), "BinaryCrossEntropyWithLogitsBackward0"),
]


@pytest.mark.parametrize(("fn", "name"), GRAD_FN_NAMES)
def test_grad_fn_names(fn, name):
    x = ferrograd.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = ferrograd.tensor([[0.5, 0.25, 1.0], [2.0, 1.5, 0.75]], requires_grad=True)
    assert type(fn(x, y).grad_fn).__name__ == name


# ---- dtype promotion ----


@pytest.mark.parametrize(
    ("make", "dtype"),
    [
        (lambda: ferrograd.ones(2) + ferrograd.ones(2, dtype=ferrograd.float64), ferrograd.float64),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int64) * 1.5, ferrograd.float32),
        (lambda: 2.5 - ferrograd.ones(2, dtype=ferrograd.int32), ferrograd.float32),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int64) / 2, ferrograd.float32),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int64) / ferrograd.ones(2, dtype=ferrograd.int64),
            ferrograd.float32,
        ),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int32) + ferrograd.ones(2, dtype=ferrograd.int64), ferrograd.int64),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int32) + 3, ferrograd.int32),
        (lambda: ferrograd.ones(2) * ferrograd.ones(2, dtype=ferrograd.int64), ferrograd.float32),
        (lambda: ferrograd.ones(2) + ferrograd.tensor(1.0, dtype=ferrograd.float64), ferrograd.float32),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int64) + ferrograd.tensor(1.5), ferrograd.float32),
        (lambda: ferrograd.ones(2, dtype=ferrograd.float64) * ferrograd.tensor(2), ferrograd.float64),
        (lambda: ferrograd.tensor([True]) + ferrograd.tensor([True]), ferrograd.bool),
        (lambda: ferrograd.tensor([True]) + 1, ferrograd.int64),
        (lambda: ferrograd.tensor([True]) * 1.5, ferrograd.float32),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int64) ** 2, ferrograd.int64),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int64) ** 0.5, ferrograd.float32),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int64).sum(), ferrograd.int64),
        (lambda: ferrograd.ones(2, dtype=ferrograd.int64).mean(dtype=ferrograd.float64), ferrograd.float64),
        (lambda: ferrograd.where(ferrograd.tensor([True]), ferrograd.ones(1), 2), ferrograd.float32),
    ],
)
def test_result_dtype(make, dtype):
    assert make().dtype == dtype


def test_mixed_float_dtypes_give_gradients_in_each_input_dtype():
    a = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    b = ferrograd.tensor([3.0, 4.0], dtype=ferrograd.float64, requires_grad=True)
    out = a * b
    assert out.dtype == ferrograd.float64
    out.sum().backward()
    assert a.grad.dtype == ferrograd.float32 and a.grad.tolist() == [3.0, 4.0]
    assert b.grad.dtype == ferrograd.float64 and b.grad.tolist() == [1.0, 2.0]


def test_integer_operand_gets_no_gradient():
    a = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    n = ferrograd.tensor([3, 4])
    (a * n).sum().backward()
    assert a.grad.tolist() == [3.0, 4.0]
    assert n.grad is None and not n.requires_grad


# ---- second derivatives ----


def second_derivative(fn, x: ferrograd.Tensor) -> tuple[list, list]:
    (g,) = ferrograd.autograd.grad(fn(x).sum(), x, create_graph=True)
    (gg,) = ferrograd.autograd.grad(g.sum(), x)
    return g.tolist(), gg.tolist()


X = [0.5, -1.0, 2.0]


@pytest.mark.parametrize(
    ("fn", "first", "second"),
    [
        (lambda x: x * x, lambda v: 2 * v, lambda v: 2.0),
        (lambda x: x * x * x, lambda v: 3 * v**2, lambda v: 6 * v),
        (lambda x: x**3, lambda v: 3 * v**2, lambda v: 6 * v),
        (lambda x: x.pow(4), lambda v: 4 * v**3, lambda v: 12 * v**2),
        (lambda x: 2**x, lambda v: 2**v * math.log(2), lambda v: 2**v * math.log(2) ** 2),
        (lambda x: x.exp(), math.exp, math.exp),
        (lambda x: x.tanh(), lambda v: 1 - math.tanh(v) ** 2, lambda v: -2 * math.tanh(v) * (1 - math.tanh(v) ** 2)),
        (
            lambda x: x.sigmoid(),
            lambda v: sigmoid(v) * (1 - sigmoid(v)),
            lambda v: sigmoid(v) * (1 - sigmoid(v)) * (1 - 2 * sigmoid(v)),
        ),
        (lambda x: x.sin(), math.cos, lambda v: -math.sin(v)),
        (lambda x: 1 / x, lambda v: -1 / v**2, lambda v: 2 / v**3),
    ],
)
def test_double_backward(fn, first, second):
    x = ferrograd.tensor(X, dtype=ferrograd.float64, requires_grad=True)
    g, gg = second_derivative(fn, x)
    np.testing.assert_allclose(g, [first(v) for v in X], rtol=1e-12)
    np.testing.assert_allclose(gg, [second(v) for v in X], rtol=1e-12)


def test_double_backward_of_matmul():
    # f = sum((A @ x)^2): grad = 2 A^T A x, and the gradient of sum(grad) is 2 A^T A 1.
    a_values = [[1.0, 2.0], [3.0, -1.0], [0.5, 4.0]]
    a = ferrograd.tensor(a_values, dtype=ferrograd.float64)
    x = ferrograd.tensor([1.0, -2.0], dtype=ferrograd.float64, requires_grad=True)
    g, gg = second_derivative(lambda v: (a @ v) ** 2, x)
    ata = np.array(a_values).T @ np.array(a_values)
    np.testing.assert_allclose(g, 2 * ata @ [1.0, -2.0])
    np.testing.assert_allclose(gg, 2 * ata @ [1.0, 1.0])


def test_double_backward_of_a_product_of_two_inputs():
    x = ferrograd.tensor([2.0], dtype=ferrograd.float64, requires_grad=True)
    y = ferrograd.tensor([3.0], dtype=ferrograd.float64, requires_grad=True)
    (gx,) = ferrograd.autograd.grad((x * x * y).sum(), x, create_graph=True)  # 2xy
    gxx, gxy = ferrograd.autograd.grad(gx.sum(), [x, y])
    assert gx.tolist() == [12.0] and gxx.tolist() == [6.0] and gxy.tolist() == [4.0]


@pytest.mark.parametrize("dtype", [ferrograd.int32, ferrograd.int64])
def test_integer_powers_are_exact(dtype, device):
    base = ferrograd.tensor([-3, -1, 0, 1, 2, 3, 7], dtype=dtype, device=device)
    assert (base**2).tolist() == [9, 1, 0, 1, 4, 9, 49]
    assert (base**3).tolist() == [-27, -1, 0, 1, 8, 27, 343]
    exponents = ferrograd.tensor([0, 1, 2, 3, 4, 5, 2], dtype=dtype, device=device)
    assert (base**exponents).tolist() == [1, -1, 0, 1, 16, 243, 49]
