"""Gradient hooks: on tensors (leaf and non-leaf), after accumulation, and on graph nodes
(before and after they run); their order, replacement of gradients, removal, and PyTorch's
errors for bad return values."""

from __future__ import annotations

import numpy as np
import pytest

import ferrograd


def leaf(values):
    return ferrograd.tensor(values, requires_grad=True)


def values(t):
    return t.detach().numpy().tolist()


# ---- tensor hooks ----


def test_leaf_hook_replaces_the_gradient_and_none_keeps_it():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(values(g)))
    x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert values(x.grad) == [20.0, 40.0]


def test_non_leaf_hook_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.register_hook(lambda g: g + 1)
    h.sum().backward()
    assert values(x.grad) == [6.0, 6.0]


def test_hooks_run_in_registration_order_each_seeing_the_previous_result():
    x = leaf([1.0])
    y = x * 2
    order = []
    y.register_hook(lambda g: order.append(("first", values(g))) or g * 2)
    y.register_hook(lambda g: order.append(("second", values(g))) or g + 1)
    y.sum().backward()
    assert order == [("first", [1.0]), ("second", [2.0])]
    assert values(x.grad) == [6.0]


def test_tensor_used_by_several_ops_gets_one_hook_call_with_the_summed_gradient():
    x = leaf([1.0, 2.0])
    calls = []
    x.register_hook(lambda g: calls.append(values(g)))
    (x * 2 + x * 3 + x.exp() * 0).sum().backward()
    assert calls == [[5.0, 5.0]]
    h = x * 1
    h.register_hook(lambda g: calls.append(values(g)))
    (h * h + h).sum().backward()
    assert calls[1] == [3.0, 5.0]


def test_handle_remove_and_context_manager():
    x = leaf([1.0])
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    with x.register_hook(lambda g: g * 100):
        (x * 1).sum().backward()
    assert values(x.grad) == [100.0]
    handle.remove()
    handle.remove()  # removing twice is harmless
    (x * 1).sum().backward()
    assert calls == [1]
    assert values(x.grad) == [101.0]
    y = x * 2
    h = y.register_hook(lambda g: g * 0)
    h.remove()
    y.sum().backward()
    assert values(x.grad) == [103.0]


def test_retain_grad_sees_the_hooked_gradient_whatever_the_registration_order():
    x = leaf([1.0, 1.0])
    y = x * 2
    y.register_hook(lambda g: g * 2)
    y.retain_grad()
    y.register_hook(lambda g: g * 3)
    y.sum().backward()
    assert values(y.grad) == [6.0, 6.0]
    assert values(x.grad) == [12.0, 12.0]


def test_hooks_run_on_every_backward_and_see_graphs_under_create_graph():
    x = leaf([2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.requires_grad))
    y = (x**3).sum()
    y.backward(retain_graph=True)
    (g,) = ferrograd.autograd.grad(y, x, create_graph=True)
    assert seen == [False, True]
    assert values(g) == [12.0]


def test_tensor_hook_errors():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="^cannot register a hook on a tensor that doesn't require gradient$"):
        ferrograd.ones(2).register_hook(lambda g: g)
    y = x * 2
    y.register_hook(lambda g: 3)
    with pytest.raises(TypeError, match="^expected Variable, but hook returned 'int'$"):
        y.sum().backward()

    def grow(g):
        return ferrograd.ones(3)

    y = x * 2
    y.register_hook(grow)
    with pytest.raises(RuntimeError, match="^hook 'grow' has changed the size of value$"):
        y.sum().backward()
    y = x * 2
    y.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    assert str(e.value) == (
        "hook '<lambda>' has changed the type of value (was ferrograd.FloatTensor got ferrograd.DoubleTensor)"
    )


def test_exceptions_raised_in_hooks_surface_unchanged():
    class Boom(Exception):
        pass

    def hook(g):
        raise Boom("from the hook")

    x = leaf([1.0])
    x.register_hook(hook)
    with pytest.raises(Boom, match="from the hook"):
        (x * 2).sum().backward()


# ---- post-accumulate hooks ----


def test_post_accumulate_hook_sees_the_updated_leaf():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append((t is x, values(t.grad))))
    x.register_post_accumulate_grad_hook(lambda t: seen.append("second"))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert seen == [(True, [3.0, 3.0]), "second", (True, [6.0, 6.0]), "second"]
    ferrograd.autograd.grad((x * 3).sum(), x)  # no accumulation, no hook
    handle.remove()
    (x * 3).sum().backward()
    assert seen[-1] == "second" and len(seen) == 5


