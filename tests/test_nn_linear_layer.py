"""Linear's graph and errors go through F.linear as PyTorch's do, and its default
initialization is kaiming-uniform with a = sqrt(5) (bound 1 / sqrt(in_features))."""

import math

import numpy as np
import pytest

import ferrograd
from ferrograd import nn


def test_linear_builds_pytorchs_nodes():
    fc = nn.Linear(4, 3)
    assert type(fc(ferrograd.randn(2, 4)).grad_fn).__name__ == "AddmmBackward0"
    assert type(fc(ferrograd.randn(5, 2, 4)).grad_fn).__name__ == "UnsafeViewBackward0"
    assert type(nn.Linear(4, 3, bias=False)(ferrograd.randn(2, 4)).grad_fn).__name__ == "MmBackward0"


@pytest.mark.parametrize(("shape", "rows"), [((2, 4), 2), ((5, 2, 4), 10), ((4,), 1)])
def test_wrong_input_size_is_reported_by_addmm(shape, rows):
    with pytest.raises(RuntimeError) as info:
        nn.Linear(3, 2)(ferrograd.ones(*shape))
    assert str(info.value) == f"addmm: mat1 and mat2 shapes cannot be multiplied ({rows}x4 and 3x2)"


def test_default_initialization():
    ferrograd.manual_seed(0)
    fc = nn.Linear(100, 200)
    bound = 1 / math.sqrt(100)
    w, b = fc.weight.detach().numpy(), fc.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.9 * bound


def test_non_dynamically_quantizable_linear_is_a_linear():
    from ferrograd.nn.linear import NonDynamicallyQuantizableLinear

    fc = NonDynamicallyQuantizableLinear(2, 3)
    assert isinstance(fc, nn.Linear)
    assert repr(fc) == "NonDynamicallyQuantizableLinear(in_features=2, out_features=3, bias=True)"
