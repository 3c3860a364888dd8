"""Memory and depth: graphs are freed as soon as nothing holds them, forward passes that never
call backward do not pile up, and a chain a million ops deep can be run backward and freed
without touching the stack. ``ferrograd._core._live_nodes()`` counts graph nodes alive in
the process.
"""

from __future__ import annotations

import gc

import pytest

import ferrograd

live_nodes = ferrograd._core._live_nodes


def rss_kib() -> int | None:
    """Resident memory of this process in KiB (Linux), else None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


@pytest.fixture(autouse=True)
def _collected():
    gc.collect()
    yield


def test_a_dropped_output_frees_its_graph():
    base = live_nodes()
    x = ferrograd.ones(3, requires_grad=True)
    y = ((x * 2).exp() + 1).sum()
    assert live_nodes() == base + 5  # Mul, Exp, Add, Sum and x's AccumulateGrad
    del y
    assert live_nodes() == base


def test_graph_is_freed_after_backward_and_drop():
    base = live_nodes()
    x = ferrograd.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert live_nodes() > base  # y still holds it
    del y
    assert live_nodes() == base
    assert x.grad.tolist() == [4.0, 4.0, 4.0]


def test_shared_subgraph_lives_while_any_output_does():
    base = live_nodes()
    x = ferrograd.ones(2, requires_grad=True)
    h = x * 3
    a, b = h.sum(), h.exp()
    del h
    del a
    assert live_nodes() == base + 3  # Mul, Exp, AccumulateGrad
    b.sum().backward()
    del b
    assert live_nodes() == base


def test_no_grad_records_nothing():
    base = live_nodes()
    x = ferrograd.ones(2, requires_grad=True)
    with ferrograd.no_grad():
        y = ((x * 2).exp() + 1).sum()
    assert live_nodes() == base and y.grad_fn is None


def test_forward_passes_without_backward_keep_memory_flat():
    w = ferrograd.ones(8, requires_grad=True)
    x = ferrograd.ones(8)
    for _ in range(10_000):  # warm up allocator caches
        loss = ((w * x + 1).relu() * w).sum()
    nodes, rss = live_nodes(), rss_kib()
    for _ in range(100_000):
        loss = ((w * x + 1).relu() * w).sum()
    assert live_nodes() == nodes
    if rss is not None:
        assert rss_kib() - rss < 8 * 1024, "RSS grew by more than 8 MiB over 100,000 forward passes"
    del loss


def test_a_million_op_chain_runs_backward_and_frees():
    base = live_nodes()
    x = ferrograd.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    assert live_nodes() == base + 1_000_001
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    del y
    assert live_nodes() == base


def test_a_deep_chain_dropped_without_backward_frees():
    base = live_nodes()
    x = ferrograd.tensor([2.0], requires_grad=True)
    y = x
    for _ in range(300_000):
        y = y + 0.0
    assert live_nodes() == base + 300_001
    del y
    assert live_nodes() == base
