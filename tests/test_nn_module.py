"""``nn.Module`` and the layers, containers and helpers built on it: forward values against
NumPy, gradients, registration and traversal, state dicts with PyTorch's errors, hooks,
conversions, and reprs exactly as PyTorch prints them."""

import copy
import math
from collections import OrderedDict

import numpy as np
import pytest

import ferrograd
import ferrograd.nn.functional as F
from ferrograd import nn
from opcheck import check_op

RNG = np.random.default_rng(5)


def np_params(module):
    return {name: p.detach().numpy().astype(np.float64) for name, p in module.named_parameters()}


# ---- Parameter ----


def test_parameter():
    data = ferrograd.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, ferrograd.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert repr(nn.Parameter(data, requires_grad=False)) == "Parameter containing:\ntensor([1., 2.])"
    assert repr(nn.Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"
    with ferrograd.no_grad():
        p.mul_(2)
    assert data.tolist() == [2.0, 4.0]  # shares memory
    assert type(p * 2) is ferrograd.Tensor and type(p.detach()) is ferrograd.Tensor and type(p[0]) is ferrograd.Tensor


# ---- layers ----


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3), (0, 3)])
def test_linear_forward_and_gradients(shape, device):
    layer = nn.Linear(3, 2).double()
    params = np_params(layer)
    layer.to(device)
    x = RNG.standard_normal(shape)
    reference = lambda x: x @ params["weight"].T + params["bias"]  # noqa: E731
    check_op(lambda t: layer(t), reference, x, device=device)
    # Parameter gradients of sum(w * y) against their closed forms.
    w = RNG.standard_normal(shape[:-1] + (2,))
    layer.zero_grad()
    (layer(ferrograd.tensor(x, device=device)) * ferrograd.tensor(w, device=device)).sum().backward()
    flat_x, flat_w = x.reshape(-1, 3), w.reshape(-1, 2)
    np.testing.assert_allclose(layer.weight.grad.cpu().numpy(), flat_w.T @ flat_x, atol=1e-12)
    np.testing.assert_allclose(layer.bias.grad.cpu().numpy(), flat_w.sum(0), atol=1e-12)


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = ferrograd.ones(1, 3)
    expected = layer.weight.detach().numpy().sum(1, keepdims=True).T
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("batch", [(4,), (), (2, 3)])
def test_bilinear_forward_and_gradients(batch, device):
    layer = nn.Bilinear(2, 3, 4).double()
    params = np_params(layer)
    layer.to(device)
    a, b = RNG.standard_normal(batch + (2,)), RNG.standard_normal(batch + (3,))

    def reference(a, b):
        return np.einsum("...i,oij,...j->...o", a, params["weight"], b) + params["bias"]

    check_op(lambda s, t: layer(s, t), reference, a, b, device=device)
    w = RNG.standard_normal(batch + (4,))
    layer.zero_grad()
    on_device = [ferrograd.tensor(v, device=device) for v in (a, b, w)]
    (layer(on_device[0], on_device[1]) * on_device[2]).sum().backward()
    flat_w, flat_a, flat_b = w.reshape(-1, 4), a.reshape(-1, 2), b.reshape(-1, 3)
    np.testing.assert_allclose(
        layer.weight.grad.cpu().numpy(), np.einsum("no,ni,nj->oij", flat_w, flat_a, flat_b), atol=1e-12
    )
    np.testing.assert_allclose(layer.bias.grad.cpu().numpy(), w.reshape(-1, 4).sum(0), atol=1e-12)


def test_bilinear_errors():
    layer = nn.Bilinear(2, 3, 4)
    with pytest.raises(
        RuntimeError, match=r"^bilinear\(\): input2 size does not match weight size: got 4 but expected 3$"
    ):
        layer(ferrograd.ones(5, 2), ferrograd.ones(5, 4))
    with pytest.raises(
        RuntimeError, match=r"^bilinear\(\): input batch dimensions do not match at dim 0: got 5 and 4$"
    ):
        layer(ferrograd.ones(5, 2), ferrograd.ones(4, 3))


