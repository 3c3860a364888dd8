"""``ferrograd.save``/``load`` round trips (tensors, state dicts, optimizer states, nested
Python data), the safetensors layout other tools read, and ``copy``/``pickle`` of tensors
and parameters."""

import copy
import io
import json
import math
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import safetensors.numpy

import ferrograd
from ferrograd import nn, optim


def round_trip(obj):
    buffer = io.BytesIO()
    ferrograd.save(obj, buffer)
    buffer.seek(0)
    return ferrograd.load(buffer)


def assert_same_tensor(a, b):
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize(
    "tensor",
    [
        ferrograd.tensor([[1.5, -2.0], [3.25, 1e-30]]),
        ferrograd.tensor([1.0, 2.0, 1 / 3], dtype=ferrograd.float64),
        ferrograd.tensor([-(2**62), 7]),
        ferrograd.tensor([1, -2], dtype=ferrograd.int32),
        ferrograd.tensor([True, False]),
        ferrograd.tensor(3.5),
        ferrograd.zeros(0, 3),
        ferrograd.arange(12.0).reshape(3, 4).t(),
        ferrograd.arange(12.0)[::3],
    ],
)
def test_tensors_round_trip_exactly(tensor):
    assert_same_tensor(round_trip(tensor), tensor)


def test_nested_python_data():
    obj = {
        "ints": [1, -2, 2**40],
        "floats": (0.1, 1e-300, math.inf, -math.inf),
        "none": None,
        "text": "héllo",
        "flags": [True, False],
        3: "int key",
        (1, 2): "tuple key",
        "size": ferrograd.Size([2, 3]),
        "dtype": ferrograd.float64,
        "nested": OrderedDict([("b", [ferrograd.ones(1)]), ("a", {})]),
    }
    back = round_trip(obj)
    assert list(back) == list(obj)
    for key in ("ints", "floats", "none", "text", "flags", 3, (1, 2), "dtype"):
        assert back[key] == obj[key] and type(back[key]) is type(obj[key])
    assert isinstance(back["size"], ferrograd.Size) and back["size"] == (2, 3)
    assert type(back["nested"]) is OrderedDict and list(back["nested"]) == ["b", "a"]
    assert back["nested"]["b"][0].tolist() == [1.0]
    nan = round_trip([math.nan])[0]
    assert math.isnan(nan)


def test_parameters_and_requires_grad_survive():
    p = nn.Parameter(ferrograd.ones(2))
    frozen = nn.Parameter(ferrograd.zeros(1), requires_grad=False)
    leaf = ferrograd.ones(3, requires_grad=True)
    back = round_trip([p, frozen, leaf])
    assert isinstance(back[0], nn.Parameter) and back[0].requires_grad
    assert isinstance(back[1], nn.Parameter) and not back[1].requires_grad
    assert type(back[2]) is ferrograd.Tensor and back[2].requires_grad and back[2].is_leaf


def test_a_tensor_saved_twice_comes_back_as_one_object():
    t = ferrograd.ones(2)
    a, b = round_trip([t, {"again": t}])
    assert a is b["again"]


def test_module_state_dict_round_trip(tmp_path):
    ferrograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    path = tmp_path / "model.safetensors"
    ferrograd.save(model.state_dict(), path)
    fresh = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    assert repr(fresh.load_state_dict(ferrograd.load(str(path)))) == "<All keys matched successfully>"
    x = ferrograd.randn(5, 3)
    assert fresh(x).tolist() == model(x).tolist()
    # Other tools see an ordinary safetensors state dict.
    arrays = safetensors.numpy.load(path.read_bytes())
    assert sorted(arrays) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    np.testing.assert_array_equal(arrays["0.weight"], model[0].weight.detach().numpy())


