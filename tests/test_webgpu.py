"""The WebGPU device itself: availability, transfers, printing, memory accounting, batching,
grid folding, limits, and errors. Skipped (with the reason) where no adapter exists; CI sets
FERROGRAD_REQUIRE_WEBGPU=1 where lavapipe is installed, so there they must run."""

import os

import numpy as np
import pytest

import ferrograd

AVAILABLE = ferrograd.webgpu.is_available()
needs_gpu = pytest.mark.skipif(not AVAILABLE, reason="no WebGPU adapter on this machine")


def test_webgpu_runs_where_required():
    if os.environ.get("FERROGRAD_REQUIRE_WEBGPU") == "1":
        assert AVAILABLE, "FERROGRAD_REQUIRE_WEBGPU=1 but no WebGPU adapter was found"
    assert ferrograd.webgpu.device_count() == int(AVAILABLE)


def test_device_objects_parse_aliases():
    assert str(ferrograd.device("gpu")) == "webgpu"
    assert str(ferrograd.device("webgpu:0")) == "webgpu:0"
    assert ferrograd.device("cpu").type == "cpu"


@needs_gpu
def test_device_name_names_the_adapter():
    name = ferrograd.webgpu.device_name()
    assert isinstance(name, str) and name


@needs_gpu
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_transfers_round_trip_every_dtype(dtype):
    values = np.array([[0, 1, -2], [3, 2**40 if dtype == "int64" else 4, 1]]).astype(dtype)
    if dtype.startswith("float"):
        values = values + 0.25
    x = ferrograd.tensor(values)
    gpu = x.to("webgpu")
    assert gpu.device == ferrograd.device("webgpu:0") and gpu.dtype == x.dtype
    np.testing.assert_array_equal(gpu.cpu().numpy(), values)
    np.testing.assert_array_equal(x.t().to("gpu").cpu().numpy(), values.T)
    np.testing.assert_array_equal(gpu.t().cpu().numpy(), values.T)
    assert gpu[1, 1:].tolist() == values[1, 1:].tolist()


@needs_gpu
def test_to_returns_self_when_nothing_changes_and_records_device_moves():
    x = ferrograd.ones(2, device="webgpu")
    assert x.to("webgpu") is x and x.cpu() is not x
    c = ferrograd.ones(2)
    assert c.cpu() is c
    leaf = ferrograd.ones(3, requires_grad=True)
    moved = leaf.to("gpu")
    assert type(moved.grad_fn).__name__ == "ToCopyBackward0"
    (moved * 3).sum().backward()
    assert leaf.grad.device.type == "cpu" and leaf.grad.tolist() == [3.0, 3.0, 3.0]


@needs_gpu
def test_printing_shows_the_device():
    x = ferrograd.tensor([1.0, 2.5], device="webgpu")
    assert repr(x) == "tensor([1.0000, 2.5000], device='webgpu:0')"
    assert str(x.device) == "webgpu:0"
    y = ferrograd.ones(2, dtype=ferrograd.int32, device="gpu", requires_grad=False)
    assert repr(y) == "tensor([1, 1], device='webgpu:0', dtype=ferrograd.int32)"


@needs_gpu
def test_numpy_on_a_gpu_tensor_is_pytorchs_type_error():
    with pytest.raises(TypeError, match=r"can't convert webgpu:0 device type tensor to numpy\. Use Tensor\.cpu\(\)"):
        ferrograd.ones(2, device="webgpu").numpy()


@needs_gpu
def test_mixing_devices_is_pytorchs_error_but_cpu_scalars_join():
    g, c = ferrograd.ones(3, device="webgpu"), ferrograd.ones(3)
    for op in (lambda: g + c, lambda: c * g, lambda: g < c, lambda: g @ c, lambda: g.add_(c)):
        with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but found at least two"):
            op()
    with pytest.raises(RuntimeError, match="webgpu:0 and cpu!"):
        g - c
    scalar = ferrograd.tensor(2.0)
    assert (g * scalar).device.type == "webgpu" and (scalar * g).tolist() == [2.0, 2.0, 2.0]
    w = ferrograd.tensor(2.0, requires_grad=True)
    (g * w).sum().backward()
    assert w.grad.device.type == "cpu" and w.grad.item() == 3.0


