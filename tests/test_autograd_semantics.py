"""How autograd behaves, beyond single-op gradients: accumulation into ``.grad``, retained
graphs, ``retain_grad``, ``Variable``, ``.data``, ``detach``, version counters, in-place ops on
tensors with history (also through views and ``x[idx] = v``), ``autograd.backward`` and
``autograd.grad``.

Expected values are exact math (checked against PyTorch 2.15); gradients of in-place chains
are also checked against float64 finite differences with ``check_op``.
"""

from __future__ import annotations

import numpy as np
import pytest

import ferrograd
from ferrograd.autograd import Variable
from opcheck import check_op


def leaf(values=(1.0, 2.0, 3.0), dtype=None) -> ferrograd.Tensor:
    return ferrograd.tensor(list(values), dtype=dtype, requires_grad=True)


# ---- accumulation into .grad ----


def test_gradients_accumulate_into_the_same_storage():
    x = leaf()
    (x * x).sum().backward()
    g = x.grad
    assert g.tolist() == [2.0, 4.0, 6.0]
    (x * 3).sum().backward()
    assert g.tolist() == [5.0, 7.0, 9.0]  # the tensor read before sees the sum
    assert x.grad.data_ptr() == g.data_ptr()
    assert x.grad is g  # the same Python object, as in PyTorch
    x.grad.data.zero_()
    assert g.tolist() == [0.0, 0.0, 0.0]
    (x * 2).sum().backward()
    assert g.tolist() == [2.0, 2.0, 2.0]
    x.grad.zero_()
    assert g.tolist() == [0.0, 0.0, 0.0]


def test_an_assigned_grad_is_the_object_read_back():
    x = leaf()
    g = ferrograd.ones(3)
    x.grad = g
    assert x.grad is g
    (x * 2).sum().backward()
    assert x.grad is g and g.tolist() == [3.0, 3.0, 3.0]


def test_setting_grad_to_none_starts_a_new_gradient():
    x = leaf()
    (x * 2).sum().backward()
    old = x.grad
    x.grad = None
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0, 5.0]
    assert old.tolist() == [2.0, 2.0, 2.0]
    assert x.grad.data_ptr() != old.data_ptr()


def test_an_assigned_grad_is_accumulated_into():
    x = leaf((1.0, 2.0))
    given = ferrograd.tensor([5.0, 5.0])
    x.grad = given
    (x * 2).sum().backward()
    assert given.tolist() == [7.0, 7.0]
    assert x.grad.data_ptr() == given.data_ptr()


def test_the_first_gradient_is_a_copy_of_the_incoming_one():
    x = leaf((1.0, 2.0))
    v = ferrograd.tensor([1.0, 1.0])
    (x + 0).backward(v)
    x.grad.add_(1)
    assert v.tolist() == [1.0, 1.0]
    (x * 1).backward(v)
    assert v.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [3.0, 3.0]


def test_gradient_of_a_leaf_used_twice_is_summed():
    x = leaf((3.0,))
    (x * x + x * 4 + x).sum().backward()
    assert x.grad.tolist() == [11.0]


def test_create_graph_accumulates_with_history():
    x = leaf((2.0,))
    (x**3).sum().backward(create_graph=True)
    assert x.grad.tolist() == [12.0]
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    (gx,) = ferrograd.autograd.grad(x.grad.sum(), x)
    assert gx.tolist() == [12.0]  # d(3x^2)/dx = 6x


# ---- retain_graph and retain_grad ----


def test_retain_graph_allows_a_second_backward():
    x = leaf((1.0, 2.0))
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        y.backward()