def test_identity_flatten_unflatten():
    x = ferrograd.arange(24.0).reshape(2, 3, 4)
    assert nn.Identity(7, key="ignored")(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    y = nn.Unflatten(1, (2, -1))(nn.Flatten()(x))
    assert y.shape == (2, 2, 6) and y.reshape(2, 3, 4).tolist() == x.tolist()
    assert nn.Unflatten(-1, (2, 2))(x).shape == (2, 3, 2, 2)
    with pytest.raises(
        RuntimeError, match=r"^unflatten: Provided sizes \[2, 4\] don't multiply up to the size of dim 1 \(6\)"
    ):
        nn.Unflatten(1, (2, 4))(ferrograd.ones(2, 6))


@pytest.mark.parametrize(
    "module, reference",
    [
        (nn.ReLU(), lambda x: np.maximum(x, 0)),
        (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (nn.Tanh(), np.tanh),
    ],
)
def test_activation_modules(module, reference, device):
    check_op(lambda t: module(t), reference, RNG.standard_normal((3, 4)), device=device)


def test_activation_reprs():
    modules = [
        nn.ReLU(), nn.ReLU(inplace=True), nn.Sigmoid(), nn.Tanh(), nn.GELU(), nn.GELU("tanh"), nn.SiLU(True),
        nn.Mish(), nn.Softplus(), nn.Softplus(2, 10), nn.ELU(), nn.ELU(0.5, inplace=True), nn.SELU(True),
        nn.LeakyReLU(), nn.LeakyReLU(0.2, inplace=True), nn.Hardtanh(), nn.Hardtanh(-2, 3), nn.ReLU6(True),
        nn.Hardswish(), nn.Hardsigmoid(), nn.LogSigmoid(), nn.Softsign(), nn.GLU(), nn.Softmax(dim=1),
        nn.LogSoftmax(),
    ]  # fmt: skip
    assert [repr(m) for m in modules] == [
        "ReLU()", "ReLU(inplace=True)", "Sigmoid()", "Tanh()", "GELU(approximate='none')",
        "GELU(approximate='tanh')", "SiLU(inplace=True)", "Mish()", "Softplus(beta=1.0, threshold=20.0)",
        "Softplus(beta=2, threshold=10)", "ELU(alpha=1.0)", "ELU(alpha=0.5, inplace=True)", "SELU(inplace=True)",
        "LeakyReLU(negative_slope=0.01)", "LeakyReLU(negative_slope=0.2, inplace=True)",
        "Hardtanh(min_val=-1.0, max_val=1.0)", "Hardtanh(min_val=-2, max_val=3)", "ReLU6(inplace=True)",
        "Hardswish()", "Hardsigmoid()", "LogSigmoid()", "Softsign()", "GLU(dim=-1)", "Softmax(dim=1)",
        "LogSoftmax(dim=None)",
    ]  # fmt: skip


def test_loss_modules():
    logits, target = ferrograd.tensor([0.5, -1.0, 2.0]), ferrograd.tensor([1.0, 0.0, 1.0])
    z, y = logits.numpy(), target.numpy()
    expected = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    assert nn.BCEWithLogitsLoss()(logits, target).item() == pytest.approx(expected, rel=1e-6)
    assert nn.BCEWithLogitsLoss(reduction="sum")(logits, target).item() == pytest.approx(3 * expected, rel=1e-6)
    weighted = nn.BCEWithLogitsLoss(pos_weight=ferrograd.tensor([2.0, 2.0, 2.0]))
    assert [n for n, _ in weighted.named_buffers()] == ["pos_weight"]
    assert [repr(m) for m in (nn.MSELoss(), nn.CrossEntropyLoss(weight=ferrograd.ones(2)), nn.NLLLoss())] == [
        "MSELoss()",
        "CrossEntropyLoss()",
        "NLLLoss()",
    ]
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum'"):
        assert nn.L1Loss(size_average=False).reduction == "sum"


# ---- reprs ----


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        self.head = nn.Linear(8, 2)
        self.register_buffer("steps", ferrograd.zeros(1))
        self.scale = nn.Parameter(ferrograd.ones(1))

    def forward(self, x):
        return self.head(self.features(x)) * self.scale


def test_reprs_match_pytorch():
    assert repr(Net()) == (
        "Net(\n"
        "  (features): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=8, bias=True)\n"
        "    (1): ReLU()\n"
        "  )\n"
        "  (head): Linear(in_features=8, out_features=2, bias=True)\n"
        ")"
    )
    assert repr(nn.Module()) == "Module()"
    assert repr(nn.Sequential()) == "Sequential()"
    assert (
        repr(nn.Bilinear(2, 3, 4, bias=False)) == "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=False)"
    )
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"

    class Described(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Tanh()

        def extra_repr(self):
            return "hello\nworld"

    assert repr(nn.Sequential(Described())) == (
        "Sequential(\n  (0): Described(\n    hello\n    world\n    (inner): Tanh()\n  )\n)"
    )


def test_module_list_repr_groups_repeats():
    layers = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Linear(2, 2)])
    assert repr(layers) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=1, out_features=1, bias=True)\n"
        "  (3-4): 2 x ReLU()\n"
        "  (5): Linear(in_features=2, out_features=2, bias=True)\n"
        ")"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_parameter_container_reprs():
    plist = nn.ParameterList([ferrograd.ones(2), ferrograd.ones(2, 3, dtype=ferrograd.float64), 3])
    assert repr(plist) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [ferrograd.float32 of size 2]\n"
        "    (1): Parameter containing: [ferrograd.float64 of size 2x3]\n"
        "    (2): Object of type: int\n"
        ")"
    )
    assert repr(nn.ParameterDict({"a": ferrograd.ones(2)})) == (
        "ParameterDict(  (a): Parameter containing: [ferrograd.FloatTensor of size 2])"
    )
    assert repr(nn.ParameterDict({"a": ferrograd.ones(2), "b": ferrograd.ones(1, dtype=ferrograd.float64)})) == (
        "ParameterDict(\n"
        "    (a): Parameter containing: [ferrograd.FloatTensor of size 2]\n"
        "    (b): Parameter containing: [ferrograd.DoubleTensor of size 1]\n"
        ")"
    )


