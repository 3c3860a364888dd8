"""Training steps: the per-op overhead and the big kernels together.

A 784-512-256-10 MLP step at batch 128 (forward, cross-entropy, backward, SGD), and one
epoch of a small CNN over the digits (1,797 8x8 images, batches of 64). The models are
written out here with ``nn.functional`` so the same code runs on ferrograd and PyTorch;
NumPy's MLP baseline is the same step with a hand-written backward pass.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np

from .libraries import LIBRARIES, from_numpy, load, random

MLP_SIZES = [784, 512, 256, 10]
BATCH = 128
LR = 0.01


def _layers(sizes: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight, bias) per linear layer, scaled like PyTorch's default initialisation."""
    return [
        (random((n_out, n_in), 2 * i) / math.sqrt(n_in), random((n_out,), 2 * i + 1) / math.sqrt(n_in))
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))
    ]


class MLPStep:
    """One SGD step of a 784-512-256-10 ReLU MLP on a batch of 128."""

    params = [LIBRARIES]
    param_names = ["library"]

    def setup(self, library: str) -> None:
        self.lib = load(library)
        self.x = from_numpy(self.lib, random((BATCH, MLP_SIZES[0]), 100))
        labels = np.random.default_rng(101).integers(0, MLP_SIZES[-1], BATCH)
        self.y = labels if library == "numpy" else self.lib.from_numpy(labels)
        self.params = [from_numpy(self.lib, p, True) for layer in _layers(MLP_SIZES) for p in layer]
        if library != "numpy":
            self.optimizer = self.lib.optim.SGD(self.params, lr=LR)

    def time_step(self, library: str) -> None:
        if library == "numpy":
            _numpy_mlp_step(self.params, self.x, self.y)
            return
        F = self.lib.nn.functional
        h = self.x
        weights = self.params
        for i in range(0, len(weights), 2):
            h = F.linear(h, weights[i], weights[i + 1])
            if i + 2 < len(weights):
                h = F.relu(h)
        loss = F.cross_entropy(h, self.y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


def _numpy_mlp_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
    """The MLP step in NumPy: forward, softmax cross-entropy, backward, SGD in place."""
    inputs = [x]
    for i in range(0, len(params), 2):
        h = inputs[-1] @ params[i].T + params[i + 1]
        inputs.append(np.maximum(h, 0) if i + 2 < len(params) else h)
    logits = inputs.pop()
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    g = p / len(y)
    for i in range(len(params) - 2, -1, -2):
        h = inputs[i // 2]
        gw, gb = g.T @ h, g.sum(axis=0)
        if i:
            g = (g @ params[i]) * (h > 0)
        params[i] -= LR * gw
        params[i + 1] -= LR * gb


class DigitsEpochRun:
    """One epoch of a small CNN (conv 1->8 3x3, ReLU, 2x2 max-pool, linear 128->10) over the
    digits in batches of 64, with SGD, on ``device`` (also used by the GPU suite)."""

    def __init__(self, lib: ModuleType, device: str = "cpu") -> None:
        self.lib = lib
        images, labels = load("ferrograd.datasets").load_digits()
        images = images.numpy()[:, None] / 16.0
        self.batches = [
            (from_numpy(lib, images[i : i + 64]).to(device), lib.from_numpy(labels.numpy()[i : i + 64]).to(device))
            for i in range(0, len(images), 64)
        ]
        initial = [random((8, 1, 3, 3), 1) / 3, np.zeros(8, np.float32)]
        initial += [random((10, 128), 2) / math.sqrt(128), np.zeros(10, np.float32)]
        self.params = [from_numpy(lib, a).to(device).requires_grad_() for a in initial]
        self.optimizer = lib.optim.SGD(self.params, lr=0.05)

    def epoch(self) -> None:
        F = self.lib.nn.functional
        conv_w, conv_b, fc_w, fc_b = self.params
        for x, y in self.batches:
            h = F.max_pool2d(F.relu(F.conv2d(x, conv_w, conv_b, padding=1)), 2)
            loss = F.cross_entropy(F.linear(h.flatten(1), fc_w, fc_b), y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()


class DigitsEpoch:
    """:class:`DigitsEpochRun` on the CPU."""

    params = [[lib for lib in LIBRARIES if lib != "numpy"]]
    param_names = ["library"]
    timeout = 120

    def setup(self, library: str) -> None:
        self.run = DigitsEpochRun(load(library))

    def time_epoch(self, library: str) -> None:
        self.run.epoch()
