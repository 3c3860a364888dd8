"""Training on the GPU: ``Module.to``, the ``*_like`` creation functions optimizers build their
state with, and every optimizer's steps on WebGPU parameters matching the same steps on the
CPU. Skipped (with the reason) where no WebGPU adapter exists."""

import numpy as np
import pytest

import ferrograd
from ferrograd import nn, optim

AVAILABLE = ferrograd.webgpu.is_available()
needs_gpu = pytest.mark.skipif(not AVAILABLE, reason="no WebGPU adapter on this machine")


@pytest.mark.parametrize(
    "make",
    [
        ferrograd.zeros_like,
        ferrograd.ones_like,
        ferrograd.empty_like,
        ferrograd.rand_like,
        ferrograd.randn_like,
        lambda t: ferrograd.full_like(t, 3.0),
    ],
)
def test_like_functions_keep_the_inputs_device(make, device):
    x = ferrograd.ones(2, 3, device=device)
    made = make(x)
    assert made.device == x.device and made.shape == (2, 3) and made.dtype == x.dtype
    assert make(x.cpu()).device.type == "cpu"


@needs_gpu
def test_like_functions_take_an_explicit_device_and_ignore_the_default():
    gpu = ferrograd.ones(2, device="webgpu")
    assert ferrograd.zeros_like(gpu, device="cpu").device.type == "cpu"
    ferrograd.set_default_device("webgpu")
    try:
        assert ferrograd.zeros_like(ferrograd.ones(2, device="cpu")).device.type == "cpu"
    finally:
        ferrograd.set_default_device("cpu")


@needs_gpu
def test_module_to_moves_parameters_and_grads_in_place():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    net(ferrograd.ones(5, 3)).sum().backward()
    params = list(net.parameters())
    grads = [p.grad.numpy().copy() for p in params]
    assert net.to("webgpu") is net
    assert [p for p in net.parameters()] == params  # the same Parameter objects
    for p, g in zip(net.parameters(), grads):
        assert type(p) is nn.Parameter and p.requires_grad and p.device.type == "webgpu"
        assert p.grad.device.type == "webgpu"
        np.testing.assert_array_equal(p.grad.cpu().numpy(), g)
    out = net(ferrograd.ones(5, 3, device="webgpu"))
    assert out.device.type == "webgpu" and out.shape == (5, 2)
    net.cpu()
    assert all(p.device.type == "cpu" and p.grad.device.type == "cpu" for p in net.parameters())


def train(device: str, make_optimizer, steps: int = 15):
    """A small regression trained on ``device``: the losses, the final weights, the optimizer."""
    ferrograd.manual_seed(0)
    net = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 3)).to(device)
    opt = make_optimizer(net.parameters())
    x = ferrograd.linspace(-1, 1, 40, device=device).reshape(5, 8)
    y = x[:, :3].sin()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = (net(x) - y).square().mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().cpu().numpy() for p in net.parameters()], opt


@needs_gpu
@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
        lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1),
        lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5),
        lambda ps: optim.Adagrad(ps, lr=0.1),
    ],
    ids=["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"],
)
def test_optimizers_step_on_the_gpu_like_on_the_cpu(make_optimizer):
    cpu_losses, cpu_params, _ = train("cpu", make_optimizer)
    gpu_losses, gpu_params, opt = train("webgpu", make_optimizer)
    assert gpu_losses[-1] < 0.5 * gpu_losses[0]
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-4, atol=1e-6)
    for g, c in zip(gpu_params, cpu_params):
        np.testing.assert_allclose(g, c, rtol=1e-4, atol=1e-5)
    for p in opt.param_groups[0]["params"]:
        assert p.grad is None or p.grad.device.type == "webgpu"
        for name, value in opt.state[p].items():
            if isinstance(value, ferrograd.Tensor) and name != "step":  # PyTorch keeps step on the CPU
                assert value.device.type == "webgpu", name
