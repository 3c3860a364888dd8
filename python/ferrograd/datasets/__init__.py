"""Small datasets shipped inside the package (no download needed).

``load_digits()``: the UCI handwritten digits, 1,797 grayscale 8x8 images of the digits
0-9 (pixel values 0-16), the same data as scikit-learn's ``load_digits``. By E. Alpaydin
and C. Kaynak, CC BY 4.0; see ``DIGITS_LICENSE.txt`` beside this file.

>>> from ferrograd.datasets import load_digits
>>> images, labels = load_digits()
>>> tuple(images.shape), images.dtype, tuple(labels.shape), labels.dtype
((1797, 8, 8), ferrograd.float32, (1797,), ferrograd.int64)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _core

_DIGITS = Path(__file__).with_name("digits.npz")


def load_digits(*, flatten: bool = False, n_class: int = 10) -> tuple[_core.Tensor, _core.Tensor]:
    """The digits as ``(images, labels)``: float32 images of shape ``(N, 8, 8)`` (or
    ``(N, 64)`` with ``flatten``, like scikit-learn's ``data``) with pixel values 0-16,
    and int64 labels. ``n_class`` keeps only the digits ``0 .. n_class - 1``.

    >>> images, labels = load_digits(flatten=True, n_class=2)
    >>> tuple(images.shape), sorted(set(labels.tolist()))
    ((360, 64), [0, 1])
    """
    if not 1 <= n_class <= 10:
        raise ValueError(f"n_class must be between 1 and 10, got {n_class}")
    with np.load(_DIGITS) as data:
        images, labels = data["images"], data["labels"]
    keep = labels < n_class
    images = images[keep].astype(np.float32)
    if flatten:
        images = images.reshape(len(images), 64)
    return _core.from_numpy(images), _core.from_numpy(labels[keep].astype(np.int64))


__all__ = ["load_digits"]
