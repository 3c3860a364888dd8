"""Backward through a 100,000-op chain: the engine's per-node cost, and proof that deep
graphs need neither recursion nor quadratic bookkeeping.

The chain is built in ``setup`` (asv calls it before every repeat), so the time is the
backward pass alone; ``number = 1`` and no warm-up because a graph can be walked once.
"""

from __future__ import annotations

from typing import Any

from .libraries import LIBRARIES, load

CHAIN = 100_000


class DeepChainBackward:
    params = [[lib for lib in LIBRARIES if lib != "numpy"]]
    param_names = ["library"]
    number = 1
    repeat = 3
    warmup_time = 0.0
    timeout = 120

    def setup(self, library: str) -> None:
        lib = load(library)
        x = lib.ones(4, requires_grad=True)
        y = x
        for _ in range(CHAIN):
            y = y * 1.0001
        self.loss: Any = y.sum()

    def time_backward(self, library: str) -> None:
        self.loss.backward()
