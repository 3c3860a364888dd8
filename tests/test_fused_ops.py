"""``add``/``sub`` with ``alpha``, ``addcmul``, ``addcdiv`` and ``lerp``: values rounded as
PyTorch rounds them (one rounding for the multiply-add), gradients, in-place forms, errors."""

import numpy as np
import pytest

import ferrograd
from opcheck import check_op
from rounding import fma

RNG = np.random.default_rng(7)


def values(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_with_alpha_rounds_once(dtype):
    a, b = values(200, dtype=dtype), values(200, dtype=dtype)
    expected = fma(b, dtype(-0.1), a)
    assert not np.array_equal(expected, a + dtype(-0.1) * b)  # the two roundings differ somewhere
    np.testing.assert_array_equal(ferrograd.tensor(a).add(ferrograd.tensor(b), alpha=-0.1).numpy(), expected)
    np.testing.assert_array_equal(ferrograd.tensor(a).sub(ferrograd.tensor(b), alpha=0.1).numpy(), expected)
    x = ferrograd.tensor(a)
    assert x.add_(ferrograd.tensor(b), alpha=-0.1) is x
    np.testing.assert_array_equal(x.numpy(), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_addcmul_addcdiv_lerp_round_like_pytorch(dtype):
    s, t1, t2 = values(100, dtype=dtype), values(100, dtype=dtype), values(100, dtype=dtype)
    v = dtype(0.3)
    T = ferrograd.tensor
    np.testing.assert_array_equal(T(s).addcmul(T(t1), T(t2), value=0.3).numpy(), fma(v * t1, t2, s))
    np.testing.assert_array_equal(T(s).addcdiv(T(t1), T(t2), value=0.3).numpy(), s + v * t1 / t2)
    for w in (0.1, 0.9, -0.7):
        wt = dtype(w)
        expected = fma(wt, t1 - s, s) if abs(wt) < 0.5 else fma(wt - dtype(1), t1 - s, t1)
        np.testing.assert_array_equal(T(s).lerp(T(t1), w).numpy(), expected)
        weights = np.full(100, wt)
        np.testing.assert_array_equal(T(s).lerp(T(t1), T(weights)).numpy(), expected)


def test_lerp_reaches_both_ends_exactly():
    s, e = ferrograd.tensor([0.1, -3.3, 1e8]), ferrograd.tensor([7.7, 0.2, -1e-8])
    assert s.lerp(e, 0.0).tolist() == s.tolist()
    assert s.lerp(e, 1.0).tolist() == e.tolist()


def test_in_place_forms_update_and_return_self():
    s = ferrograd.tensor([1.0, 2.0])
    assert s.addcmul_(ferrograd.tensor([2.0, 3.0]), ferrograd.tensor([4.0, 5.0]), value=0.5) is s
    assert s.tolist() == [5.0, 9.5]
    s.addcdiv_(ferrograd.tensor([1.0, 1.0]), ferrograd.tensor([4.0, 2.0]))
    assert s.tolist() == [5.25, 10.0]
    s.lerp_(ferrograd.tensor([6.25, 0.0]), 0.5)
    assert s.tolist() == [5.75, 5.0]
    version = s._version
    s.add_(ferrograd.tensor([1.0, 1.0]), alpha=2)
    assert s.tolist() == [7.75, 7.0] and s._version == version + 1


def test_in_place_with_aliasing_and_broadcast_operands():
    x = ferrograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    x.add_(x, alpha=2)  # reads and writes the same memory
    assert x.tolist() == [[3.0, 6.0], [9.0, 12.0]]
    x.addcmul_(ferrograd.tensor([1.0, 2.0]), ferrograd.tensor(2.0))  # broadcast operands
    assert x.tolist() == [[5.0, 10.0], [11.0, 16.0]]
    y = ferrograd.zeros(2, 4)[:, ::2]  # non-contiguous destination
    y.lerp_(ferrograd.ones(2, 2), 0.25)
    assert y.tolist() == [[0.25, 0.25], [0.25, 0.25]]


def test_mixed_dtypes_compute_in_the_promoted_dtype():
    f32 = ferrograd.tensor([1.0, 2.0])
    out = f32.addcmul(ferrograd.tensor([1.0, 1.0], dtype=ferrograd.float64), ferrograd.tensor([3.0, 3.0]))
    assert out.dtype == ferrograd.float64 and out.tolist() == [4.0, 5.0]
    longs = ferrograd.tensor([1, 2])
    assert longs.add(ferrograd.tensor([3, 4]), alpha=2).tolist() == [7, 10]
    # An integral computation takes `value` as an integer, as PyTorch does.
    assert longs.addcmul(longs, longs, value=0.5).tolist() == [1, 2]
    f32.add_(ferrograd.tensor([1.0, 1.0], dtype=ferrograd.float64), alpha=0.5)
    assert f32.dtype == ferrograd.float32 and f32.tolist() == [1.5, 2.5]


@pytest.mark.parametrize(
    "fn, reference",
    [
        (lambda a, b: a.add(b, alpha=-2.5), lambda a, b: a - 2.5 * b),
        (lambda a, b: a.sub(b, alpha=0.5), lambda a, b: a - 0.5 * b),
        (lambda a, b: a.lerp(b, 0.3), lambda a, b: a + 0.3 * (b - a)),
        (lambda a, b: a.lerp(b, 0.8), lambda a, b: a + 0.8 * (b - a)),
    ],
)
def test_two_input_gradients(fn, reference, device):
    check_op(fn, reference, values(2, 3), values(3), device=device)
    check_op(fn, reference, values(0, 3), values(3), device=device)


@pytest.mark.parametrize(
    "fn, reference",
    [
        (lambda s, a, b: s.addcmul(a, b, value=0.7), lambda s, a, b: s + 0.7 * a * b),
        (lambda s, a, b: s.addcdiv(a, b, value=-1.5), lambda s, a, b: s - 1.5 * a / b),
        (lambda s, a, w: s.lerp(a, w), lambda s, a, w: s + w * (a - s)),
    ],
)
def test_three_input_gradients(fn, reference, device):
    divisor = RNG.uniform(0.5, 2.0, (3,))
    check_op(fn, reference, values(2, 3), values(2, 1), divisor, device=device)


def test_node_names():
    a = ferrograd.ones(2, requires_grad=True)
    b = ferrograd.ones(2)
    assert type(a.add(b, alpha=2).grad_fn).__name__ == "AddBackward0"
    assert type(a.sub(b, alpha=2).grad_fn).__name__ == "SubBackward0"
    assert type(a.addcmul(b, b).grad_fn).__name__ == "AddcmulBackward0"
    assert type(a.addcdiv(b, b).grad_fn).__name__ == "AddcdivBackward0"
    assert type(a.lerp(b, 0.5).grad_fn).__name__ == "LerpBackward0"
    assert type(a.lerp(b, b).grad_fn).__name__ == "LerpBackward1"


def test_in_place_forms_are_recorded():
    a = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    b = ferrograd.tensor([3.0, 4.0], requires_grad=True)
    y = a * 1
    y.addcmul_(b, b, value=2)
    y.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]
    assert b.grad.tolist() == [12.0, 16.0]


def test_double_backward_through_addcmul():
    a = ferrograd.tensor([2.0], requires_grad=True)
    (g,) = ferrograd.autograd.grad(ferrograd.zeros(1).addcmul(a, a * a).sum(), a, create_graph=True)
    assert g.tolist() == [12.0]  # d(a^3)/da
    (gg,) = ferrograd.autograd.grad(g.sum(), a)
    assert gg.tolist() == [12.0]  # 6a


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: ferrograd.ones(2).add(ferrograd.ones(2), alpha=True),
            RuntimeError,
            "Boolean alpha only supported for Boolean results.",
        ),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int64).add(ferrograd.ones(2, dtype=ferrograd.int64), alpha=0.5),
            RuntimeError,
            "For integral input tensors, argument alpha must not be a floating point number.",
        ),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int64).add_(ferrograd.ones(2, dtype=ferrograd.int64), alpha=0.5),
            RuntimeError,
            "For integral input tensors, argument alpha must not be a floating point number.",
        ),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int64).add_(ferrograd.ones(2), alpha=2),
            RuntimeError,
            "result type Float can't be cast to the desired output type Long",
        ),
        (
            lambda: ferrograd.ones(2).addcmul_(ferrograd.ones(2, 2), ferrograd.ones(2)),
            RuntimeError,
            "output with shape [2] doesn't match the broadcast shape [2, 2]",
        ),
        (
            lambda: ferrograd.ones(2).addcmul(ferrograd.ones(2), 3),
            TypeError,
            "addcmul(): argument 'tensor2' must be Tensor, not int",
        ),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int64).addcdiv(
                ferrograd.ones(2, dtype=ferrograd.int64), ferrograd.ones(2, dtype=ferrograd.int64)
            ),
            RuntimeError,
            "Integer division with addcdiv is no longer supported",
        ),
        (
            lambda: ferrograd.ones(2, dtype=ferrograd.int64).lerp(ferrograd.ones(2, dtype=ferrograd.int64), 0.5),
            NotImplementedError,
            "\"lerp_kernel_scalar\" not implemented for 'Long'",
        ),
        (
            lambda: ferrograd.ones(2).lerp(ferrograd.ones(2, dtype=ferrograd.float64), 0.5),
            RuntimeError,
            "expected dtype float for `end` but got dtype double",
        ),
        (
            lambda: ferrograd.ones(2).lerp(ferrograd.ones(2), ferrograd.ones(2, dtype=ferrograd.float64)),
            RuntimeError,
            "expected dtype float for `weight` but got dtype double",
        ),
        (
            lambda: ferrograd.ones(2, requires_grad=True).add_(ferrograd.ones(2), alpha=2),
            RuntimeError,
            "a leaf Variable that requires grad is being used in an in-place operation.",
        ),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