def test_graph_that_saved_nothing_can_be_run_again():
    x = leaf((1.0, 2.0))
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_create_graph_retains_the_graph_by_default():
    x = leaf((1.0, 2.0))
    y = (x * x).sum()
    y.backward(create_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf((1.0, 2.0))
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward(retain_graph=True)
    assert y.grad.tolist() == [4.0, 8.0]
    assert x.grad.tolist() == [8.0, 16.0]
    assert y.retains_grad and not x.retains_grad
    x.retain_grad()  # a no-op on a leaf
    assert not x.retains_grad
    (y * 3).sum().backward()
    assert y.grad.tolist() == [7.0, 11.0]


def test_is_leaf_requires_grad_and_grad_fn():
    x = leaf()
    c = ferrograd.ones(3)
    y = x * c
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    assert c.is_leaf and not c.requires_grad and c.grad_fn is None
    assert not y.is_leaf and y.requires_grad and type(y.grad_fn).__name__ == "MulBackward0"
    assert (c * 2).is_leaf and not (c * 2).requires_grad


def test_next_functions_lead_to_the_leaves():
    x = leaf()
    y = (x * 2).sum()
    (mul, index), *_ = y.grad_fn.next_functions
    assert type(mul).__name__ == "MulBackward0" and index == 0
    acc, none = mul.next_functions
    assert type(acc[0]).__name__ == "AccumulateGrad" and acc[1] == 0
    assert none == (None, 0)
    assert acc[0].variable is x or acc[0].variable.data_ptr() == x.data_ptr()


# ---- Variable, .data, detach ----


def test_variable_is_a_new_leaf_sharing_data():
    t = ferrograd.tensor([1.0, 2.0])
    v = Variable(t)
    assert v is not t and not v.requires_grad and v.is_leaf
    w = Variable(t, requires_grad=True)
    assert w.requires_grad and not t.requires_grad
    assert w.data_ptr() == t.data_ptr()
    t.add_(1)
    assert w.tolist() == [2.0, 3.0]
    assert isinstance(t, Variable) and not isinstance(3, Variable)


def test_variable_of_a_result_is_detached():
    y = leaf() * 2
    v = Variable(y)
    assert not v.requires_grad and v.grad_fn is None and v.is_leaf


def test_data_shares_storage_and_never_requires_grad():
    x = leaf((1.0, 2.0))
    d = x.data
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert d.data_ptr() == x.data_ptr()
    d.mul_(2)
    assert x.tolist() == [2.0, 4.0]
    assert x._version == 0 and d._version == 1
    assert (leaf() * 2).data.grad_fn is None


def test_in_place_through_data_is_not_seen_by_version_checks():
    x = leaf((1.0, 2.0))
    y = x * x  # saves x
    x.data.mul_(10)
    y.sum().backward()  # no error; uses the new values
    assert x.grad.tolist() == [20.0, 40.0]


def test_assigning_data_keeps_the_autograd_identity():
    x = leaf((1.0, 2.0))
    (x * 2).sum().backward()
    x.data = ferrograd.tensor([7.0, 8.0, 9.0], dtype=ferrograd.float64)
    assert x.tolist() == [7.0, 8.0, 9.0] and x.dtype == ferrograd.float64
    assert x.requires_grad and x.is_leaf
    assert x.grad.tolist() == [2.0, 2.0]


def test_detach_shares_storage_and_version():
    x = leaf((1.0, 2.0))
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert d.data_ptr() == y.data_ptr()
    z = y * y
    d.add_(1)
    assert y.tolist() == [3.0, 5.0] and y._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_detach_in_place_cuts_the_tensor_from_the_graph():
    x = leaf((1.0, 2.0))
    y = x * 2
    z = y * 3
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    z.sum().backward()  # the graph recorded before is intact
    assert x.grad.tolist() == [6.0, 6.0]


def test_requires_grad_():
    x = ferrograd.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad
    assert not x.requires_grad_(False).requires_grad
    x.requires_grad = True
    assert x.requires_grad
    y = x * 2
    y.requires_grad_(True)  # allowed on a non-leaf that already requires grad
    assert y.requires_grad


# ---- version counters ----


def test_version_counter_counts_in_place_changes():
    x = ferrograd.tensor([1.0, 2.0])
    assert x._version == 0
    x.add_(1)
    assert x._version == 1
    x.mul_(2)
    x += 1
    assert x._version == 3
    x[0] = 3
    assert x._version == 4
    v = x.view(2)
    v.add_(1)
    assert (x._version, v._version) == (5, 5)
    x.zero_()
    x.fill_(2)
    x.copy_(ferrograd.ones(2))
    assert x._version == 8
    x.sub_(1)
    x.div_(2)
    x -= 1
    x *= 2
    x /= 2
    assert x._version == 13
    assert (x + 1)._version == 0
    assert x.detach()._version == 13
    assert x.data._version == 0


def test_out_of_place_ops_do_not_bump_versions():
    x = leaf()
    y = x * 2
    y.exp()
    y.sum()
    y.view(3, 1)
    y[0]
    assert x._version == 0 and y._version == 0


# ---- in-place ops on tensors with history ----


def test_in_place_on_a_non_leaf_rebases_its_history():
    x = leaf()
    y = x * 2
    y.add_(1)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    y.mul_(x)  # (2x + 1) * x
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 9.0, 13.0]  # 4x + 1


