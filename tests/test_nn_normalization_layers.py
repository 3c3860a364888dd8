"""BatchNorm1d/2d (batch statistics while training, running statistics with momentum or a
cumulative average, eval mode, num_batches_tracked, state dicts), LayerNorm and GroupNorm
against NumPy with gradients, reprs and PyTorch's errors."""

import nn_reference as ref
import numpy as np
import pytest
from module_check import check_module

import ferrograd
from ferrograd import nn

rng = np.random.default_rng(2)
EPS = 1e-5


def channel_axes(x: np.ndarray) -> tuple[int, ...]:
    return (0, *range(2, x.ndim))


def per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    return v.reshape(1, -1, *[1] * (ndim - 2))


def batch_norm_train(x, w=None, b=None):
    y = ref.normalize_over(x, channel_axes(x), EPS)
    if w is not None:
        y = y * per_channel(w, x.ndim)
    return y if b is None else y + per_channel(b, x.ndim)


@pytest.mark.parametrize(("layer", "shape"), [(nn.BatchNorm1d, (5, 3)), (nn.BatchNorm1d, (4, 3, 2)),
                                              (nn.BatchNorm2d, (3, 3, 2, 2))])  # fmt: skip
def test_batch_norm_training_forward_and_gradients(layer, shape, device):
    bn = layer(3)
    with ferrograd.no_grad():
        bn.weight.copy_(ferrograd.tensor(rng.standard_normal(3)))
        bn.bias.copy_(ferrograd.tensor(rng.standard_normal(3)))
    check_module(bn, batch_norm_train, rng.standard_normal(shape), device=device)


def test_batch_norm_without_affine(device):
    check_module(nn.BatchNorm2d(2, affine=False), batch_norm_train, rng.standard_normal((3, 2, 2, 3)), device=device)


def test_running_statistics_follow_momentum(device):
    bn = nn.BatchNorm2d(3, momentum=0.3).to(device)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(3):
        x = rng.standard_normal((4, 3, 2, 2)) * (step + 1) + step
        bn(ferrograd.tensor(x, dtype=ferrograd.float32, device=device))
        mean = 0.7 * mean + 0.3 * x.mean(axis=(0, 2, 3))
        var = 0.7 * var + 0.3 * x.var(axis=(0, 2, 3), ddof=1)
        np.testing.assert_allclose(bn.running_mean.cpu().numpy(), mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(bn.running_var.cpu().numpy(), var, rtol=1e-5, atol=1e-6)
    assert bn.num_batches_tracked.dtype == ferrograd.int64 and bn.num_batches_tracked.item() == 3


def test_momentum_none_keeps_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [rng.standard_normal((5, 2)) + i for i in range(4)]
    for x in batches:
        bn(ferrograd.tensor(x, dtype=ferrograd.float32))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([x.mean(0) for x in batches], axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in batches], axis=0), rtol=1e-5)


def test_eval_mode_uses_running_statistics(device):
    bn = nn.BatchNorm1d(3)
    with ferrograd.no_grad():
        bn.running_mean.copy_(ferrograd.tensor([1.0, -2.0, 0.5]))
        bn.running_var.copy_(ferrograd.tensor([4.0, 0.25, 1.0]))
        bn.weight.copy_(ferrograd.tensor([2.0, 1.0, -1.0]))
        bn.bias.copy_(ferrograd.tensor([0.0, 1.0, 3.0]))
    bn.eval()
    mean, var = np.array([1.0, -2.0, 0.5]), np.array([4.0, 0.25, 1.0])
    w, b = np.array([2.0, 1.0, -1.0]), np.array([0.0, 1.0, 3.0])

    def reference(x, w, b):
        return (x - per_channel(mean, x.ndim)) / np.sqrt(per_channel(var, x.ndim) + EPS) * per_channel(
            w, x.ndim
        ) + per_channel(b, x.ndim)

    check_module(bn, reference, rng.standard_normal((4, 3, 2)), device=device)
    # Evaluation leaves the statistics alone.
    np.testing.assert_allclose(bn.running_mean.cpu().numpy(), mean)
    assert bn.num_batches_tracked.item() == 0
    np.testing.assert_allclose(w, bn.weight.detach().cpu().numpy())
    np.testing.assert_allclose(b, bn.bias.detach().cpu().numpy())


def test_without_tracking_batch_statistics_are_used_in_eval():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    assert bn.running_mean is None and bn.num_batches_tracked is None
    x = rng.standard_normal((6, 2))
    np.testing.assert_allclose(
        bn(ferrograd.tensor(x, dtype=ferrograd.float32)).detach().numpy(), batch_norm_train(x), atol=1e-5
    )
    assert list(bn.state_dict()) == ["weight", "bias"]


def test_initial_values_and_reset():
    bn = nn.BatchNorm2d(3)
    np.testing.assert_array_equal(bn.weight.detach().numpy(), np.ones(3))
    np.testing.assert_array_equal(bn.bias.detach().numpy(), np.zeros(3))
    bn(ferrograd.randn(4, 3, 2, 2))
    bn.reset_running_stats()
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(3))
    assert bn.num_batches_tracked.item() == 0


