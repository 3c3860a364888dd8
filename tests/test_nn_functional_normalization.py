"""layer_norm, group_norm, batch_norm (training with running statistics, evaluation) and
normalize against NumPy, with gradients of every order and PyTorch's errors."""

import nn_reference as ref
import numpy as np
import pytest
from double_backward import check_double_backward

import ferrograd
import ferrograd.nn.functional as F
from opcheck import check_op

rng = np.random.default_rng(0)
EPS = 1e-5


def test_layer_norm(device):
    x, w, b = rng.standard_normal((4, 3, 5)), rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    check_op(
        lambda x, w, b: F.layer_norm(x, (3, 5), w, b),
        lambda x, w, b: ref.normalize_over(x, (1, 2), EPS) * w + b,
        x,
        w,
        b,
        device=device,
    )


def test_layer_norm_without_affine_and_with_weight_or_bias_only(device):
    x = rng.standard_normal((4, 6))
    check_op(lambda x: F.layer_norm(x, (6,)), lambda x: ref.normalize_over(x, (1,), EPS), x, device=device)
    w = rng.standard_normal(6)
    check_op(
        lambda x, w: F.layer_norm(x, (6,), w), lambda x, w: ref.normalize_over(x, (1,), EPS) * w, x, w, device=device
    )
    check_op(
        lambda x, b: F.layer_norm(x, (6,), None, b),
        lambda x, b: ref.normalize_over(x, (1,), EPS) + b,
        x,
        w,
        device=device,
    )


def test_layer_norm_many_rows_in_float32():
    x = rng.standard_normal((300, 256)) * 3 + 1
    got = F.layer_norm(ferrograd.tensor(x.astype(np.float32)), (256,)).numpy()
    np.testing.assert_allclose(got, ref.normalize_over(x, (1,), EPS), atol=1e-5)


def test_group_norm(device):
    x, w, b = rng.standard_normal((3, 4, 5, 2)), rng.standard_normal(4), rng.standard_normal(4)

    def reference(x, w, b):
        grouped = ref.normalize_over(x.reshape(3, 2, -1), (2,), EPS).reshape(x.shape)
        return grouped * w.reshape(1, 4, 1, 1) + b.reshape(1, 4, 1, 1)

    check_op(lambda x, w, b: F.group_norm(x, 2, w, b), reference, x, w, b, device=device)


def test_batch_norm_training(device):
    x, w, b = rng.standard_normal((4, 3, 5)), rng.standard_normal(3), rng.standard_normal(3)
    check_op(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: ref.normalize_over(x, (0, 2), EPS) * w.reshape(1, 3, 1) + b.reshape(1, 3, 1),
        x,
        w,
        b,
        device=device,
    )


def test_batch_norm_evaluation_uses_the_running_statistics(device):
    x, w, b = rng.standard_normal((4, 3, 5)), rng.standard_normal(3), rng.standard_normal(3)
    mean, var = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)

    def op(x, w, b):
        rm = ferrograd.tensor(mean, dtype=x.dtype, device=x.device)
        rv = ferrograd.tensor(var, dtype=x.dtype, device=x.device)
        return F.batch_norm(x, rm, rv, w, b, training=False)

    def reference(x, w, b):
        shape = (1, 3, 1)
        return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + EPS) * w.reshape(shape) + b.reshape(shape)

    check_op(op, reference, x, w, b, device=device)


def test_batch_norm_updates_running_statistics_with_momentum():
    x = rng.standard_normal((6, 2, 3))
    mean, var = ferrograd.zeros(2, dtype=ferrograd.float64), ferrograd.ones(2, dtype=ferrograd.float64)
    version = mean._version
    F.batch_norm(ferrograd.tensor(x), mean, var, training=True, momentum=0.3)
    batch_mean = x.mean(axis=(0, 2))
    batch_var = x.var(axis=(0, 2), ddof=1)  # unbiased, as PyTorch keeps it
    np.testing.assert_allclose(mean.numpy(), 0.3 * batch_mean, rtol=1e-12)
    np.testing.assert_allclose(var.numpy(), 0.7 + 0.3 * batch_var, rtol=1e-12)
    assert mean._version == version  # PyTorch updates running stats without a version bump
    # Evaluation leaves them alone.
    F.batch_norm(ferrograd.tensor(x), mean, var, training=False)
    np.testing.assert_allclose(mean.numpy(), 0.3 * batch_mean, rtol=1e-12)


def test_batch_norm_large_input_in_float32():
    x = rng.standard_normal((16, 8, 32, 32)) * 2 + 3
    got = F.batch_norm(ferrograd.tensor(x.astype(np.float32)), None, None, training=True).numpy()
    np.testing.assert_allclose(got, ref.normalize_over(x, (0, 2, 3), EPS), atol=1e-4)


@pytest.mark.parametrize(
    "op",
    [
        lambda x, w, b: F.layer_norm(x, (4,), w, b),
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    ],
)
def test_double_backward(op):
    check_double_backward(op, rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal(4))


def test_double_backward_group_norm_and_eval_batch_norm():
    check_double_backward(lambda x, w: F.group_norm(x, 2, w), rng.standard_normal((2, 4, 3)), rng.standard_normal(4))
    rm, rv = ferrograd.tensor(rng.standard_normal(3)), ferrograd.tensor(rng.uniform(1, 2, 3))
    check_double_backward(
        lambda x, w: F.batch_norm(x, rm, rv, w, training=False), rng.standard_normal((4, 3)), rng.standard_normal(3)
    )


