"""Anomaly detection: the switches, NaN checks, and the warning that shows where the failing
node was made (and the node whose backward made it)."""

from __future__ import annotations

import warnings

import pytest

import ferrograd
from ferrograd.autograd import Function


@pytest.fixture(autouse=True)
def anomaly_off_afterwards():
    yield
    ferrograd.autograd.set_detect_anomaly(False)


def warning_texts(caught):
    return [str(w.message) for w in caught]


def test_switches_and_their_restoration():
    assert not ferrograd.is_anomaly_enabled()
    assert ferrograd.is_anomaly_check_nan_enabled()
    with pytest.warns(UserWarning, match="^Anomaly Detection has been enabled. This mode will increase the runtime"):
        manager = ferrograd.autograd.detect_anomaly(check_nan=False)
    with manager:
        assert ferrograd.is_anomaly_enabled()
        assert not ferrograd.is_anomaly_check_nan_enabled()
    assert not ferrograd.is_anomaly_enabled()
    assert ferrograd.is_anomaly_check_nan_enabled()
    ferrograd.autograd.set_detect_anomaly(True, check_nan=False)
    assert ferrograd.is_anomaly_enabled() and not ferrograd.is_anomaly_check_nan_enabled()
    with ferrograd.autograd.set_detect_anomaly(False):
        assert not ferrograd.is_anomaly_enabled()
    assert ferrograd.is_anomaly_enabled() and not ferrograd.is_anomaly_check_nan_enabled()
    ferrograd.autograd.set_detect_anomaly(False)
    assert not ferrograd.is_anomaly_enabled()


def test_nan_gradient_names_the_node_and_the_forward_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ferrograd.autograd.detect_anomaly():
            a = ferrograd.tensor([0.0, 1.0], requires_grad=True)
            b = a.sqrt()
            ratio = b / b  # the forward line the warning shows
            with pytest.raises(RuntimeError) as e:
                ratio.sum().backward()
    assert str(e.value) == "Function 'DivBackward0' returned nan values in its 1th output."
    report = [t for t in warning_texts(caught) if t.startswith("Error detected in DivBackward0.")]
    assert len(report) == 1
    assert report[0].startswith("Error detected in DivBackward0. Traceback of forward call that caused the error:\n")
    assert "ratio = b / b  # the forward line the warning shows" in report[0]
    assert "in test_nan_gradient_names_the_node_and_the_forward_line" in report[0]
    assert "ferrograd/" not in report[0]  # the library's own frames are left out


def test_check_nan_false_and_anomaly_off_let_nan_through():
    for manager in (
        ferrograd.autograd.set_detect_anomaly(True, check_nan=False),
        ferrograd.autograd.set_detect_anomaly(False),
    ):
        with manager:
            a = ferrograd.tensor([0.0, 1.0], requires_grad=True)
            b = a.sqrt()
            (b / b).sum().backward()
            g = a.grad.tolist()
            assert g[0] != g[0] and g[1] == 0.0


def test_errors_in_hooks_keep_their_type_and_report_the_node():
    class Boom(Exception):
        pass

    def hook(g):
        raise Boom("in hook")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ferrograd.autograd.detect_anomaly():
            a = ferrograd.tensor([0.0, 1.0], requires_grad=True)
            b = a * 2
            b.register_hook(hook)
            with pytest.raises(Boom, match="in hook"):
                b.sum().backward()
    report = [t for t in warning_texts(caught) if t.startswith("Error detected in")]
    assert report and report[0].startswith("Error detected in MulBackward0.")
    assert "b = a * 2" in report[0]


def test_nan_from_a_custom_function():
    class MakesNan(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with ferrograd.autograd.detect_anomaly():
            a = ferrograd.tensor([0.0, 1.0], requires_grad=True)
            with pytest.raises(
                RuntimeError, match="^Function 'MakesNanBackward' returned nan values in its 0th output.$"
            ):
                MakesNan.apply(a).sum().backward()


def test_nodes_made_by_backward_name_their_parent():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ferrograd.autograd.detect_anomaly():
            a = ferrograd.tensor([1.0, 2.0], requires_grad=True)
            b = a * a
            (g,) = ferrograd.autograd.grad(b.sum(), a, create_graph=True)
            g.grad_fn.register_prehook(lambda go: (go[0] * float("nan"),))
            with pytest.raises(RuntimeError, match="^Function 'AddBackward0' returned nan values in its 0th output.$"):
                g.sum().backward()
    texts = warning_texts(caught)
    report = [t for t in texts if t.startswith("Error detected in AddBackward0.")]
    assert report and "ferrograd.autograd.grad(b.sum(), a, create_graph=True)" in report[0]
    parent = [t for t in texts if "Previous calculation was induced by" in t]
    assert len(parent) == 1
    assert parent[0].startswith(
        "\n\nPrevious calculation was induced by MulBackward0. Traceback of forward call that induced the previous "
        "calculation:\n"
    )
    assert "b = a * a" in parent[0]


def test_node_made_before_anomaly_mode_has_no_forward_information():
    a = ferrograd.tensor([0.0, 1.0], requires_grad=True)
    b = a.sqrt()
    ratio = b / b
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ferrograd.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match="returned nan values"):
                ratio.sum().backward()
    expected = (
        "Error detected in DivBackward0. No forward pass information available. Enable detect anomaly during "
        "forward pass for more information."
    )
    assert any(t.startswith(expected) for t in warning_texts(caught))


def test_inplace_error_hint_changes_under_anomaly_mode():
    a = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    h = a * 1
    y = h * h
    h.add_(1)
    with pytest.raises(RuntimeError, match="with ferrograd.autograd.set_detect_anomaly\\(True, check_nan=False\\).$"):
        y.sum().backward(retain_graph=True)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with ferrograd.autograd.detect_anomaly():
            with pytest.raises(RuntimeError) as e:
                y.sum().backward()
    assert str(e.value).endswith(
        "Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in "
        "question was changed in there or anywhere later. Good luck!"
    )
