"""Anomaly detection: find the forward call behind a failing backward.

While it is on, every graph node remembers the Python stack that made it. When backward
fails in a node, a warning shows that stack; with ``check_nan`` (the default), a node that
produces a gradient holding NaN is an error.

>>> import warnings, ferrograd
>>> x = ferrograd.tensor([0.0, 1.0], requires_grad=True)
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     with detect_anomaly():
...         y = x.sqrt() / x.sqrt()
...         y.sum().backward()
Traceback (most recent call last):
    ...
RuntimeError: Function 'DivBackward0' returned nan values in its 1th output.
>>> "Error detected in DivBackward0" in str(caught[-1].message)
True
"""

from __future__ import annotations

import os
import traceback
import warnings

from .. import _core

is_anomaly_enabled = _core.is_anomaly_enabled
is_anomaly_check_nan_enabled = _core.is_anomaly_check_nan_enabled

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _forward_stack() -> str:
    """The caller's stack, formatted, without ferrograd's own frames (the core calls this
    for each node it makes while anomaly mode is on)."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_PACKAGE_DIR)]
    return "".join(traceback.format_list(frames))


class detect_anomaly:
    """Turns anomaly detection on inside a ``with`` block (process-wide, as in PyTorch)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
            "enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        _core._set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        _core._set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turns anomaly detection on or off at once; as a context manager, restores the
    previous setting on exit.

    >>> _ = set_detect_anomaly(True, check_nan=False)
    >>> is_anomaly_enabled(), is_anomaly_check_nan_enabled()
    (True, False)
    >>> _ = set_detect_anomaly(False)
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        _core._set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _core._set_anomaly_enabled(self.prev, self.prev_check_nan)


__all__ = ["detect_anomaly", "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "set_detect_anomaly"]
