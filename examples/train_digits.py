"""Train a small convolutional network on the handwritten digits bundled with ferrograd.

The 1,797 8x8 images are split (with a fixed seed) into 1,437 for training and 360 for
testing; a few epochs of Adam reach about 98% test accuracy in seconds on a laptop CPU.
The code is what a PyTorch user writes, with the import changed:

    python examples/train_digits.py                    # CPU
    python examples/train_digits.py --device webgpu    # the GPU (or a software adapter)
    python examples/train_digits.py --epochs 20 --out my_model.safetensors

The trained weights are written with ``ferrograd.save`` (a safetensors file) and load back
with ``model.load_state_dict(ferrograd.load(path))``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from tqdm import tqdm

import ferrograd as torch
from ferrograd import nn
from ferrograd.datasets import load_digits
from ferrograd.utils.data import DataLoader, TensorDataset, random_split

TEST_SIZE = 360


def build_model() -> nn.Module:
    """Two 3x3 convolutions (8x8 -> 4x4 -> 2x2 after pooling) and a linear classifier."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(32 * 2 * 2, 10),
    )


def digit_splits(seed: int = 0) -> tuple[TensorDataset, TensorDataset]:
    """(train, test) datasets of ``(1, 8, 8)`` images scaled to [0, 1] and their labels."""
    images, labels = load_digits()
    data = TensorDataset(images.unsqueeze(1) / 16.0, labels)
    generator = torch.Generator().manual_seed(seed)
    train, test = random_split(data, [len(data) - TEST_SIZE, TEST_SIZE], generator=generator)
    return train, test


def train(
    model: nn.Module,
    dataset: TensorDataset,
    epochs: int,
    device: str = "cpu",
    batch_size: int = 32,
    lr: float = 1e-2,
    seed: int = 0,
    max_batches: int | None = None,
) -> list[float]:
    """Trains ``model`` with Adam and cross entropy; returns each epoch's mean loss.
    ``max_batches`` stops each epoch early (for quick checks)."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    epoch_losses = []
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        progress = tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", total=max_batches or len(loader), leave=False)
        for step, (images, labels) in enumerate(progress):
            if max_batches is not None and step == max_batches:
                break
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            count += len(labels)
            progress.set_postfix(loss=f"{total / count:.4f}", refresh=False)
        scheduler.step()
        epoch_losses.append(total / count)
        tqdm.write(f"epoch {epoch + 1}/{epochs}: loss {total / count:.4f}")
    return epoch_losses


@torch.no_grad()
def accuracy(model: nn.Module, dataset: TensorDataset, device: str = "cpu") -> float:
    """The fraction of ``dataset`` that ``model`` classifies correctly (in eval mode)."""
    model.eval()
    correct = 0
    for images, labels in DataLoader(dataset, batch_size=256):
        predicted = model(images.to(device)).argmax(dim=1).cpu()
        correct += (predicted == labels).sum().item()
    return correct / len(dataset)


def main(argv: Sequence[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="cpu (default) or webgpu")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default="digits_cnn.safetensors", help="where to save the trained weights")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    train_set, test_set = digit_splits(args.seed)
    model = build_model().to(args.device)
    print(f"{len(train_set)} training and {len(test_set)} test images on {args.device}")
    train(model, train_set, args.epochs, args.device, seed=args.seed)
    test_accuracy = accuracy(model, test_set, args.device)
    print(f"test accuracy: {test_accuracy:.2%}")
    torch.save(model.state_dict(), args.out)
    print(f"saved the model to {args.out}")
    return test_accuracy


if __name__ == "__main__":
    main()
