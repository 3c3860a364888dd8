"""Ops with WGSL kernels run on the GPU, forward and backward: each case computes on WebGPU
tensors, checks that no operand was copied to the host to run a CPU kernel there (the
extension counts such copies), and compares the results and gradients with the CPU's.
Skipped (with the reason) where no WebGPU adapter exists."""

from collections.abc import Callable

import numpy as np
import pytest

import ferrograd
import ferrograd.nn.functional as F
from ferrograd import _core

pytestmark = pytest.mark.skipif(not ferrograd.webgpu.is_available(), reason="no WebGPU adapter on this machine")

RNG = np.random.default_rng(7)


def floats(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def targets(n: int, classes: int) -> np.ndarray:
    return RNG.integers(0, classes, size=n)


# name -> (op on ferrograd tensors, its float inputs, its other (non-differentiable) inputs)
CASES: dict[str, tuple[Callable[..., ferrograd.Tensor], list[np.ndarray], list[np.ndarray]]] = {
    "exp_log1p_erf": (lambda x: x.exp().sum() + x.abs().log1p() * x.erf(), [floats(5, 4)], []),
    "atan2_fmod_pow": (lambda a, b: a.atan2(b) + a.fmod(1.5) + a.abs().pow(b), [floats(3, 4), floats(3, 4)], []),
    "clamp_where": (lambda x: x.clamp(-0.5, 0.7) * ferrograd.isnan(x).logical_not(), [floats(6)], []),
    "activations": (
        lambda x: F.gelu(x) + F.silu(x) + F.mish(x) + F.softplus(x) + F.elu(x) + F.leaky_relu(x) + F.hardswish(x),
        [floats(4, 5)],
        [],
    ),
    "reductions": (
        lambda x: x.std(dim=1) + x.amax(dim=0).sum() + x.logsumexp(dim=1) + x.prod(dim=1),
        [floats(3, 4)],
        [],
    ),
    "fused": (
        lambda a, b: ferrograd.lerp(a, b, 0.3) + ferrograd.addcmul(a, a, b, value=0.5),
        [floats(4), floats(4)],
        [],
    ),
    "softmax": (lambda x: F.softmax(x, dim=1) * F.log_softmax(x, dim=0), [floats(3, 5)], []),
    "conv2d_groups": (
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=1, groups=2),
        [floats(2, 4, 7, 6), floats(6, 2, 3, 3), floats(6)],
        [],
    ),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1), [floats(2, 3, 7, 6)], []),
    "avg_pool2d": (
        lambda x: (
            F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            + 0 * F.adaptive_avg_pool2d(x, 4)[..., :4, :3]
        ),
        [floats(2, 3, 7, 6)],
        [],
    ),
    "embedding": (lambda w, i: F.embedding(i, w), [floats(10, 3)], [np.array([[1, 4, 4], [9, 0, 1]])]),
    "cross_entropy": (
        lambda x, t: F.cross_entropy(x, t, ignore_index=2),
        [floats(6, 5)],
        [targets(6, 5)],
    ),
    "nll_loss_weighted": (
        lambda x, t, w: F.nll_loss(F.log_softmax(x, dim=1), t, weight=w),
        [floats(6, 4)],
        [targets(6, 4), np.array([0.5, 1.0, 2.0, 0.25], dtype=np.float32)],
    ),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (3, 5), w, b), [floats(4, 3, 5), floats(3, 5), floats(3, 5)], []),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), [floats(3, 4, 5), floats(4), floats(4)], []),
    "batch_norm": (
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        [floats(6, 3, 2), floats(3), floats(3)],
        [],
    ),
    "batch_norm_eval": (
        lambda x, m, v: F.batch_norm(x, m, v, training=False),
        [floats(5, 3)],
        [floats(3), np.abs(floats(3)) + 0.5],
    ),
    "pad": (
        lambda x: (
            F.pad(x, (2, 1, 1, 2), mode="reflect")
            + F.pad(x, (2, 1, 1, 2), mode="replicate")
            + F.pad(x, (2, 1, 1, 2), mode="circular")
            + F.pad(x, (2, 1, 1, 2), value=0.5)
        ),
        [floats(2, 3, 4)],
        [],
    ),
    "pad_crop": (lambda x: F.pad(x, (-1, 2), mode="constant"), [floats(3, 4)], []),
    "cumsum_cumprod": (lambda x: x.cumsum(1) + x.cumprod(0) + x.flip(1).cumsum(1), [floats(3, 5)], []),
    "sort_topk": (
        lambda x: x.sort(dim=1, descending=True).values + x.sort(dim=0).values[:1] + x.topk(2, dim=1).values.sum(),
        [floats(4, 6)],
        [],
    ),
    "median": (lambda x: x.median(dim=1).values + x.median(), [floats(3, 6)], []),
    "gather": (lambda x, i: x.gather(1, i), [floats(3, 5)], [np.array([[0, 4], [2, 2], [1, 0]])]),
    "advanced_indexing": (lambda x, i: x[i] * x[i, 1:2], [floats(6, 3)], [np.array([0, 5, 5, 2, 0])]),
    "scatter_add": (
        lambda x, s, i: x.scatter_add(0, i, s),
        [floats(3, 4), floats(2, 4)],
        [np.array([[0, 1, 2, 0], [2, 2, 1, 0]])],
    ),
    "flip_roll_index_select": (
        lambda x, i: x.flip(0) + x.roll(1, 1) + x.index_select(1, i),
        [floats(4, 3)],
        [np.array([2, 0, 2])],
    ),
}


