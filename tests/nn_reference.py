"""NumPy reference implementations of ``ferrograd.nn.functional`` ops, written from their
definitions (direct loops, no tricks), for the ``test_nn_functional_*`` suites.

>>> conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))[0, 0]
array([[4., 4.],
       [4., 4.]])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pair(v: int | Sequence[int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (v[0], v[1])


def softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """Sums of products over every kernel tap; ``padding`` is per dim, or per side as
    ``((top, bottom), (left, right))``."""
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    if isinstance(padding, int) or isinstance(padding[0], int):
        (ph, pw) = pair(padding)
        padding = ((ph, ph), (pw, pw))
    xp = np.pad(x, ((0, 0), (0, 0), *padding))
    n, _, h, wd = xp.shape
    o, cg, kh, kw = w.shape
    oh, ow = (h - dh * (kh - 1) - 1) // sh + 1, (wd - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg : (g + 1) * cg, i * dh : i * dh + sh * (oh - 1) + 1 : sh]
                patch = patch[..., j * dw : j * dw + sw * (ow - 1) + 1 : sw]
                out[:, g * og : (g + 1) * og] += np.einsum("nchw,oc->nohw", patch, w[g * og : (g + 1) * og, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    if not isinstance(padding, int) and not isinstance(padding[0], int):
        padding = ((0, 0), padding[0])
    else:
        padding = (0, padding if isinstance(padding, int) else padding[0])
    out = conv2d(x[:, :, None], w[:, :, None], b, (1, stride), padding, (1, dilation), groups)
    return out[:, :, 0]


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> np.ndarray:
    """Each input element scatters ``w`` times itself into the output, which is then cropped
    by ``padding``."""
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = map(pair, (stride, padding, output_padding, dilation))
    n, cin, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = cin // groups
    full = np.zeros((n, og * groups, (h - 1) * sh + dh * (kh - 1) + 1 + oph, (wd - 1) * sw + dw * (kw - 1) + 1 + opw))
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("nchw,co->nohw", x[:, g * cg : (g + 1) * cg], w[g * cg : (g + 1) * cg, :, i, j])
                rows = slice(i * dh, i * dh + sh * (h - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (wd - 1) + 1, sw)
                full[:, g * og : (g + 1) * og, rows, cols] += contrib
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    out = full[:, :, ph : ph + oh, pw : pw + ow]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return out


def pool_size(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """PyTorch's pooling output size."""
    span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = span // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Returns (values, flat indices within each plane) of the first maximum of each window."""
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel_size), pair(padding), pair(dilation)
    sh, sw = pair(stride if stride is not None else kernel_size)
    *lead, h, w = x.shape
    oh, ow = pool_size(h, kh, sh, ph, dh, ceil_mode), pool_size(w, kw, sw, pw, dw, ceil_mode)
    values = np.zeros((*lead, oh, ow))
    indices = np.zeros((*lead, oh, ow), dtype=np.int64)
    for idx in np.ndindex(*lead):
        for r in range(oh):
            for c in range(ow):
                taps = [
                    (r * sh - ph + i * dh, c * sw - pw + j * dw)
                    for i in range(kh)
                    for j in range(kw)
                    if 0 <= r * sh - ph + i * dh < h and 0 <= c * sw - pw + j * dw < w
                ]
                best = max(taps, key=lambda t: (x[idx][t], -taps.index(t)))
                values[idx][r, c] = x[idx][best]
                indices[idx][r, c] = best[0] * w + best[1]
    return values, indices


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(stride if stride is not None else kernel_size)
    *lead, h, w = x.shape
    oh, ow = pool_size(h, kh, sh, ph, 1, ceil_mode), pool_size(w, kw, sw, pw, 1, ceil_mode)
    out = np.zeros((*lead, oh, ow))
    for r in range(oh):
        for c in range(ow):
            r0, c0 = r * sh - ph, c * sw - pw
            r1, c1 = min(r0 + kh, h + ph), min(c0 + kw, w + pw)
            padded = (r1 - r0) * (c1 - c0)
            r0, c0, r1, c1 = max(r0, 0), max(c0, 0), min(r1, h), min(c1, w)
            total = x[..., r0:r1, c0:c1].sum(axis=(-1, -2))
            if divisor_override is not None:
                div = divisor_override
            else:
                div = padded if count_include_pad else (r1 - r0) * (c1 - c0)
            out[..., r, c] = total / div
    return out


def adaptive_avg_pool2d(x, output_size):
    oh, ow = pair(output_size)
    *lead, h, w = x.shape
    out = np.zeros((*lead, oh, ow))
    for r in range(oh):
        for c in range(ow):
            r0, r1 = (r * h) // oh, -(-((r + 1) * h) // oh)
            c0, c1 = (c * w) // ow, -(-((c + 1) * w) // ow)
            out[..., r, c] = x[..., r0:r1, c0:c1].mean(axis=(-1, -2))
    return out


def normalize_over(x: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def pad(x: np.ndarray, pads: Sequence[int], mode: str = "constant", value: float = 0.0) -> np.ndarray:
    """``pads`` as PyTorch gives them: (before, after) pairs from the last dim back."""
    widths = [(0, 0)] * x.ndim
    for i in range(len(pads) // 2):
        widths[x.ndim - 1 - i] = (pads[2 * i], pads[2 * i + 1])
    # Negative sizes crop first.
    crop = tuple(slice(max(-b, 0), x.shape[d] - max(-a, 0)) for d, (b, a) in enumerate(widths))
    x = x[crop]
    widths = [(max(b, 0), max(a, 0)) for b, a in widths]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode])


def attention(q, k, v, mask=None, causal=False, scale=None):
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if causal:
        l_, s_ = scores.shape[-2:]
        mask = np.tril(np.ones((l_, s_), dtype=bool))
    if mask is not None:
        scores = np.where(mask, scores, -np.inf) if mask.dtype == bool else scores + mask
    dead = np.isneginf(scores).all(axis=-1, keepdims=True)
    scores = np.where(dead, 0.0, scores)
    weights = np.where(dead, 0.0, softmax(scores, -1))
    return weights @ v


def reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


def nll_loss(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """``logp`` shaped ``[n, c, ...]`` (or ``[c]``), ``target`` the class per element."""
    if logp.ndim == 1:
        logp, target = logp[None], np.asarray(target)[None]
    c = logp.shape[1]
    weight = np.ones(c) if weight is None else weight
    moved = np.moveaxis(logp, 1, -1)
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    picked = np.take_along_axis(moved, safe[..., None], axis=-1)[..., 0]
    w = np.where(valid, weight[safe], 0.0)
    losses = -w * picked
    if reduction == "mean":
        return losses.sum() / w.sum()
    return losses.sum() if reduction == "sum" else losses
