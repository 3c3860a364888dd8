"""dropout, dropout1d, dropout2d: mask statistics, scaling, channel masks, train/eval,
reproducibility under manual_seed, gradients and errors."""

import numpy as np
import pytest

import ferrograd
import ferrograd.nn.functional as F


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics(device, p):
    y = F.dropout(ferrograd.ones(200_000, device=device), p=p).cpu().numpy()
    kept = y != 0
    # Kept elements are scaled so the expectation is preserved.
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)
    # The kept fraction is 1 - p, within 5 standard deviations.
    sd = np.sqrt(p * (1 - p) / y.size)
    assert abs(kept.mean() - (1 - p)) < 5 * sd
    assert abs(y.mean() - 1.0) < 5 * sd / (1 - p)


def test_dropout_is_reproducible_under_manual_seed():
    ferrograd.manual_seed(123)
    a = F.dropout(ferrograd.ones(1000), 0.5).numpy()
    b = F.dropout(ferrograd.ones(1000), 0.5).numpy()
    ferrograd.manual_seed(123)
    c = F.dropout(ferrograd.ones(1000), 0.5).numpy()
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)


def test_eval_mode_and_p_zero_return_the_input_itself():
    x = ferrograd.randn(5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout2d(ferrograd.randn(2, 3, 4, 4), 0.5, training=False).shape == (2, 3, 4, 4)


def test_p_one_zeroes_everything():
    x = ferrograd.randn(3, 4, requires_grad=True)
    y = F.dropout(x, 1.0)
    np.testing.assert_array_equal(y.detach().numpy(), np.zeros((3, 4)))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((3, 4)))


def test_gradient_is_the_mask():
    x = ferrograd.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.3)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    mask = y.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5)
    np.testing.assert_allclose(np.unique(x.grad.numpy()), [0.0, 1 / 0.7], rtol=1e-6)


def test_inplace_modifies_and_returns_the_input():
    x = ferrograd.ones(1000)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x
    assert set(np.unique(x.numpy())) == {0.0, 2.0}


@pytest.mark.parametrize("fn,shape", [(F.dropout2d, (8, 16, 5, 5)), (F.dropout1d, (8, 16, 7)), (F.dropout1d, (16, 7))])
def test_channel_dropout_zeroes_whole_channels(fn, shape):
    y = fn(ferrograd.ones(*shape), 0.5).numpy()
    channels = y.reshape(-1, shape[-1] * (shape[-2] if fn is F.dropout2d else 1))
    for ch in channels:
        assert len(set(ch.tolist())) == 1 and ch[0] in (0.0, 2.0)
    assert 0 < (channels[:, 0] == 0).sum() < len(channels)


def test_errors_and_warnings():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(ferrograd.ones(3), 1.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"):
        F.dropout2d(ferrograd.ones(2, 3, 4), -0.1)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        F.dropout(ferrograd.ones(3).long(), 0.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input."):
        F.dropout1d(ferrograd.ones(2, 3, 4, 5), 0.5)
    with pytest.warns(UserWarning, match="dropout2d: Received a 1-D input to dropout2d"):
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions in the input"):
            F.dropout2d(ferrograd.ones(3), 0.5)
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input to dropout2d"):
        F.dropout2d(ferrograd.ones(2, 3, 4), 0.5)
