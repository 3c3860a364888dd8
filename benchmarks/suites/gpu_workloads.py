"""GPU workloads and how they are timed, shared by the asv suite ``bench_webgpu.py`` and the
standalone ``benchmarks/gpu_report.py``: ferrograd on WebGPU beside PyTorch on CUDA.

The same code runs on both libraries (ferrograd's API is PyTorch's). GPU work is queued and
runs asynchronously, so every timing synchronizes before it starts and after the last step:
the time covers the work, not just its recording.

>>> gpu = open_gpu("ferrograd")  # doctest: +SKIP
>>> work = MatmulWorkload(gpu, 1024)  # doctest: +SKIP
>>> work.rate(seconds_per_step(gpu, work.step))  # GFLOP/s  # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from .libraries import load

# What each library runs on, as the table names it.
BACKENDS = {"ferrograd": "WebGPU", "torch": "CUDA"}


@dataclass
class Gpu:
    """One library on its GPU."""

    library: str
    lib: ModuleType
    device: str
    synchronize: Callable[[], None]
    #: The adapter's or card's name, e.g. ``NVIDIA H100 80GB HBM3``.
    name: str
    #: The largest tensor, in bytes, one kernel can bind (WebGPU's storage binding limit).
    max_tensor_bytes: int | None

    def randn(self, *shape: int) -> Any:
        return self.lib.randn(*shape, device=self.device)


def open_gpu(library: str) -> Gpu:
    """ferrograd on its WebGPU adapter or PyTorch on CUDA; ``NotImplementedError`` (asv's
    "skip") when the library or its GPU is missing."""
    lib = load(library)
    if library == "ferrograd":
        if not lib.webgpu.is_available():
            raise NotImplementedError("no WebGPU adapter on this machine")
        limits = lib.webgpu.wgpu_device().limits
        return Gpu(
            library,
            lib,
            "webgpu",
            lib.webgpu.synchronize,
            lib.webgpu.device_name(),
            int(limits["max-storage-buffer-binding-size"]),
        )
    if library == "torch":
        if not lib.cuda.is_available():
            raise NotImplementedError("PyTorch has no CUDA device here")
        return Gpu(library, lib, "cuda", lib.cuda.synchronize, lib.cuda.get_device_name(), None)
    raise NotImplementedError(f"no GPU backend for {library}")


def _timed(step: Callable[[], None], synchronize: Callable[[], None], count: int) -> float:
    synchronize()
    start = time.perf_counter()
    for _ in range(count):
        step()
    synchronize()
    return time.perf_counter() - start


def seconds_per_step(gpu: Gpu, step: Callable[[], None], min_time: float = 0.2, rounds: int = 3) -> float:
    """Seconds one ``step()`` takes on ``gpu``, work included: the best of ``rounds`` timings
    of enough steps to last ``min_time``, after one warm-up step (which compiles kernels
    and fills the allocator's cache). A step far longer than ``min_time`` (a CPU adapter)
    is timed once."""
    step()
    gpu.synchronize()
    count = 1
    elapsed = _timed(step, gpu.synchronize, count)
    while elapsed < min_time:
        count = max(2 * count, int(count * 1.2 * min_time / max(elapsed, 1e-9)))
        elapsed = _timed(step, gpu.synchronize, count)
    best = elapsed / count
    if elapsed > 20 * min_time:
        return best
    for _ in range(rounds - 1):
        best = min(best, _timed(step, gpu.synchronize, count) / count)
    return best


class MatmulWorkload:
    """``a @ b`` for float32 ``n`` x ``n`` matrices; rate in GFLOP/s (2 n^3 flops)."""

    unit = "GFLOP/s"

    def __init__(self, gpu: Gpu, n: int) -> None:
        self.n = n
        self.a, self.b = gpu.randn(n, n), gpu.randn(n, n)

    def step(self) -> None:
        self.out = self.a @ self.b

    def rate(self, seconds: float) -> float:
        return 2 * self.n**3 / seconds / 1e9


class ElementwiseWorkload:
    """A float32 ``add`` (two reads, one write) or ``copy`` (one read, one write) over
    ``numel`` elements; rate in GB/s of memory traffic."""

    unit = "GB/s"
    STREAMS = {"add": 3, "copy": 2}

    def __init__(self, gpu: Gpu, op: str, numel: int) -> None:
        if gpu.max_tensor_bytes is not None and 4 * numel > gpu.max_tensor_bytes:
            raise NotImplementedError(
                f"{numel} float32 elements exceed this adapter's binding limit ({gpu.max_tensor_bytes} bytes)"
            )
        self.op, self.numel = op, numel
        self.a, self.b = gpu.randn(numel), gpu.randn(numel)
        self.out = gpu.randn(numel)

    def step(self) -> None:
        if self.op == "add":
            self.out = self.a + self.b
        else:
            self.out.copy_(self.a)

    def rate(self, seconds: float) -> float:
        return self.STREAMS[self.op] * 4 * self.numel / seconds / 1e9


class OpChainWorkload:
    """``length`` dependent multiplications of a 4-element tensor, synchronized at the end:
    with so little work per op, the time per op is the host's cost to dispatch one."""

    unit = "µs"

    def __init__(self, gpu: Gpu, length: int = 1000) -> None:
        self.length = length
        self.x = gpu.randn(4)

    def step(self) -> None:
        y = self.x
        for _ in range(self.length):
            y = y * 1.0001
        self.out = y

    def rate(self, seconds: float) -> float:
        return seconds / self.length * 1e6


class MlpStepWorkload:
    """One SGD training step of a 784-512-256-10 ReLU network on a batch of 128: forward,
    ``binary_cross_entropy_with_logits`` against one-hot labels, backward, and manual
    updates (no ``nn``/``optim``); time in ms."""

    unit = "ms"
    SIZES = (784, 512, 256, 10)

    def __init__(self, gpu: Gpu, batch: int = 128, lr: float = 0.01) -> None:
        lib = gpu.lib
        self.lib, self.lr = lib, lr
        self.params = []
        for fan_in, fan_out in zip(self.SIZES[:-1], self.SIZES[1:]):
            weight = (gpu.randn(fan_in, fan_out) * fan_in**-0.5).requires_grad_(True)
            bias = (gpu.randn(fan_out) * 0.0).requires_grad_(True)
            self.params += [weight, bias]
        self.x = gpu.randn(batch, self.SIZES[0])
        labels = lib.randint(0, self.SIZES[-1], (batch,), device=gpu.device)
        self.targets = (labels.unsqueeze(1) == lib.arange(self.SIZES[-1], device=gpu.device)).float()

    def loss(self) -> Any:
        h = self.x
        for i in range(0, len(self.params), 2):
            h = h @ self.params[i] + self.params[i + 1]
            if i + 2 < len(self.params):
                h = h.relu()
        return self.lib.nn.functional.binary_cross_entropy_with_logits(h, self.targets)

    def step(self) -> None:
        self.loss().backward()
        with self.lib.no_grad():
            for p in self.params:
                p -= self.lr * p.grad
                p.grad = None

    def rate(self, seconds: float) -> float:
        return seconds * 1e3


class DigitsEpochWorkload:
    """One training epoch of the CPU suite's digits CNN (``bench_training.DigitsEpochRun``)
    with the data and parameters on the GPU; time in ms."""

    unit = "ms"

    def __init__(self, gpu: Gpu) -> None:
        from .bench_training import DigitsEpochRun

        self.run = DigitsEpochRun(gpu.lib, gpu.device)

    def step(self) -> None:
        self.run.epoch()

    def rate(self, seconds: float) -> float:
        return seconds * 1e3