# ---- registration and traversal ----


def test_named_members_and_traversal():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale",
        "features.0.weight",
        "features.0.bias",
        "head.weight",
        "head.bias",
    ]
    assert [n for n, _ in net.named_parameters(prefix="net", recurse=False)] == ["net.scale"]
    assert [n for n, _ in net.named_buffers()] == ["steps"]
    assert [n for n, _ in net.named_children()] == ["features", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "features", "features.0", "features.1", "head"]
    assert len(list(net.modules())) == 5 and len(list(net.children())) == 2
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())


def test_shared_modules_are_listed_once_unless_asked():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in seq.named_modules()] == ["", "0"]
    assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1"]


def test_attribute_registration():
    m = nn.Module()
    m.w = nn.Parameter(ferrograd.ones(1))
    m.child = nn.Tanh()
    m.register_buffer("running", ferrograd.zeros(2))
    m.register_buffer("scratch", ferrograd.zeros(1), persistent=False)
    m.steps = nn.Buffer(ferrograd.zeros(1))
    m.plain = 3
    assert m.w is m._parameters["w"] and m.child is m._modules["child"] and m.running is m._buffers["running"]
    assert list(m.state_dict()) == ["w", "running", "steps"]
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch", "steps"]
    m.w = None
    assert m.w is None and list(dict(m.named_parameters())) == []
    m.running = ferrograd.ones(2)
    assert m.running.tolist() == [1.0, 1.0]
    del m.child
    assert "child" not in m._modules
    with pytest.raises(AttributeError, match="^'Module' object has no attribute 'child'$"):
        _ = m.child
    assert {"running", "steps", "plain", "training", "forward"} <= set(dir(m))
    m.register_module("again", nn.ReLU())
    assert m.get_submodule("again") is m.again
    m.again.register_parameter("p", nn.Parameter(ferrograd.ones(1)))
    assert m.get_parameter("again.p") is m.again.p
    assert m.get_buffer("running") is m.running


