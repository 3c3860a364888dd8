"""The examples run: the digits CNN learns (loss falls, high test accuracy, weights saved and
loaded back), and the LeNet tutorial builds PyTorch's graph and prints what the tutorial
shows."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

import ferrograd

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def digits() -> ModuleType:
    return load_example("train_digits")


@pytest.fixture(scope="module")
def lenet() -> ModuleType:
    return load_example("lenet_tutorial")


def test_digit_splits_are_fixed_and_disjoint(digits):
    train, test = digits.digit_splits(0)
    assert (len(train), len(test)) == (1437, 360)
    assert set(train.indices).isdisjoint(test.indices)
    assert list(digits.digit_splits(0)[1].indices) == list(test.indices)
    image, label = train[0]
    assert tuple(image.shape) == (1, 8, 8) and 0.0 <= image.min().item() <= image.max().item() <= 1.0
    assert 0 <= label.item() <= 9


def test_digits_training_loss_falls_and_accuracy_is_high(digits):
    ferrograd.manual_seed(0)
    train, test = digits.digit_splits(0)
    model = digits.build_model()
    before = digits.accuracy(model, test)
    losses = digits.train(model, train, epochs=3)
    assert len(losses) == 3
    assert losses[0] > losses[1] > losses[2]
    assert losses[-1] < 0.2
    after = digits.accuracy(model, test)
    assert before < 0.3
    assert after >= 0.95


def test_digits_main_prints_accuracy_and_saves_the_model(digits, tmp_path, capsys):
    out = tmp_path / "model.safetensors"
    accuracy = digits.main(["--epochs", "2", "--out", str(out)])
    printed = capsys.readouterr().out
    line = next(line for line in printed.splitlines() if "accuracy" in line)
    assert float(re.search(r"([\d.]+)%", line).group(1)) == pytest.approx(100 * accuracy, abs=0.01)
    assert accuracy >= 0.9
    reloaded = digits.build_model()
    reloaded.load_state_dict(ferrograd.load(out))
    assert digits.accuracy(reloaded, digits.digit_splits(0)[1]) == accuracy
    assert "1.running_mean" in reloaded.state_dict() and "1.num_batches_tracked" in reloaded.state_dict()


def test_digits_trains_on_every_device(digits, device):
    ferrograd.manual_seed(0)
    train, _ = digits.digit_splits(0)
    model = digits.build_model().to(device)
    losses = digits.train(model, train, epochs=2, device=device, max_batches=4)
    assert all(loss == loss for loss in losses)
    assert losses[1] < losses[0]


def graph_names(fn, depth: int = 0) -> list[str]:
    """The graph under ``fn`` as indented node names, depth first."""
    lines = ["  " * depth + (type(fn).__name__ if fn is not None else "None")]
    for next_fn, _ in fn.next_functions if fn is not None else ():
        lines += graph_names(next_fn, depth + 1)
    return lines


# What PyTorch builds for the tutorial's loss (from the reference implementation).
LENET_GRAPH = """\
MseLossBackward0
  AddmmBackward0
    AccumulateGrad
    ReluBackward0
      AddmmBackward0
        AccumulateGrad
        ReluBackward0
          AddmmBackward0
            AccumulateGrad
            ViewBackward0
              MaxPool2DWithIndicesBackward0
                ReluBackward0
                  ConvolutionBackward0
                    MaxPool2DWithIndicesBackward0
                      ReluBackward0
                        ConvolutionBackward0
                          None
                          AccumulateGrad
                          AccumulateGrad
                    AccumulateGrad
                    AccumulateGrad
            TBackward0
              AccumulateGrad
        TBackward0
          AccumulateGrad
    TBackward0
      AccumulateGrad
  None"""


def test_lenet_builds_pytorchs_graph(lenet):
    net = lenet.Net()
    assert [tuple(p.shape) for p in net.parameters()] == [
        (6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,), (10, 84), (10,)
    ]  # fmt: skip
    loss = ferrograd.nn.MSELoss()(net(ferrograd.randn(1, 1, 32, 32)), ferrograd.randn(1, 10))
    assert "\n".join(graph_names(loss.grad_fn)) == LENET_GRAPH


def test_lenet_tutorial_prints_what_the_tutorial_shows(lenet, device, capsys):
    lenet.main(["--device", device])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Net("
    assert "  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))" in lines
    assert "10" in lines and "ferrograd.Size([6, 1, 5, 5])" in lines
    grad_fns = [line for line in lines if line.startswith("<")]
    assert [re.match(r"<(\w+) object at 0x[0-9a-f]+>$", line).group(1) for line in grad_fns] == [
        "MseLossBackward0",
        "AddmmBackward0",
        "AccumulateGrad",
    ]
    before = lines.index("conv1.bias.grad before backward")
    assert lines[before + 1] == "None"
    after = lines.index("conv1.bias.grad after backward")
    assert lines[after + 1].startswith("tensor([") and lines[after + 1] != "tensor([0., 0., 0., 0., 0., 0.])"
    final = re.search(r"loss after one SGD step: ([\d.]+) \(before: ([\d.]+)\)", lines[-1])
    assert float(final.group(1)) < float(final.group(2))


def test_lenet_zero_grad_clears_conv1_bias_grad(lenet):
    net = lenet.Net()
    net(ferrograd.randn(1, 1, 32, 32)).sum().backward()
    assert net.conv1.bias.grad is not None and net.conv1.bias.grad.abs().sum().item() > 0
    net.zero_grad()
    assert net.conv1.bias.grad is None
