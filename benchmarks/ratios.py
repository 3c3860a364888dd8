"""The issue-6 target ratios from the asv suites, as the best of several calls per library.

asv reports medians; on a shared machine, PyTorch's and OpenBLAS's spinning worker threads
make its medians swing by several times from run to run. The best time of many calls, the
libraries taking turns, is the steadier figure for a ratio. Run from this folder::

    python ratios.py            # every case
    python ratios.py mlp ew     # some cases

Each case prints ferrograd's, PyTorch's and NumPy's best time and the ratios.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from suites import bench_deep_graph, bench_kernels, bench_overhead, bench_training

ROUNDS = 5
CALLS = 3

CASES: dict[str, tuple[type, list[Any]]] = {
    "chain_grad": (bench_overhead.SmallOpChain, [True]),
    "chain_nograd": (bench_overhead.SmallOpChain, [False]),
    "mlp": (bench_training.MLPStep, []),
    "mm256": (bench_kernels.Matmul, [256, False]),
    "mm256_grad": (bench_kernels.Matmul, [256, True]),
    "mm1024": (bench_kernels.Matmul, [1024, False]),
    "mm1024_grad": (bench_kernels.Matmul, [1024, True]),
    "mm2048": (bench_kernels.Matmul, [2048, False]),
    "mm2048_grad": (bench_kernels.Matmul, [2048, True]),
    "ew": (bench_kernels.ElementwiseChain, [False]),
    "ew_grad": (bench_kernels.ElementwiseChain, [True]),
    "log_softmax": (bench_kernels.LogSoftmax, [False]),
    "log_softmax_grad": (bench_kernels.LogSoftmax, [True]),
    "conv_lenet1": (bench_kernels.Conv2d, ["lenet1", False]),
    "conv_lenet1_grad": (bench_kernels.Conv2d, ["lenet1", True]),
    "conv_lenet2": (bench_kernels.Conv2d, ["lenet2", False]),
    "conv_lenet2_grad": (bench_kernels.Conv2d, ["lenet2", True]),
    "conv_resnet": (bench_kernels.Conv2d, ["resnet", False]),
    "conv_resnet_grad": (bench_kernels.Conv2d, ["resnet", True]),
    "deep_backward": (bench_deep_graph.DeepChainBackward, []),
    "digits_epoch": (bench_training.DigitsEpoch, []),
}


LIBRARIES = ("ferrograd", "torch", "numpy")


def best_times(suite: type, rest: list[Any]) -> dict[str, float | None]:
    """Per library, the best of ``ROUNDS * CALLS`` calls, the libraries taking turns round
    by round (one call per fresh ``setup`` for suites that set ``number = 1``); ``None``
    where the suite skips the library."""
    once = getattr(suite, "number", 0) == 1
    benches = {lib: suite() for lib in LIBRARIES if lib in suite.params[0]}
    times: dict[str, list[float]] = {lib: [] for lib in benches}
    for _ in range(ROUNDS):
        for lib, bench in list(benches.items()):
            args = [lib, *rest]
            try:
                bench.setup(*args)
            except NotImplementedError:
                del benches[lib]
                continue
            method = getattr(bench, next(m for m in dir(suite) if m.startswith("time_")))
            if not once:
                method(*args)  # warm-up: pools, caches, lazy initialisation
            for _ in range(1 if once else CALLS):
                start = time.perf_counter()
                method(*args)
                times[lib].append(time.perf_counter() - start)
    return {lib: min(times[lib]) if lib in benches else None for lib in LIBRARIES}


def _ms(t: float | None) -> str:
    return "n/a" if t is None else f"{t * 1e3:.3f} ms"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None else f"{a / b:.2f}"


def main(names: list[str]) -> None:
    for name, (suite, rest) in CASES.items():
        if names and name not in names:
            continue
        best = best_times(suite, rest)
        fg, torch, np = best["ferrograd"], best["torch"], best["numpy"]

        print(
            f"{name:18s} ferrograd {_ms(fg):>12s}  torch {_ms(torch):>12s}  numpy {_ms(np):>12s}"
            f"  fg/torch {_ratio(fg, torch):>5s}  fg/numpy {_ratio(fg, np):>5s}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