@pytest.mark.parametrize(
    "action, error, message",
    [
        (lambda m: m.register_buffer(3, None), TypeError, "buffer name should be a string. Got int"),
        (lambda m: m.register_buffer("a.b", None), KeyError, 'buffer name can\'t contain "."'),
        (lambda m: m.register_buffer("", None), KeyError, 'buffer name can\'t be empty string ""'),
        (
            lambda m: m.register_buffer("x", 3),
            TypeError,
            "cannot assign 'int' object to buffer 'x' (torch Tensor or None required)",
        ),
        (
            lambda m: m.register_parameter("p", ferrograd.ones(1)),
            TypeError,
            "cannot assign 'ferrograd.FloatTensor' object to parameter 'p' (torch.nn.Parameter or None required)",
        ),
        (lambda m: m.add_module("x", 3), TypeError, "int is not a Module subclass"),
        (lambda m: m.add_module("a.b", nn.ReLU()), KeyError, 'module name can\'t contain ".", got: a.b'),
        (lambda m: m.add_module("existing", nn.ReLU()), KeyError, "attribute 'existing' already exists"),
        (
            lambda m: setattr(m, "w", ferrograd.ones(1)),
            TypeError,
            "cannot assign 'ferrograd.FloatTensor' as parameter 'w' (torch.nn.Parameter or None expected)",
        ),
        (
            lambda m: setattr(m, "buf", 3),
            TypeError,
            "cannot assign 'int' as buffer 'buf' (torch.nn.Buffer, torch.Tensor or None expected)",
        ),
        (
            lambda m: setattr(m, "child", 3),
            TypeError,
            "cannot assign 'int' as child module 'child' (torch.nn.Module or None expected)",
        ),
        (lambda m: m.train(1), ValueError, "training mode is expected to be boolean"),
        (lambda m: m.get_submodule("nope"), AttributeError, "Module has no attribute `nope`"),
        (lambda m: m.get_parameter("buf"), AttributeError, "`buf` is not an nn.Parameter"),
        (
            lambda m: m.to(ferrograd.int64),
            TypeError,
            "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=ferrograd.int64",
        ),
        (lambda m: m(1), NotImplementedError, 'Module [Module] is missing the required "forward" function'),
    ],
)
def test_registration_errors(action, error, message):
    m = nn.Module()
    m.existing = 1
    m.w = nn.Parameter(ferrograd.ones(1))
    m.register_buffer("buf", ferrograd.zeros(1))
    m.child = nn.ReLU()
    with pytest.raises(error) as info:
        action(m)
    assert info.value.args[0] == message


def test_assigning_before_init_fails():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ferrograd.ones(1))

    with pytest.raises(AttributeError, match=r"^cannot assign parameters before Module.__init__\(\) call$"):
        Broken()


# ---- modes, gradients, conversion ----


def test_train_eval_propagate():
    net = Net()
    assert net.training and net.features[1].training
    assert net.eval() is net and not net.features[0].training and not net.head.training
    net.train()
    assert all(m.training for m in net.modules())


def test_requires_grad_and_zero_grad():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    net(ferrograd.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad.abs().sum().item() == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_and_float_double_keep_parameter_identity():
    net = Net()
    weight = net.head.weight
    net(ferrograd.ones(1, 4)).sum().backward()
    assert net.to(ferrograd.float64) is net
    assert net.head.weight is weight and weight.dtype == ferrograd.float64 and weight.grad.dtype == ferrograd.float64
    assert net.steps.dtype == ferrograd.float64 and isinstance(weight, nn.Parameter) and weight.requires_grad
    assert net(ferrograd.ones(1, 4, dtype=ferrograd.float64)).dtype == ferrograd.float64
    net.float()
    assert weight.dtype == ferrograd.float32
    net.to("cpu").to(device="cpu", dtype=ferrograd.float32).cpu()
    assert net.double().head.bias.dtype == ferrograd.float64


def test_apply_visits_children_first():
    order = []
    Net().apply(lambda m: order.append(type(m).__name__))
    assert order == ["Linear", "ReLU", "Sequential", "Linear", "Net"]


# ---- state dicts ----


def test_state_dict_keys_and_sharing():
    net = Net()
    sd = net.state_dict()
    assert type(sd) is OrderedDict
    assert list(sd) == ["scale", "steps", "features.0.weight", "features.0.bias", "head.weight", "head.bias"]
    assert not sd["head.weight"].requires_grad and sd["head.weight"].data_ptr() == net.head.weight.data_ptr()
    assert net.state_dict(keep_vars=True)["head.weight"] is net.head.weight
    assert list(net.state_dict(prefix="model."))[0] == "model.scale"


def test_load_state_dict_copies_values():
    a, b = Net(), Net()
    assert repr(b.load_state_dict(a.state_dict())) == "<All keys matched successfully>"
    x = ferrograd.ones(3, 4)
    assert b(x).tolist() == a(x).tolist()
    weight = b.head.weight
    b.load_state_dict(Net().state_dict())
    assert b.head.weight is weight  # copied into, not replaced


def test_load_state_dict_strict_errors():
    layer = nn.Linear(3, 2)
    bad = {"weight": ferrograd.ones(2, 4), "extra": ferrograd.ones(1), "x.y": ferrograd.ones(1)}
    with pytest.raises(RuntimeError) as info:
        layer.load_state_dict(bad)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Linear:\n"
        '\tMissing key(s) in state_dict: "bias". \n'
        '\tUnexpected key(s) in state_dict: "extra", "x.y". \n'
        "\tsize mismatch for weight: copying a param with shape ferrograd.Size([2, 4]) from checkpoint, "
        "the shape in current model is ferrograd.Size([2, 3])."
    )
    with pytest.raises(RuntimeError) as info:
        layer.load_state_dict({"weight": 3, "bias": ferrograd.ones(2)})
    assert str(info.value) == (
        "Error(s) in loading state_dict for Linear:\n"
        '\tWhile copying the parameter named "weight", expected torch.Tensor or Tensor-like object from '
        "checkpoint but received <class 'int'>"
    )
    with pytest.raises(TypeError, match="^Expected state_dict to be dict-like, got <class 'list'>.$"):
        layer.load_state_dict([1])


