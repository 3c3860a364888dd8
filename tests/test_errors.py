"""Every error a user can meet on the foundation's surface: exception type and exact message.

Each message is PyTorch 2.15's for the same call, with ``torch.`` written ``ferrograd.``.
"""

from __future__ import annotations

import re
import warnings

import pytest

import ferrograd

# ---- calls that fail; each is one case of CASES ----


def inplace_after_save(op, modify, dtype=ferrograd.float32, shape=(3,)):
    """A call that computes ``b = op(a)``, changes ``b`` in place, then runs backward."""

    def f():
        a = ferrograd.arange(1.0, 1.0 + ferrograd.Size(shape).numel()).reshape(shape).to(dtype).requires_grad_()
        b = op(a)
        modify(b)
        b.sum().backward()

    return f


def leaf():
    return ferrograd.tensor([1.0, 2.0, 3.0], requires_grad=True)


def second():
    x = leaf()
    y = (x * x).sum()
    y.backward()
    y.backward()


def save_input():
    x = leaf()
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def save_input_double():
    x = ferrograd.tensor([[1.0, 2.0, 3.0]], dtype=ferrograd.float64, requires_grad=True)
    y = x + 0
    z = y.log()
    y.mul_(2)
    z.sum().backward()


def save_leaf_no_grad():
    x = leaf()
    c = ferrograd.tensor([1.0, 2.0, 3.0])
    y = x * c
    c.add_(1)
    y.sum().backward()


def save_view():
    x = leaf()
    y = x * 1
    v = y[1:]
    z = v * v
    y.mul_(2)
    z.sum().backward()


def save_copyslices():
    x = leaf()
    y = x * 1
    y[0] = 5.0
    z = y * y
    y[1] = 3.0
    z.sum().backward()


def save_self_mul_():
    x = leaf()
    y = x + 0
    y.mul_(y)
    y.sum().backward()


def setattr_(obj, name, value):
    """``setattr`` usable in a lambda (property setters raise there)."""
    setattr(obj, name, value)


matrix_leaf = ferrograd.ones(2, 2, requires_grad=True)


