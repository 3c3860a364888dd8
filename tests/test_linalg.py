"""Products and norms: matmul in every rank combination, bmm, dot, outer/ger, einsum, and
``ferrograd.linalg`` (``norm``, ``vector_norm``, ``matrix_norm``)."""

import math

import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
from ferrograd import linalg
from opcheck import check_op

RNG = np.random.default_rng(13)


def rand(*shape):
    return RNG.standard_normal(shape)


def grad_fn_name(t):
    return type(t.grad_fn).__name__


# ---- matmul ----

MATMUL_SHAPES = [
    ((4,), (4,)),
    ((3, 4), (4,)),
    ((4,), (4, 5)),
    ((3, 4), (4, 5)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (6, 4, 2)),
    ((4,), (2, 3, 4, 5)),
    ((2, 3, 3, 4), (4,)),
    ((3, 4), (2, 2, 4, 5)),
    ((2, 2, 3, 4), (4, 5)),
    ((0, 3, 4), (4, 2)),
    ((2, 3, 0), (0, 5)),
    ((3, 0), (0, 2)),
]


@pytest.mark.parametrize("a_shape, b_shape", MATMUL_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_matmul_matches_numpy(device, a_shape, b_shape):
    a, b = rand(*a_shape), rand(*b_shape)
    check_op(lambda x, y: x @ y, np.matmul, a, b, device=device)
    check_op(lambda x, y: ferrograd.matmul(x, y), np.matmul, a, b, device=device)
    check_op(lambda x, y: x.matmul(y), np.matmul, a, b, device=device)


@pytest.mark.parametrize(
    "a_shape, b_shape, a_grad, b_grad, name",
    [
        ((4,), (4,), True, True, "DotBackward0"),
        ((3, 4), (4,), True, True, "MvBackward0"),
        ((4,), (4, 5), True, True, "SqueezeBackward4"),
        ((3, 4), (4, 5), True, True, "MmBackward0"),
        ((3, 4), (2, 4, 5), True, True, "CloneBackward0"),
        ((3, 4), (2, 4, 5), False, True, "UnsafeViewBackward0"),
        ((3, 4), (2, 4, 5), True, False, "CloneBackward0"),
        ((2, 3, 4), (4, 5), True, True, "UnsafeViewBackward0"),
        ((4,), (2, 4, 5), True, True, "UnsafeViewBackward0"),
        ((2, 3, 4), (2, 4, 5), True, True, "UnsafeViewBackward0"),
    ],
)
def test_matmul_node_names_follow_pytorch(a_shape, b_shape, a_grad, b_grad, name):
    a = ferrograd.tensor(rand(*a_shape), requires_grad=a_grad)
    b = ferrograd.tensor(rand(*b_shape), requires_grad=b_grad)
    out = a @ b
    assert grad_fn_name(out) == name
    assert out.is_contiguous()


def test_matmul_of_integers():
    a = ferrograd.arange(6).reshape(2, 3)
    b = ferrograd.arange(12).reshape(2, 3, 2)
    np.testing.assert_array_equal((a @ b[0]).numpy(), np.arange(6).reshape(2, 3) @ np.arange(6).reshape(3, 2))
    np.testing.assert_array_equal(
        (b.transpose(1, 2) @ a.t()).numpy(),
        np.arange(12).reshape(2, 3, 2).transpose(0, 2, 1) @ np.arange(6).reshape(2, 3).T,
    )


def test_matmul_double_backward():
    check_double_backward(lambda a, b: a @ b, rand(3, 4), rand(4, 2))
    check_double_backward(lambda a, b: a @ b, rand(2, 3, 4), rand(4))
    check_double_backward(lambda a, b: a @ b, rand(3, 4), rand(2, 4, 2))
    check_double_backward(lambda a, b: ferrograd.bmm(a, b), rand(2, 2, 3), rand(2, 3, 2))


@pytest.mark.parametrize(
    "a_shape, b_shape, message",
    [
        (
            (2, 3, 4),
            (2, 5, 4),
            r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] but got: \[2, 5\].",
        ),
        ((2, 3, 4), (5, 4), r"mm: mat1 and mat2 shapes cannot be multiplied \(6x4 and 5x4\)"),
        (
            (3, 5),
            (2, 3, 4),
            r"Expected size for first two dimensions of batch2 tensor to be: \[2, 5\] but got: \[2, 3\].",
        ),
        (
            (5,),
            (2, 3, 4),
            r"Expected size for first two dimensions of batch2 tensor to be: \[2, 5\] but got: \[2, 3\].",
        ),
        ((2, 3, 4), (5,), r"size mismatch, got input \(6\), mat \(6x4\), vec \(5\)"),
        (
            (2, 3, 4),
            (3, 4, 2),
            "The size of tensor a \\(2\\) must match the size of tensor b \\(3\\) at non-singleton dimension 0",
        ),
        (
            (3,),
            (4,),
            r"inconsistent tensor size, expected tensor \[3\] and src \[4\] to have the same number of elements",
        ),
        ((3,), (4, 2), r"mm: mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x2\)"),
        ((3, 2), (4,), r"size mismatch, got input \(3\), mat \(3x2\), vec \(4\)"),
        ((3, 2), (4, 2), r"mm: mat1 and mat2 shapes cannot be multiplied \(3x2 and 4x2\)"),
        ((), (4, 2), "both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
    ],
)
def test_matmul_errors(a_shape, b_shape, message):
    with pytest.raises(RuntimeError, match=message):
        ferrograd.ones(*a_shape) @ ferrograd.ones(*b_shape)


def test_dtype_mismatch_messages():
    f, d = ferrograd.float32, ferrograd.float64
    cases = [
        (
            lambda: ferrograd.ones(3, 2) @ ferrograd.ones(2, 2, dtype=d),
            "expected m1 and m2 to have the same dtype, but got: float != double",
        ),
        (
            lambda: ferrograd.ones(2, 3, 2) @ ferrograd.ones(2, 2, 2, dtype=d),
            "expected scalar type Float but found Double",
        ),
        (
            lambda: ferrograd.bmm(ferrograd.ones(2, 3, 4, dtype=d), ferrograd.ones(2, 4, 5)),
            "expected scalar type Double but found Float",
        ),
        (
            lambda: ferrograd.dot(ferrograd.ones(2), ferrograd.ones(2, dtype=d)),
            "dot : expected both vectors to have same dtype, but found Float and Double",
        ),
        (
            lambda: ferrograd.mv(ferrograd.ones(2, 2, dtype=d), ferrograd.ones(2, dtype=f)),
            "addmv input tensors must have the same dtype, but got Float, Double, and Float",
        ),
        (
            lambda: ferrograd.mm(ferrograd.ones(2, 2, dtype=ferrograd.int64), ferrograd.ones(2, 2)),
            "expected m1 and m2 to have the same dtype, but got: long int != float",
        ),
        (lambda: ferrograd.ones(4) @ ferrograd.ones(2, 4, 3, dtype=d), "expected scalar type Float but found Double"),
    ]
    for fn, message in cases:
        with pytest.raises(RuntimeError, match=message):
            fn()


def test_bmm(device):
    check_op(ferrograd.bmm, np.matmul, rand(2, 3, 4), rand(2, 4, 5), device=device)
    for a, b, message in [
        (
            (2, 3, 4),
            (3, 4, 5),
            r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] but got: \[3, 4\].",
        ),
        ((3, 4), (2, 5, 5), "batch1 must be a 3D tensor"),
        ((2, 3, 4), (5, 5), "batch2 must be a 3D tensor"),
    ]:
        with pytest.raises(RuntimeError, match=message):
            ferrograd.bmm(ferrograd.ones(*a), ferrograd.ones(*b))


