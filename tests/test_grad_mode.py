"""Grad mode: ``no_grad``, ``enable_grad`` and ``set_grad_enabled`` as context managers and as
decorators (with and without parentheses where PyTorch allows it), ``is_grad_enabled``, and
the mode being per thread.
"""

from __future__ import annotations

import threading

import pytest

import ferrograd


@pytest.fixture
def x() -> ferrograd.Tensor:
    return ferrograd.ones(2, requires_grad=True)


def records(x: ferrograd.Tensor) -> bool:
    return (x * 2).requires_grad


def test_enabled_by_default(x):
    assert ferrograd.is_grad_enabled()
    assert records(x)


def test_no_grad_context(x):
    with ferrograd.no_grad():
        assert not ferrograd.is_grad_enabled()
        y = x * 2
    assert ferrograd.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_no_grad_restores_after_an_exception():
    with pytest.raises(ValueError):
        with ferrograd.no_grad():
            raise ValueError("inside")
    assert ferrograd.is_grad_enabled()


def test_enable_grad_inside_no_grad(x):
    with ferrograd.no_grad():
        with ferrograd.enable_grad():
            assert ferrograd.is_grad_enabled()
            assert records(x)
        assert not ferrograd.is_grad_enabled()


def test_set_grad_enabled_as_a_function():
    assert ferrograd.set_grad_enabled(False) is not None
    assert not ferrograd.is_grad_enabled()
    ferrograd.set_grad_enabled(True)
    assert ferrograd.is_grad_enabled()


def test_set_grad_enabled_as_a_context(x):
    with ferrograd.set_grad_enabled(False):
        assert not ferrograd.is_grad_enabled()
        assert not records(x)
        with ferrograd.set_grad_enabled(True):
            assert records(x)
        assert not ferrograd.is_grad_enabled()
    assert ferrograd.is_grad_enabled()
    with ferrograd.no_grad():
        with ferrograd.set_grad_enabled(True):
            assert ferrograd.is_grad_enabled()
        assert not ferrograd.is_grad_enabled()


def test_no_grad_decorator_with_parentheses(x):
    @ferrograd.no_grad()
    def f():
        return records(x), ferrograd.is_grad_enabled()

    assert f() == (False, False)
    assert ferrograd.is_grad_enabled()
    assert f.__name__ == "f"


def test_no_grad_decorator_without_parentheses(x):
    @ferrograd.no_grad
    def f():
        return records(x)

    assert f() is False
    assert ferrograd.is_grad_enabled()


@pytest.mark.parametrize("decorate", [ferrograd.enable_grad(), ferrograd.enable_grad])
def test_enable_grad_decorator(x, decorate):
    @decorate
    def f():
        return records(x)

    with ferrograd.no_grad():
        assert f() is True
        assert not ferrograd.is_grad_enabled()


def test_set_grad_enabled_decorator_changes_nothing_outside(x):
    @ferrograd.set_grad_enabled(False)
    def f():
        return records(x)

    assert ferrograd.is_grad_enabled()  # making the decorator did not switch the mode
    assert f() is False
    assert ferrograd.is_grad_enabled()


def test_decorated_generator_runs_each_step_in_the_mode():
    @ferrograd.no_grad()
    def gen():
        for _ in range(2):
            yield ferrograd.is_grad_enabled()

    steps = gen()
    assert next(steps) is False
    assert ferrograd.is_grad_enabled()  # not while suspended
    assert next(steps) is False
    assert list(steps) == []


def test_grad_mode_classes_are_shared_with_autograd():
    assert ferrograd.autograd.no_grad is ferrograd.no_grad
    assert ferrograd.autograd.enable_grad is ferrograd.enable_grad
    assert ferrograd.autograd.set_grad_enabled is ferrograd.set_grad_enabled


def test_reusing_one_no_grad_object():
    guard = ferrograd.no_grad()
    with guard:
        assert not ferrograd.is_grad_enabled()
    with guard:
        assert not ferrograd.is_grad_enabled()
    assert ferrograd.is_grad_enabled()


def test_factories_and_leaves_under_no_grad():
    with ferrograd.no_grad():
        z = ferrograd.ones(2, requires_grad=True)
    assert z.requires_grad and z.is_leaf


def test_in_place_on_a_leaf_is_allowed_under_no_grad(x):
    with ferrograd.no_grad():
        x.mul_(3)
    assert x.tolist() == [3.0, 3.0] and x._version == 1
    assert x.requires_grad and x.is_leaf and x.grad_fn is None


def test_backward_inside_no_grad_still_computes_gradients(x):
    y = (x * x).sum()
    with ferrograd.no_grad():
        y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_mode_is_per_thread(x):
    seen = {}

    def worker():
        seen["enabled"] = ferrograd.is_grad_enabled()
        seen["records"] = records(x)

    with ferrograd.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen == {"enabled": True, "records": True}


def test_another_threads_no_grad_does_not_leak():
    entered, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with ferrograd.no_grad():
            entered.set()
            release.wait()
            seen["worker"] = ferrograd.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    entered.wait()
    seen["main"] = ferrograd.is_grad_enabled()
    release.set()
    t.join()
    assert seen == {"main": True, "worker": False}
