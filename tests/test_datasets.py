"""``ferrograd.datasets.load_digits``: the bundled UCI digits."""

import numpy as np
import pytest

import ferrograd
from ferrograd.datasets import load_digits


def test_shapes_dtypes_and_values():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == ferrograd.float32
    assert labels.shape == (1797,) and labels.dtype == ferrograd.int64
    pixels = images.numpy()
    assert pixels.min() == 0.0 and pixels.max() == 16.0
    assert np.array_equal(pixels, np.round(pixels))
    assert np.bincount(labels.numpy()).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert labels[:10].tolist() == list(range(10))


def test_first_image_is_a_zero():
    images, _ = load_digits()
    assert images[0].tolist() == [
        [0, 0, 5, 13, 9, 1, 0, 0],
        [0, 0, 13, 15, 10, 15, 5, 0],
        [0, 3, 15, 2, 0, 11, 8, 0],
        [0, 4, 12, 0, 0, 8, 8, 0],
        [0, 5, 8, 0, 0, 9, 8, 0],
        [0, 4, 11, 0, 1, 12, 7, 0],
        [0, 2, 14, 5, 10, 12, 0, 0],
        [0, 0, 6, 13, 10, 0, 0, 0],
    ]


def test_flat_and_fewer_classes():
    flat, labels = load_digits(flatten=True, n_class=3)
    images, all_labels = load_digits()
    keep = all_labels.numpy() < 3
    assert flat.shape == (int(keep.sum()), 64)
    np.testing.assert_array_equal(flat.numpy(), images.numpy()[keep].reshape(-1, 64))
    assert sorted(set(labels.tolist())) == [0, 1, 2]
    with pytest.raises(ValueError, match="^n_class must be between 1 and 10, got 11$"):
        load_digits(n_class=11)


def test_a_linear_classifier_learns_the_digits():
    """Softmax regression on the flat digits beats chance by far within a few epochs."""
    x, y = load_digits(flatten=True)
    x = x / 16.0
    onehot = (y.reshape(-1, 1) == ferrograd.arange(10).reshape(1, 10)).float()
    ferrograd.manual_seed(0)
    model = ferrograd.nn.Linear(64, 10)
    opt = ferrograd.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        logits = model(x)
        shifted = logits - logits.max(1, keepdim=True).values
        log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()
        loss = -(log_probs * onehot).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    predictions = model(x).max(1).indices
    accuracy = (predictions == y).float().mean().item()
    assert accuracy > 0.9