CASES = [
    (
        "implicit_scalar",
        lambda: (leaf() * 2).backward(),
        RuntimeError,
        ("grad can be implicitly created only for scalar outputs"),
    ),
    (
        "implicit_scalar_grad",
        lambda: ferrograd.autograd.grad(leaf() * 2, leaf()),
        RuntimeError,
        ("grad can be implicitly created only for scalar outputs"),
    ),
    (
        "second_backward",
        second,
        RuntimeError,
        (
            "Trying to backward through the graph a second time (or directly access saved tensors after they have "
            "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
            "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
            "if you need to access saved tensors after calling backward."
        ),
    ),
    (
        "no_grad_fn_0",
        lambda: ferrograd.ones(2).sum().backward(),
        RuntimeError,
        ("element 0 of tensors does not require grad and does not have a grad_fn"),
    ),
    (
        "no_grad_fn_1",
        lambda: ferrograd.autograd.backward([(leaf() * 2).sum(), ferrograd.ones(1).sum()]),
        RuntimeError,
        ("element 1 of tensors does not require grad and does not have a grad_fn"),
    ),
    (
        "no_grad_fn_detached",
        lambda: (leaf() * 2).sum().detach().backward(),
        RuntimeError,
        ("element 0 of tensors does not require grad and does not have a grad_fn"),
    ),
    (
        "no_grad_fn_in_no_grad",
        lambda: (ferrograd.no_grad()(lambda: (leaf() * 2).sum())()).backward(),
        RuntimeError,
        ("element 0 of tensors does not require grad and does not have a grad_fn"),
    ),
    (
        "grad_count",
        lambda: ferrograd.autograd.backward([leaf() * 3, leaf() * 2], [ferrograd.ones(3)]),
        RuntimeError,
        ("got 2 tensors and 1 gradients"),
    ),
    (
        "grad_count_grad",
        lambda: ferrograd.autograd.grad([leaf().sum(), leaf().sum()], [leaf()], [ferrograd.tensor(1.0)]),
        RuntimeError,
        ("got 2 tensors and 1 gradients"),
    ),
    (
        "inplace_exp",
        inplace_after_save(lambda a: a.exp(), lambda b: b.add_(1)),
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected version 0 instead. "
            "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
            "ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_sigmoid",
        inplace_after_save(lambda a: a.sigmoid(), lambda b: b.mul_(2)),
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]], which is output 0 of Sigmoid, is at version 1; expected version 0 "
            "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
            "with ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_tanh",
        inplace_after_save(lambda a: a.tanh(), lambda b: b.sub_(1)),
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]], which is output 0 of Tanh, is at version 1; expected version 0 instead. "
            "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
            "ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_sqrt",
        inplace_after_save(lambda a: a.sqrt(), lambda b: b.div_(2)),
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]], which is output 0 of Sqrt, is at version 1; expected version 0 instead. "
            "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
            "ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_exp_2d_double",
        inplace_after_save(lambda a: a.exp(), lambda b: b.zero_(), ferrograd.float64, (2, 3)),
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.DoubleTensor [2, 3]], which is output 0 of Exp, is at version 1; expected version 0 "
            "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
            "with ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_saved_input",
        save_input,
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]], which is output 0 of Add, is at version 1; expected version 0 instead. "
            "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
            "ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_saved_input_double",
        save_input_double,
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.DoubleTensor [1, 3]], which is output 0 of Mul, is at version 1; expected version 0 "
            "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
            "with ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_saved_leaf",
        save_leaf_no_grad,
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]] is at version 1; expected version 0 instead. Hint: enable anomaly "
            "detection to find the operation that failed to compute its gradient, with "
            "ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_saved_view",
        save_view,
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [2]], which is output 0 of AsStrided, is at version 1; expected version 0 "
            "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
            "with ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_saved_copyslices",
        save_copyslices,
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]], which is output 0 of torch::autograd::CopySlices, is at version 2; "
            "expected version 1 instead. Hint: enable anomaly detection to find the operation that failed to "
            "compute its gradient, with ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "inplace_mul_self",
        save_self_mul_,
        RuntimeError,
        (
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[ferrograd.FloatTensor [3]], which is output 0 of Mul, is at version 1; expected version 0 instead. "
            "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
            "ferrograd.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
    ),
    (
        "leaf_add_",
        lambda: leaf().add_(1),
        RuntimeError,
        ("a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    (
        "leaf_iadd",
        lambda: leaf().__iadd__(1),
        RuntimeError,
        ("a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    (
        "leaf_zero_",
        lambda: leaf().zero_(),
        RuntimeError,
        ("a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    (
        "leaf_fill_",
        lambda: leaf().fill_(2),
        RuntimeError,
        ("a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    (
        "leaf_copy_",
        lambda: leaf().copy_(ferrograd.ones(3)),
        RuntimeError,
        ("a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    (
        "leaf_setitem",
        lambda: leaf().__setitem__(0, 5.0),
        RuntimeError,
        ("a view of a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    (
        "leaf_view_mul_",
        lambda: leaf().view(3).mul_(2),
        RuntimeError,
        ("a view of a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    (
        "int_requires_grad_",
        lambda: ferrograd.tensor([1, 2]).requires_grad_(),
        RuntimeError,
        ("only Tensors of floating point dtype can require gradients"),
    ),
    (
        "bool_requires_grad_",
        lambda: ferrograd.tensor([True]).requires_grad_(),
        RuntimeError,
        ("only Tensors of floating point dtype can require gradients"),
    ),
    (
        "int_requires_grad_setter",
        lambda: setattr_(ferrograd.tensor([1, 2]), "requires_grad", True),
        RuntimeError,
        ("only Tensors of floating point and complex dtype can require gradients"),
    ),
    (
        "int_tensor_requires_grad",
        lambda: ferrograd.tensor([1, 2], requires_grad=True),
        RuntimeError,
        ("Only Tensors of floating point and complex dtype can require gradients"),
    ),
    (
        "int_ones_requires_grad",
        lambda: ferrograd.ones(2, dtype=ferrograd.int64, requires_grad=True),
        RuntimeError,
        ("Only Tensors of floating point and complex dtype can require gradients"),
    ),
    (
        "int_arange_requires_grad",
        lambda: ferrograd.arange(3, requires_grad=True),
        RuntimeError,
        ("Only Tensors of floating point and complex dtype can require gradients"),
    ),
    (
        "nonleaf_requires_grad_false",
        lambda: setattr_(leaf() * 2, "requires_grad", False),
        RuntimeError,
        (
            "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in "
            "a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
        ),
    ),
    (
        "nonleaf_requires_grad__false",
        lambda: (leaf() * 2).requires_grad_(False),
        RuntimeError,
        (
            "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in "
            "a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
        ),
    ),
    (
        "numpy_requires_grad",
        lambda: leaf().numpy(),
        RuntimeError,
        ("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
    ),
    (
        "numpy_nonleaf",
        lambda: (leaf() * 2).numpy(),
        RuntimeError,
        ("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
    ),
    (
        "grad_setter_int",
        lambda: setattr_(matrix_leaf, "grad", 3),
        TypeError,
        ("assigned grad expected to be a Tensor or None but got grad of type int"),
    ),
    (
        "grad_setter_list",
        lambda: setattr_(matrix_leaf, "grad", [1.0]),
        TypeError,
        ("assigned grad expected to be a Tensor or None but got grad of type list"),
    ),
    (
        "grad_setter_shape",
        lambda: setattr_(matrix_leaf, "grad", ferrograd.ones(3)),
        RuntimeError,
        (
            "attempting to assign a gradient of size '[3]' to a tensor of size '[2, 2]'. Please ensure that the "
            "gradient and the tensor are the same size"
        ),
    ),
    (
        "grad_setter_double",
        lambda: setattr_(matrix_leaf, "grad", ferrograd.ones(2, 2, dtype=ferrograd.float64)),
        RuntimeError,
        (
            "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'. The gradient "
            "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
            "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
            "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match."
        ),
    ),
    (
        "grad_setter_long",
        lambda: setattr_(matrix_leaf, "grad", ferrograd.ones(2, 2, dtype=ferrograd.int64)),
        RuntimeError,
        (
            "attempting to assign a gradient with dtype 'long int' to a tensor with grad_dtype 'Float'. The "
            "gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
            "tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
            "caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume "
            "they match."
        ),
    ),
    (
        "grad_setter_int32",
        lambda: setattr_(matrix_leaf, "grad", ferrograd.ones(2, 2, dtype=ferrograd.int32)),
        RuntimeError,
        (
            "attempting to assign a gradient with dtype 'int' to a tensor with grad_dtype 'Float'. The gradient "
            "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
            "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
            "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match."
        ),
    ),
    (
        "grad_setter_bool",
        lambda: setattr_(matrix_leaf, "grad", ferrograd.ones(2, 2, dtype=ferrograd.bool)),
        RuntimeError,
        (
            "attempting to assign a gradient with dtype 'bool' to a tensor with grad_dtype 'Float'. The gradient "
            "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
            "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
            "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match."
        ),
    ),
    (
        "grad_setter_float_on_double",
        lambda: setattr_(ferrograd.ones(2, dtype=ferrograd.float64, requires_grad=True), "grad", ferrograd.ones(2)),
        RuntimeError,
        (
            "attempting to assign a gradient with dtype 'float' to a tensor with grad_dtype 'Double'. The gradient "
            "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
            "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
            "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match."
        ),
    ),
    (
        "broadcast_add",
        lambda: ferrograd.ones(2, 3) + ferrograd.ones(4),
        RuntimeError,
        ("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    ),
    (
        "broadcast_mul_3d",
        lambda: ferrograd.ones(2, 3) * ferrograd.ones(2, 1, 4),
        RuntimeError,
        ("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 2"),
    ),
    (
        "broadcast_sub_first_dim",
        lambda: ferrograd.ones(3, 1) - ferrograd.ones(2, 1),
        RuntimeError,
        ("The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    ),
    (
        "broadcast_add_",
        lambda: ferrograd.ones(3).add_(ferrograd.ones(2, 3)),
        RuntimeError,
        ("output with shape [3] doesn't match the broadcast shape [2, 3]"),
    ),
    (
        "broadcast_mul_",
        lambda: ferrograd.ones(1, 3).mul_(ferrograd.ones(2, 3)),
        RuntimeError,
        ("output with shape [1, 3] doesn't match the broadcast shape [2, 3]"),
    ),
    (
        "broadcast_where",
        lambda: ferrograd.where(ferrograd.ones(2) > 0, ferrograd.ones(3), ferrograd.ones(2)),
        RuntimeError,
        ("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ),
    (
        "broadcast_where_b",
        lambda: ferrograd.where(ferrograd.ones(2) > 0, ferrograd.ones(2), ferrograd.ones(3)),
        RuntimeError,
        ("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ),
    (
        "broadcast_empty",
        lambda: ferrograd.ones(0) + ferrograd.ones(2),
        RuntimeError,
        ("The size of tensor a (0) must match the size of tensor b (2) at non-singleton dimension 0"),
    ),
    ("view_numel", lambda: ferrograd.ones(2, 3).view(4), RuntimeError, "shape '[4]' is invalid for input of size 6"),
    (
        "view_infer",
        lambda: ferrograd.ones(2, 3).view(-1, 4),
        RuntimeError,
        ("shape '[-1, 4]' is invalid for input of size 6"),
    ),
    ("view_two_infer", lambda: ferrograd.ones(2, 3).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (
        "view_stride",
        lambda: ferrograd.ones(2, 3).t().view(6),
        RuntimeError,
        (
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across "
            "two contiguous subspaces). Use .reshape(...) instead."
        ),
    ),
    (
        "reshape_numel",
        lambda: ferrograd.ones(2, 3).reshape(5),
        RuntimeError,
        ("shape '[5]' is invalid for input of size 6"),
    ),
    (
        "transpose_dim",
        lambda: ferrograd.ones(2, 3).transpose(0, 2),
        IndexError,
        ("Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ),
    (
        "permute_duplicate",
        lambda: ferrograd.ones(2, 3).permute(0, 0),
        RuntimeError,
        ("permute(): duplicate dims are not allowed."),
    ),
    (
        "permute_count",
        lambda: ferrograd.ones(2, 3).permute(0),
        RuntimeError,
        (
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            "desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 1"
        ),
    ),
    (
        "expand_size",
        lambda: ferrograd.ones(2, 3).expand(3, 3),
        RuntimeError,
        (
            "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  "
            "Target sizes: [3, 3].  Tensor sizes: [2, 3]"
        ),
    ),
    (
        "expand_fewer",
        lambda: ferrograd.ones(2, 3).expand(3),
        RuntimeError,
        (
            "expand(ferrograd.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be greater or "
            "equal to the number of dimensions in the tensor (2)"
        ),
    ),
    (
        "squeeze_dim",
        lambda: ferrograd.ones(2, 3).squeeze(2),
        IndexError,
        ("Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ),
    (
        "unsqueeze_dim",
        lambda: ferrograd.ones(2, 3).unsqueeze(4),
        IndexError,
        ("Dimension out of range (expected to be in range of [-3, 2], but got 4)"),
    ),
    (
        "t_3d",
        lambda: ferrograd.ones(2, 3, 4).t(),
        RuntimeError,
        ("t() expects a tensor with <= 2 dimensions, but self is 3D"),
    ),
    (
        "flatten_order",
        lambda: ferrograd.ones(2, 3, 4).flatten(2, 1),
        RuntimeError,
        ("flatten() has invalid args: start_dim cannot come after end_dim"),
    ),
    (
        "sum_dim",
        lambda: ferrograd.ones(2, 3).sum(2),
        IndexError,
        ("Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ),
    (
        "sum_repeated_dim",
        lambda: ferrograd.ones(2, 3).sum((0, 0)),
        RuntimeError,
        ("dim 0 appears multiple times in the list of dims"),
    ),
    ("index_int", lambda: ferrograd.ones(2, 3)[2], IndexError, "index 2 is out of bounds for dimension 0 with size 2"),
    (
        "index_second",
        lambda: ferrograd.ones(2, 3)[0, 3],
        IndexError,
        ("index 3 is out of bounds for dimension 1 with size 3"),
    ),
    (
        "index_negative",
        lambda: ferrograd.ones(2, 3)[-3],
        IndexError,
        ("index -3 is out of bounds for dimension 0 with size 2"),
    ),
    (
        "index_after_none",
        lambda: ferrograd.ones(2, 3, 4)[None, 0, None, 7],
        IndexError,
        ("index 7 is out of bounds for dimension 3 with size 3"),
    ),
    (
        "index_after_ellipsis",
        lambda: ferrograd.ones(2, 3, 4)[..., 1, -5],
        IndexError,
        ("index -5 is out of bounds for dimension 2 with size 4"),
    ),
    ("index_too_many", lambda: ferrograd.ones(2, 3)[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (
        "index_0d",
        lambda: ferrograd.tensor(1.0)[0],
        IndexError,
        (
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
            "convert a 0-dim tensor to a number"
        ),
    ),
    (
        "index_float",
        lambda: ferrograd.ones(2, 3)[1.5],
        IndexError,
        (
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got "
            "float)"
        ),
    ),
    (
        "index_float_in_tuple",
        lambda: ferrograd.ones(2, 3)[0, 1.0],
        IndexError,
        (
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got "
            "float)"
        ),
    ),
    ("index_step_zero", lambda: ferrograd.ones(3)[::0], ValueError, "slice step cannot be zero"),
    ("index_negative_step", lambda: ferrograd.ones(3)[::-1], ValueError, "step must be greater than zero"),
    (
        "setitem_shape",
        lambda: ferrograd.zeros(3, 4).__setitem__(0, ferrograd.ones(3)),
        RuntimeError,
        (
            "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  "
            "Target sizes: [4].  Tensor sizes: [3]"
        ),
    ),
    (
        "setitem_rank",
        lambda: ferrograd.zeros(2, 2).__setitem__(0, ferrograd.ones(2, 2)),
        RuntimeError,
        (
            "expand(ferrograd.FloatTensor{[2, 2]}, size=[2]): the number of sizes provided (1) must be greater or "
            "equal to the number of dimensions in the tensor (2)"
        ),
    ),
    (
        "setitem_str",
        lambda: ferrograd.zeros(2, dtype=ferrograd.int64).__setitem__(0, "a"),
        TypeError,
        ("can't assign a str to a ferrograd.LongTensor"),
    ),
    (
        "setitem_list",
        lambda: ferrograd.zeros(2, 2).__setitem__(0, [1.0, 2.0]),
        TypeError,
        ("can't assign a list to a ferrograd.FloatTensor"),
    ),
    (
        "setitem_out_of_range",
        lambda: ferrograd.zeros(3).__setitem__(5, 1.0),
        IndexError,
        ("index 5 is out of bounds for dimension 0 with size 3"),
    ),
    ("len_0d", lambda: len(ferrograd.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
    ("iter_0d", lambda: iter(ferrograd.tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
    (
        "bool_many",
        lambda: bool(ferrograd.ones(2)),
        RuntimeError,
        ("Boolean value of Tensor with more than one value is ambiguous"),
    ),
    (
        "bool_empty",
        lambda: bool(ferrograd.ones(0)),
        RuntimeError,
        ("Boolean value of Tensor with no values is ambiguous"),
    ),
    (
        "item_many",
        lambda: ferrograd.ones(2).item(),
        RuntimeError,
        ("a Tensor with 2 elements cannot be converted to Scalar"),
    ),
    (
        "item_empty",
        lambda: ferrograd.ones(0).item(),
        RuntimeError,
        ("a Tensor with 0 elements cannot be converted to Scalar"),
    ),
    (
        "float_many",
        lambda: float(ferrograd.ones(2)),
        ValueError,
        ("only one element tensors can be converted to Python scalars"),
    ),
    (
        "int_many",
        lambda: int(ferrograd.ones(2)),
        ValueError,
        ("only one element tensors can be converted to Python scalars"),
    ),
    (
        "index_float_tensor",
        lambda: [1, 2, 3][ferrograd.tensor(1.0)],
        TypeError,
        ("only integer tensors of a single element can be converted to an index"),
    ),
    (
        "grad_unused",
        lambda: ferrograd.autograd.grad((matrix_leaf * 2).sum(), [matrix_leaf, ferrograd.ones(2, requires_grad=True)]),
        RuntimeError,
        (
            "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
            "allow_unused=True if this is the desired behavior."
        ),
    ),
    (
        "grad_unused_first",
        lambda: ferrograd.autograd.grad((matrix_leaf * 2).sum(), [ferrograd.ones(2, requires_grad=True), matrix_leaf]),
        RuntimeError,
        (
            "The differentiated Tensor at index 0 appears to not have been used in the graph. Set "
            "allow_unused=True if this is the desired behavior."
        ),
    ),
    (
        "grad_input_no_grad",
        lambda: ferrograd.autograd.grad((matrix_leaf * 2).sum(), [matrix_leaf, ferrograd.ones(2)]),
        RuntimeError,
        ("One of the differentiated Tensors does not require grad"),
    ),
    (
        "retain_grad_no_grad",
        lambda: ferrograd.ones(2).retain_grad(),
        RuntimeError,
        ("can't retain_grad on Tensor that has requires_grad=False"),
    ),
    (
        "hook_no_grad",
        lambda: ferrograd.ones(2).register_hook(lambda g: g),
        RuntimeError,
        ("cannot register a hook on a tensor that doesn't require gradient"),
    ),
    (
        "detach__view",
        lambda: (leaf() * 1)[0].detach_(),
        RuntimeError,
        (
            "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for "
            "training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence "
            "detach_() cannot be called on these gradients. To fix this error, please refer to the "
            "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
        ),
    ),
    (
        "detach__leaf_view",
        lambda: leaf()[0].detach_(),
        RuntimeError,
        (
            "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for "
            "training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence "
            "detach_() cannot be called on these gradients. To fix this error, please refer to the "
            "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
        ),
    ),
    (
        "mm_shapes",
        lambda: ferrograd.ones(2, 3).mm(ferrograd.ones(2, 3)),
        RuntimeError,
        ("mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ),
    (
        "mm_self_1d",
        lambda: ferrograd.ones(3).mm(ferrograd.ones(3, 3)),
        RuntimeError,
        ("mm: self must be a matrix, got 1-D tensor"),
    ),
    (
        "mm_mat2_1d",
        lambda: ferrograd.ones(3, 3).mm(ferrograd.ones(3)),
        RuntimeError,
        ("mm: mat2 must be a matrix, got 1-D tensor"),
    ),
    (
        "mm_dtype",
        lambda: ferrograd.ones(3, 3).mm(ferrograd.ones(3, 3, dtype=ferrograd.float64)),
        RuntimeError,
        ("expected m1 and m2 to have the same dtype, but got: float != double"),
    ),
    (
        "matmul_shapes",
        lambda: ferrograd.ones(2, 3) @ ferrograd.ones(2, 3),
        RuntimeError,
        ("mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ),
    (
        "matmul_0d",
        lambda: ferrograd.tensor(1.0) @ ferrograd.ones(2, 3),
        RuntimeError,
        ("both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
    ),
    (
        "matmul_vectors",
        lambda: ferrograd.ones(3) @ ferrograd.ones(4),
        RuntimeError,
        (
            "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but "
            "got 3 and 4 elements respectively"
        ),
    ),
    (
        "matmul_batch",
        lambda: ferrograd.ones(2, 2, 3) @ ferrograd.ones(3, 3, 4),
        RuntimeError,
        ("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ),
    (
        "bmm_batch",
        lambda: ferrograd.ones(2, 2, 3).bmm(ferrograd.ones(3, 3, 4)),
        RuntimeError,
        ("Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."),
    ),
    ("bmm_2d", lambda: ferrograd.ones(2, 3).bmm(ferrograd.ones(2, 3, 4)), RuntimeError, "batch1 must be a 3D tensor"),
    (
        "dot_size",
        lambda: ferrograd.ones(3).dot(ferrograd.ones(4)),
        RuntimeError,
        (
            "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but "
            "got 3 and 4 elements respectively"
        ),
    ),
    (
        "dot_2d",
        lambda: ferrograd.ones(3, 1).dot(ferrograd.ones(3)),
        RuntimeError,
        ("1D tensors expected, but got 2D and 1D tensors"),
    ),
    (
        "dot_dtype",
        lambda: ferrograd.ones(3).dot(ferrograd.ones(3, dtype=ferrograd.float64)),
        RuntimeError,
        ("dot : expected both vectors to have same dtype, but found Float and Double"),
    ),
    (
        "mv_size",
        lambda: ferrograd.ones(3, 2).mv(ferrograd.ones(3)),
        RuntimeError,
        ("size mismatch, got input (3), mat (3x2), vec (3)"),
    ),
    (
        "max_empty",
        lambda: ferrograd.ones(0).max(),
        RuntimeError,
        (
            "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with "
            "the 'dim' argument."
        ),
    ),
    (
        "max_dim_empty",
        lambda: ferrograd.ones(0, 3).max(0),
        IndexError,
        ("max(): Expected reduction dim 0 to have non-zero size."),
    ),
    (
        "where_condition_dtype",
        lambda: ferrograd.where(ferrograd.ones(2), ferrograd.ones(2), ferrograd.ones(2)),
        RuntimeError,
        ("where expected condition to be a boolean tensor, but got a tensor with dtype Float"),
    ),
    (
        "bce_size",
        lambda: ferrograd.nn.functional.binary_cross_entropy_with_logits(ferrograd.ones(2), ferrograd.ones(3)),
        ValueError,
        ("Target size (ferrograd.Size([3])) must be the same as input size (ferrograd.Size([2]))"),
    ),
    (
        "bce_reduction",
        lambda: ferrograd.nn.functional.binary_cross_entropy_with_logits(
            ferrograd.ones(2), ferrograd.ones(2), reduction="foo"
        ),
        ValueError,
        ("foo is not a valid value for reduction"),
    ),
    (
        "pow_int_negative",
        lambda: ferrograd.tensor([2, 3]) ** -1,
        RuntimeError,
        ("Integers to negative integer powers are not allowed."),
    ),
    (
        "sub_bool",
        lambda: ferrograd.tensor([True]) - ferrograd.tensor([True]),
        NotImplementedError,
        (
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
            "operator instead."
        ),
    ),
    (
        "neg_bool",
        lambda: -ferrograd.tensor([True]),
        NotImplementedError,
        (
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
            "use the `~` or `logical_not()` operator instead."
        ),
    ),
    (
        "add_result_type",
        lambda: ferrograd.ones(2, dtype=ferrograd.int64).add_(1.5),
        RuntimeError,
        ("result type Float can't be cast to the desired output type Long"),
    ),
    (
        "tensor_ragged",
        lambda: ferrograd.tensor([[1, 2], [3]]),
        ValueError,
        ("expected sequence of length 2 at dim 1 (got 1)"),
    ),
    ("tensor_str", lambda: ferrograd.tensor("abc"), TypeError, "new(): invalid data type 'str'"),
    ("tensor_str_element", lambda: ferrograd.tensor([1, "a"]), TypeError, "new(): invalid data type 'str'"),
    ("tensor_overflow", lambda: ferrograd.tensor([2**63]), ValueError, "Overflow when unpacking long long"),
    (
        "ones_negative",
        lambda: ferrograd.ones(-1),
        RuntimeError,
        ("Trying to create tensor with negative dimension -1: [-1]"),
    ),
    (
        "ones_str",
        lambda: ferrograd.ones("a"),
        TypeError,
        ("ones(): argument 'size' (position 1) must be tuple of ints, not str"),
    ),
    (
        "zeros_float",
        lambda: ferrograd.zeros(2.5),
        TypeError,
        ("zeros(): argument 'size' (position 1) must be tuple of ints, not float"),
    ),
    (
        "randn_str",
        lambda: ferrograd.randn("a"),
        TypeError,
        ("randn(): argument 'size' (position 1) must be tuple of ints, not str"),
    ),
    (
        "full_str",
        lambda: ferrograd.full((2,), "a"),
        TypeError,
        ("full(): argument 'fill_value' (position 2) must be Number, not str"),
    ),
    ("arange_zero_step", lambda: ferrograd.arange(0, 5, 0), RuntimeError, "step must be nonzero"),
    (
        "arange_sign",
        lambda: ferrograd.arange(5, 0, 1),
        RuntimeError,
        ("upper bound and lower bound inconsistent with step sign"),
    ),
    ("linspace_negative", lambda: ferrograd.linspace(0, 1, -1), RuntimeError, "number of steps must be non-negative"),
    (
        "randint_bounds",
        lambda: ferrograd.randint(5, 2, (3,)),
        RuntimeError,
        ("random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
    ),
    ("eye_negative_n", lambda: ferrograd.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
    ("eye_negative_m", lambda: ferrograd.eye(2, -1), RuntimeError, "m must be greater or equal to 0, got -1"),
    (
        "rand_int",
        lambda: ferrograd.rand(2, dtype=ferrograd.int64),
        NotImplementedError,
        ("\"check_uniform_bounds\" not implemented for 'Long'"),
    ),
    (
        "randn_int",
        lambda: ferrograd.randn(2, dtype=ferrograd.int64),
        NotImplementedError,
        ("\"normal_kernel_cpu\" not implemented for 'Long'"),
    ),
    (
        "rand_like_int",
        lambda: ferrograd.rand_like(ferrograd.ones(2, dtype=ferrograd.int32)),
        NotImplementedError,
        ("\"check_uniform_bounds\" not implemented for 'Int'"),
    ),
    ("from_numpy_list", lambda: ferrograd.from_numpy([1, 2]), TypeError, "expected np.ndarray (got list)"),
    (
        "format_vector",
        lambda: format(ferrograd.ones(2), ".2f"),
        TypeError,
        ("unsupported format string passed to Tensor.__format__"),
    ),
]


@pytest.mark.parametrize(("call", "kind", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error(call, kind, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(kind) as e:
            call()
    assert type(e.value) is kind
    assert str(e.value) == message


NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)


def test_non_leaf_grad_warns_at_the_caller():
    y = leaf() * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert y.grad is None
    assert len(caught) == 1
    assert caught[0].category is UserWarning
    assert str(caught[0].message).startswith(NON_LEAF_GRAD)
    assert caught[0].filename == __file__


def test_no_warning_for_leaves_and_retained_grads():
    x = leaf()
    y = x * 2
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None
        assert y.grad is None
        assert ferrograd.ones(2).grad is None


def test_copy_construct_warning():
    with pytest.warns(UserWarning, match=re.escape("To copy construct from a tensor, it is recommended to use")):
        ferrograd.tensor(ferrograd.ones(2))
