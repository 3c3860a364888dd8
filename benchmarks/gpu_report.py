"""The GPU benchmarks in one command, without asv: ferrograd on WebGPU beside PyTorch on CUDA
(where PyTorch and a CUDA device are present), printed as a markdown table for
``benchmarks/RESULTS.md`` with the machine, the devices and the ratios.

    python benchmarks/gpu_report.py                  # the full set (minutes on a GPU)
    python benchmarks/gpu_report.py --quick          # small sizes: a smoke test
    python benchmarks/gpu_report.py --peak-gbps 3350 # also show bandwidth as % of peak

The workloads and their timing are those of the asv suite (``suites/gpu_workloads.py``).
Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suites.gpu_workloads import (  # noqa: E402
    BACKENDS,
    DigitsEpochWorkload,
    ElementwiseWorkload,
    Gpu,
    MatmulWorkload,
    MlpStepWorkload,
    OpChainWorkload,
    open_gpu,
    seconds_per_step,
)


@dataclass
class Case:
    label: str
    make: Callable[[Gpu], Any]
    #: Issue 5's target, as the table states it.
    target: str = ""


def cases(quick: bool) -> list[Case]:
    sizes = [256, 512] if quick else [1024, 2048, 4096]
    numel = 2**20 if quick else 2**26
    millions = f"{numel / 2**20:.0f}M"
    chain = 100 if quick else 1000
    out = [
        Case(
            f"matmul float32 {n}x{n} (GFLOP/s)",
            lambda gpu, n=n: MatmulWorkload(gpu, n),
            "≥ 25,000 on an H100" if n == 4096 else "",
        )
        for n in sizes
    ]
    out += [
        Case(
            f"{op} float32, {millions} elements (GB/s)",
            lambda gpu, op=op: ElementwiseWorkload(gpu, op, numel),
            "≥ 70% of memory bandwidth",
        )
        for op in ("add", "copy")
    ]
    out.append(
        Case(
            f"host cost per op, {chain} dependent muls on 4 elements (µs)",
            lambda gpu: OpChainWorkload(gpu, chain),
            "≤ 5",
        )
    )
    out.append(
        Case(
            "MLP 784-512-256-10 SGD step, batch 128 (ms)",
            MlpStepWorkload,
            "≤ 2× PyTorch CUDA",
        )
    )
    out.append(Case("digits CNN training epoch, 29 batches of 64 (ms)", DigitsEpochWorkload))
    return out


def measure(gpu: Gpu, case: Case, min_time: float, rounds: int) -> float | str:
    """The case's figure on ``gpu``, or why there is none."""
    try:
        work = case.make(gpu)
        return work.rate(seconds_per_step(gpu, work.step, min_time, rounds))
    except (NotImplementedError, RuntimeError, MemoryError) as e:
        return f"n/a ({str(e).splitlines()[0][:80]})"


def cell(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def describe(gpus: dict[str, Gpu]) -> list[str]:
    """Lines naming the machine, the libraries and the devices."""
    lines = [
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Command: `python {shlex.join(sys.argv)}`",
        f"- Python {platform.python_version()} on {platform.platform()} ({platform.machine()})",
    ]
    if "ferrograd" in gpus:
        import wgpu

        fg = gpus["ferrograd"].lib
        info = fg.webgpu.wgpu_device().adapter.info
        lines.append(
            f"- ferrograd {fg.__version__} on WebGPU (wgpu {wgpu.__version__}): {info['device']}, "
            f"{info['backend_type']} backend, {info['adapter_type']} adapter, driver {info['description'] or '?'}"
        )
        if info["adapter_type"] == "CPU":
            lines.append(
                "- **Warning: a CPU adapter.** The GPU's Vulkan driver was not found (check the "
                "vendor's ICD in /usr/share/vulkan/icd.d); these figures say nothing about a GPU."
            )
    if "torch" in gpus:
        torch = gpus["torch"].lib
        lines.append(f"- PyTorch {torch.__version__} (CUDA {torch.version.cuda}) on {gpus['torch'].name}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and short timings (a smoke test)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch CUDA baseline")
    parser.add_argument("--peak-gbps", type=float, help="the GPU's memory bandwidth, to show GB/s as a share of it")
    args = parser.parse_args()
    min_time, rounds = (0.05, 1) if args.quick else (0.5, 3)

    gpus: dict[str, Gpu] = {}
    for library in ["ferrograd"] + ([] if args.no_torch else ["torch"]):
        try:
            gpus[library] = open_gpu(library)
        except NotImplementedError as e:
            print(f"{library}: skipped ({e})", file=sys.stderr)
    if "ferrograd" not in gpus:
        sys.exit("no WebGPU adapter: nothing to measure")

    rows = []
    for case in cases(args.quick):
        figures = {}
        for library, gpu in gpus.items():
            print(f"{case.label} [{library}] ...", file=sys.stderr, flush=True)
            figures[library] = measure(gpu, case, min_time, rounds)
        rows.append((case, figures))

    print("## GPU benchmarks (issue 5)\n")
    print("\n".join(describe(gpus)))
    names = [f"{'ferrograd' if lib == 'ferrograd' else 'PyTorch'} ({BACKENDS[lib]})" for lib in gpus]
    header = ["workload", *names]
    if "torch" in gpus:
        header.append("ferrograd / PyTorch")
    header.append("target")
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for case, figures in rows:
        cells = [case.label]
        for library in gpus:
            text = cell(figures[library])
            if args.peak_gbps and "GB/s" in case.label and not isinstance(figures[library], str):
                text += f" ({100 * figures[library] / args.peak_gbps:.0f}% of peak)"
            cells.append(text)
        if "torch" in gpus:
            ours, theirs = figures["ferrograd"], figures["torch"]
            numeric = not isinstance(ours, str) and not isinstance(theirs, str) and theirs > 0
            cells.append(f"{ours / theirs:.2f}" if numeric else "n/a")
        cells.append(case.target)
        print("| " + " | ".join(cells) + " |")
    print(
        "\nRates (GFLOP/s, GB/s): higher is better; times (µs, ms): lower is better. Each figure is "
        "the best of several timed runs, synchronized so that it covers the GPU's work."
    )


if __name__ == "__main__":
    main()