def test_post_accumulate_hook_errors():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="^post accumulate grad hooks cannot be registered on non-leaf tensors$"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="^cannot register a hook on a tensor that doesn't require gradient$"):
        ferrograd.ones(1).register_post_accumulate_grad_hook(lambda t: None)
    x.register_post_accumulate_grad_hook(lambda t: 5)
    with pytest.raises(TypeError, match="^expected Variable, but hook returned 'int'$"):
        (x * 2).sum().backward()


# ---- node hooks ----


def test_node_pre_and_post_hooks_see_and_replace_gradients():
    x = leaf([1.0, 2.0])
    y = x * 3
    z = y.sum()
    fn = y.grad_fn
    seen = []
    post = fn.register_hook(
        lambda gi, go: seen.append(("post", [values(g) for g in gi if g is not None], values(go[0])))
    )
    pre = fn.register_prehook(lambda go: seen.append(("pre", values(go[0]))))
    z.backward(retain_graph=True)
    assert seen == [("pre", [1.0, 1.0]), ("post", [[3.0, 3.0]], [1.0, 1.0])]
    assert values(x.grad) == [3.0, 3.0]

    scale = fn.register_prehook(lambda go: (go[0] * 10,))
    shift = fn.register_hook(lambda gi, go: tuple(None if g is None else g + 1 for g in gi))
    x.grad = None
    z.backward(retain_graph=True)
    assert values(x.grad) == [31.0, 31.0]
    for handle in (scale, shift, post, pre):
        handle.remove()
    x.grad = None
    z.backward()
    assert values(x.grad) == [3.0, 3.0]


def test_hooks_that_drop_every_gradient_stop_the_flow():
    x = leaf([1.0, 2.0])
    w = x * 4
    w.grad_fn.register_prehook(lambda go: (None,))
    w.sum().backward()
    assert x.grad is None
    w = x * 4
    w.grad_fn.register_hook(lambda gi, go: tuple(None for _ in gi))
    w.sum().backward()
    assert x.grad is None


def test_order_of_tensor_hooks_retain_grad_and_node_hooks():
    x = leaf([1.0])
    y = x * 2
    order = []
    y.register_hook(lambda g: order.append("tensor hook") or g * 2)
    y.grad_fn.register_prehook(lambda go: order.append(("prehook", values(go[0]))))
    y.retain_grad()
    y.grad_fn.register_hook(lambda gi, go: order.append(("posthook", values(go[0]))))
    y.sum().backward()
    assert order == ["tensor hook", ("prehook", [2.0]), ("posthook", [2.0])]
    assert values(y.grad) == [2.0]


def test_accumulate_grad_node_hooks():
    x = leaf([1.0, 2.0])
    y = x * 2
    acc = y.grad_fn.next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad"
    seen = []
    acc.register_prehook(lambda go: seen.append(("pre", values(go[0]))))
    acc.register_hook(lambda gi, go: seen.append(("post", gi, values(go[0]))))
    y.sum().backward()
    assert seen == [("pre", [2.0, 2.0]), ("post", (), [2.0, 2.0])]


def test_node_hook_errors():
    x = leaf([1.0, 2.0])

    def run(register):
        w = x * 4
        register(w.grad_fn)
        w.sum().backward()

    with pytest.raises(TypeError, match="^expected tuple, but hook returned 'int'$"):
        run(lambda fn: fn.register_hook(lambda gi, go: 5))
    with pytest.raises(TypeError, match="^expected tuple, but hook returned 'list'$"):
        run(lambda fn: fn.register_prehook(lambda go: [go[0]]))
    with pytest.raises(
        RuntimeError, match=r"^hook '<lambda>' has returned an incorrect number of values \(got 2, but expected 1\)$"
    ):
        run(lambda fn: fn.register_prehook(lambda go: (go[0], go[0])))
    with pytest.raises(TypeError, match="^expected Variable, but hook returned 'int'$"):
        run(lambda fn: fn.register_prehook(lambda go: (1,)))
    with pytest.raises(RuntimeError, match="^hook '<lambda>' has changed the size of value$"):
        run(lambda fn: fn.register_prehook(lambda go: (ferrograd.ones(3),)))


def test_node_metadata_is_a_dict_kept_with_the_node():
    x = leaf([1.0])
    y = x * 2
    assert y.grad_fn.metadata == {}
    y.grad_fn.metadata["tag"] = "mine"
    assert y.grad_fn.metadata == {"tag": "mine"}
    assert (y + 1).grad_fn.next_functions[0][0].metadata == {"tag": "mine"}


def test_hooks_do_not_keep_graphs_alive():
    live = ferrograd._core._live_nodes()
    x = leaf([1.0])
    y = x * 2
    y.register_hook(lambda g: g)
    y.grad_fn.register_hook(lambda gi, go: None)
    y.grad_fn.metadata["k"] = np.ones(2)
    del y
    assert ferrograd._core._live_nodes() <= live + 1  # at most x's AccumulateGrad
