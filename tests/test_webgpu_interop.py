"""Sharing GPU buffers with wgpu-py: tensors handed to wgpu-py compute shaders without a copy,
wgpu-py buffers wrapped as tensors, who keeps what alive, and the errors for buffers that
cannot be tensors. Skipped (with the reason) where no WebGPU adapter exists."""

import gc
import logging

import numpy as np
import pytest

import ferrograd

AVAILABLE = ferrograd.webgpu.is_available()
pytestmark = pytest.mark.skipif(not AVAILABLE, reason="no WebGPU adapter on this machine")

if AVAILABLE:
    import wgpu

    STORAGE, COPY_SRC, COPY_DST = wgpu.BufferUsage.STORAGE, wgpu.BufferUsage.COPY_SRC, wgpu.BufferUsage.COPY_DST

# Writes 10 * i + 1 into element i of the bound array.
FILL_SHADER = """
@group(0) @binding(0) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x < arrayLength(&data)) {
        data[id.x] = 10.0 * f32(id.x) + 1.0;
    }
}
"""


def device():
    return ferrograd.webgpu.wgpu_device()


def run_fill_shader(buffer, nbytes: int, offset: int = 0) -> None:
    """Runs FILL_SHADER over ``nbytes`` of ``buffer`` from ``offset`` with plain wgpu-py."""
    d = device()
    pipeline = d.create_compute_pipeline(
        layout="auto", compute={"module": d.create_shader_module(code=FILL_SHADER), "entry_point": "main"}
    )
    group = d.create_bind_group(
        layout=pipeline.get_bind_group_layout(0),
        entries=[{"binding": 0, "resource": {"buffer": buffer, "offset": offset, "size": nbytes}}],
    )
    encoder = d.create_command_encoder()
    compute = encoder.begin_compute_pass()
    compute.set_pipeline(pipeline)
    compute.set_bind_group(0, group)
    compute.dispatch_workgroups((nbytes // 4 + 63) // 64)
    compute.end()
    d.queue.submit([encoder.finish()])


def read_f32(buffer, offset: int, count: int) -> np.ndarray:
    """``count`` float32 values of ``buffer`` from byte ``offset``, read with wgpu-py."""
    return np.frombuffer(device().queue.read_buffer(buffer, offset, 4 * count), np.float32)


def new_buffer(values, usage=None):
    return device().create_buffer_with_data(
        data=np.ascontiguousarray(values), usage=STORAGE | COPY_SRC if usage is None else usage
    )


# ---- a tensor's buffer in wgpu-py ------------------------------------------------------


def test_the_exported_buffer_is_the_tensors_memory():
    t = ferrograd.arange(6.0, device="webgpu") * 2  # still queued: exporting submits it
    buf = ferrograd.webgpu.as_wgpu_buffer(t)
    assert isinstance(buf, wgpu.GPUBuffer)
    assert buf.usage == STORAGE | COPY_SRC | COPY_DST
    assert buf.size >= 24 and buf.map_state == "unmapped"
    assert read_f32(buf, 0, 6).tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert ferrograd.webgpu.as_wgpu_buffer(t).size == buf.size


def test_a_wgpu_py_shader_writes_into_a_tensor():
    t = ferrograd.zeros(100, device="webgpu")
    run_fill_shader(ferrograd.webgpu.as_wgpu_buffer(t), 400)
    np.testing.assert_array_equal(t.cpu().numpy(), 10 * np.arange(100, dtype=np.float32) + 1)
    assert (t + 1).sum().item() == pytest.approx(float((10 * np.arange(100) + 2).sum()))


def test_a_view_starts_at_its_storage_offset():
    base = ferrograd.arange(10.0, device="webgpu")
    view = base[3:]
    buf = ferrograd.webgpu.as_wgpu_buffer(view)
    start = view.storage_offset() * ferrograd.webgpu.element_size(view.dtype)
    assert start == 12
    assert read_f32(buf, start, 7).tolist() == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]


def test_the_buffer_outlives_the_tensor_and_is_not_reused():
    t = ferrograd.full((64,), 7.0, device="webgpu")
    buf = ferrograd.webgpu.as_wgpu_buffer(t)
    del t
    gc.collect()
    others = [ferrograd.full((64,), -1.0, device="webgpu") for _ in range(8)]  # same size class
    ferrograd.webgpu.synchronize()
    assert read_f32(buf, 0, 64).tolist() == [7.0] * 64
    assert all(o.sum().item() == -64.0 for o in others)


def test_the_tensor_outlives_the_buffer_object():
    t = ferrograd.arange(5.0, device="webgpu")
    buf = ferrograd.webgpu.as_wgpu_buffer(t)
    del buf
    gc.collect()
    assert (t * 3).cpu().tolist() == [0.0, 3.0, 6.0, 9.0, 12.0]


def test_exported_buffers_cannot_be_destroyed():
    buf = ferrograd.webgpu.as_wgpu_buffer(ferrograd.ones(4, device="webgpu"))
    with pytest.raises(RuntimeError, match="belongs to a ferrograd tensor"):
        buf.destroy()
    assert read_f32(buf, 0, 4).tolist() == [1.0] * 4


def test_exporting_needs_a_webgpu_tensor():
    with pytest.raises(ValueError, match="expected a tensor on the webgpu device, but got one on cpu"):
        ferrograd.webgpu.as_wgpu_buffer(ferrograd.ones(2))
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        ferrograd.webgpu.as_wgpu_buffer([1.0])


# ---- a wgpu-py buffer as a tensor ------------------------------------------------------


def test_a_wgpu_py_buffer_computes_as_a_tensor():
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = ferrograd.webgpu.from_wgpu_buffer(new_buffer(data), (3, 4))
    assert t.device.type == "webgpu" and t.dtype == ferrograd.float32 and t.shape == (3, 4)
    w = ferrograd.tensor([[1.0], [-1.0], [0.5], [2.0]], device="webgpu")
    np.testing.assert_allclose((t.relu() @ w).cpu().numpy(), data @ np.array([[1.0], [-1.0], [0.5], [2.0]]))
    assert t.mean().item() == pytest.approx(5.5)


def test_shader_output_wrapped_as_a_tensor():
    buf = device().create_buffer(size=256, usage=STORAGE | COPY_SRC)
    run_fill_shader(buf, 256)
    t = ferrograd.webgpu.from_wgpu_buffer(buf, 64)
    np.testing.assert_array_equal(t.cpu().numpy(), 10 * np.arange(64, dtype=np.float32) + 1)


@pytest.mark.parametrize(("dtype", "np_dtype"), [("float32", np.float32), ("int32", np.int32), ("float64", np.float64)])
def test_dtypes_and_byte_offsets(dtype, np_dtype):
    dt = getattr(ferrograd, dtype)
    if dtype == "float64" and "shader-f64" not in device().features:
        pytest.skip("the adapter has no shader-f64")
    size = ferrograd.webgpu.element_size(dt)
    assert size == np.dtype(np_dtype).itemsize
    values = np.arange(10).astype(np_dtype)
    t = ferrograd.webgpu.from_wgpu_buffer(new_buffer(values), (2, 3), dtype=dt, offset=4 * size)
    assert t.dtype == dt and t.storage_offset() == 4
    np.testing.assert_array_equal(t.cpu().numpy(), values[4:10].reshape(2, 3))


def test_bool_tensors_are_one_word_per_element():
    assert ferrograd.webgpu.element_size(ferrograd.bool) == 4
    t = ferrograd.webgpu.from_wgpu_buffer(new_buffer(np.array([0, 1, 1, 0], np.uint32)), 4, ferrograd.bool)
    assert t.cpu().tolist() == [False, True, True, False]


def test_in_place_ops_write_into_the_wgpu_py_buffer():
    buf = new_buffer(np.ones(8, np.float32))
    t = ferrograd.webgpu.from_wgpu_buffer(buf, 8)
    t.mul_(3).add_(ferrograd.arange(8.0, device="webgpu"))
    ferrograd.webgpu.synchronize()
    assert read_f32(buf, 0, 8).tolist() == [3.0 + i for i in range(8)]


def test_storage_only_buffers_read_back_and_take_copies():
    buf = new_buffer(np.array([1.5, -2.0, 4.0, 8.0], np.float32), usage=STORAGE)
    t = ferrograd.webgpu.from_wgpu_buffer(buf, 4)
    assert t.cpu().tolist() == [1.5, -2.0, 4.0, 8.0]
    assert t[1:3].cpu().tolist() == [-2.0, 4.0]
    t.copy_(ferrograd.tensor([5.0, 6.0, 7.0, 8.0]))  # from the host, without COPY_DST
    assert t.cpu().tolist() == [5.0, 6.0, 7.0, 8.0]


def test_the_tensor_keeps_the_buffer_alive():
    buf = new_buffer(np.arange(4, dtype=np.float32))
    t = ferrograd.webgpu.from_wgpu_buffer(buf, 4)
    del buf
    gc.collect()
    assert (t * 2).cpu().tolist() == [0.0, 2.0, 4.0, 6.0]
    # And a round trip: the tensor's buffer handed back out is the same memory.
    again = ferrograd.webgpu.as_wgpu_buffer(t)
    assert again.usage == STORAGE | COPY_SRC
    assert read_f32(again, 0, 4).tolist() == [0.0, 1.0, 2.0, 3.0]


def live_native_buffers() -> int:
    """Buffers wgpu-native holds, after ferrograd's queued work and cached buffers are gone."""
    gc.collect()
    ferrograd.webgpu.synchronize()
    ferrograd.webgpu.empty_cache()
    return wgpu.diagnostics.wgpu_native_counts.get_dict()["Buffer"]["hub"]["hub"]["a"]


def test_references_balance_so_everything_is_freed():
    before = live_native_buffers()
    buf = new_buffer(np.ones(8, np.float32))
    tensors = [ferrograd.webgpu.from_wgpu_buffer(buf, 8) for _ in range(3)]
    exported = [ferrograd.webgpu.as_wgpu_buffer(t) for t in tensors]
    mine = ferrograd.ones(8, device="webgpu")
    exported += [ferrograd.webgpu.as_wgpu_buffer(mine) for _ in range(3)]
    assert (tensors[0] + mine).sum().item() == 16.0
    assert live_native_buffers() > before
    del buf, tensors, exported, mine
    assert live_native_buffers() == before


def test_wrapping_validates_the_buffer():
    wrap = ferrograd.webgpu.from_wgpu_buffer
    good = new_buffer(np.zeros(8, np.float32))
    with pytest.raises(TypeError, match="must be a wgpu.GPUBuffer, not ndarray"):
        wrap(np.zeros(4), 4)
    with pytest.raises(ValueError, match="lacks BufferUsage.STORAGE"):
        wrap(new_buffer(np.zeros(4, np.float32), usage=COPY_SRC), 4)
    with pytest.raises(ValueError, match=r"needs 36 bytes, but the buffer has 32"):
        wrap(good, 9)
    with pytest.raises(ValueError, match=r"from byte offset 8 needs 40 bytes"):
        wrap(good, (2, 4), offset=8)
    with pytest.raises(ValueError, match="offset 2 is not a multiple of the size of a ferrograd.float32"):
        wrap(good, 2, offset=2)
    with pytest.raises(ValueError, match="shape must be non-negative ints"):
        wrap(good, (2, -1))
    mappable = device().create_buffer(size=16, usage=STORAGE, mapped_at_creation=True)
    with pytest.raises(ValueError, match="the buffer is mapped; unmap it first"):
        wrap(mappable, 4)
    other = wgpu.gpu.request_adapter_sync().request_device_sync()
    foreign = other.create_buffer(size=16, usage=STORAGE)
    with pytest.raises(ValueError, match="belongs to another wgpu device"):
        wrap(foreign, 4)
    assert wrap(good, (0,)).numel() == 0


# ---- errors surface where they happen --------------------------------------------------


def test_a_destroyed_buffer_raises_at_the_op_and_the_batch_survives(caplog):
    pending = ferrograd.arange(4.0, device="webgpu") * 5  # recorded in the open batch
    buf = new_buffer(np.ones(4, np.float32))
    t = ferrograd.webgpu.from_wgpu_buffer(buf, 4)
    buf.destroy()
    with caplog.at_level(logging.WARNING, logger="wgpu"):
        with pytest.raises(RuntimeError, match=r"(?s)WebGPU error in binding a kernel's buffers: .*destroyed"):
            t * 2
        assert pending.cpu().tolist() == [0.0, 5.0, 10.0, 15.0]
    # The exception is the report: wgpu-py's uncaptured-error log saw nothing.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("wgpu")] == []
