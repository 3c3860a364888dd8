"""Optimizers: every update checked to the bit against the same arithmetic in NumPy
(PyTorch's single-tensor formulas, with its fused multiply-adds) over several steps, in
float32 and float64; then the ``Optimizer`` API: groups, state dicts, closures, errors."""

import copy
import math

import numpy as np
import pytest

import ferrograd
from ferrograd import nn, optim
from rounding import add, addcdiv, addcmul, lerp

STEPS = 5
RNG = np.random.default_rng(11)
START = RNG.standard_normal(6)
GRADS = [RNG.standard_normal(6) for _ in range(STEPS)]


def gradient(k, p):
    """The gradient fed at step ``k``, depending on the parameter (as real ones do)."""
    dtype = p.dtype.type
    return GRADS[k].astype(p.dtype) * (dtype(1) + dtype(0.1) * p)


# ---- NumPy references: one step on the arrays in `state`, PyTorch's order of operations ----


def sgd_step(p, g, state, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    t = p.dtype.type
    g = -g if maximize else g
    if weight_decay:
        g = add(g, p, weight_decay)
    if momentum:
        if "buf" not in state:
            state["buf"] = g.copy()
        else:
            state["buf"] = add(state["buf"] * t(momentum), g, 1 - dampening)
        g = add(g, state["buf"], momentum) if nesterov else state["buf"]
    return add(p, g, -lr)


def adam_step(
    p, g, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False, decoupled=False
):
    t = p.dtype.type
    (b1, b2), g = betas, (-g if maximize else g)
    state["step"] = state.get("step", 0) + 1
    m, v = state.get("m", np.zeros_like(p)), state.get("v", np.zeros_like(p))
    if weight_decay:
        if decoupled:
            p = p * t(1 - lr * weight_decay)
        else:
            g = add(g, p, weight_decay)
    m = lerp(m, g, 1 - b1)
    v = addcmul(v * t(b2), g, g, 1 - b2)
    step = state["step"]
    step_size = lr / (1 - b1**step)
    correction = (1 - b2**step) ** 0.5
    if amsgrad:
        state["vmax"] = np.maximum(state.get("vmax", np.zeros_like(p)), v)
        denom = np.sqrt(state["vmax"]) / t(correction) + t(eps)
    else:
        denom = np.sqrt(v) / t(correction) + t(eps)
    state["m"], state["v"] = m, v
    return addcdiv(p, m, denom, -step_size)


def rmsprop_step(p, g, state, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False):
    t = p.dtype.type
    g = -g if maximize else g
    if weight_decay:
        g = add(g, p, weight_decay)
    sq = addcmul(state.get("sq", np.zeros_like(p)) * t(alpha), g, g, 1 - alpha)
    state["sq"] = sq
    if centered:
        state["ga"] = lerp(state.get("ga", np.zeros_like(p)), g, 1 - alpha)
        avg = np.sqrt(addcmul(sq, state["ga"], state["ga"], -1))
    else:
        avg = np.sqrt(sq)
    avg = avg + t(eps)
    if momentum > 0:
        state["buf"] = addcdiv(state.get("buf", np.zeros_like(p)) * t(momentum), g, avg, 1)
        return add(p, state["buf"], -lr)
    return addcdiv(p, g, avg, -lr)


def adagrad_step(
    p, g, state, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False
):
    t = p.dtype.type
    state["step"] = state.get("step", 0) + 1
    g = -g if maximize else g
    if weight_decay:
        g = add(g, p, weight_decay)
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    s = addcmul(state.get("sum", np.full_like(p, t(initial_accumulator_value))), g, g, 1)
    state["sum"] = s
    return addcdiv(p, g, np.sqrt(s) + t(eps), -clr)


CASES = [
    (optim.SGD, sgd_step, {"lr": 0.1}),
    (optim.SGD, sgd_step, {"lr": 0.1, "momentum": 0.9}),
    (optim.SGD, sgd_step, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}),
    (optim.SGD, sgd_step, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    (optim.Adam, adam_step, {"lr": 0.01}),
    (optim.Adam, adam_step, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    (optim.Adam, adam_step, {"lr": 0.02, "betas": (0.3, 0.7), "eps": 1e-3, "maximize": True}),
    (optim.AdamW, adam_step, {"lr": 0.01, "decoupled": True, "weight_decay": 0.01}),
    (optim.AdamW, adam_step, {"lr": 0.01, "amsgrad": True, "decoupled": True, "weight_decay": 0.2}),
    (optim.RMSprop, rmsprop_step, {"lr": 0.01}),
    (optim.RMSprop, rmsprop_step, {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    (optim.RMSprop, rmsprop_step, {"lr": 0.01, "alpha": 0.3, "centered": True, "maximize": True}),
    (optim.Adagrad, adagrad_step, {"lr": 0.1}),
    (
        optim.Adagrad,
        adagrad_step,
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls, reference, options", CASES)
def test_updates_match_the_reference_to_the_bit(cls, reference, options, dtype):
    options = dict(options)
    decoupled = options.pop("decoupled", False)
    ref_options = dict(options, decoupled=decoupled) if reference is adam_step else options
    if cls is optim.AdamW:
        ref_options["decoupled"] = True
    p = nn.Parameter(ferrograd.tensor(START.astype(dtype)))
    opt = cls([p], **options)
    expected, state = START.astype(dtype), {}
    for k in range(STEPS):
        p.grad = ferrograd.tensor(gradient(k, p.detach().numpy()))
        opt.step()
        expected = reference(expected, gradient(k, expected), state, **ref_options)
        np.testing.assert_array_equal(p.detach().numpy(), expected, err_msg=f"step {k}")
    assert p.dtype == ferrograd.float32 if dtype == np.float32 else ferrograd.float64


def test_sgd_by_hand():
    # p = 1, loss p^2: g = 2p. Momentum 0.5: b1 = 2, p1 = 1 - 0.1 * 2 = 0.8;
    # g = 1.6, b2 = 0.5 * 2 + 1.6 = 2.6, p2 = 0.8 - 0.26 = 0.54.
    w = nn.Parameter(ferrograd.tensor([1.0], dtype=ferrograd.float64))
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.tolist() == pytest.approx([0.54], abs=1e-15)
    assert opt.state[w]["momentum_buffer"].tolist() == pytest.approx([2.6], abs=1e-15)


def test_adam_first_step_moves_by_lr():
    # After one step m/sqrt(v) (bias corrected) is sign(g): every coordinate moves by lr.
    w = nn.Parameter(ferrograd.tensor([3.0, -2.0, 0.5], dtype=ferrograd.float64))
    opt = optim.Adam([w], lr=0.01, eps=0.0)
    w.grad = ferrograd.tensor([10.0, -0.1, 1e-3], dtype=ferrograd.float64)
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [2.99, -1.99, 0.49], rtol=0, atol=1e-12)


def test_parameters_without_gradients_are_skipped():
    a, b = nn.Parameter(ferrograd.ones(2)), nn.Parameter(ferrograd.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = ferrograd.ones(2)
    opt.step()
    assert b.tolist() == [1.0, 1.0] and b not in opt.state
    assert a.tolist() != [1.0, 1.0]


# ---- the Optimizer API ----


def test_param_groups_take_their_own_options():
    first, second = nn.Linear(2, 2), nn.Linear(2, 1)
    opt = optim.SGD([{"params": first.parameters()}, {"params": second.parameters(), "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    assert opt.param_groups[0]["params"] == list(first.parameters())
    third = nn.Parameter(ferrograd.zeros(1))
    opt.add_param_group({"params": third, "lr": 1.0})
    assert opt.param_groups[2]["params"][0] is third and opt.param_groups[2]["nesterov"] is False
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter group$"):
        opt.add_param_group({"params": [third]})


def test_keys_of_param_groups_match_pytorch():
    p = [nn.Parameter(ferrograd.ones(1))]
    assert list(optim.SGD(p).param_groups[0]) == [
        "params", "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach",
        "differentiable", "fused",
    ]  # fmt: skip
    assert list(optim.Adam(p).param_groups[0]) == [
        "params", "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable",
        "differentiable", "fused", "decoupled_weight_decay",
    ]  # fmt: skip
    assert optim.AdamW(p).defaults["weight_decay"] == 0.01
    assert optim.AdamW(p).defaults["decoupled_weight_decay"] is True
    assert list(optim.RMSprop(p).defaults) == [
        "lr", "momentum", "alpha", "eps", "centered", "weight_decay", "capturable", "foreach", "maximize",
        "differentiable",
    ]  # fmt: skip
    assert list(optim.Adagrad(p).defaults) == [
        "lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value", "foreach", "maximize",
        "differentiable", "fused",
    ]  # fmt: skip


def test_repr():
    opt = optim.Adam([nn.Parameter(ferrograd.ones(1))])
    assert repr(opt) == (
        "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n"
        "    decoupled_weight_decay: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n"
        "    fused: None\n    lr: 0.001\n    maximize: False\n    weight_decay: 0\n)"
    )


def test_zero_grad():
    w = nn.Parameter(ferrograd.ones(2))
    opt = optim.SGD([w], lr=0.1)
    w.grad = ferrograd.ones(2)
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0] and grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_step_with_closure_reevaluates_with_gradients_on():
    w = nn.Parameter(ferrograd.tensor([2.0]))
    opt = optim.SGD([w], lr=0.25)
    calls = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        calls.append(ferrograd.is_grad_enabled())
        return loss

    with ferrograd.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and calls == [True]
    assert w.tolist() == [1.0]


def test_step_hooks():
    w = nn.Parameter(ferrograd.ones(1))
    opt = optim.SGD([w], lr=1.0)
    seen = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", w.item())))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", w.item())))
    w.grad = ferrograd.ones(1)
    opt.step()
    pre.remove()
    opt.step()
    assert seen == [("pre", 1.0), ("post", 0.0), ("post", -1.0)]


def test_state_dict_format():
    model = nn.Linear(2, 1)
    opt = optim.Adam([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5}])
    model(ferrograd.ones(3, 2)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sorted(sd["state"]) == [0, 1]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    step = sd["state"][0]["step"]
    assert step.dtype == ferrograd.float32 and step.dim() == 0 and step.item() == 1.0
    assert optim.SGD(model.parameters(), lr=0.1).state_dict()["state"] == {}  # no momentum: no state
    adagrad = optim.Adagrad(model.parameters(), initial_accumulator_value=0.5).state_dict()["state"]
    assert adagrad[1]["sum"].tolist() == [0.5] and adagrad[1]["step"].item() == 0.0


def test_load_state_dict_resumes_exactly():
    ferrograd.manual_seed(0)
    model = nn.Linear(3, 2)
    x = ferrograd.randn(8, 3)

    def train(m, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            m(x).square().mean().backward()
            opt.step()

    straight = copy.deepcopy(model)
    straight_opt = optim.Adam(straight.parameters(), lr=0.05, amsgrad=True)
    train(straight, straight_opt, 6)

    first_opt = optim.Adam(model.parameters(), lr=0.05, amsgrad=True)
    train(model, first_opt, 3)
    resumed = copy.deepcopy(model)
    resumed_opt = optim.Adam(resumed.parameters(), lr=0.05, amsgrad=True)
    resumed_opt.load_state_dict(copy.deepcopy(first_opt.state_dict()))
    train(resumed, resumed_opt, 3)
    for a, b in zip(straight.parameters(), resumed.parameters()):
        assert a.tolist() == b.tolist()


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    w = nn.Parameter(ferrograd.ones(2, dtype=ferrograd.float64))
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    state = {"state": {0: {"momentum_buffer": ferrograd.ones(2)}}, "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(state)
    assert opt.state[w]["momentum_buffer"].dtype == ferrograd.float64


def test_load_state_dict_errors():
    opt = optim.SGD([nn.Parameter(ferrograd.ones(1))], lr=0.1)
    two = optim.SGD([nn.Parameter(ferrograd.ones(1)), nn.Parameter(ferrograd.ones(1))], lr=0.1)
    with pytest.raises(ValueError, match="^loaded state dict contains a parameter group that doesn't match"):
        opt.load_state_dict(two.state_dict())
    two_groups = optim.SGD([{"params": [nn.Parameter(ferrograd.ones(1))]}, {"params": []}], lr=0.1)
    with pytest.raises(ValueError, match="^loaded state dict has a different number of parameter groups$"):
        opt.load_state_dict(two_groups.state_dict())


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda p: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
        (
            lambda p: optim.SGD(ferrograd.ones(2), lr=0.1),
            TypeError,
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
            "ferrograd.FloatTensor",
        ),
        (lambda p: optim.SGD([p * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
        (
            lambda p: optim.SGD([3], lr=0.1),
            TypeError,
            "optimizer can only optimize Tensors, but one of the params is int",
        ),
        (lambda p: optim.SGD([p], lr=-1), ValueError, "Invalid learning rate: -1"),
        (lambda p: optim.SGD([p], momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
        (
            lambda p: optim.SGD([p], nesterov=True),
            ValueError,
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (lambda p: optim.Adam([p], betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam([p], eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
        (lambda p: optim.AdamW([p], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
        (lambda p: optim.RMSprop([p], alpha=-0.1), ValueError, "Invalid alpha value: -0.1"),
        (lambda p: optim.Adagrad([p], lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
        (
            lambda p: optim.Adagrad([p], initial_accumulator_value=-1),
            ValueError,
            "Invalid initial_accumulator_value value: -1",
        ),
        (
            lambda p: optim.SGD([p]).add_param_group({"params": {p}}),
            TypeError,
            "optimizer parameters need to be organized in ordered collections",
        ),
    ],
)
def test_errors(make, error, message):
    p = nn.Parameter(ferrograd.ones(2))
    with pytest.raises(error) as info:
        make(p)
    assert str(info.value).startswith(message)


def test_training_lowers_the_loss():
    """A two-layer network fits a smooth function; every optimizer must lower the loss."""
    x = ferrograd.linspace(-2, 2, 64).reshape(64, 1)
    y = (x * 1.5).sin()
    for cls, lr in [
        (optim.SGD, 0.1),
        (optim.Adam, 0.02),
        (optim.AdamW, 0.02),
        (optim.RMSprop, 0.005),
        (optim.Adagrad, 0.1),
    ]:
        ferrograd.manual_seed(3)
        net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
        opt = cls(net.parameters(), lr=lr)
        losses = []
        for _ in range(150):
            opt.zero_grad()
            loss = (net(x) - y).square().mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[-1] < 0.25 * losses[0], (cls.__name__, losses[0], losses[-1])
        assert math.isfinite(losses[-1])