def test_load_state_dict_non_strict_and_nested_unexpected():
    net = Net()
    state = net.state_dict()
    del state["head.bias"]
    state["head.extra"] = ferrograd.ones(1)
    state["nothing.here"] = ferrograd.ones(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["head.bias"]
    assert result.unexpected_keys == ["nothing.here", "head.extra"]
    assert (
        repr(result) == "_IncompatibleKeys(missing_keys=['head.bias'], unexpected_keys=['nothing.here', 'head.extra'])"
    )


def test_load_state_dict_assign():
    layer = nn.Linear(2, 2)
    new_weight = ferrograd.zeros(2, 2)
    layer.load_state_dict({"weight": new_weight, "bias": ferrograd.ones(2)}, assign=True)
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad
    with ferrograd.no_grad():
        new_weight.add_(1)
    assert layer.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]  # the loaded tensor's memory


def test_non_persistent_buffers_stay_out_of_state_dict():
    m = nn.Module()
    m.register_buffer("mask", ferrograd.ones(2), persistent=False)
    assert list(m.state_dict()) == []
    assert repr(m.load_state_dict({})) == "<All keys matched successfully>"


# ---- hooks ----


def test_forward_hooks():
    layer = nn.Identity()
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] + 1,))
    post = layer.register_forward_hook(lambda m, args, out: out * 10)
    layer.register_forward_hook(lambda m, args, out: calls.append((args[0].item(), out.item())))
    assert layer(ferrograd.tensor(1.0)).item() == 20.0
    assert calls == [(2.0, 20.0)]
    pre.remove()
    post.remove()
    assert layer(ferrograd.tensor(1.0)).item() == 1.0
    with layer.register_forward_hook(lambda m, args, out: out - 1):
        assert layer(ferrograd.tensor(1.0)).item() == 0.0
    assert layer(ferrograd.tensor(1.0)).item() == 1.0


def test_hooks_with_kwargs_prepend_and_always_call():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            if factor < 0:
                raise ValueError("negative")
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": kwargs["factor"] * 2}), with_kwargs=True)
    order = []
    m.register_forward_hook(lambda mod, args, kwargs, out: order.append(("kw", kwargs["factor"])), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    assert m(ferrograd.tensor(1.0), factor=3.0).item() == 6.0
    assert order == ["first", ("kw", 6.0)]
    seen = []
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError, match="negative"):
        m(ferrograd.tensor(1.0), factor=-1.0)
    assert seen == [None]


def test_pre_hook_must_return_args_and_kwargs():
    m = nn.Identity()
    m.register_forward_pre_hook(lambda mod, args, kwargs: 3, with_kwargs=True)
    with pytest.raises(
        RuntimeError, match=r"^forward pre-hook must return None or a tuple of \(new_args, new_kwargs\), but got 3.$"
    ):
        m(ferrograd.ones(1))


# ---- containers ----


def test_sequential():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and isinstance(seq[1], nn.ReLU)
    part = seq[1:]
    assert isinstance(part, nn.Sequential) and [n for n, _ in part.named_children()] == ["1", "2"]
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert named.fc is named[0] and [n for n, _ in named.named_children()] == ["fc", "act"]
    seq.append(nn.Sigmoid())
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"] and isinstance(seq[0], nn.ReLU)
    seq.insert(0, nn.Linear(2, 3))
    assert isinstance(seq.pop(-1), nn.Sigmoid) and len(seq) == 3
    x = ferrograd.ones(4, 2)
    assert seq(x).tolist() == seq[2](seq[1](seq[0](x))).tolist()
    combined = seq + nn.Sequential(nn.Tanh())
    assert len(combined) == 4
    with pytest.raises(IndexError, match="^index 5 is out of range$"):
        seq[5]
    with pytest.raises(TypeError, match="'str' object cannot be interpreted as an integer"):
        seq["a"]


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    layers.append(nn.Tanh())
    layers += [nn.Sigmoid()]
    assert len(layers) == 4 and isinstance(layers[2], nn.Tanh) and isinstance(layers[1:], nn.ModuleList)
    assert len(list(layers.parameters())) == 2
    del layers[0]
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2"]
    with pytest.raises(
        NotImplementedError, match=r"Module \[ModuleList\] is missing the required \"forward\" function"
    ):
        layers(1)
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    heads["b"] = nn.Linear(2, 3)
    heads.update([("c", nn.ReLU())])
    assert list(heads) == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert [n for n, _ in heads.named_parameters()] == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert isinstance(heads.pop("c"), nn.ReLU) and list(heads.keys()) == ["a", "b"]
    with pytest.raises(KeyError):
        heads["zzz"]


