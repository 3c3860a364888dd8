"""Tests for ferrograd._tensor_str.

Every expected string was produced by ``repr`` of the same tensor in
PyTorch 2.15 with ``torch.`` replaced by ``ferrograd.``.  The module is loaded
from its file so these tests run without the compiled extension.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

_MODULE_PATH = Path(__file__).resolve().parents[1] / "python" / "ferrograd" / "_tensor_str.py"


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_ferrograd_tensor_str", _MODULE_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks the module up in sys.modules while it is executing.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ts = _load_module()
nan, inf = math.nan, math.inf


@pytest.fixture(autouse=True)
def default_printoptions() -> Iterator[None]:
    ts.set_printoptions(profile="default")
    yield
    ts.set_printoptions(profile="default")


def fmt(values: Any, dtype: str = "float32", **kwargs: Any) -> str:
    """Format ``values`` converted to the numpy type of ``dtype``."""
    return ts.format_tensor(np.array(values, dtype=dtype), dtype, **kwargs)


# --- floats: fixed, integral and scientific notation ------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [[4.5, 4.5], [4.5, 4.5]],
            "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])",
        ),
        ([102.4, 1024.0, 0.1024], "tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])"),
        ([1533.1184, 649.6643, 0.0504], "tensor([1.5331e+03, 6.4966e+02, 5.0400e-02])"),
        ([-1.5, 10.25], "tensor([-1.5000, 10.2500])"),
        ([[5.0]], "tensor([[5.]])"),
        # Ratio of exactly 1000 stays fixed; above it switches.
        ([1.0, 1000.0], "tensor([   1., 1000.])"),
        ([1.0, 1001.0], "tensor([1.0000e+00, 1.0010e+03])"),
        # Integral values above 1e8 switch to scientific notation.
        ([1e10, 1.0], "tensor([1.0000e+10, 1.0000e+00])"),
        ([1e8, 2.0], "tensor([1.0000e+08, 2.0000e+00])"),
        # The smallest magnitude 1e-4 is not "below 1e-4", but the ratio is.
        ([1e-4, 0.5], "tensor([1.0000e-04, 5.0000e-01])"),
        ([9e-5, 0.5], "tensor([9.0000e-05, 5.0000e-01])"),
    ],
)
def test_float_notation(values: list[Any], expected: str) -> None:
    assert fmt(values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([nan, inf, -inf, 1.0], "tensor([nan, inf, -inf, 1.])"),
        ([nan, 1.5, -2.25], "tensor([    nan,  1.5000, -2.2500])"),
        ([nan, nan], "tensor([nan, nan])"),
        ([nan, 1e-9, 1.0], "tensor([       nan, 1.0000e-09, 1.0000e+00])"),
        ([-0.0, 1.0], "tensor([-0., 1.])"),
        ([-0.0, 0.0], "tensor([-0., 0.])"),
    ],
)
def test_nonfinite_and_zero(values: list[float], expected: str) -> None:
    assert fmt(values) == expected


def test_float32_values_are_formatted_from_their_float32_value() -> None:
    assert fmt(0.1) == "tensor(0.1000)"
    # float32(1.00005) is 1.0000499..., float64(1.00005) is 1.0000500...01.
    assert fmt([1.00005]) == "tensor([1.0000])"
    assert fmt([1.00005], "float64") == "tensor([1.0001], dtype=ferrograd.float64)"


def test_smallest_threshold_sees_the_float32_rounding() -> None:
    # float32(1e-4) is slightly below 1e-4, float64(1e-4) is not.
    assert fmt([1e-4, 2e-4]) == "tensor([1.0000e-04, 2.0000e-04])"
    assert fmt([1e-4, 2e-4], "float64") == ("tensor([0.0001, 0.0002], dtype=ferrograd.float64)")


def test_values_are_converted_to_the_given_dtype() -> None:
    assert ts.format_tensor(np.array([1.00005]), "float32") == "tensor([1.0000])"


def test_float64_suffix() -> None:
    assert fmt([1.5, 2.0], "float64") == ("tensor([1.5000, 2.0000], dtype=ferrograd.float64)")
    assert fmt([1533.1184, 649.6643, 0.0504], "float64") == (
        "tensor([1.5331e+03, 6.4966e+02, 5.0400e-02], dtype=ferrograd.float64)"
    )


# --- scalars ----------------------------------------------------------------


def test_scalars() -> None:
    assert fmt(3.0) == "tensor(3.)"
    assert fmt(2.0, "float64") == "tensor(2., dtype=ferrograd.float64)"
    assert fmt(27.0, suffixes=["grad_fn=<MeanBackward0>"]) == ("tensor(27., grad_fn=<MeanBackward0>)")


# --- other dtypes -------------------------------------------------------------


def test_bool() -> None:
    assert fmt([True, False], "bool") == "tensor([ True, False])"
    assert fmt([[True], [False]], "bool") == "tensor([[ True],\n        [False]])"


def test_int64_has_no_dtype_suffix() -> None:
    assert fmt([1, -20, 300], "int64") == "tensor([  1, -20, 300])"


def test_int32_has_dtype_suffix() -> None:
    assert fmt([[1, -20], [300, 4]], "int32") == ("tensor([[  1, -20],\n        [300,   4]], dtype=ferrograd.int32)")


# --- empty tensors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "dtype", "expected"),
    [
        ((0,), "float32", "tensor([])"),
        ((2, 0), "float32", "tensor([], size=(2, 0))"),
        ((0,), "int64", "tensor([], dtype=ferrograd.int64)"),
        ((0,), "bool", "tensor([], dtype=ferrograd.bool)"),
        ((2, 0, 3), "float64", "tensor([], size=(2, 0, 3), dtype=ferrograd.float64)"),
    ],
)
def test_empty(shape: tuple[int, ...], dtype: str, expected: str) -> None:
    assert ts.format_tensor(np.zeros(shape, dtype=dtype), dtype) == expected


def test_empty_with_caller_suffix() -> None:
    assert fmt([], suffixes=["requires_grad=True"]) == ("tensor([], requires_grad=True)")


# --- layout -----------------------------------------------------------------


def test_requires_grad_suffix_on_matrix() -> None:
    assert fmt(np.ones((2, 2)), suffixes=["requires_grad=True"]) == (
        "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    )


def test_three_dims_separated_by_blank_line() -> None:
    assert fmt(np.arange(12.0).reshape(2, 3, 2)) == (
        "tensor([[[ 0.,  1.],\n"
        "         [ 2.,  3.],\n"
        "         [ 4.,  5.]],\n"
        "\n"
        "        [[ 6.,  7.],\n"
        "         [ 8.,  9.],\n"
        "         [10., 11.]]])"
    )


def test_four_dims_separated_by_two_blank_lines() -> None:
    assert fmt(np.arange(16).reshape(2, 2, 2, 2), "int64") == (
        "tensor([[[[ 0,  1],\n"
        "          [ 2,  3]],\n"
        "\n"
        "         [[ 4,  5],\n"
        "          [ 6,  7]]],\n"
        "\n"
        "\n"
        "        [[[ 8,  9],\n"
        "          [10, 11]],\n"
        "\n"
        "         [[12, 13],\n"
        "          [14, 15]]]])"
    )


def test_long_row_wraps_at_linewidth() -> None:
    assert fmt(np.arange(30.0) * 1.5) == (
        "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
        "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n"
        "        24.0000, 25.5000, 27.0000, 28.5000, 30.0000, 31.5000, 33.0000, 34.5000,\n"
        "        36.0000, 37.5000, 39.0000, 40.5000, 42.0000, 43.5000])"
    )


def test_long_int_row_wraps_at_linewidth() -> None:
    assert fmt(np.arange(40) * 1000, "int64") == (
        "tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n"
        "        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,\n"
        "        20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000,\n"
        "        30000, 31000, 32000, 33000, 34000, 35000, 36000, 37000, 38000, 39000])"
    )


def test_suffix_moves_to_new_line_when_it_overflows() -> None:
    values = np.arange(32).reshape(4, 8) * 250 + 77
    assert fmt(values, "int32") == (
        "tensor([[  77,  327,  577,  827, 1077, 1327, 1577, 1827],\n"
        "        [2077, 2327, 2577, 2827, 3077, 3327, 3577, 3827],\n"
        "        [4077, 4327, 4577, 4827, 5077, 5327, 5577, 5827],\n"
        "        [6077, 6327, 6577, 6827, 7077, 7327, 7577, 7827]],\n"
        "       dtype=ferrograd.int32)"
    )


def test_suffix_wrap_counts_two_extra_columns() -> None:
    # 78 columns would fit in 80, but PyTorch already wraps here.
    assert fmt(np.full(5, 2.1e9), suffixes=["grad_fn=<MulBackward0>"]) == (
        "tensor([2.1000e+09, 2.1000e+09, 2.1000e+09, 2.1000e+09, 2.1000e+09],\n       grad_fn=<MulBackward0>)"
    )


def test_device_suffix_comes_first() -> None:
    assert fmt([1.0, 2.0], device_suffix="device='webgpu:0'") == ("tensor([1., 2.], device='webgpu:0')")
    assert fmt(
        [1.0, 2.0],
        "float64",
        device_suffix="device='webgpu:0'",
        suffixes=["requires_grad=True"],
    ) == ("tensor([1., 2.], device='webgpu:0', dtype=ferrograd.float64,\n       requires_grad=True)")
    assert fmt([], "int64", device_suffix="device='webgpu:0'") == (
        "tensor([], device='webgpu:0', dtype=ferrograd.int64)"
    )


def test_custom_prefix_sets_indent() -> None:
    assert fmt([[0.0, 1.0], [2.0, 3.0]], prefix="Foo(") == ("Foo([[0., 1.],\n     [2., 3.]])")


# --- summarization ------------------------------------------------------------


def test_summarize_2000_elements() -> None:
    assert fmt(np.arange(2000.0)) == (
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])"
    )


def test_summarize_matrix() -> None:
    assert fmt(np.arange(1600.0).reshape(40, 40) / 7) == (
        "tensor([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 5.2857e+00, 5.4286e+00,\n"
        "         5.5714e+00],\n"
        "        [5.7143e+00, 5.8571e+00, 6.0000e+00,  ..., 1.1000e+01, 1.1143e+01,\n"
        "         1.1286e+01],\n"
        "        [1.1429e+01, 1.1571e+01, 1.1714e+01,  ..., 1.6714e+01, 1.6857e+01,\n"
        "         1.7000e+01],\n"
        "        ...,\n"
        "        [2.1143e+02, 2.1157e+02, 2.1171e+02,  ..., 2.1671e+02, 2.1686e+02,\n"
        "         2.1700e+02],\n"
        "        [2.1714e+02, 2.1729e+02, 2.1743e+02,  ..., 2.2243e+02, 2.2257e+02,\n"
        "         2.2271e+02],\n"
        "        [2.2286e+02, 2.2300e+02, 2.2314e+02,  ..., 2.2814e+02, 2.2829e+02,\n"
        "         2.2843e+02]])"
    )


def test_summarized_width_ignores_hidden_values() -> None:
    values = np.ones(2000)
    values[1000] = 1e10
    assert fmt(values) == "tensor([1., 1., 1.,  ..., 1., 1., 1.])"


def test_summarize_ints() -> None:
    assert fmt(np.arange(1001) - 500, "int64") == ("tensor([-500, -499, -498,  ...,  498,  499,  500])")


def test_summarize_three_dims() -> None:
    assert fmt(np.arange(7000).reshape(10, 100, 7), "int64") == (
        "tensor([[[   0,    1,    2,  ...,    4,    5,    6],\n"
        "         [   7,    8,    9,  ...,   11,   12,   13],\n"
        "         [  14,   15,   16,  ...,   18,   19,   20],\n"
        "         ...,\n"
        "         [ 679,  680,  681,  ...,  683,  684,  685],\n"
        "         [ 686,  687,  688,  ...,  690,  691,  692],\n"
        "         [ 693,  694,  695,  ...,  697,  698,  699]],\n"
        "\n"
        "        [[ 700,  701,  702,  ...,  704,  705,  706],\n"
        "         [ 707,  708,  709,  ...,  711,  712,  713],\n"
        "         [ 714,  715,  716,  ...,  718,  719,  720],\n"
        "         ...,\n"
        "         [1379, 1380, 1381,  ..., 1383, 1384, 1385],\n"
        "         [1386, 1387, 1388,  ..., 1390, 1391, 1392],\n"
        "         [1393, 1394, 1395,  ..., 1397, 1398, 1399]],\n"
        "\n"
        "        [[1400, 1401, 1402,  ..., 1404, 1405, 1406],\n"
        "         [1407, 1408, 1409,  ..., 1411, 1412, 1413],\n"
        "         [1414, 1415, 1416,  ..., 1418, 1419, 1420],\n"
        "         ...,\n"
        "         [2079, 2080, 2081,  ..., 2083, 2084, 2085],\n"
        "         [2086, 2087, 2088,  ..., 2090, 2091, 2092],\n"
        "         [2093, 2094, 2095,  ..., 2097, 2098, 2099]],\n"
        "\n"
        "        ...,\n"
        "\n"
        "        [[4900, 4901, 4902,  ..., 4904, 4905, 4906],\n"
        "         [4907, 4908, 4909,  ..., 4911, 4912, 4913],\n"
        "         [4914, 4915, 4916,  ..., 4918, 4919, 4920],\n"
        "         ...,\n"
        "         [5579, 5580, 5581,  ..., 5583, 5584, 5585],\n"
        "         [5586, 5587, 5588,  ..., 5590, 5591, 5592],\n"
        "         [5593, 5594, 5595,  ..., 5597, 5598, 5599]],\n"
        "\n"
        "        [[5600, 5601, 5602,  ..., 5604, 5605, 5606],\n"
        "         [5607, 5608, 5609,  ..., 5611, 5612, 5613],\n"
        "         [5614, 5615, 5616,  ..., 5618, 5619, 5620],\n"
        "         ...,\n"
        "         [6279, 6280, 6281,  ..., 6283, 6284, 6285],\n"
        "         [6286, 6287, 6288,  ..., 6290, 6291, 6292],\n"
        "         [6293, 6294, 6295,  ..., 6297, 6298, 6299]],\n"
        "\n"
        "        [[6300, 6301, 6302,  ..., 6304, 6305, 6306],\n"
        "         [6307, 6308, 6309,  ..., 6311, 6312, 6313],\n"
        "         [6314, 6315, 6316,  ..., 6318, 6319, 6320],\n"
        "         ...,\n"
        "         [6979, 6980, 6981,  ..., 6983, 6984, 6985],\n"
        "         [6986, 6987, 6988,  ..., 6990, 6991, 6992],\n"
        "         [6993, 6994, 6995,  ..., 6997, 6998, 6999]]])"
    )


# --- print options ------------------------------------------------------------


def test_default_printoptions() -> None:
    assert ts.get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }


def test_printoptions_round_trip() -> None:
    ts.set_printoptions(precision=2, threshold=10, edgeitems=1, linewidth=40)
    changed = ts.get_printoptions()
    ts.set_printoptions(profile="default")
    ts.set_printoptions(**changed)
    assert ts.get_printoptions() == changed
    assert fmt(np.arange(20.0) / 3) == "tensor([0.00,  ..., 6.33])"


def test_precision() -> None:
    ts.set_printoptions(precision=2)
    assert fmt([1.12345, 2.5]) == "tensor([1.12, 2.50])"
    ts.set_printoptions(precision=0)
    assert fmt([1.5, 2.25, -3.75]) == "tensor([ 2,  2, -4])"


def test_sci_mode_forced_on() -> None:
    ts.set_printoptions(sci_mode=True)
    assert fmt([1.5, 20.0]) == "tensor([1.5000e+00, 2.0000e+01])"
    assert fmt([1.0, 2000.0]) == "tensor([1.0000e+00, 2.0000e+03])"
    # Without a nonzero finite value there is nothing to decide on.
    assert fmt([0.0, 0.0]) == "tensor([0., 0.])"


def test_sci_mode_forced_off() -> None:
    ts.set_printoptions(sci_mode=False)
    assert fmt([1e-5, 1.0]) == "tensor([0.0000, 1.0000])"
    assert fmt([1e10, 1.0]) == "tensor([10000000000.,           1.])"


def test_omitting_sci_mode_restores_automatic_mode() -> None:
    ts.set_printoptions(sci_mode=False)
    ts.set_printoptions(precision=4)
    assert ts.get_printoptions()["sci_mode"] is None
    assert fmt([1e-5, 1.0]) == "tensor([1.0000e-05, 1.0000e+00])"


def test_linewidth() -> None:
    ts.set_printoptions(linewidth=40)
    assert fmt(np.arange(12.0) * 1.25) == (
        "tensor([ 0.0000,  1.2500,  2.5000,\n"
        "         3.7500,  5.0000,  6.2500,\n"
        "         7.5000,  8.7500, 10.0000,\n"
        "        11.2500, 12.5000, 13.7500])"
    )
    ts.set_printoptions(linewidth=1)
    assert fmt([1.5, 2.5, 3.5]) == "tensor([1.5000,\n        2.5000,\n        3.5000])"


def test_short_profile() -> None:
    ts.set_printoptions(profile="short")
    assert fmt([1.12345, 2.0]) == "tensor([1.12, 2.00])"
    assert fmt(np.arange(1001), "int64") == "tensor([   0,    1,  ...,  999, 1000])"


def test_full_profile_never_summarizes() -> None:
    ts.set_printoptions(threshold=5)
    assert fmt(np.arange(10), "int64") == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    ts.set_printoptions(profile="full")
    assert ts.get_printoptions()["threshold"] == inf
    assert fmt(np.arange(10), "int64") == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"


def test_unknown_profile_is_ignored() -> None:
    ts.set_printoptions(profile="nonsense", precision=6)
    assert ts.get_printoptions() == {
        "precision": 6,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }


def test_zero_edgeitems_prints_size() -> None:
    ts.set_printoptions(edgeitems=0, threshold=5)
    assert fmt(np.arange(10.0)) == "tensor([...], size=(10,))"
    assert fmt(np.arange(10.0).reshape(2, 5)) == "tensor([...], size=(2, 5))"
    assert fmt([0.0, 1.0, 2.0]) == "tensor([0., 1., 2.], size=(3,))"


def test_threshold_zero_scalar() -> None:
    ts.set_printoptions(threshold=0)
    assert fmt(1.5) == "tensor(1.5000)"
