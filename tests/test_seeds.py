"""Every code cell of the five seed tutorials (/work/shared/seeds), run on ferrograd.

Each test is one cell (or a few that share state), with fixed inputs where the tutorial used
``randn``; printed text is compared character for character with what current PyTorch prints
for the same inputs (``torch.`` written ``ferrograd.``). Where a seed shows an old PyTorch's
output (``Variable containing:``, ``MeanBackward1``), today's text is expected instead.

Seed 001 passes gradients whose shape only broadcasts to the output
(``FloatTensor([1])`` for a 1x1 or 0-d output, ``FloatTensor([1, 0])`` for a 2x2 one). Old
PyTorch accepted them and ferrograd still does; today's PyTorch raises. Those tests carry
``broadcast_gradient`` in their names.
"""

from __future__ import annotations

import re

import pytest

import ferrograd as torch
from ferrograd.autograd import Variable

NODE_REPR = r"<{name} object at 0x[0-9a-f]+>"


def printed(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def node(name: str) -> str:
    return NODE_REPR.format(name=name)


# ---- seed 000: the notebook ----


def test_000_ones_requires_grad(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    print(x)
    assert printed(capsys) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)\n"


def test_000_add_has_grad_fn(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    print(y)
    print(y.grad_fn)
    out = printed(capsys).split("\n")
    assert out[:2] == ["tensor([[3., 3.],", "        [3., 3.]], grad_fn=<AddBackward0>)"]
    assert re.fullmatch(node("AddBackward0"), out[2])


def test_000_mul_and_mean(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    print(z)
    out = z.mean()
    print(out)
    assert printed(capsys) == (
        "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)\ntensor(27., grad_fn=<MeanBackward0>)\n"
    )


def test_000_requires_grad_in_place(capsys):
    # In place of randn(2, 2): values for which (a * 3) / (a - 1) prints as in the seed.
    a = torch.tensor([[-0.017087062820792198, -1.0025365352630615], [0.8944951295852661, -0.30174434185028076]])
    a = (a * 3) / (a - 1)
    print(a, a.requires_grad)
    a.requires_grad_(True)
    b = (a * a).sum()
    print(b, b.requires_grad)
    assert printed(capsys) == (
        "tensor([[  0.0504,   1.5019],\n        [-25.4347,   0.6954]]) False\n"
        "tensor(649.6662, grad_fn=<SumBackward0>) True\n"
    )


def test_000_backward_of_a_scalar(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()  # == out.backward(torch.tensor(1.))
    print(x.grad)
    assert printed(capsys) == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])\n"


def vector_jacobian_cells(values: list[float]) -> tuple[torch.Tensor, torch.Tensor]:
    # In place of randn(3): the seed's printed y divided by 1024 (doubling is exact).
    x = (torch.tensor(values) / 1024).requires_grad_()
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return x, y


def test_000_vector_jacobian_product(capsys):
    x, y = vector_jacobian_cells([1533.1184, -798.2988, -593.1037])
    print(y)
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    print(x.grad)
    assert printed(capsys) == (
        "tensor([1533.1184, -798.2988, -593.1037], grad_fn=<MulBackward0>)\n"
        "tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])\n"
    )


def test_000_no_grad(capsys):
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    print(x.requires_grad)
    print((x**2).requires_grad)
    with torch.no_grad():
        print((x**2).requires_grad)
    assert printed(capsys) == "True\nTrue\nFalse\n"


# ---- seed 001: the legacy Variable API ----


def test_001_tensor_to_variable(capsys):
    x = [[1, 2, 3], [4, 5, 6]]
    y = torch.FloatTensor(x)
    z = Variable(y)
    print(z)
    assert not z.requires_grad and z.is_leaf
    z = Variable(y, requires_grad=True)
    print(z)
    assert z.requires_grad and z.is_leaf and not y.requires_grad
    assert z.data_ptr() == y.data_ptr()
    assert printed(capsys) == (
        "tensor([[1., 2., 3.],\n        [4., 5., 6.]])\n"
        "tensor([[1., 2., 3.],\n        [4., 5., 6.]], requires_grad=True)\n"
    )


def test_001_randn_shapes():
    assert torch.randn(1, 1).shape == torch.Size([1, 1])
    assert torch.randn(1).shape == torch.Size([1])
    assert torch.randn(4).shape == torch.Size([4])
    assert torch.randn(2, 3).shape == torch.Size([2, 3])
    assert Variable(torch.randn(1)).shape == torch.Size([1])
    assert Variable(torch.randn(2, 3)).dtype == torch.float32


def test_001_chain_rule(capsys):
    x = Variable(torch.tensor([[-0.6444]]), requires_grad=True)
    print(x)
    y = 2 * x
    print(y)
    z = y**3
    print(z)
    with pytest.warns(UserWarning, match="is not a leaf Tensor"):
        print("z gradient", z.grad)
    with pytest.warns(UserWarning, match="is not a leaf Tensor"):
        print("y gradient", y.grad)
    print("x gradient", x.grad)
    z.backward()
    with pytest.warns(UserWarning):
        print("z gradient", z.grad)
    with pytest.warns(UserWarning):
        print("y gradient", y.grad)
    print("x gradient", x.grad)  # dz/dx = 24 * x**2
    assert printed(capsys) == (
        "tensor([[-0.6444]], requires_grad=True)\n"
        "tensor([[-1.2888]], grad_fn=<MulBackward0>)\n"
        "tensor([[-2.1407]], grad_fn=<PowBackward0>)\n"
        "z gradient None\ny gradient None\nx gradient None\n"
        "z gradient None\ny gradient None\nx gradient tensor([[9.9660]])\n"
    )


def test_001_broadcast_gradient_scales_the_learning_rate(capsys):
    x = Variable(torch.tensor([[2.1456]]), requires_grad=True)
    y = 2 * x
    z = y**3
    z.backward(torch.FloatTensor([1]), retain_graph=True)
    print("x gradient", x.grad)
    grad = x.grad
    print(x.grad.data.zero_())
    z.backward(torch.FloatTensor([0.1]), retain_graph=True)
    print("x gradient", x.grad)
    print(grad)  # the same gradient tensor, updated in place
    assert printed(capsys) == (
        "x gradient tensor([[110.4864]])\ntensor([[0.]])\nx gradient tensor([[11.0486]])\ntensor([[11.0486]])\n"
    )


def test_001_broadcast_gradient_over_a_matrix(capsys):
    x = Variable(torch.tensor([[-0.1982, 1.4902], [-1.0550, 0.4618]]), requires_grad=True)
    print("x", x)
    y = 2 * x
    z = y**3
    print(z.shape)
    z.backward(torch.FloatTensor([1, 1]), retain_graph=True)
    print(x.grad)
    print(x.grad.data.zero_())
    z.backward(torch.FloatTensor([1, 0]), retain_graph=True)  # broadcast over rows
    print(x.grad)
    assert printed(capsys) == (
        "x tensor([[-0.1982,  1.4902],\n        [-1.0550,  0.4618]], requires_grad=True)\n"
        "ferrograd.Size([2, 2])\n"
        "tensor([[ 0.9428, 53.2967],\n        [26.7126,  5.1182]])\n"
        "tensor([[0., 0.],\n        [0., 0.]])\n"
        "tensor([[ 0.9428,  0.0000],\n        [26.7126,  0.0000]])\n"
    )


def test_001_broadcast_gradient_of_a_scalar_output(capsys):
    x = Variable(torch.tensor([[-1.0168, -0.3331], [0.9356, 0.1357]]), requires_grad=True)
    y = 2 * x
    z = y**3
    out = z.mean()
    print(out)
    out.backward(torch.FloatTensor([1]), retain_graph=True)  # [1] for a 0-d output
    print(x.grad)
    x.grad.data.zero_()
    out.backward(torch.FloatTensor([0.1]), retain_graph=True)
    print(x.grad)
    assert printed(capsys) == (
        "tensor(-0.5335, grad_fn=<MeanBackward0>)\n"
        "tensor([[6.2033, 0.6657],\n        [5.2521, 0.1105]])\n"
        "tensor([[0.6203, 0.0666],\n        [0.5252, 0.0110]])\n"
    )


def test_001_broadcast_gradient_without_retain_graph_frees_the_graph(capsys):
    x = Variable(torch.tensor([[-0.2237, 1.4244], [1.4300, 0.4250]]), requires_grad=True)
    y = 2 * x
    z = y**3
    out = z.mean()
    print(out)
    out.backward(torch.FloatTensor([1]))
    print(x.grad)
    print(x.grad.data.zero_())
    assert printed(capsys) == (
        "tensor(11.7595, grad_fn=<MeanBackward0>)\n"
        "tensor([[ 0.3003, 12.1735],\n        [12.2694,  1.0838]])\n"
        "tensor([[0., 0.],\n        [0., 0.]])\n"
    )
    # The cell the seed left commented out: the graph is gone.
    with pytest.raises(RuntimeError, match=r"^Trying to backward through the graph a second time"):
        out.backward(torch.FloatTensor([0.1]), retain_graph=True)


def test_001_broadcast_gradient_shapes_that_do_not_broadcast_raise():
    x = Variable(torch.ones(2, 2), requires_grad=True)
    z = (2 * x) ** 3
    with pytest.raises(RuntimeError) as e:
        z.backward(torch.FloatTensor([1, 0, 1]))
    assert str(e.value) == (
        "Mismatch in shape: grad_output[0] has a shape of ferrograd.Size([3]) and output[0] has a shape of "
        "ferrograd.Size([2, 2])."
    )


@pytest.mark.parametrize(
    ("grad_shape", "out_shape"),
    [((3,), (2, 2)), ((2, 1, 2), (2, 2)), ((2,), ()), ((4,), (2,)), ((2, 2), (2,)), ((3, 1), (2, 2))],
)
def test_001_broadcast_gradient_mismatch_message(grad_shape, out_shape):
    x = torch.ones(out_shape, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        (x * 2).backward(torch.ones(grad_shape))
    assert str(e.value) == (
        f"Mismatch in shape: grad_output[0] has a shape of {torch.Size(grad_shape)} and output[0] has a shape of "
        f"{torch.Size(out_shape)}."
    )


@pytest.mark.parametrize(
    ("grad", "out_shape", "expected"),
    [
        ([2.0], (1, 1), [[2.0]]),
        ([2.0], (), 2.0),
        ([[2.0]], (), 2.0),
        ([1.0, 0.0], (2, 2), [[1.0, 0.0], [1.0, 0.0]]),
        ([[1.0], [3.0]], (2, 2), [[1.0, 1.0], [3.0, 3.0]]),
        ([[[1.0, 2.0]]], (2, 2), [[1.0, 2.0], [1.0, 2.0]]),
        ([5.0], (3,), [5.0, 5.0, 5.0]),
    ],
)
def test_001_broadcast_gradient_is_expanded_to_the_output(grad, out_shape, expected):
    x = torch.ones(out_shape, requires_grad=True)
    (x * 1).backward(torch.tensor(grad))
    assert x.grad.shape == torch.Size(out_shape)
    assert x.grad.tolist() == expected


# ---- seed 002: the "former torchies" tutorial ----


def test_002_data_grad_and_grad_fn_of_a_leaf(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    print(x)
    print(x.data)
    print(x.grad)
    print(x.grad_fn)
    assert printed(capsys) == (
        "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)\ntensor([[1., 1.],\n        [1., 1.]])\nNone\nNone\n"
    )


def test_002_operations_record_grad_fn(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    print(y)
    print(y.grad_fn)
    z = y * y * 3
    out = z.mean()
    print(z, out)
    lines = printed(capsys).split("\n")
    assert lines[:2] == ["tensor([[3., 3.],", "        [3., 3.]], grad_fn=<AddBackward0>)"]
    assert re.fullmatch(node("AddBackward0"), lines[2])
    assert lines[3:] == [
        "tensor([[27., 27.],",
        "        [27., 27.]], grad_fn=<MulBackward0>) tensor(27., grad_fn=<MeanBackward0>)",
        "",
    ]


def test_002_requires_grad_(capsys):
    a = torch.tensor([[0.5, -2.0], [3.0, 0.25]])
    a = (a * 3) / (a - 1)
    print(a.requires_grad)
    a.requires_grad_(True)
    print(a.requires_grad)
    b = (a * a).sum()
    print(b.grad_fn)
    lines = printed(capsys).split("\n")
    assert lines[:2] == ["False", "True"]
    assert re.fullmatch(node("SumBackward0"), lines[2])
    assert a.requires_grad_() is a  # the flag defaults to True and the tensor is returned


def test_002_backward_with_retain_graph_and_a_gradient(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    y.backward(torch.ones(2, 2), retain_graph=True)
    print(x.grad)
    z = y * y
    print(z)
    gradient = torch.tensor([[-1.3270, 0.4292], [-1.6227, -1.1784]])  # in place of randn(2, 2)
    y.backward(gradient)
    print(x.grad)
    assert printed(capsys) == (
        "tensor([[1., 1.],\n        [1., 1.]])\n"
        "tensor([[9., 9.],\n        [9., 9.]], grad_fn=<MulBackward0>)\n"
        "tensor([[-0.3270,  1.4292],\n        [-0.6227, -0.1784]])\n"
    )


def test_002_no_grad(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    print(x.requires_grad)
    print((x**2).requires_grad)
    with torch.no_grad():
        print((x**2).requires_grad)
    assert printed(capsys) == "True\nTrue\nFalse\n"


# ---- seed 003: the blog version, with detach() ----


def test_003_tensor_and_grad_fn(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    print(x)
    y = x + 2
    print(y)
    print(y.grad_fn)
    z = y * y * 3
    out = z.mean()
    print(z, out)
    out.backward()
    print(x.grad)
    lines = printed(capsys).split("\n")
    assert lines[:4] == [
        "tensor([[1., 1.],",
        "        [1., 1.]], requires_grad=True)",
        "tensor([[3., 3.],",
        "        [3., 3.]], grad_fn=<AddBackward0>)",
    ]
    assert re.fullmatch(node("AddBackward0"), lines[4])
    assert lines[5:] == [
        "tensor([[27., 27.],",
        "        [27., 27.]], grad_fn=<MulBackward0>) tensor(27., grad_fn=<MeanBackward0>)",
        "tensor([[4.5000, 4.5000],",
        "        [4.5000, 4.5000]])",
        "",
    ]


def test_003_vector_jacobian_product_and_detach(capsys):
    x, y = vector_jacobian_cells([-863.3226, 941.6025, 34.9647])
    print(y)
    detached = y.detach()
    assert not detached.requires_grad and detached.grad_fn is None and detached.is_leaf
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    print(x.grad)
    print(x.requires_grad)
    print((x**2).requires_grad)
    with torch.no_grad():
        print((x**2).requires_grad)
    assert printed(capsys) == (
        "tensor([-863.3226,  941.6025,   34.9647], grad_fn=<MulBackward0>)\n"
        "tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])\nTrue\nTrue\nFalse\n"
    )


# ---- seed 004: "Automatic Differentiation with torch.autograd" ----


def one_layer() -> tuple[torch.Tensor, ...]:
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    # In place of randn(5, 3) and randn(3):
    w = torch.tensor(
        [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [1.0, -1.1, 1.2], [0.0, 0.1, -0.2]], requires_grad=True
    )
    b = torch.tensor([0.3, -0.1, 0.2], requires_grad=True)
    return x, y, w, b


def test_004_one_layer_network(capsys):
    x, y, w, b = one_layer()
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    print(z, loss)
    lines = printed(capsys).split("\n")
    assert re.fullmatch("Gradient function for z = " + node("AddBackward0"), lines[0])
    assert re.fullmatch("Gradient function for loss = " + node("BinaryCrossEntropyWithLogitsBackward0"), lines[1])
    assert lines[2] == (
        "tensor([1.1000, 0.0000, 1.8000], grad_fn=<AddBackward0>) "
        "tensor(1.3445, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"
    )
    assert [type(f).__name__ for f, _ in loss.grad_fn.next_functions] == ["AddBackward0", "NoneType"]


def test_004_computing_gradients(capsys):
    x, y, w, b = one_layer()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(torch.matmul(x, w) + b, y)
    loss.backward()
    print(w.grad)
    print(b.grad)
    row = "[0.2501, 0.1667, 0.2860]"
    assert printed(capsys) == (
        f"tensor([{row},\n        {row},\n        {row},\n        {row},\n        {row}])\ntensor({row})\n"
    )


def test_004_disabling_gradient_tracking(capsys):
    x, _, w, b = one_layer()
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)
    assert printed(capsys) == "True\nFalse\nFalse\n"


def test_004_jacobian_products_accumulate(capsys):
    inp = torch.eye(5, requires_grad=True)
    out = (inp + 1).pow(2)
    out.backward(torch.ones_like(inp), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(inp), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(inp), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")

    def matrix(diagonal: int, other: int) -> str:
        rows = ["[" + ", ".join(f"{diagonal if i == j else other}." for j in range(5)) + "]" for i in range(5)]
        return "tensor([" + ",\n        ".join(rows) + "])"

    assert printed(capsys) == (
        f"First call\n{matrix(4, 2)}\n\nSecond call\n{matrix(8, 4)}\n\nCall after zeroing gradients\n{matrix(4, 2)}\n"
    )
    assert type(out.grad_fn).__name__ == "PowBackward0"
    assert type(out.grad_fn.next_functions[0][0]).__name__ == "AddBackward0"
    assert type(out.grad_fn.next_functions[0][0].next_functions[0][0]).__name__ == "AccumulateGrad"