@pytest.mark.parametrize(
    ("modify", "name"),
    [
        (lambda y: y.zero_(), "ZeroBackward0"),
        (lambda y: y.fill_(2), "FillBackward2"),
        (lambda y: y.copy_(ferrograd.ones(3)), "CopyBackwards"),
        (lambda y: y.sub_(1), "SubBackward0"),
        (lambda y: y.div_(2), "DivBackward0"),
        (lambda y: y.__setitem__(0, 1.0), "CopySlices"),
        (lambda y: y[1:].zero_(), "CopySlices"),
    ],
)
def test_grad_fn_of_in_place_ops(modify, name):
    y = leaf() * 1
    modify(y)
    assert type(y.grad_fn).__name__ == name
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"


def test_overwritten_values_get_no_gradient():
    for modify in (lambda y: y.zero_(), lambda y: y.fill_(2.0), lambda y: y.copy_(ferrograd.ones(3))):
        x = leaf()
        y = x * 3
        modify(y)
        (y * 2).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_copy_gradient_reaches_the_source_summed_and_cast():
    x = leaf()
    s = ferrograd.tensor([2.0], dtype=ferrograd.float64, requires_grad=True)
    y = x * 1
    y.copy_(s * s)  # broadcast from [1] and cast to float32
    (y * ferrograd.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert s.grad.dtype == ferrograd.float64
    assert s.grad.tolist() == [24.0]  # 2s * (1 + 2 + 3)
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_setitem_on_a_result_routes_gradients():
    x = leaf()
    w = ferrograd.tensor(5.0, requires_grad=True)
    y = x * 2
    y[1] = w * w
    assert y.tolist() == [2.0, 25.0, 6.0]
    assert type(y.grad_fn).__name__ == "CopySlices"
    (y * ferrograd.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 6.0]
    assert w.grad.tolist() == 20.0


def test_setitem_with_a_grad_requiring_value_makes_the_target_require_grad():
    w = ferrograd.tensor(5.0, requires_grad=True)
    z = ferrograd.zeros(3)
    z[0] = w
    assert z.tolist() == [5.0, 0.0, 0.0]
    assert z.requires_grad and not z.is_leaf and type(z.grad_fn).__name__ == "CopySlices"
    (z * 3).sum().backward()
    assert w.grad.tolist() == 3.0


def test_views_taken_before_an_in_place_change_see_the_new_history():
    x = leaf()
    y = x * 1
    v = y[1:]
    y.mul_(2)
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    v.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


def test_sibling_view_sees_an_in_place_change_through_another_view():
    x = leaf()
    y = x * 1
    a, b = y[:2], y[1:]
    a.mul_(3)
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert type(a.grad_fn).__name__ == "AsStridedBackward0"
    assert type(b.grad_fn).__name__ == "AsStridedBackward0"
    b.sum().backward()
    assert x.grad.tolist() == [0.0, 3.0, 1.0]


def test_view_of_a_tensor_that_gains_history_requires_grad():
    w = ferrograd.tensor(2.0, requires_grad=True)
    z = ferrograd.ones(3)
    v = z[:2]
    assert not v.requires_grad
    z.mul_(w)
    assert v.requires_grad and type(v.grad_fn).__name__ == "AsStridedBackward0"
    v.sum().backward()
    assert w.grad.tolist() == 2.0


def test_views_made_before_a_no_grad_change_get_rebuilt():
    x = leaf()
    y = x * 1
    v = y[:2]
    with ferrograd.no_grad():
        y.mul_(2)
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    v.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0]  # the no_grad change is not differentiated


def write_through_select(a):
    y = a * 1
    y[0] = 5.0
    return y * y


def write_slice_from_source(a, b):
    y = a * a
    y[:, 1] = b
    return y * a


def write_strided_then_scale_view(a):
    y = a.clone()
    y[::2] = 0.0
    y.view(2, 2)[1] *= 3.0
    return y * a


def scale_column_of_a_view(a, c):
    y = a * 1
    y.view(2, 2)[:, 1].mul_(c)
    return y * y


def view_read_after_base_changed(a):
    y = a * 1
    v = y[1:]
    y.mul_(a)
    y.add_(2.0)
    return v * a[:3]


def transposed_view_after_base_changed(a):
    y = a * 1
    v = y.t()
    y.add_(y * 2)
    return v * v


def accumulate_into_view(a, b):
    y = a * 2
    y[0].add_(b)
    y[1] *= b
    y[0].sub_(a[1])
    return y


def fill_and_zero_slices(a):
    y = a * 3
    y[:2].zero_()
    y[3:].fill_(1.0)
    return y * a


def copy_into_view(a, b):
    y = a * 1
    y[1:3].copy_(b * b)
    return y * a


def broadcast_in_place(a, b):
    y = a * 1
    y += b
    y.mul_(b)
    y -= a
    return y