def test_optimizer_state_round_trip_resumes_training():
    ferrograd.manual_seed(1)
    model = nn.Linear(2, 1)
    opt = optim.Adam(model.parameters(), lr=0.1, betas=(0.8, 0.9))
    x = ferrograd.randn(6, 2)

    def step(m, o):
        o.zero_grad()
        m(x).square().mean().backward()
        o.step()

    step(model, opt)
    saved = round_trip({"model": model.state_dict(), "optim": opt.state_dict()})
    assert saved["optim"]["param_groups"][0]["betas"] == (0.8, 0.9)
    assert sorted(saved["optim"]["state"]) == [0, 1]
    assert saved["optim"]["state"][0]["step"].dim() == 0
    clone = nn.Linear(2, 1)
    clone.load_state_dict(saved["model"])
    clone_opt = optim.Adam(clone.parameters(), lr=0.1)
    clone_opt.load_state_dict(saved["optim"])
    step(model, opt)
    step(clone, clone_opt)
    assert clone.weight.tolist() == model.weight.tolist() and clone.bias.tolist() == model.bias.tolist()


def test_file_objects_and_metadata_layout():
    buffer = io.BytesIO()
    ferrograd.save({"w": ferrograd.ones(2)}, buffer)
    data = buffer.getvalue()
    header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])
    assert header["w"]["dtype"] == "F32" and header["w"]["shape"] == [2]
    assert json.loads(header["__metadata__"]["ferrograd"]) == {"dict": [["w", {"tensor": "w"}]]}


def test_loads_plain_safetensors_files(tmp_path):
    path = tmp_path / "other.safetensors"
    path.write_bytes(safetensors.numpy.save({"a": np.arange(3, dtype=np.int64), "b": np.ones((2, 2), np.float32)}))
    loaded = ferrograd.load(path)
    assert loaded["a"].tolist() == [0, 1, 2] and loaded["a"].dtype == ferrograd.int64
    assert loaded["b"].shape == (2, 2) and loaded["b"].dtype == ferrograd.float32


def test_map_location():
    back = ferrograd.load(io.BytesIO(_saved(ferrograd.ones(2))), map_location="cpu")
    assert back.device.type == "cpu"


def _saved(obj):
    buffer = io.BytesIO()
    ferrograd.save(obj, buffer)
    return buffer.getvalue()


def test_errors():
    with pytest.raises(TypeError, match="ferrograd.save can't store an object of type object"):
        ferrograd.save({"x": object()}, io.BytesIO())
    with pytest.raises(RuntimeError, match="not in the safetensors format"):
        ferrograd.load(io.BytesIO(b"abc"))


# ---- copy and pickle ----


def test_deepcopy_of_tensors():
    t = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    t.grad = ferrograd.tensor([0.5, 0.5])
    t.note = ["attribute"]
    c = copy.deepcopy(t)
    assert c is not t and c.tolist() == t.tolist() and c.requires_grad and c.is_leaf
    assert c.grad.tolist() == [0.5, 0.5] and c.note == ["attribute"] and c.note is not t.note
    with ferrograd.no_grad():
        c.add_(1)
    assert t.tolist() == [1.0, 2.0]
    shared = [t, t]
    copied = copy.deepcopy(shared)
    assert copied[0] is copied[1]
    with pytest.raises(RuntimeError, match="^Only Tensors created explicitly by the user"):
        copy.deepcopy(t * 2)


def test_deepcopy_of_parameters_and_modules():
    p = nn.Parameter(ferrograd.ones(2))
    p.grad = ferrograd.ones(2)
    c = copy.deepcopy(p)
    assert isinstance(c, nn.Parameter) and c.requires_grad and c.grad is None
    model = nn.Sequential(nn.Linear(2, 2))
    twin = copy.deepcopy(model)
    assert twin[0].weight is not model[0].weight
    assert twin[0].weight.tolist() == model[0].weight.tolist()
    assert isinstance(twin[0].weight, nn.Parameter)


@pytest.mark.parametrize(
    "obj",
    [
        ferrograd.tensor([[1.0, 2.0], [3.0, 4.0]]),
        ferrograd.tensor([1, 2], dtype=ferrograd.int32),
        ferrograd.ones(3, requires_grad=True),
        nn.Parameter(ferrograd.ones(2)),
        nn.Parameter(ferrograd.ones(2), requires_grad=False),
    ],
)
def test_pickle(obj):
    back = pickle.loads(pickle.dumps(obj))
    assert_same_tensor(back, obj)
    assert back.requires_grad == obj.requires_grad


def test_pickle_a_whole_model():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    back = pickle.loads(pickle.dumps(model))
    assert repr(back) == repr(model)
    x = ferrograd.ones(1, 3)
    assert back(x).tolist() == model(x).tolist()
