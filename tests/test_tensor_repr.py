"""``repr``/``str`` of tensors and of the objects around them (``Size``, dtypes, devices),
and f-string formatting. The pure formatter has its own tests (test_tensor_str.py); these
check what the Tensor hands it: the ``requires_grad=True`` / ``grad_fn=<...>`` suffixes,
dtype suffixes, views, and summarization of real tensors.

Every expected string is what PyTorch 2.15 prints for the same expression, with ``torch.``
written ``ferrograd.``.
"""

from __future__ import annotations

import pytest

import ferrograd

CASES = [
    (
        "leaf_requires_grad",
        lambda: ferrograd.ones(2, 2, requires_grad=True),
        "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)",
    ),
    (
        "leaf_float64_requires_grad",
        lambda: ferrograd.tensor([1.5, -2.0], dtype=ferrograd.float64, requires_grad=True),
        "tensor([ 1.5000, -2.0000], dtype=ferrograd.float64, requires_grad=True)",
    ),
    ("leaf_0d_requires_grad", lambda: ferrograd.tensor(2.5, requires_grad=True), "tensor(2.5000, requires_grad=True)"),
    ("empty_requires_grad", lambda: ferrograd.ones(0, requires_grad=True), "tensor([], requires_grad=True)"),
    (
        "mul_grad_fn",
        lambda: ferrograd.tensor([1.0, 2.0], requires_grad=True) * 2,
        "tensor([2., 4.], grad_fn=<MulBackward0>)",
    ),
    (
        "sum_grad_fn_0d",
        lambda: ferrograd.tensor([1.0, 2.0], requires_grad=True).sum(),
        "tensor(3., grad_fn=<SumBackward0>)",
    ),
    (
        "mean_float64_grad_fn",
        lambda: ferrograd.tensor([1.0, 2.0], dtype=ferrograd.float64, requires_grad=True).mean(),
        "tensor(1.5000, dtype=ferrograd.float64, grad_fn=<MeanBackward0>)",
    ),
    (
        "t_grad_fn",
        lambda: ferrograd.tensor([[1.0, 2.0]], requires_grad=True).t(),
        "tensor([[1.],\n        [2.]], grad_fn=<TBackward0>)",
    ),
    (
        "select_grad_fn",
        lambda: ferrograd.tensor([[1.0, 2.0]], requires_grad=True)[0],
        "tensor([1., 2.], grad_fn=<SelectBackward0>)",
    ),
    (
        "exp_grad_fn",
        lambda: ferrograd.tensor([1.0, 2.0], requires_grad=True).exp(),
        "tensor([2.7183, 7.3891], grad_fn=<ExpBackward0>)",
    ),
    ("detach_drops_history", lambda: ferrograd.tensor([1.0, 2.0], requires_grad=True).detach(), "tensor([1., 2.])"),
    (
        "float64",
        lambda: ferrograd.tensor([0.5, 1.5], dtype=ferrograd.float64),
        "tensor([0.5000, 1.5000], dtype=ferrograd.float64)",
    ),
    ("float64_0d", lambda: ferrograd.tensor(0.5, dtype=ferrograd.float64), "tensor(0.5000, dtype=ferrograd.float64)"),
    ("int32", lambda: ferrograd.tensor([1, 2, 3], dtype=ferrograd.int32), "tensor([1, 2, 3], dtype=ferrograd.int32)"),
    ("int32_0d", lambda: ferrograd.tensor(7, dtype=ferrograd.int32), "tensor(7, dtype=ferrograd.int32)"),
    ("int64", lambda: ferrograd.tensor([1, -2, 3]), "tensor([ 1, -2,  3])"),
    ("int64_0d", lambda: ferrograd.tensor(-4), "tensor(-4)"),
    ("int64_wide", lambda: ferrograd.tensor([1, -200000000000]), "tensor([            1, -200000000000])"),
    ("bool", lambda: ferrograd.tensor([True, False]), "tensor([ True, False])"),
    ("bool_0d", lambda: ferrograd.tensor(True), "tensor(True)"),
    ("float32_0d", lambda: ferrograd.tensor(3.5), "tensor(3.5000)"),
    ("float32_0d_small", lambda: ferrograd.tensor(1e-5), "tensor(1.0000e-05)"),
    ("float32_sci", lambda: ferrograd.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
    ("float32_large", lambda: ferrograd.tensor([123456789.0]), "tensor([1.2346e+08])"),
    (
        "nonfinite",
        lambda: ferrograd.tensor([float("nan"), float("inf"), -float("inf"), 1.0]),
        "tensor([nan, inf, -inf, 1.])",
    ),
    (
        "float64_sci",
        lambda: ferrograd.tensor([[1e-10]], dtype=ferrograd.float64),
        "tensor([[1.0000e-10]], dtype=ferrograd.float64)",
    ),
    ("empty", lambda: ferrograd.tensor([]), "tensor([])"),
    ("empty_2d", lambda: ferrograd.ones(0, 3), "tensor([], size=(0, 3))"),
    (
        "empty_int32",
        lambda: ferrograd.ones(2, 0, dtype=ferrograd.int32),
        "tensor([], size=(2, 0), dtype=ferrograd.int32)",
    ),
    ("empty_float64", lambda: ferrograd.ones(0, dtype=ferrograd.float64), "tensor([], dtype=ferrograd.float64)"),
    ("empty_bool", lambda: ferrograd.tensor([], dtype=ferrograd.bool), "tensor([], dtype=ferrograd.bool)"),
    ("summarized_1001", lambda: ferrograd.arange(1001.0), "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"),
    (
        "summarized_int_rows",
        lambda: ferrograd.arange(2000).reshape(2, 1000),
        "tensor([[   0,    1,    2,  ...,  997,  998,  999],\n        [1000, 1001, 1002,  ..., 1997, 1998, 1999]])",
    ),
    (
        "summarized_matrix",
        lambda: ferrograd.arange(1001.0).reshape(7, 143) * 1e-3,
        (
            "tensor([[0.0000, 0.0010, 0.0020,  ..., 0.1400, 0.1410, 0.1420],\n"
            "        [0.1430, 0.1440, 0.1450,  ..., 0.2830, 0.2840, 0.2850],\n"
            "        [0.2860, 0.2870, 0.2880,  ..., 0.4260, 0.4270, 0.4280],\n"
            "        ...,\n"
            "        [0.5720, 0.5730, 0.5740,  ..., 0.7120, 0.7130, 0.7140],\n"
            "        [0.7150, 0.7160, 0.7170,  ..., 0.8550, 0.8560, 0.8570],\n"
            "        [0.8580, 0.8590, 0.8600,  ..., 0.9980, 0.9990, 1.0000]])"
        ),
    ),
    (
        "three_dims",
        lambda: ferrograd.arange(24.0).reshape(2, 3, 4),
        (
            "tensor([[[ 0.,  1.,  2.,  3.],\n"
            "         [ 4.,  5.,  6.,  7.],\n"
            "         [ 8.,  9., 10., 11.]],\n"
            "\n"
            "        [[12., 13., 14., 15.],\n"
            "         [16., 17., 18., 19.],\n"
            "         [20., 21., 22., 23.]]])"
        ),
    ),
    (
        "three_dims_int",
        lambda: ferrograd.arange(8).reshape(2, 2, 2) - 4,
        "tensor([[[-4, -3],\n         [-2, -1]],\n\n        [[ 0,  1],\n         [ 2,  3]]])",
    ),
    (
        "three_dims_float64",
        lambda: ferrograd.arange(12.0).reshape(2, 3, 2).double(),
        (
            "tensor([[[ 0.,  1.],\n"
            "         [ 2.,  3.],\n"
            "         [ 4.,  5.]],\n"
            "\n"
            "        [[ 6.,  7.],\n"
            "         [ 8.,  9.],\n"
            "         [10., 11.]]], dtype=ferrograd.float64)"
        ),
    ),
    ("double_method", lambda: ferrograd.ones(3).double(), "tensor([1., 1., 1.], dtype=ferrograd.float64)"),
    ("int_method", lambda: ferrograd.tensor([1.5]).int(), "tensor([1], dtype=ferrograd.int32)"),
    ("bool_method", lambda: ferrograd.tensor([0.0, 2.0]).bool(), "tensor([False,  True])"),
    ("float_method", lambda: ferrograd.tensor([1, 2]).float(), "tensor([1., 2.])"),
    (
        "transposed_view",
        lambda: ferrograd.arange(6.0).reshape(2, 3).t(),
        "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])",
    ),
    ("sliced_view", lambda: ferrograd.arange(10).reshape(2, 5)[:, ::2], "tensor([[0, 2, 4],\n        [5, 7, 9]])"),
]


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_repr_and_str(make, expected):
    t = make()
    assert repr(t) == expected
    assert str(t) == expected


def test_print_writes_the_repr(capsys):
    print(ferrograd.tensor([[1.0, 2.0]], requires_grad=True) + 1)
    assert capsys.readouterr().out == "tensor([[2., 3.]], grad_fn=<AddBackward0>)\n"


def test_grad_fn_suffix_follows_in_place_ops():
    y = ferrograd.tensor([1.0, 2.0], requires_grad=True) * 1
    y.add_(1)
    assert repr(y) == "tensor([2., 3.], grad_fn=<AddBackward0>)"
    y[0] = 5.0
    assert repr(y) == "tensor([5., 3.], grad_fn=<CopySlices>)"


def test_no_grad_results_have_no_suffix():
    x = ferrograd.tensor([1.0, 2.0], requires_grad=True)
    with ferrograd.no_grad():
        assert repr(x * 2) == "tensor([2., 4.])"
    assert repr(x.data) == "tensor([1., 2.])"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: ferrograd.Size([2, 2]), "ferrograd.Size([2, 2])"),
        (lambda: ferrograd.Size([]), "ferrograd.Size([])"),
        (lambda: ferrograd.ones(2, 3).shape, "ferrograd.Size([2, 3])"),
        (lambda: ferrograd.ones(3).size(), "ferrograd.Size([3])"),
        (lambda: ferrograd.ones(2, 3).shape[1:], "ferrograd.Size([3])"),
        (lambda: ferrograd.tensor(1.0).shape, "ferrograd.Size([])"),
        (lambda: ferrograd.float32, "ferrograd.float32"),
        (lambda: ferrograd.float64, "ferrograd.float64"),
        (lambda: ferrograd.int64, "ferrograd.int64"),
        (lambda: ferrograd.int32, "ferrograd.int32"),
        (lambda: ferrograd.bool, "ferrograd.bool"),
        (lambda: ferrograd.float, "ferrograd.float32"),
        (lambda: ferrograd.double, "ferrograd.float64"),
        (lambda: ferrograd.long, "ferrograd.int64"),
        (lambda: ferrograd.int, "ferrograd.int32"),
        (lambda: ferrograd.ones(2).dtype, "ferrograd.float32"),
    ],
)
def test_repr_and_str_of_sizes_and_dtypes(make, expected):
    assert repr(make()) == expected
    assert str(make()) == expected