@needs_gpu
def test_copy_between_devices():
    g = ferrograd.zeros(2, 3, device="webgpu")
    g.copy_(ferrograd.arange(3.0))
    c = ferrograd.zeros(3, 2)
    c.copy_(g.t())
    assert c.tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]


@needs_gpu
def test_default_device_applies_to_creation_functions():
    try:
        ferrograd.set_default_device("webgpu")
        assert ferrograd.get_default_device() == ferrograd.device("webgpu:0")
        assert ferrograd.zeros(2).device.type == "webgpu"
        assert ferrograd.tensor([1.0]).device.type == "webgpu"
    finally:
        ferrograd.set_default_device("cpu")
    assert ferrograd.zeros(2).device.type == "cpu"


@needs_gpu
def test_memory_accounting_and_empty_cache():
    ferrograd.webgpu.synchronize()
    ferrograd.webgpu.empty_cache()  # buffers earlier tests left cached would skew the counts
    before = ferrograd.webgpu.memory_allocated()
    x = ferrograd.empty(1_000_000, device="webgpu")
    assert ferrograd.webgpu.memory_allocated() - before >= 4_000_000
    del x
    ferrograd.webgpu.synchronize()
    assert ferrograd.webgpu.memory_allocated() == before
    assert ferrograd.webgpu.memory_reserved() >= before + 4_000_000
    y = ferrograd.empty(1_000_000, device="webgpu")  # reuses the cached buffer
    assert ferrograd.webgpu.memory_reserved() - ferrograd.webgpu.memory_allocated() < 4_000_000
    del y
    ferrograd.webgpu.empty_cache()
    assert ferrograd.webgpu.memory_reserved() == ferrograd.webgpu.memory_allocated()


@needs_gpu
def test_many_queued_ops_give_the_right_result():
    x = ferrograd.zeros(10, device="webgpu")
    for _ in range(1000):  # several automatic submits of the command batch
        x = x + 1
    assert x.tolist() == [1000.0] * 10


@needs_gpu
def test_grids_beyond_one_dimension_fold_into_two():
    n = 65535 * 256 + 1000  # more workgroups than one grid dimension holds
    x = ferrograd.ones(n, device="webgpu")
    y = x * 2 + ferrograd.arange(n, dtype=ferrograd.float32, device="webgpu") * 0
    assert y.sum().item() == 2 * n
    assert y[-3:].tolist() == [2.0, 2.0, 2.0]


@needs_gpu
def test_tensors_beyond_the_binding_limit_are_refused_clearly():
    with pytest.raises(RuntimeError, match="max_storage_buffer_binding_size"):
        ferrograd.empty(2**31, device="webgpu")


@needs_gpu
def test_validation_errors_become_exceptions():
    with pytest.raises(RuntimeError, match="WebGPU error in compiling"):
        ferrograd._core._webgpu_compile("@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }")
    too_wide = (
        "@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n"
        "@compute @workgroup_size(99999) fn main() { a[0] = 1.0; }"
    )
    with pytest.raises(RuntimeError, match="WebGPU error"):
        ferrograd._core._webgpu_compile(too_wide)
    assert (ferrograd.ones(2, device="webgpu") + 1).tolist() == [2.0, 2.0]


@needs_gpu
def test_broadcasts_past_32_bit_indices_are_refused_clearly():
    huge = ferrograd.ones(1, 1, device="webgpu").expand(2**17, 2**16)  # 2**33 elements, one stored
    with pytest.raises(RuntimeError, match="8589934592 elements are more than the kernels' 32-bit indices"):
        huge.sum()
    assert huge[:2, :3].sum().item() == 6.0