def test_dot_and_outer(device):
    check_op(ferrograd.dot, np.dot, rand(5), rand(5), device=device)
    check_op(ferrograd.outer, np.outer, rand(3), rand(4), device=device)
    check_op(ferrograd.ger, np.outer, rand(3), rand(2), device=device)
    check_op(lambda a, b: a.outer(b), np.outer, rand(1), rand(4), device=device)
    a = ferrograd.ones(3, requires_grad=True)
    assert grad_fn_name(ferrograd.outer(a, a)) == "MulBackward0"
    assert ferrograd.outer(ferrograd.ones(2, dtype=ferrograd.int64), ferrograd.ones(2)).dtype == ferrograd.float32
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument self, but got 3-D"):
        ferrograd.outer(ferrograd.ones(2, 2, 2), ferrograd.ones(2))
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument vec2, but got 2-D"):
        ferrograd.outer(ferrograd.ones(2), ferrograd.ones(2, 2))


# ---- einsum ----

EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(4,), (4,)]),
    ("ij->ji", [(3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij", [(3, 4)]),
    ("ji", [(3, 4)]),
    ("ij,j", [(3, 4), (4,)]),
    ("ij->", [(3, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(5, 1, 2, 3), (4, 3, 2)]),
    ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("iij->ij", [(3, 3, 2)]),
    ("i,j->ij", [(2,), (3,)]),
    ("bii->b", [(2, 3, 3)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("i...->...", [(2, 3, 4)]),
    ("ijk,k->ij", [(2, 3, 4), (4,)]),
    ("Ab,bC->AC", [(3, 4), (4, 2)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    (" i j , j k -> i k ", [(2, 3), (3, 4)]),
    ("i,j,k->ijk", [(2,), (3,), (2,)]),
    ("ijk,ikj->i", [(2, 3, 4), (2, 4, 3)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUM_CASES, ids=[c[0].replace(" ", "_") for c in EINSUM_CASES])
def test_einsum_matches_numpy(device, equation, shapes):
    arrays = [rand(*s) for s in shapes]
    np_equation = equation.replace(" ", "")
    check_op(
        lambda *ts: ferrograd.einsum(equation, *ts), lambda *xs: np.einsum(np_equation, *xs), *arrays, device=device
    )
    check_op(
        lambda *ts: ferrograd.einsum(equation, list(ts)),
        lambda *xs: np.einsum(np_equation, *xs),
        *arrays,
        device=device,
    )


def test_einsum_sums_ellipsis_dims_missing_from_the_output():
    # NumPy refuses this; PyTorch sums the dims "..." stands for.
    a, b = rand(2, 3, 4), rand(2, 3, 4)
    check_op(lambda x, y: ferrograd.einsum("b...,b...->b", x, y), lambda x, y: (x * y).reshape(2, -1).sum(1), a, b)


def test_einsum_broadcasts_size_one_subscripts():
    # A contracted subscript of size 1 on one side broadcasts (NumPy would refuse).
    check_op(
        lambda x, y: ferrograd.einsum("ij,jk->ik", x, y), lambda x, y: x @ np.ones((1, 3)) @ y, rand(2, 1), rand(3, 4)
    )
    assert tuple(ferrograd.einsum("ij,ij->ij", ferrograd.ones(1, 3), ferrograd.ones(0, 3)).shape) == (0, 3)


def test_einsum_node_names():
    m = ferrograd.ones(3, 4, requires_grad=True)
    v = ferrograd.ones(4, requires_grad=True)
    assert grad_fn_name(ferrograd.einsum("ij,jk->ik", m, m.t())) == "ViewBackward0"
    assert grad_fn_name(ferrograd.einsum("i,i->", v, v)) == "ViewBackward0"
    assert grad_fn_name(ferrograd.einsum("ij->ji", m)) == "PermuteBackward0"
    assert grad_fn_name(ferrograd.einsum("ij", m)) == "PermuteBackward0"
    assert grad_fn_name(ferrograd.einsum("ij->", m)) == "SumBackward1"
    assert grad_fn_name(ferrograd.einsum("i,j->ij", v, v)) == "MulBackward0"
    np.testing.assert_array_equal(
        ferrograd.einsum("i,i->", ferrograd.tensor([1, 2]), ferrograd.tensor([3, 4])).numpy(), 11
    )


def test_einsum_double_backward():
    check_double_backward(lambda a, b: ferrograd.einsum("bij,bjk->bik", a, b), rand(2, 2, 3), rand(2, 3, 2))


def test_einsum_errors():
    z = ferrograd.zeros
    cases = [
        (
            lambda: ferrograd.einsum("ij,jk->ik", z(2, 3), z(4, 5)),
            "einsum\\(\\): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3",
        ),
        (
            lambda: ferrograd.einsum("ij,jk->il", z(2, 3), z(3, 5)),
            "einsum\\(\\): output subscript l does not appear in the equation for any input operand",
        ),
        (
            lambda: ferrograd.einsum("ij,jk", z(2, 3)),
            "einsum\\(\\): fewer operands were provided than specified in the equation",
        ),
        (
            lambda: ferrograd.einsum("ij", z(2, 3), z(3)),
            "einsum\\(\\): more operands were provided than specified in the equation",
        ),
        (
            lambda: ferrograd.einsum("ijk,jk", z(2, 3), z(3, 5)),
            "einsum\\(\\): the number of subscripts in the equation \\(3\\) does not match the number of dimensions "
            "\\(2\\) for operand 0 and no ellipsis was given",
        ),
        (
            lambda: ferrograd.einsum("ij->jj", z(2, 3)),
            "einsum\\(\\): output subscript j appears more than once in the output",
        ),
        (
            lambda: ferrograd.einsum("i1->i", z(2, 3)),
            "einsum\\(\\): invalid subscript given at index 1 in the equation string, "
            "subscripts must be in \\[a-zA-Z\\]",
        ),
        (
            lambda: ferrograd.einsum("ii->i", z(2, 3)),
            "einsum\\(\\): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2",
        ),
        (
            lambda: ferrograd.einsum("i,i->", z(2), z(2, dtype=ferrograd.float64)),
            "expected scalar type Float but found Double",
        ),
    ]
    for fn, message in cases:
        with pytest.raises(RuntimeError, match=message):
            fn()


# ---- linalg ----

A = rand(3, 4)
B = rand(2, 3, 4)


def np_vector_norm(x, ord, dim, keepdim):
    axis = None if dim is None else (dim if isinstance(dim, tuple) else (dim,))
    a = np.abs(x)
    if ord == math.inf:
        out = a.max(axis=axis, keepdims=keepdim)
    elif ord == -math.inf:
        out = a.min(axis=axis, keepdims=keepdim)
    elif ord == 0:
        out = (x != 0).sum(axis=axis, keepdims=keepdim).astype(float)
    else:
        out = (a**ord).sum(axis=axis, keepdims=keepdim) ** (1 / ord)
    return np.asarray(out)


@pytest.mark.parametrize("ord", [2, 1, math.inf, -math.inf, 0, 3.5])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(device, ord, dim, keepdim):
    check_op(
        lambda x: linalg.vector_norm(x, ord, dim, keepdim),
        lambda x: np_vector_norm(x, ord, dim, keepdim),
        B,
        device=device,
    )


def test_vector_norm_names_dtypes_and_errors():
    x = ferrograd.tensor(A, requires_grad=True)
    assert grad_fn_name(linalg.vector_norm(x)) == "LinalgVectorNormBackward0"
    assert linalg.vector_norm(ferrograd.ones(3), dtype=ferrograd.float64).dtype == ferrograd.float64
    np.testing.assert_allclose(linalg.vector_norm(ferrograd.tensor([3.0, 4.0])).item(), 5.0)
    with pytest.raises(
        NotImplementedError, match="linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"
    ):
        linalg.vector_norm(ferrograd.ones(3, dtype=ferrograd.int64))
    with pytest.raises(TypeError, match="argument 'ord' \\(position 2\\) must be Number, not str"):
        linalg.vector_norm(x, "fro")
    with pytest.raises(RuntimeError, match="linalg.vector_norm cannot compute the inf norm on an empty tensor"):
        linalg.vector_norm(ferrograd.zeros(0), math.inf)


@pytest.mark.parametrize("ord", [None, "fro", 1, -1, math.inf, -math.inf])
def test_matrix_norms(device, ord):
    check_op(lambda x: linalg.norm(x, ord), lambda x: np.linalg.norm(x, ord), A, device=device)
    check_op(
        lambda x: linalg.norm(x, ord, keepdim=True), lambda x: np.linalg.norm(x, ord, keepdims=True), A, device=device
    )
    if ord is not None:
        check_op(
            lambda x: linalg.matrix_norm(x, ord), lambda x: np.linalg.norm(x, ord, axis=(-2, -1)), B, device=device
        )
        check_op(
            lambda x: linalg.norm(x, ord, dim=(2, 0)), lambda x: np.linalg.norm(x, ord, axis=(2, 0)), B, device=device
        )


@pytest.mark.parametrize("ord", [None, 2, 1, math.inf, 0.5])
def test_norm_of_vectors(device, ord):
    v = rand(5)
    check_op(lambda x: linalg.norm(x, ord), lambda x: np.linalg.norm(x, ord), v, device=device)
    check_op(lambda x: linalg.norm(x, ord, dim=1), lambda x: np.linalg.norm(x, ord, axis=1), A, device=device)
    check_op(lambda x: linalg.norm(x), lambda x: np.linalg.norm(x.reshape(-1)), B, device=device)


def test_matrix_norm_ties_share_the_gradient():
    x = ferrograd.tensor([[1.0, -2.0], [-1.0, 0.0]], requires_grad=True)
    linalg.norm(x, 1).backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5], [-0.5, 0.0]])


def test_norm_errors_and_empty():
    v, m, x = ferrograd.ones(4), ferrograd.ones(3, 4), ferrograd.ones(2, 3, 4)
    cases = [
        (
            lambda: linalg.norm(v, "fro"),
            RuntimeError,
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
        ),
        (
            lambda: linalg.matrix_norm(v),
            RuntimeError,
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
        ),
        (lambda: linalg.norm(m, 3), RuntimeError, "linalg.matrix_norm: Order 3 not supported."),
        (lambda: linalg.norm(m, "abc"), RuntimeError, "linalg.matrix_norm: Order abc not supported."),
        (lambda: linalg.norm(m, "fro", dim=1), RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple. Got 1"),
        (
            lambda: linalg.norm(m, 1, dim=(0, 1, 1)),
            RuntimeError,
            "linalg.norm: If dim is specified, it must be of length 1 or 2. Got \\[0, 1, 1\\]",
        ),
        (
            lambda: linalg.norm(x, 1),
            RuntimeError,
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D.",
        ),
        (lambda: linalg.norm(m, dim=(0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
        (lambda: linalg.norm(m, "nuc"), NotImplementedError, "singular values"),
        (lambda: linalg.norm(m, 2), NotImplementedError, "singular values"),
    ]
    for fn, kind, message in cases:
        with pytest.raises(kind, match=message):
            fn()
    assert linalg.norm(ferrograd.zeros(0, 3), 1).item() == 0.0
    assert linalg.norm(ferrograd.zeros(3, 0), 1).item() == 0.0
