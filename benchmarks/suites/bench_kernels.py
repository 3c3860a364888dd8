"""Large CPU kernels, forward and forward + backward: where BLAS-class code decides.

Every case runs the same code on ferrograd and PyTorch (``lib`` is either module). The
NumPy baseline is the forward pass plus a hand-written backward pass; conv2d has none.
Gradients are reset to ``None`` before each backward, as ``zero_grad()`` does.
"""

from __future__ import annotations

import numpy as np

from .libraries import LIBRARIES, from_numpy, load, random

ELEMENTS = 1 << 22  # the 4M-element chain


class Matmul:
    """``(a @ b).sum()`` for square float32 matrices; the backward is two more GEMMs."""

    params = [LIBRARIES, [256, 1024, 2048], [False, True]]
    param_names = ["library", "n", "grad"]
    timeout = 120

    def setup(self, library: str, n: int, grad: bool) -> None:
        self.lib = load(library)
        self.a = from_numpy(self.lib, random((n, n), 1), grad)
        self.b = from_numpy(self.lib, random((n, n), 2), grad)

    def time_matmul(self, library: str, n: int, grad: bool) -> None:
        a, b = self.a, self.b
        if library == "numpy":
            out = a @ b
            if grad:
                g = np.ones_like(out)
                g @ b.T, a.T @ g  # noqa: B018 (the gradients of a and b)
            return
        if not grad:
            a @ b
            return
        a.grad = b.grad = None
        (a @ b).sum().backward()


class ElementwiseChain:
    """``((x * w + 1).relu() * x).sum()`` over 4M float32 elements."""

    params = [LIBRARIES, [False, True]]
    param_names = ["library", "grad"]

    def setup(self, library: str, grad: bool) -> None:
        self.lib = load(library)
        self.x = from_numpy(self.lib, random((ELEMENTS,), 1), grad)
        self.w = from_numpy(self.lib, random((ELEMENTS,), 2), grad)

    def time_chain(self, library: str, grad: bool) -> None:
        x, w = self.x, self.w
        if library == "numpy":
            h = x * w + 1
            r = np.maximum(h, 0)
            (r * x).sum()
            if grad:
                # d/dx = r + x * w * [h > 0]; d/dw = x * x * [h > 0]
                gh = np.where(h > 0, x, 0)
                r + gh * w, gh * x  # noqa: B018
            return
        y = (x * w + 1).relu() * x
        if not grad:
            y.sum()
            return
        x.grad = w.grad = None
        y.sum().backward()


class LogSoftmax:
    """``log_softmax`` over the rows of a 4096x1024 float32 matrix; the backward gets a
    fixed upstream gradient."""

    params = [LIBRARIES, [False, True]]
    param_names = ["library", "grad"]

    def setup(self, library: str, grad: bool) -> None:
        self.lib = load(library)
        self.x = from_numpy(self.lib, random((4096, 1024), 1), grad)
        self.g = from_numpy(self.lib, random((4096, 1024), 2))

    def time_log_softmax(self, library: str, grad: bool) -> None:
        x, g = self.x, self.g
        if library == "numpy":
            s = x - x.max(axis=1, keepdims=True)
            y = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
            if grad:
                g - np.exp(y) * g.sum(axis=1, keepdims=True)  # noqa: B018
            return
        y = self.lib.nn.functional.log_softmax(x, dim=1)
        if grad:
            x.grad = None
            y.backward(g)


CONV_SIZES = {
    # name: (batch, in channels, out channels, kernel, padding, height = width)
    "lenet1": (64, 1, 6, 5, 0, 32),
    "lenet2": (64, 6, 16, 5, 0, 14),
    "resnet": (8, 64, 64, 3, 1, 56),
}


class Conv2d:
    """``conv2d`` (with bias) at LeNet's two layer sizes and a ResNet block's 3x3 layer
    (batch 8, 64 -> 64 channels on 56x56, padding 1: 1.85 GFLOP forward)."""

    params = [[lib for lib in LIBRARIES if lib != "numpy"], list(CONV_SIZES), [False, True]]
    param_names = ["library", "size", "grad"]
    timeout = 120

    def setup(self, library: str, size: str, grad: bool) -> None:
        self.lib = load(library)
        n, c, k, kernel, self.padding, hw = CONV_SIZES[size]
        self.x = from_numpy(self.lib, random((n, c, hw, hw), 1), grad)
        self.w = from_numpy(self.lib, random((k, c, kernel, kernel), 2) * 0.1, grad)
        self.b = from_numpy(self.lib, random((k,), 3), grad)

    def time_conv2d(self, library: str, size: str, grad: bool) -> None:
        y = self.lib.nn.functional.conv2d(self.x, self.w, self.b, padding=self.padding)
        if grad:
            self.x.grad = self.w.grad = self.b.grad = None
            y.sum().backward()