def run(case: str, device: str) -> tuple[np.ndarray, list[np.ndarray]]:
    fn, diff, other = CASES[case]
    xs = [ferrograd.tensor(a, device=device, requires_grad=True) for a in diff]
    rest = [ferrograd.tensor(a, device=device) for a in other]
    out = fn(*xs, *rest)
    out.sum().backward()
    return out.detach().cpu().numpy(), [x.grad.cpu().numpy() for x in xs]


@pytest.mark.parametrize("case", sorted(CASES))
def test_runs_on_the_gpu_and_matches_the_cpu(case):
    expected, expected_grads = run(case, "cpu")
    before = _core._host_fallbacks()
    got, grads = run(case, "webgpu")
    assert _core._host_fallbacks() == before, f"{case} copied operands to the host"
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    for g, e in zip(grads, expected_grads, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


def test_dropout_masks_are_drawn_on_the_gpu():
    x = ferrograd.ones(10_000, device="webgpu", requires_grad=True)
    before = _core._host_fallbacks()
    y = F.dropout(x, p=0.25)
    y.sum().backward()
    assert _core._host_fallbacks() == before
    values = y.detach().cpu().numpy()
    assert set(np.unique(values)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((values == 0).mean() - 0.25) < 0.03
    np.testing.assert_array_equal(x.grad.cpu().numpy(), values)


def test_index_put_on_a_strided_view_keeps_the_last_write_and_adds_repeats():
    for device in ("cpu", "webgpu"):
        base = ferrograd.zeros(4, 6, device=device)
        view = base[:, ::2]
        index = ferrograd.tensor([2, 0, 2], device=device)
        view[index] = ferrograd.tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]], device=device)
        view.index_put_((index,), ferrograd.ones(3, 3, device=device), accumulate=True)
        result = base.cpu().numpy()
        expected = np.zeros((4, 6), dtype=np.float32)
        expected[2, ::2] = [9, 10, 11]
        expected[0, ::2] = [5, 6, 7]
        np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0])
def test_embedding_max_norm_renormalizes_the_rows_in_place(norm_type):
    weight = floats(6, 4) * 3
    index = np.array([[0, 2], [2, 5]])
    results = []
    for device in ("cpu", "webgpu"):
        w = ferrograd.tensor(weight, device=device)
        before = _core._host_fallbacks()
        out = F.embedding(ferrograd.tensor(index, device=device), w, max_norm=1.5, norm_type=norm_type)
        assert device == "cpu" or _core._host_fallbacks() == before
        results.append((out.cpu().numpy(), w.cpu().numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(results[0][1], weight)


def test_sort_is_stable_puts_nan_last_and_gives_positions():
    values = [2.0, float("nan"), 1.0, 2.0, -1.0, 1.0]
    for descending in (False, True):
        cpu = ferrograd.tensor(values).sort(descending=descending, stable=True)
        gpu = ferrograd.tensor(values, device="webgpu").sort(descending=descending, stable=True)
        np.testing.assert_array_equal(gpu.values.cpu().numpy(), cpu.values.numpy())
        np.testing.assert_array_equal(gpu.indices.cpu().numpy(), cpu.indices.numpy())
    np.testing.assert_array_equal(
        ferrograd.tensor([[1.0, float("nan"), 0.0], [3.0, 1.0, 2.0]], device="webgpu")
        .median(dim=1)
        .indices.cpu()
        .numpy(),
        [1, 2],
    )
    ints = ferrograd.tensor([[3, 1, 3], [0, -2, 5]], device="webgpu").sort(dim=1)
    np.testing.assert_array_equal(ints.values.cpu().numpy(), [[1, 3, 3], [-2, 0, 5]])
    np.testing.assert_array_equal(ints.indices.cpu().numpy(), [[1, 0, 2], [1, 0, 2]])


def test_the_counter_sees_ops_still_on_the_host():
    before = _core._host_fallbacks()
    ferrograd.tensor([3.0, 0.0, 2.0], device="webgpu").nonzero()
    assert _core._host_fallbacks() > before


def test_a_convolutional_training_step_stays_on_the_gpu():
    from ferrograd import nn, optim

    ferrograd.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(4 * 4 * 4, 10),
        nn.LogSoftmax(dim=1),
    ).to("webgpu")
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    x = ferrograd.tensor(floats(8, 1, 8, 8), device="webgpu")
    y = ferrograd.tensor(targets(8, 10), device="webgpu")
    before = _core._host_fallbacks()
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert _core._host_fallbacks() == before
    assert all(p.grad.device.type == "webgpu" for p in model.parameters())
    assert losses[-1] < losses[0]
