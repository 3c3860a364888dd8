"""Optimizers and learning-rate schedules.

>>> import ferrograd
>>> from ferrograd import nn, optim
>>> model = nn.Linear(3, 1)
>>> opt = optim.Adam(model.parameters(), lr=1e-2)
>>> loss = model(ferrograd.ones(4, 3)).square().mean()
>>> opt.zero_grad()
>>> loss.backward()
>>> opt.step()
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
