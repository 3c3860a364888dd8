"""Learning-rate schedules against hand-computed rates, over several steps, with PyTorch's
recursive arithmetic; plus warnings, state dicts and errors."""

import math
import warnings

import pytest

import ferrograd
from ferrograd import nn, optim
from ferrograd.optim import lr_scheduler


def make_optimizer(lr=1.0, cls=optim.SGD, groups=1, **options):
    params = [{"params": [nn.Parameter(ferrograd.zeros(1))]} for _ in range(groups)]
    return cls(params, lr=lr, **options)


def run(scheduler, steps, metric=None):
    """The rates after each ``step()`` (following an optimizer step, as it should)."""
    rates = []
    for i in range(steps):
        scheduler.optimizer.step()
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric[i])
        rates.append(scheduler.get_last_lr()[0])
    return rates


def test_step_lr():
    opt = make_optimizer(0.3)
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.1)
    assert sched.get_last_lr() == [0.3] and opt.param_groups[0]["initial_lr"] == 0.3
    expected, lr = [], 0.3
    for epoch in range(1, 10):
        if epoch % 3 == 0:
            lr *= 0.1
        expected.append(lr)
    assert run(sched, 9) == expected
    assert opt.param_groups[0]["lr"] == expected[-1]


def test_multi_step_lr_counts_repeated_milestones():
    sched = lr_scheduler.MultiStepLR(make_optimizer(1.0), milestones=[2, 5, 5], gamma=0.5)
    assert run(sched, 6) == [1.0, 0.5, 0.5, 0.5, 0.125, 0.125]


def test_exponential_lr():
    sched = lr_scheduler.ExponentialLR(make_optimizer(0.1), gamma=0.9)
    expected, lr = [], 0.1
    for _ in range(5):
        lr = lr * 0.9
        expected.append(lr)
    assert run(sched, 5) == expected


def test_cosine_annealing_recursive_and_periodic():
    t_max, eta_min, base = 4, 0.1, 1.0
    sched = lr_scheduler.CosineAnnealingLR(make_optimizer(base), T_max=t_max, eta_min=eta_min)
    rates = run(sched, 12)
    # PyTorch's recursion, written out.
    expected, lr = [], base
    for epoch in range(1, 13):
        if (epoch - 1 - t_max) % (2 * t_max) == 0:
            lr = lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        else:
            ratio = (1 + math.cos(math.pi * epoch / t_max)) / (1 + math.cos(math.pi * (epoch - 1) / t_max))
            lr = ratio * (lr - eta_min) + eta_min
        expected.append(lr)
    assert rates == expected
    closed = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * e / t_max)) / 2 for e in range(1, 13)]
    assert rates == pytest.approx(closed, abs=1e-12)
    assert rates[3] == pytest.approx(eta_min) and rates[7] == pytest.approx(base)


def test_lambda_lr_per_group():
    opt = make_optimizer(1.0, groups=2)
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 1 / (e + 1), lambda e: 0.5**e])
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.25, 0.125]
    with pytest.raises(ValueError, match="^Expected 2 lr_lambdas, but got 1$"):
        lr_scheduler.LambdaLR(make_optimizer(groups=2), [lambda e: 1.0])


def one_cycle_expected(total, max_lr, div, final_div, pct, steps, three_phase=False):
    initial = max_lr / div
    minimum = initial / final_div
    anneal = lambda start, end, pct: end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)  # noqa: E731
    if three_phase:
        phases = [
            (pct * total - 1, initial, max_lr),
            (2 * pct * total - 2, max_lr, initial),
            (total - 1, initial, minimum),
        ]
    else:
        phases = [(pct * total - 1, initial, max_lr), (total - 1, max_lr, minimum)]
    rates = []
    for step in range(1, steps + 1):
        start = 0.0
        for i, (end, lo, hi) in enumerate(phases):
            if step <= end or i == len(phases) - 1:
                rates.append(anneal(lo, hi, (step - start) / (end - start)))
                break
            start = end
    return rates


