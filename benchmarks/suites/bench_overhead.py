"""Host cost per op on tiny tensors: what a Rust core must win.

A chain of 1,000 multiplications on a 4-element tensor, with autograd (forward, then
backward through the whole chain) and without. Divide a time by 1,000 for the cost of one op.
"""

from __future__ import annotations

from .libraries import LIBRARIES, load

CHAIN = 1000


class SmallOpChain:
    params = [LIBRARIES, [True, False]]
    param_names = ["library", "grad"]

    def setup(self, library: str, grad: bool) -> None:
        lib = load(library)
        if library == "numpy":
            if grad:
                raise NotImplementedError("NumPy has no autograd")
            self.x = lib.ones(4, dtype=lib.float32)
        else:
            self.x = lib.ones(4, requires_grad=grad)
        self.grad = grad

    def time_chain(self, library: str, grad: bool) -> None:
        y = self.x
        for _ in range(CHAIN):
            y = y * 1.0001
        if self.grad:
            y.sum().backward()


class SmallBinaryOps:
    """Two-tensor ops (add, mul, sub, div) on 16-element tensors, without autograd."""

    params = [LIBRARIES]
    param_names = ["library"]

    def setup(self, library: str) -> None:
        lib = load(library)
        self.a = lib.ones(16) if library != "numpy" else lib.ones(16, dtype=lib.float32)
        self.b = self.a + 1

    def time_four_ops_250_times(self, library: str) -> None:
        a, b = self.a, self.b
        for _ in range(250):
            c = a + b
            c = c * b
            c = c - a
            c = c / b
