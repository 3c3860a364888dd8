"""Dropout, Dropout1d and Dropout2d as modules: what training zeroes and scales, the identity
in eval mode, gradients through the kept elements, reprs and errors."""

import numpy as np
import pytest

import ferrograd
from ferrograd import nn


def test_dropout_zeroes_and_scales_while_training(device):
    ferrograd.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = ferrograd.ones(4000, device=device, requires_grad=True)
    y = drop(x)
    values = y.detach().cpu().numpy()
    assert set(np.unique(values).tolist()) == {0.0, float(np.float32(1 / 0.75))}
    assert abs((values == 0).mean() - 0.25) < 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), values)


def test_dropout_is_the_identity_in_eval_mode(device):
    x = ferrograd.randn(3, 4, 2, 2, device=device)
    for drop in (nn.Dropout(), nn.Dropout1d(), nn.Dropout2d()):
        input = x.flatten(2) if isinstance(drop, nn.Dropout1d) else x
        assert drop.eval()(input) is input


@pytest.mark.parametrize(("layer", "shape"), [(nn.Dropout1d, (8, 16, 5)), (nn.Dropout2d, (8, 16, 3, 3))])
def test_channel_dropout_drops_whole_channels(layer, shape, device):
    ferrograd.manual_seed(1)
    values = layer(0.5)(ferrograd.ones(*shape, device=device)).cpu().numpy()
    per_channel = values.reshape(shape[0], shape[1], -1)
    assert ((per_channel == 0).all(axis=2) | (per_channel == 2).all(axis=2)).all()
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7


def test_inplace_dropout_writes_into_the_input():
    x = ferrograd.ones(100)
    out = nn.Dropout(0.5, inplace=True)(x)
    assert out is x
    assert set(np.unique(x.numpy()).tolist()) <= {0.0, 2.0}


def test_reprs_and_errors():
    assert [repr(m) for m in (nn.Dropout(), nn.Dropout(0.2, inplace=True), nn.Dropout1d(), nn.Dropout2d(0.3))] == [
        "Dropout(p=0.5, inplace=False)",
        "Dropout(p=0.2, inplace=True)",
        "Dropout1d(p=0.5, inplace=False)",
        "Dropout2d(p=0.3, inplace=False)",
    ]
    with pytest.raises(ValueError, match=r"^dropout probability has to be between 0 and 1, but got 1.5$"):
        nn.Dropout(1.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        nn.Dropout1d()(ferrograd.ones(2, 3, 4, 5))