def test_parameter_list_and_dict_register_parameters():
    plist = nn.ParameterList([ferrograd.ones(2)])
    plist.append(nn.Parameter(ferrograd.zeros(1)))
    assert len(plist) == 2 and all(isinstance(p, nn.Parameter) for p in plist)
    assert [n for n, _ in plist.named_parameters()] == ["0", "1"]
    pdict = nn.ParameterDict({"w": ferrograd.ones(2)})
    pdict["b"] = ferrograd.zeros(1)
    assert isinstance(pdict["b"], nn.Parameter) and list(pdict) == ["w", "b"]
    assert [n for n, _ in pdict.named_parameters()] == ["w", "b"]
    owner = nn.Module()
    owner.extra = pdict
    assert [n for n, _ in owner.named_parameters()] == ["extra.w", "extra.b"]


def test_deepcopy_gives_an_independent_model():
    net = Net()
    twin = copy.deepcopy(net)
    with ferrograd.no_grad():
        twin.head.weight.zero_()
    assert net.head.weight.abs().sum().item() > 0
    assert repr(twin) == repr(net)


# ---- helpers in nn.utils ----


def test_clip_grad_norm():
    a, b = nn.Parameter(ferrograd.zeros(2)), nn.Parameter(ferrograd.zeros(1))
    a.grad, b.grad = ferrograd.tensor([3.0, 0.0]), ferrograd.tensor([4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == 5.0
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [3.0 * scale, 0.0], rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), [4.0 * scale], rtol=1e-6)
    a.grad = ferrograd.tensor([0.3, -0.4])
    assert nn.utils.clip_grad_norm_(a, 10.0).item() == pytest.approx(0.5)
    assert a.grad.tolist() == pytest.approx([0.3, -0.4])  # under the limit: unchanged
    a.grad = ferrograd.tensor([1.0, -7.0])
    assert nn.utils.clip_grad_norm_(a, 2.0, norm_type="inf").item() == 7.0
    assert nn.utils.clip_grad_norm_(a, 2.0, norm_type=1).item() == pytest.approx(2.0 * 8 / 7, rel=1e-5)
    assert nn.utils.clip_grad_norm_([nn.Parameter(ferrograd.ones(1))], 1.0).item() == 0.0
    a.grad = ferrograd.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        nn.utils.clip_grad_norm_(a, 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    p = nn.Parameter(ferrograd.zeros(4))
    p.grad = ferrograd.tensor([-3.0, -0.5, 0.5, 3.0])
    nn.utils.clip_grad_value_(p, 1.0)
    assert p.grad.tolist() == [-1.0, -0.5, 0.5, 1.0]


def test_parameters_to_vector_and_back():
    layer = nn.Linear(2, 2)
    vec = nn.utils.parameters_to_vector(layer.parameters())
    assert vec.tolist() == layer.weight.reshape(-1).tolist() + layer.bias.tolist()
    vec.sum().backward()  # differentiable
    assert layer.weight.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    nn.utils.vector_to_parameters(ferrograd.arange(6.0), layer.parameters())
    assert layer.weight.tolist() == [[0.0, 1.0], [2.0, 3.0]] and layer.bias.tolist() == [4.0, 5.0]
    with pytest.raises(TypeError, match="^expected torch.Tensor, but got: list$"):
        nn.utils.vector_to_parameters([1.0], layer.parameters())


# ---- training ----


def test_mlp_learns_xor():
    """A Linear-Tanh-Linear network trained with SGD and a loss made of existing ops."""
    x = ferrograd.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = ferrograd.tensor([[0.0], [1.0], [1.0], [0.0]])
    ferrograd.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = ferrograd.optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(300):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.05 < losses[0]
    assert ((net(x) > 0).float() - y).abs().sum().item() == 0