def test_device():
    d = ferrograd.device("cpu")
    assert repr(d) == "device(type='cpu')"
    assert str(d) == "cpu"
    assert d.type == "cpu" and d.index is None
    assert repr(ferrograd.ones(2).device) == "device(type='cpu')"
    assert ferrograd.ones(2).device == d


def test_size_is_a_tuple():
    s = ferrograd.ones(2, 3).shape
    assert isinstance(s, tuple) and isinstance(s, ferrograd.Size)
    assert s == (2, 3) and s[0] == 2 and len(s) == 2
    assert s + (4,) == (2, 3, 4)
    assert s.numel() == 6


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (".2f", ferrograd.tensor(3.14159), "3.14"),
        ("", ferrograd.tensor(3.14159), "3.141590118408203"),
        ("d", ferrograd.tensor(5), "5"),
        (">4", ferrograd.tensor(5), "   5"),
        (".3e", ferrograd.tensor(12345.678), "1.235e+04"),
        (".1f", ferrograd.tensor(2.0, requires_grad=True), "2.0"),
        ("", ferrograd.tensor(True), "True"),
        (".17f", ferrograd.tensor(0.1, dtype=ferrograd.float64), "0.10000000000000001"),
        ("", ferrograd.ones(2), "tensor([1., 1.])"),
    ],
)
def test_format(spec, value, expected):
    assert format(value, spec) == expected


def test_format_spec_on_a_vector_raises():
    with pytest.raises(TypeError, match=r"^unsupported format string passed to Tensor.__format__$"):
        f"{ferrograd.ones(2):.2f}"