@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_lr(three_phase):
    opt = make_optimizer(0.0, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, three_phase=three_phase)
    assert sched.get_last_lr() == [pytest.approx(0.04)] and opt.param_groups[0]["momentum"] == 0.95
    assert run(sched, 9) == one_cycle_expected(10, 1.0, 25.0, 1e4, 0.3, 9, three_phase)
    with pytest.raises(ValueError, match="^Tried to step 11 times. The specified number of total steps is 10$"):
        run(sched, 2)


def test_one_cycle_cycles_momentum_and_betas():
    sgd = make_optimizer(momentum=0.9)
    sched = lr_scheduler.OneCycleLR(
        sgd, max_lr=0.1, epochs=2, steps_per_epoch=5, pct_start=0.4, anneal_strategy="linear"
    )
    run(sched, 3)  # at the peak: momentum at its base
    assert sgd.param_groups[0]["momentum"] == pytest.approx(0.85)
    assert sched.get_last_lr() == [pytest.approx(0.1)]
    adam = make_optimizer(cls=optim.Adam, betas=(0.9, 0.99))
    lr_scheduler.OneCycleLR(adam, max_lr=0.1, total_steps=4)
    assert adam.param_groups[0]["betas"] == (0.95, 0.99)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(make_optimizer(cls=optim.Adagrad), max_lr=0.1, total_steps=4)
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        lr_scheduler.OneCycleLR(make_optimizer(), max_lr=0.1)


def test_reduce_lr_on_plateau():
    opt = make_optimizer(1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2, threshold=0.1, cooldown=1)
    metrics = [10, 9.5, 9.2, 9.1, 8.0, 8.0, 8.0, 8.0, 8.0]
    assert run(sched, 9, metrics) == [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_reduce_lr_on_plateau_max_mode_and_floor():
    opt = make_optimizer(1.0)
    sched = lr_scheduler.ReduceLROnPlateau(
        opt, mode="max", factor=0.1, patience=0, threshold=1.0, threshold_mode="abs", min_lr=0.05
    )
    # Improvements must beat the best by 1.0: 0.5 over 0 does not after the first.
    rates = run(sched, 4, [ferrograd.tensor(1.0), 1.5, 3.0, 3.2])
    assert rates == [1.0, 0.1, 0.1, 0.05]
    with pytest.raises(ValueError, match="^Factor should be < 1.0.$"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="^mode avg is unknown!$"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="avg")


def test_warns_when_stepped_before_the_optimizer():
    opt = make_optimizer()
    sched = lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = make_optimizer()
    sched2 = lr_scheduler.StepLR(opt2, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        sched2.step()


def test_get_lr_outside_step_warns():
    sched = lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.5)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_step_with_epoch_uses_the_closed_form():
    sched = lr_scheduler.StepLR(make_optimizer(1.0), step_size=2, gamma=0.5)
    sched.optimizer.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        sched.step(5)
    assert sched.get_last_lr() == [0.25] and sched.last_epoch == 5


def test_state_dict_round_trip():
    opt = make_optimizer(1.0)
    sched = lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    run(sched, 3)
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3 and state["base_lrs"] == [1.0]
    fresh_opt = make_optimizer(1.0)
    fresh = lr_scheduler.MultiStepLR(fresh_opt, milestones=[1], gamma=0.1)
    fresh.load_state_dict(state)
    fresh_opt.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    assert run(fresh, 3) == run(sched, 3)


def test_lambda_lr_state_dict_keeps_callable_objects_state():
    class Scale:
        def __init__(self, factor):
            self.factor = factor

        def __call__(self, epoch):
            return self.factor**epoch

    sched = lr_scheduler.LambdaLR(make_optimizer(), [Scale(0.5)])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"factor": 0.5}]
    other = lr_scheduler.LambdaLR(make_optimizer(), [Scale(0.9)])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].factor == 0.5
    assert lr_scheduler.LambdaLR(make_optimizer(), lambda e: 1.0).state_dict()["lr_lambdas"] == [None]


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="^list is not an Optimizer$"):
        lr_scheduler.StepLR([], step_size=1)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        lr_scheduler.StepLR(make_optimizer(), step_size=1, last_epoch=3)