def test_node_names():
    x = ferrograd.randn(4, 3, requires_grad=True)
    assert type(F.layer_norm(x, (3,)).grad_fn).__name__ == "NativeLayerNormBackward0"
    assert type(F.group_norm(x, 3).grad_fn).__name__ == "NativeGroupNormBackward0"
    assert type(F.batch_norm(x, None, None, training=True).grad_fn).__name__ == "NativeBatchNormBackward0"
    rm, rv = ferrograd.zeros(3), ferrograd.ones(3)
    assert type(F.batch_norm(x, rm, rv).grad_fn).__name__ == "NativeBatchNormBackward0"
    assert type(F.normalize(x).grad_fn).__name__ == "DivBackward0"


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize(device, p, dim):
    x = rng.standard_normal((3, 4))

    def reference(x):
        norm = (np.abs(x) ** p).sum(axis=dim, keepdims=True) ** (1 / p)
        return x / np.maximum(norm, 1e-12)

    check_op(lambda x: F.normalize(x, p, dim), reference, x, device=device)


def test_normalize_zero_vectors_stay_zero():
    np.testing.assert_array_equal(F.normalize(ferrograd.zeros(2, 3)).numpy(), np.zeros((2, 3)))


def test_empty_batches():
    assert F.layer_norm(ferrograd.zeros(0, 3, 4), (4,)).shape == (0, 3, 4)
    assert F.group_norm(ferrograd.zeros(0, 4, 2), 2).shape == (0, 4, 2)
    assert F.batch_norm(ferrograd.zeros(0, 3, 4), None, None, training=True).shape == (0, 3, 4)
    # No channels at all.
    assert F.batch_norm(ferrograd.zeros(2, 0, 5), None, None, training=True).shape == (2, 0, 5)
    assert F.group_norm(ferrograd.zeros(2, 0, 5), 1).shape == (2, 0, 5)


def test_errors():
    x = ferrograd.randn(2, 3, 4, 5)
    runtime = [
        (
            lambda: F.layer_norm(x, (4,)),
            "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3, 4, 5]",
        ),
        (
            lambda: F.layer_norm(x, (5,), ferrograd.ones(4)),
            (
                "Expected weight to be of same shape as normalized_shape, but got "
                "weight of shape [4] and normalized_shape = [5]"
            ),
        ),
        (
            lambda: F.layer_norm(x, (5,), None, ferrograd.ones(4)),
            (
                "Expected bias to be of same shape as normalized_shape, but got bias "
                "of shape [4] and normalized_shape = [5]"
            ),
        ),
        (
            lambda: F.layer_norm(x, (5,), ferrograd.ones(5).double()),
            "mixed dtype (CPU): expect parameter to have scalar type of Float",
        ),
        (
            lambda: F.layer_norm(x, ()),
            (
                "Expected normalized_shape to be at least 1-dimensional, i.e., "
                "containing at least one element, but got normalized_shape = []"
            ),
        ),
        (
            lambda: F.batch_norm(x, ferrograd.zeros(4), ferrograd.ones(3)),
            "running_mean should contain 3 elements not 4",
        ),
        (lambda: F.batch_norm(x, ferrograd.zeros(3), ferrograd.ones(4)), "running_var should contain 3 elements not 4"),
        (
            lambda: F.batch_norm(x, ferrograd.zeros(3), ferrograd.ones(3), ferrograd.ones(4)),
            "weight should contain 3 elements not 4",
        ),
        (
            lambda: F.batch_norm(x, ferrograd.zeros(3), ferrograd.ones(3), None, ferrograd.ones(4)),
            "bias should contain 3 elements not 4",
        ),
        (lambda: F.batch_norm(x, None, None), "running_mean must be defined in evaluation mode"),
        (
            lambda: F.group_norm(x, 2),
            (
                "Expected number of channels in input to be divisible by num_groups, "
                "but got input of shape [2, 3, 4, 5] and num_groups=2"
            ),
        ),
        (
            lambda: F.group_norm(x, 3, ferrograd.ones(4)),
            (
                "Expected weight to be a vector of size equal to the number of "
                "channels in input, but got weight of shape [4] and input of shape [2, "
                "3, 4, 5]"
            ),
        ),
        (
            lambda: F.group_norm(x, 3, None, ferrograd.ones(4)),
            (
                "Expected bias to be a vector of size equal to the number of channels "
                "in input, but got bias of shape [4] and input of shape [2, 3, 4, 5]"
            ),
        ),
        (lambda: F.group_norm(x[0, 0, 0], 1), "Expected at least 2 dimensions for input tensor but received 1"),
    ]
    for fn, message in runtime:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == message
    with pytest.raises(NotImplementedError, match="\"LayerNormKernelImpl\" not implemented for 'Long'"):
        F.layer_norm(x.long(), (5,))
    with pytest.raises(NotImplementedError, match="\"batch_norm\" not implemented for 'Long'"):
        F.batch_norm(x.long(), None, None, training=True)
    with pytest.raises(
        ValueError,
        match=r"Expected more than 1 value per channel when training, got input size ferrograd.Size\(\[1, 3, 1, 1\]\)",
    ):
        F.batch_norm(x[:1, :, :1, :1], None, None, training=True)
    with pytest.raises(ValueError, match="running_mean and running_var must either both be None or neither be None"):
        F.batch_norm(x, ferrograd.zeros(3), None, training=True)
    with pytest.raises(
        ValueError, match=r"Expected more than 1 value per channel when training, got input size \[1, 2, 1\]"
    ):
        F.group_norm(ferrograd.ones(1, 2, 1), 2)
