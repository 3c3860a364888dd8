"""The GPU suite (issue 5): ferrograd on WebGPU beside PyTorch on CUDA.

Matmul throughput at 1024, 2048 and 4096, elementwise memory bandwidth, the host's cost per
dispatched op, one MLP training step and one digits training epoch. Each case measures itself with
``gpu_workloads.seconds_per_step`` (synchronizing so the time covers the GPU's work) and
reports a rate through an asv ``track_`` benchmark. Cases skip where the library or its GPU
is missing: no WebGPU adapter for ferrograd, no CUDA for PyTorch.

``benchmarks/gpu_report.py`` runs the same workloads without asv and prints a table.
"""

from __future__ import annotations

from .gpu_workloads import (
    DigitsEpochWorkload,
    ElementwiseWorkload,
    MatmulWorkload,
    MlpStepWorkload,
    OpChainWorkload,
    open_gpu,
    seconds_per_step,
)

GPU_LIBRARIES = ["ferrograd", "torch"]


class GpuMatmul:
    params = [GPU_LIBRARIES, [1024, 2048, 4096]]
    param_names = ["library", "n"]
    timeout = 600  # a CPU adapter (lavapipe) takes minutes at 4096

    def setup(self, library: str, n: int) -> None:
        self.gpu = open_gpu(library)
        self.work = MatmulWorkload(self.gpu, n)

    def track_float32_gflops(self, library: str, n: int) -> float:
        return self.work.rate(seconds_per_step(self.gpu, self.work.step))

    track_float32_gflops.unit = "GFLOP/s"


class GpuElementwise:
    """64M elements where the adapter binds 256 MiB; 16M everywhere."""

    params = [GPU_LIBRARIES, ["add", "copy"], [2**24, 2**26]]
    param_names = ["library", "op", "numel"]
    timeout = 300

    def setup(self, library: str, op: str, numel: int) -> None:
        self.gpu = open_gpu(library)
        self.work = ElementwiseWorkload(self.gpu, op, numel)

    def track_bandwidth(self, library: str, op: str, numel: int) -> float:
        return self.work.rate(seconds_per_step(self.gpu, self.work.step))

    track_bandwidth.unit = "GB/s"


class GpuDispatchOverhead:
    params = [GPU_LIBRARIES]
    param_names = ["library"]

    def setup(self, library: str) -> None:
        self.gpu = open_gpu(library)
        self.work = OpChainWorkload(self.gpu)

    def track_us_per_op(self, library: str) -> float:
        return self.work.rate(seconds_per_step(self.gpu, self.work.step))

    track_us_per_op.unit = "µs"


class GpuMlpTrainingStep:
    params = [GPU_LIBRARIES]
    param_names = ["library"]
    timeout = 300

    def setup(self, library: str) -> None:
        self.gpu = open_gpu(library)
        self.work = MlpStepWorkload(self.gpu)

    def track_ms_per_step(self, library: str) -> float:
        return self.work.rate(seconds_per_step(self.gpu, self.work.step))

    track_ms_per_step.unit = "ms"


class GpuDigitsEpoch:
    params = [GPU_LIBRARIES]
    param_names = ["library"]
    timeout = 300

    def setup(self, library: str) -> None:
        self.gpu = open_gpu(library)
        self.work = DigitsEpochWorkload(self.gpu)

    def track_ms_per_epoch(self, library: str) -> float:
        return self.work.rate(seconds_per_step(self.gpu, self.work.step))

    track_ms_per_epoch.unit = "ms"
