"""A tour of ferrograd's autograd, following PyTorch's autograd tutorials.

Every line is what a PyTorch user writes, with the import changed:

    python examples/autograd_tour.py
"""

import ferrograd as torch
from ferrograd.autograd import Variable

torch.manual_seed(0)


def section(title: str) -> None:
    print(f"\n=== {title} ===")


section("Tensors that track history")
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(y.grad_fn)
z = y * y * 3
out = z.mean()
print(z, out)

section("requires_grad_ changes the flag in place")
a = torch.randn(2, 2)
a = (a * 3) / (a - 1)
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)

section("Gradients: d(out)/dx")
out.backward()
print(x.grad)

section("Vector-Jacobian products")
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)

section("no_grad and detach")
print(x.requires_grad)
print((x**2).requires_grad)
with torch.no_grad():
    print((x**2).requires_grad)
print(x.detach().requires_grad)

section("The legacy Variable API")
x = Variable(torch.FloatTensor([[1.5]]), requires_grad=True)
z = (2 * x) ** 3
z.backward(torch.FloatTensor([1]), retain_graph=True)
print("dz/dx = 24 x^2 =", x.grad)
x.grad.data.zero_()
z.backward(torch.FloatTensor([0.1]), retain_graph=True)
print("scaled by 0.1:", x.grad)

section("A one-layer network with binary cross-entropy")
x = torch.ones(5)
y = torch.zeros(3)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
loss.backward()
print(w.grad)
print(b.grad)

section("Gradients accumulate")
inp = torch.eye(5, requires_grad=True)
out = (inp + 1).pow(2)
out.backward(torch.ones_like(inp), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(inp), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(inp), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

section("A custom autograd Function: the Legendre polynomial P3")


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


x = torch.linspace(-1, 1, 5, requires_grad=True)
p3 = LegendrePolynomial3.apply(x)
print(p3, p3.grad_fn)
p3.sum().backward()
print("dP3/dx =", x.grad)

section("Higher derivatives and hooks")
x = torch.tensor([1.0, 2.0], requires_grad=True)
(dy,) = torch.autograd.grad((x**3).sum(), x, create_graph=True)
(d2y,) = torch.autograd.grad(dy.sum(), x)
print("d/dx x^3 =", dy, " d2/dx2 x^3 =", d2y)
x.register_hook(lambda grad: print("hook sees", grad))
(x * x).sum().backward()