def test_state_dict_keys_match_pytorch():
    assert list(nn.BatchNorm2d(3).state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"
    ]  # fmt: skip
    assert list(nn.BatchNorm1d(3, bias=False).state_dict()) == [
        "weight", "running_mean", "running_var", "num_batches_tracked"
    ]  # fmt: skip
    assert list(nn.BatchNorm1d(3, affine=False).state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    assert [n for n, _ in nn.BatchNorm1d(3).named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.LayerNorm(4), nn.GroupNorm(1, 2))
    assert list(net.state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        "2.weight", "2.bias", "3.weight", "3.bias",
    ]  # fmt: skip


def test_load_state_dict_round_trip_and_missing_keys():
    source = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    source(ferrograd.randn(5, 2))
    target = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    target.load_state_dict(source.state_dict())
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[key].numpy(), value.numpy())
    assert target[1].num_batches_tracked.item() == 1
    # Older checkpoints without num_batches_tracked still load, as in PyTorch.
    old = {k: v for k, v in source.state_dict().items() if k != "1.num_batches_tracked"}
    assert nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).load_state_dict(old).missing_keys == []
    partial = {k: v for k, v in source.state_dict().items() if k != "1.running_var"}
    with pytest.raises(RuntimeError) as info:
        target.load_state_dict(partial)
    assert str(info.value) == (
        'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "1.running_var". '
    )
    assert target.load_state_dict(partial, strict=False).missing_keys == ["1.running_var"]


def test_layer_norm(device):
    ln = nn.LayerNorm((3, 4))
    with ferrograd.no_grad():
        ln.weight.copy_(ferrograd.tensor(rng.standard_normal((3, 4))))
        ln.bias.copy_(ferrograd.tensor(rng.standard_normal((3, 4))))
    reference = lambda x, w, b: ref.normalize_over(x, (-2, -1), EPS) * w + b  # noqa: E731
    check_module(ln, reference, rng.standard_normal((2, 3, 4)), device=device)
    check_module(
        nn.LayerNorm(4, eps=1e-3, bias=False),
        lambda x, w: ref.normalize_over(x, (-1,), 1e-3) * w,
        rng.standard_normal((5, 4)),
        device=device,
    )
    plain = nn.LayerNorm(4, elementwise_affine=False)
    assert plain.weight is None and list(plain.state_dict()) == []


def test_group_norm(device):
    gn = nn.GroupNorm(2, 4)
    with ferrograd.no_grad():
        gn.weight.copy_(ferrograd.tensor(rng.standard_normal(4)))
        gn.bias.copy_(ferrograd.tensor(rng.standard_normal(4)))

    def reference(x, w, b):
        y = ref.normalize_over(x.reshape(x.shape[0], 2, -1), (2,), EPS).reshape(x.shape)
        return y * per_channel(w, x.ndim) + per_channel(b, x.ndim)

    check_module(gn, reference, rng.standard_normal((3, 4, 2, 3)), device=device)
    check_module(
        nn.GroupNorm(4, 4, affine=False),
        lambda x: ref.normalize_over(x, (2,), EPS),
        rng.standard_normal((2, 4, 5)),
        device=device,
    )


def test_reprs_match_pytorch():
    assert [repr(m) for m in (
        nn.BatchNorm1d(4),
        nn.BatchNorm2d(4, eps=1e-3, momentum=None, affine=False, track_running_stats=False),
        nn.BatchNorm1d(3, bias=False),
        nn.LayerNorm(4),
        nn.LayerNorm((3, 4), elementwise_affine=False, bias=False),
        nn.LayerNorm([4], bias=False),
        nn.GroupNorm(2, 4),
        nn.GroupNorm(2, 4, affine=False),
    )] == [
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)",
        "BatchNorm2d(4, eps=0.001, momentum=None, affine=False, bias=False, track_running_stats=False)",
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, track_running_stats=True)",
        "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)",
        "LayerNorm((3, 4), eps=1e-05, elementwise_affine=False, bias=False)",
        "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=False)",
        "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)",
        "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.BatchNorm1d(3)(ferrograd.ones(2, 3, 4, 5)), ValueError, "expected 2D or 3D input (got 4D input)"),
        (lambda: nn.BatchNorm2d(3)(ferrograd.ones(2, 3, 4)), ValueError, "expected 4D input (got 3D input)"),
        (lambda: nn.BatchNorm1d(3)(ferrograd.ones(1, 3)), ValueError,
         "Expected more than 1 value per channel when training, got input size ferrograd.Size([1, 3])"),
        (lambda: nn.BatchNorm1d(4)(ferrograd.ones(2, 3)), RuntimeError, "running_mean should contain 3 elements not 4"),
        (lambda: nn.LayerNorm(4)(ferrograd.ones(2, 3)), RuntimeError,
         "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]"),
        (lambda: nn.GroupNorm(3, 4), ValueError, "num_channels (4) must be divisible by num_groups (3)"),
        (lambda: nn.GroupNorm(2, 4)(ferrograd.ones(2, 6, 4)), RuntimeError,
         "Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape "
         "[4] and input of shape [2, 6, 4]"),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
