"""Shared fixtures. Every test that takes ``device`` runs once per available device."""

from __future__ import annotations

import pytest

import ferrograd


def available_devices() -> list[str]:
    """``cpu`` always; ``webgpu`` where the build and the machine offer an adapter."""
    devices = ["cpu"]
    webgpu = getattr(ferrograd, "webgpu", None)
    if webgpu is not None and webgpu.is_available():
        devices.append("webgpu")
    return devices


@pytest.fixture(params=available_devices())
def device(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests may change grad mode, print options or the seed; put them back."""
    ferrograd.set_grad_enabled(True)
    yield
    ferrograd.set_grad_enabled(True)
    ferrograd.set_printoptions(profile="default")