@pytest.mark.parametrize(
    ("fn", "shapes"),
    [
        (write_through_select, [(3,)]),
        (write_slice_from_source, [(2, 3), (2,)]),
        (write_strided_then_scale_view, [(4,)]),
        (scale_column_of_a_view, [(4,), (2,)]),
        (view_read_after_base_changed, [(4,)]),
        (transposed_view_after_base_changed, [(2, 3)]),
        (accumulate_into_view, [(2, 3), (3,)]),
        (fill_and_zero_slices, [(5,)]),
        (copy_into_view, [(4,), (2,)]),
        (broadcast_in_place, [(2, 3), (3,)]),
    ],
)
def test_in_place_chains_have_correct_gradients(fn, shapes):
    rng = np.random.default_rng(1)
    arrays = [rng.uniform(0.5, 2.0, s) for s in shapes]
    check_op(fn, None, *arrays, layouts=("contiguous",))


# ---- autograd.backward and autograd.grad ----


def test_autograd_backward_with_several_tensors():
    a = leaf((1.0, 2.0))
    b = leaf((3.0,))
    ferrograd.autograd.backward([(a * a).sum(), (a * b).sum()])
    assert a.grad.tolist() == [5.0, 7.0] and b.grad.tolist() == [3.0]
    ferrograd.autograd.backward([a * 2, b * b], [ferrograd.tensor([1.0, 0.5]), ferrograd.tensor([2.0])])
    assert a.grad.tolist() == [7.0, 8.0] and b.grad.tolist() == [15.0]
    ferrograd.autograd.backward((a * b).sum())
    assert a.grad.tolist() == [10.0, 11.0] and b.grad.tolist() == [18.0]
    ferrograd.autograd.backward([a * 3], grad_tensors=[ferrograd.ones(2)])
    assert a.grad.tolist() == [13.0, 14.0]
    ferrograd.autograd.backward([(a * 3).sum(), a * 1], [None, ferrograd.ones(2)])
    assert a.grad.tolist() == [17.0, 18.0]


def test_autograd_grad_returns_gradients_without_touching_grad():
    a = leaf((1.0, 2.0))
    b = leaf((3.0,))
    out = (a * a * b).sum()
    ga, gb = ferrograd.autograd.grad(out, [a, b], retain_graph=True)
    assert ga.tolist() == [6.0, 12.0] and gb.tolist() == [5.0]
    (ga,) = ferrograd.autograd.grad(out, a, retain_graph=True)
    assert ga.tolist() == [6.0, 12.0]
    (ga,) = ferrograd.autograd.grad([out, (a * 2).sum()], [a])
    assert ga.tolist() == [8.0, 14.0]
    assert a.grad is None and b.grad is None


def test_autograd_grad_of_an_intermediate():
    a = leaf((1.0, 2.0))
    y = a * 2
    (gy,) = ferrograd.autograd.grad((y * y).sum(), y)
    assert gy.tolist() == [4.0, 8.0]
    assert a.grad is None


def test_autograd_grad_with_grad_outputs():
    a = leaf((1.0, 2.0))
    assert ferrograd.autograd.grad(a * 2, a, ferrograd.tensor([1.0, 3.0]))[0].tolist() == [2.0, 6.0]
    assert ferrograd.autograd.grad(a * 2, a, grad_outputs=ferrograd.tensor([1.0, 3.0]))[0].tolist() == [2.0, 6.0]


def test_autograd_grad_allow_unused():
    a = leaf((1.0, 2.0))
    c = leaf((1.0,))
    ga, gc = ferrograd.autograd.grad((a * 2).sum(), [a, c], allow_unused=True)
    assert ga.tolist() == [2.0, 2.0] and gc is None
    ga, gc = ferrograd.autograd.grad((a * 2).sum(), [a, c], allow_unused=True, materialize_grads=True)
    assert gc.tolist() == [0.0]


def test_autograd_grad_create_graph_gives_second_derivatives():
    a = leaf((1.0, 2.0))
    (g,) = ferrograd.autograd.grad((a**3).sum(), a, create_graph=True)
    assert g.tolist() == [3.0, 12.0] and g.requires_grad
    (gg,) = ferrograd.autograd.grad(g.sum(), a)
    assert gg.tolist() == [6.0, 12.0]
    assert a.grad is None


def test_autograd_grad_through_leaves_that_feed_other_captures():
    a = leaf((2.0,))
    b = a * 3
    out = (b * b).sum()
    ga, gb = ferrograd.autograd.grad(out, [a, b])
    assert ga.tolist() == [36.0] and gb.tolist() == [12.0]
    assert a.grad is None


def test_hooks_see_and_replace_gradients():
    x = leaf((1.0, 2.0))
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(g.tolist()))
    handle = x.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[1.0, 1.0]] and x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [22.0, 22.0]
