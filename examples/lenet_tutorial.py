"""The network of PyTorch's "Neural Networks" tutorial (LeNet), run with the import changed.

It defines the network, runs a random 32x32 image through it, computes a mean-squared-error
loss against a random target, walks the loss's graph through ``grad_fn.next_functions``,
backpropagates, and updates the weights by hand and then with ``optim.SGD``:

    python examples/lenet_tutorial.py
    python examples/lenet_tutorial.py --device webgpu
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import ferrograd as torch
import ferrograd.nn as nn
import ferrograd.nn.functional as F
import ferrograd.optim as optim


class Net(nn.Module):
    """LeNet: two 5x5 convolutions with 2x2 max pooling, then three fully connected layers."""

    def __init__(self) -> None:
        super().__init__()
        # One input channel to 6, then 6 to 16, with 5x5 kernels.
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # 16 channels of 5x5 after the second pooling.
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        c1 = F.relu(self.conv1(input))  # (N, 6, 28, 28)
        s2 = F.max_pool2d(c1, (2, 2))  # (N, 6, 14, 14)
        c3 = F.relu(self.conv2(s2))  # (N, 16, 10, 10)
        s4 = F.max_pool2d(c3, 2)  # (N, 16, 5, 5)
        s4 = torch.flatten(s4, 1)  # (N, 400)
        f5 = F.relu(self.fc1(s4))  # (N, 120)
        f6 = F.relu(self.fc2(f5))  # (N, 84)
        return self.fc3(f6)  # (N, 10)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="cpu (default) or webgpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    device = args.device
    torch.manual_seed(args.seed)

    net = Net().to(device)
    print(net)

    params = list(net.parameters())
    print(len(params))
    print(params[0].size())  # conv1's weight

    input = torch.randn(1, 1, 32, 32, device=device)
    out = net(input)
    print(out)

    # Backpropagate random gradients, from zeroed gradient buffers.
    net.zero_grad()
    out.backward(torch.randn(1, 10, device=device))

    # A loss: the mean squared error against a dummy target shaped like the output.
    output = net(input)
    target = torch.randn(10, device=device).view(1, -1)
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    print(loss)

    # Following the graph backward from the loss.
    print(loss.grad_fn)  # MSELoss
    print(loss.grad_fn.next_functions[0][0])  # the last Linear
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # its bias

    net.zero_grad()
    print("conv1.bias.grad before backward")
    print(net.conv1.bias.grad)
    loss.backward()
    print("conv1.bias.grad after backward")
    print(net.conv1.bias.grad)

    # Stochastic gradient descent by hand: weight = weight - learning_rate * gradient.
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)

    # The same with an optimizer.
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    print(f"loss after one SGD step: {criterion(net(input), target).item():.4f} (before: {loss.item():.4f})")


if __name__ == "__main__":
    main()
