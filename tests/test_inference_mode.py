"""``inference_mode``: no graph inside, inference tensors that never join one later, and
PyTorch's errors when they are used where autograd would need them."""

from __future__ import annotations

import pytest

import ferrograd

SAVE_ERROR = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
    "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it "
    "in autograd, or use `ferrograd.no_grad()` instead of `ferrograd.inference_mode()`."
)


@pytest.fixture(autouse=True)
def inference_off_afterwards():
    yield
    ferrograd._core._set_inference_mode(False)


def test_inside_nothing_is_recorded_and_new_tensors_are_inference_tensors():
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    normal = ferrograd.ones(2)
    assert not ferrograd.is_inference_mode_enabled()
    with ferrograd.inference_mode():
        assert ferrograd.is_inference_mode_enabled()
        assert not ferrograd.is_grad_enabled()
        y = x * 2
        fresh = ferrograd.ones(2)
        view = normal.view(2)
        with ferrograd.enable_grad():
            assert ferrograd.is_grad_enabled()
            z = x * 2
        assert not z.requires_grad and z.grad_fn is None
    assert not ferrograd.is_inference_mode_enabled() and ferrograd.is_grad_enabled()
    assert y.tolist() == [2.0, 4.0]
    assert not y.requires_grad and y.grad_fn is None
    assert y.is_inference() and fresh.is_inference() and z.is_inference()
    assert not view.is_inference() and not normal.is_inference() and not x.is_inference()


def test_inference_tensors_outside():
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    with ferrograd.inference_mode():
        frozen = x * 2
    assert frozen.view(2).is_inference() and frozen.detach().is_inference()
    assert not frozen.clone().is_inference() and not (frozen * 2).is_inference()
    # Used where nothing is saved: fine, and the result is a normal tensor.
    s = frozen + x
    assert s.grad_fn.name() == "AddBackward0" and not s.is_inference()
    for use in (lambda: frozen * x, lambda: x * frozen, lambda: x.exp() * frozen, lambda: frozen @ x):
        with pytest.raises(RuntimeError) as e:
            use()
        assert str(e.value) == SAVE_ERROR
    # A clone is a normal tensor again.
    (frozen.clone() * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    with pytest.raises(
        RuntimeError, match="^Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.$"
    ):
        frozen.requires_grad_()
    with pytest.raises(RuntimeError, match="^Inplace update to inference tensor outside InferenceMode is not allowed."):
        frozen.add_(1)
    frozen.requires_grad = False


def test_inside_inference_tensors_may_change_and_require_grad():
    with ferrograd.inference_mode():
        t = ferrograd.ones(2)
        t.add_(1)
        t.requires_grad_()
        assert t.requires_grad and t.tolist() == [2.0, 2.0]


def test_mode_argument_nesting_and_decorators():
    x = ferrograd.tensor([1.0], requires_grad=True)
    with ferrograd.no_grad():
        with ferrograd.inference_mode(mode=False):
            assert not ferrograd.is_inference_mode_enabled() and ferrograd.is_grad_enabled()
        with ferrograd.inference_mode():
            with ferrograd.inference_mode(False):
                assert not ferrograd.is_inference_mode_enabled()
                assert (x * 2).requires_grad
            assert ferrograd.is_inference_mode_enabled()
        assert not ferrograd.is_grad_enabled()

    @ferrograd.inference_mode()
    def called(t):
        return t * 2

    @ferrograd.inference_mode
    def bare(t):
        return t * 2

    @ferrograd.inference_mode(mode=False)
    def off(t):
        return t * 2

    assert called(x).is_inference() and not called(x).requires_grad
    assert bare(x).is_inference()
    assert off(x).requires_grad and not off(x).is_inference()
    assert not ferrograd.is_inference_mode_enabled()
