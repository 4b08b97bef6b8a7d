#!/usr/bin/env python3
"""Golden fixtures for TorchZoo.Torch: deterministic inputs, outputs computed by PyTorch 1.13.

Run from the repository root with the system Python that has torch (Debian's python3-torch):

    /usr/bin/python3 tests/golden/make_torch_fixtures.py

It rewrites tests/golden/torch/ops.json. tests/Torch.Tests/GoldenOpsTests.cs runs every case in that
file through the C# binding and compares with what is recorded here; a case whose op the C# side does
not map fails, so add the C# mapping whenever a case with a new op is added here.

File format: {"generator": ..., "torch_version": ..., "cases": [case, ...]} where a case is
    {"name": unique id, "op": op name, "inputs": {name: tensor, ...} (ordered),
     "params": {name: number | string | bool | list | null}, "expected": {name: tensor, ...}}
and a tensor is {"dtype": "float32"|"float64"|"int64"|"bool", "shape": [...], "data": [row-major]}.
Non-finite floats are written as the strings "nan", "inf" and "-inf".

Every op is written here as a small function of (inputs, params) returning named outputs, so the
autograd cases ("grad") can reuse the forward ops: they differentiate sum(out * w) with respect to the
named inputs.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)

SEED = 20240613
G = torch.Generator().manual_seed(SEED)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch", "ops.json")

F32, F64, I64, BOOL = torch.float32, torch.float64, torch.int64, torch.bool
DTYPE_NAMES = {F32: "float32", F64: "float64", I64: "int64", BOOL: "bool"}


# ---- deterministic inputs ------------------------------------------------------------------------

def randn(*shape, dtype=F32, scale=1.0, shift=0.0):
    return (torch.randn(shape, generator=G, dtype=F64) * scale + shift).to(dtype)


def uniform(lo, hi, *shape, dtype=F32):
    return (torch.rand(shape, generator=G, dtype=F64) * (hi - lo) + lo).to(dtype)


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=G, dtype=I64)


def randbool(*shape, p=0.5):
    return torch.rand(shape, generator=G, dtype=F64) < p


def halves(*shape, lo=-6, hi=6, dtype=F32):
    """Multiples of 0.5: exercises ties (round half to even, equal elements, stable sorts)."""
    return (randint(lo, hi + 1, *shape).to(F64) / 2).to(dtype)


def spd(n, batch=(), dtype=F32):
    a = randn(*batch, n, n, dtype=F64)
    m = a @ a.transpose(-2, -1) + n * torch.eye(n, dtype=F64)
    return m.to(dtype)


# ---- encoding ------------------------------------------------------------------------------------

def enc_float(v, single):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if single:
        # Shortest decimal that reads back as the same float32 (the C# side parses it as a float).
        return float(str(np.float32(v)))
    return v


def enc(t):
    t = t.detach().contiguous()
    if t.dtype not in DTYPE_NAMES:
        raise TypeError(f"unsupported dtype {t.dtype}")
    flat = t.reshape(-1).tolist()
    if t.dtype in (F32, F64):
        single = t.dtype == F32
        flat = [enc_float(v, single) for v in flat]
    return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data": flat}


# ---- the ops -------------------------------------------------------------------------------------

OPS = {}


def op(name):
    def register(fn):
        if name in OPS:
            raise ValueError(f"op {name} registered twice")
        OPS[name] = fn
        return fn
    return register


def out(t):
    return {"out": t}


def pinf(v):
    """A parameter that may be the string 'inf' / '-inf'."""
    if isinstance(v, str):
        return {"inf": math.inf, "-inf": -math.inf}[v]
    return v


UNARY = {
    "neg": torch.neg, "abs": torch.abs, "sign": torch.sign, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
    "exp": torch.exp, "log": torch.log, "log2": torch.log2, "log1p": torch.log1p, "expm1": torch.expm1,
    "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "gelu": lambda x: F.gelu(x), "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "silu": F.silu,
    "softplus": F.softplus, "reciprocal": torch.reciprocal, "square": torch.square, "floor": torch.floor,
    "ceil": torch.ceil, "round": torch.round, "trunc": torch.trunc, "erf": torch.erf, "erfinv": torch.erfinv,
    "isnan": torch.isnan, "isinf": torch.isinf, "isfinite": torch.isfinite, "logical_not": torch.logical_not,
}
for _n, _f in UNARY.items():
    op("unary." + _n)(lambda I, P, f=_f: out(f(I["x"])))

UNARY_INPLACE = ["neg", "abs", "sign", "sqrt", "rsqrt", "exp", "log", "tanh", "sigmoid", "relu", "reciprocal",
                 "square", "floor", "round", "erfinv", "zero"]
for _n in UNARY_INPLACE:
    op("unary_." + _n)(lambda I, P, n=_n: out(getattr(I["x"].clone(), n + "_")()))

BINARY = {
    "add": lambda a, b, P: torch.add(a, b, alpha=pyscalar(P, "alpha", 1)),
    "sub": lambda a, b, P: torch.sub(a, b, alpha=pyscalar(P, "alpha", 1)),
    "mul": lambda a, b, P: torch.mul(a, b), "div": lambda a, b, P: torch.div(a, b),
    "pow": lambda a, b, P: torch.pow(a, b), "maximum": lambda a, b, P: torch.maximum(a, b),
    "minimum": lambda a, b, P: torch.minimum(a, b), "atan2": lambda a, b, P: torch.atan2(a, b),
    "fmod": lambda a, b, P: torch.fmod(a, b), "remainder": lambda a, b, P: torch.remainder(a, b),
    "eq": lambda a, b, P: torch.eq(a, b), "ne": lambda a, b, P: torch.ne(a, b),
    "lt": lambda a, b, P: torch.lt(a, b), "le": lambda a, b, P: torch.le(a, b),
    "gt": lambda a, b, P: torch.gt(a, b), "ge": lambda a, b, P: torch.ge(a, b),
    "logical_and": lambda a, b, P: torch.logical_and(a, b), "logical_or": lambda a, b, P: torch.logical_or(a, b),
    "logical_xor": lambda a, b, P: torch.logical_xor(a, b),
}
for _n, _f in BINARY.items():
    op("binary." + _n)(lambda I, P, f=_f: out(f(I["a"], I["b"], P)))

BINARY_INPLACE = {
    "add": lambda a, b, P: a.add_(b, alpha=pyscalar(P, "alpha", 1)), "sub": lambda a, b, P: a.sub_(b, alpha=pyscalar(P, "alpha", 1)),
    "mul": lambda a, b, P: a.mul_(b), "div": lambda a, b, P: a.div_(b), "pow": lambda a, b, P: a.pow_(b),
    "maximum": lambda a, b, P: torch.maximum(a, b, out=a), "minimum": lambda a, b, P: torch.minimum(a, b, out=a),
    "copy": lambda a, b, P: a.copy_(b),
}
for _n, _f in BINARY_INPLACE.items():
    op("binary_." + _n)(lambda I, P, f=_f: out(f(I["a"].clone(), I["b"], P)))


def pyscalar(P, key="s", default=None):
    """The binding takes scalars as doubles and passes a whole number on as an integer (as a Python int), so
    integer tensors keep their dtype: t + 2 stays int64 while t + 0.5 promotes. Mirror that here."""
    v = P.get(key, default)
    return int(v) if isinstance(v, float) and v.is_integer() else v


SCALAR_BINARY = ["add", "sub", "mul", "div", "pow", "fmod", "remainder", "eq", "ne", "lt", "le", "gt", "ge"]
for _n in SCALAR_BINARY:
    op("binary_scalar." + _n)(lambda I, P, n=_n: out(getattr(torch, n)(I["a"], pyscalar(P))))
for _n in ["add", "sub", "mul", "div", "pow"]:
    op("binary_scalar_." + _n)(lambda I, P, n=_n: out(getattr(I["a"].clone(), n + "_")(pyscalar(P))))

op("scalar_tensor.sub")(lambda I, P: out(pyscalar(P) - I["b"]))
op("scalar_tensor.div")(lambda I, P: out(pyscalar(P) / I["b"]))
op("scalar_tensor.pow")(lambda I, P: out(pyscalar(P) ** I["b"]))
op("scalar_tensor.add")(lambda I, P: out(pyscalar(P) + I["b"]))
op("scalar_tensor.mul")(lambda I, P: out(pyscalar(P) * I["b"]))
op("operator.neg")(lambda I, P: out(-I["a"]))
op("operator.add")(lambda I, P: out(I["a"] + I["b"]))
op("operator.sub")(lambda I, P: out(I["a"] - I["b"]))
op("operator.mul")(lambda I, P: out(I["a"] * I["b"]))
op("operator.div")(lambda I, P: out(I["a"] / I["b"]))

op("addcmul")(lambda I, P: out(torch.addcmul(I["x"], I["t1"], I["t2"], value=P["value"])))
op("addcdiv")(lambda I, P: out(torch.addcdiv(I["x"], I["t1"], I["t2"], value=P["value"])))
op("addcmul_")(lambda I, P: out(I["x"].clone().addcmul_(I["t1"], I["t2"], value=P["value"])))
op("addcdiv_")(lambda I, P: out(I["x"].clone().addcdiv_(I["t1"], I["t2"], value=P["value"])))


def _lerp_weight(I, P):
    return I["weight"] if "weight" in I else P["weight"]


op("lerp")(lambda I, P: out(torch.lerp(I["x"], I["end"], _lerp_weight(I, P))))
op("lerp_")(lambda I, P: out(I["x"].clone().lerp_(I["end"], _lerp_weight(I, P))))
def _bounds(P):
    return tuple(None if k not in P else pyscalar(P, k) for k in ("min", "max"))


op("clamp")(lambda I, P: out(torch.clamp(I["x"], *_bounds(P))))
op("clamp_")(lambda I, P: out(I["x"].clone().clamp_(*_bounds(P))))
op("where")(lambda I, P: out(torch.where(I["cond"], I["a"], I["b"])))
op("masked_fill")(lambda I, P: out(I["x"].masked_fill(I["mask"], pinf(P["value"]))))
op("masked_fill_")(lambda I, P: out(I["x"].clone().masked_fill_(I["mask"], pinf(P["value"]))))
op("fill_")(lambda I, P: out(I["x"].clone().fill_(P["value"])))


# reductions

def _dims(P, x):
    d = P.get("dims")
    return list(range(x.dim())) if d is None else d


def _each(x, dims, keepdim, fn):
    """Reduce one dimension at a time (for reductions whose 1.13 form takes a single dim)."""
    dims = sorted((d % x.dim() for d in dims), reverse=True)
    for d in dims:
        x = fn(x, d, keepdim)
    return x


op("reduce.sum")(lambda I, P: out(torch.sum(I["x"], _dims(P, I["x"]), keepdim=P.get("keepdim", False))))
op("reduce.mean")(lambda I, P: out(torch.mean(I["x"], _dims(P, I["x"]), keepdim=P.get("keepdim", False))))
op("reduce.prod")(lambda I, P: out(_each(I["x"], _dims(P, I["x"]), P.get("keepdim", False),
                                         lambda t, d, k: torch.prod(t, d, keepdim=k))))
op("reduce.amax")(lambda I, P: out(torch.amax(I["x"], _dims(P, I["x"]), keepdim=P.get("keepdim", False))))
op("reduce.amin")(lambda I, P: out(torch.amin(I["x"], _dims(P, I["x"]), keepdim=P.get("keepdim", False))))
op("reduce.all")(lambda I, P: out(_each(I["x"], _dims(P, I["x"]), P.get("keepdim", False),
                                        lambda t, d, k: torch.all(t, d, keepdim=k))))
op("reduce.any")(lambda I, P: out(_each(I["x"], _dims(P, I["x"]), P.get("keepdim", False),
                                        lambda t, d, k: torch.any(t, d, keepdim=k))))
op("reduce.logsumexp")(lambda I, P: out(torch.logsumexp(I["x"], P["dims"], keepdim=P.get("keepdim", False))))
op("reduce.var")(lambda I, P: out(torch.var(I["x"], _dims(P, I["x"]), unbiased=P["unbiased"],
                                            keepdim=P.get("keepdim", False))))
op("reduce.std")(lambda I, P: out(torch.std(I["x"], _dims(P, I["x"]), unbiased=P["unbiased"],
                                            keepdim=P.get("keepdim", False))))
op("reduce.norm")(lambda I, P: out(torch.linalg.vector_norm(I["x"], pinf(P["p"]), P.get("dims"),
                                                            keepdim=P.get("keepdim", False))))


@op("max_dim")
def _max_dim(I, P):
    v, i = torch.max(I["x"], P["dim"], keepdim=P["keepdim"])
    return {"values": v, "indices": i}


@op("min_dim")
def _min_dim(I, P):
    v, i = torch.min(I["x"], P["dim"], keepdim=P["keepdim"])
    return {"values": v, "indices": i}


op("max_all")(lambda I, P: out(torch.max(I["x"])))
op("min_all")(lambda I, P: out(torch.min(I["x"])))
op("argmax")(lambda I, P: out(torch.argmax(I["x"], P.get("dim"), keepdim=P.get("keepdim", False))))
op("argmin")(lambda I, P: out(torch.argmin(I["x"], P.get("dim"), keepdim=P.get("keepdim", False))))
op("cumsum")(lambda I, P: out(torch.cumsum(I["x"], P["dim"])))


@op("topk")
def _topk(I, P):
    v, i = torch.topk(I["x"], P["k"], P["dim"], largest=P["largest"], sorted=True)
    return {"values": v, "indices": i}


@op("sort")
def _sort(I, P):
    v, i = torch.sort(I["x"], dim=P["dim"], descending=P["descending"], stable=True)
    return {"values": v, "indices": i}


# shapes and indexing

op("reshape")(lambda I, P: out(I["x"].reshape(P["shape"])))
op("view")(lambda I, P: out(I["x"].view(P["shape"])))
op("permute")(lambda I, P: out(I["x"].permute(P["dims"])))
op("permute_contiguous")(lambda I, P: out(I["x"].permute(P["dims"]).contiguous()))
op("transpose")(lambda I, P: out(I["x"].transpose(P["dim0"], P["dim1"])))
op("mT")(lambda I, P: out(I["x"].transpose(-2, -1)))
op("squeeze")(lambda I, P: out(I["x"].squeeze() if P.get("dim") is None else I["x"].squeeze(P["dim"])))
op("unsqueeze")(lambda I, P: out(I["x"].unsqueeze(P["dim"])))
op("expand")(lambda I, P: out(I["x"].expand(P["shape"])))
op("flatten")(lambda I, P: out(I["x"].flatten(P["start"], P["end"])))
op("repeat")(lambda I, P: out(I["x"].repeat(P["repeats"])))
op("flip")(lambda I, P: out(I["x"].flip(P["dims"])))
op("narrow")(lambda I, P: out(I["x"].narrow(P["dim"], P["start"], P["length"])))
op("slice")(lambda I, P: out(I["x"][(slice(None),) * (P["dim"] % I["x"].dim())
                                    + (slice(P["start"], P["end"], P["step"]),)]))
op("select")(lambda I, P: out(I["x"].select(P["dim"], P["index"])))
op("index0")(lambda I, P: out(I["x"][P["index"]]))
op("index_select")(lambda I, P: out(torch.index_select(I["x"], P["dim"], I["index"])))
op("gather")(lambda I, P: out(torch.gather(I["x"], P["dim"], I["index"])))
op("scatter")(lambda I, P: out(torch.scatter(I["x"], P["dim"], I["index"], I["src"])))
op("scatter_add")(lambda I, P: out(torch.scatter_add(I["x"], P["dim"], I["index"], I["src"])))
op("masked_select")(lambda I, P: out(torch.masked_select(I["x"], I["mask"])))
op("tril")(lambda I, P: out(torch.tril(I["x"], P["diagonal"])))
op("triu")(lambda I, P: out(torch.triu(I["x"], P["diagonal"])))
op("cat")(lambda I, P: out(torch.cat(list(I.values()), P["dim"])))
op("stack")(lambda I, P: out(torch.stack(list(I.values()), P["dim"])))


def _parts(ts):
    return {f"out{i}": t for i, t in enumerate(ts)}


op("chunk")(lambda I, P: _parts(torch.chunk(I["x"], P["chunks"], P["dim"])))
op("split")(lambda I, P: _parts(torch.split(I["x"], P["sizes"] if "sizes" in P else P["size"], P["dim"])))

# linear algebra

op("matmul")(lambda I, P: out(torch.matmul(I["a"], I["b"])))
op("mm")(lambda I, P: out(torch.mm(I["a"], I["b"])))
op("bmm")(lambda I, P: out(torch.bmm(I["a"], I["b"])))
op("outer")(lambda I, P: out(torch.outer(I["a"], I["b"])))
op("dot")(lambda I, P: out(torch.dot(I["a"], I["b"])))
op("addmm")(lambda I, P: out(torch.addmm(I["x"], I["a"], I["b"], beta=P["beta"], alpha=P["alpha"])))
op("addmm_")(lambda I, P: out(I["x"].clone().addmm_(I["a"], I["b"], beta=P["beta"], alpha=P["alpha"])))


def _eye_like(m):
    return torch.eye(m.shape[-1], dtype=m.dtype).expand(m.shape[:-2] + (m.shape[-1], m.shape[-1]))


@op("svd")
def _svd(I, P):
    # Singular vectors are unique only up to sign (and rotation within repeated values): compare the
    # singular values, the reconstruction and the orthonormality of the vectors, never the vectors.
    u, s, vh = torch.linalg.svd(I["x"], full_matrices=P["full_matrices"])
    k = s.shape[-1]
    recon = (u[..., :, :k] * s.unsqueeze(-2)) @ vh[..., :k, :]
    return {"S": s, "recon": recon, "UhU": _eye_like(u.transpose(-2, -1) @ u),
            "VhV": _eye_like(vh @ vh.transpose(-2, -1))}


@op("eigh")
def _eigh(I, P):
    lam, q = torch.linalg.eigh(I["x"], UPLO="U" if P["upper"] else "L")
    recon = (q * lam.unsqueeze(-2)) @ q.transpose(-2, -1)
    return {"eigenvalues": lam, "recon": recon, "QtQ": _eye_like(q)}


@op("qr")
def _qr(I, P):
    q, r = torch.linalg.qr(I["x"], mode="complete" if P["complete"] else "reduced")
    return {"recon": q @ r, "R_below_diagonal": torch.tril(r, -1), "QtQ": _eye_like(q.transpose(-2, -1) @ q),
            "R_shape_probe": torch.zeros(r.shape, dtype=r.dtype)}


op("cholesky")(lambda I, P: out(torch.linalg.cholesky(I["x"], upper=P["upper"])))
op("inverse")(lambda I, P: out(torch.linalg.inv(I["x"])))
op("solve")(lambda I, P: out(torch.linalg.solve(I["a"], I["b"])))


def _ord(o):
    return o if o in ("fro", "nuc") else float(o)


op("matrix_norm")(lambda I, P: out(torch.linalg.matrix_norm(I["x"], _ord(P["ord"]), keepdim=P["keepdim"])))
op("diag")(lambda I, P: out(torch.diag(I["x"], P["diagonal"])))

# nn functional

op("linear")(lambda I, P: out(F.linear(I["x"], I["weight"], I.get("bias"))))
op("layer_norm")(lambda I, P: out(F.layer_norm(I["x"], P["normalized_shape"], I.get("weight"), I.get("bias"),
                                               eps=P["eps"])))
op("softmax")(lambda I, P: out(F.softmax(I["x"], P["dim"])))
op("log_softmax")(lambda I, P: out(F.log_softmax(I["x"], P["dim"])))
op("dropout")(lambda I, P: out(F.dropout(I["x"], P["p"], training=P["training"])))
op("conv2d")(lambda I, P: out(F.conv2d(I["x"], I["weight"], I.get("bias"), stride=P["stride"],
                                       padding=P["padding"], dilation=P["dilation"], groups=P["groups"])))
op("max_pool2d")(lambda I, P: out(F.max_pool2d(I["x"], P["kernel"], P.get("stride") or P["kernel"],
                                               P.get("padding", [0, 0]))))
op("avg_pool2d")(lambda I, P: out(F.avg_pool2d(I["x"], P["kernel"], P.get("stride") or P["kernel"],
                                               P.get("padding", [0, 0]))))
op("embedding")(lambda I, P: out(F.embedding(I["indices"], I["weight"])))
op("cross_entropy")(lambda I, P: out(F.cross_entropy(I["logits"], I["target"], weight=I.get("weight"),
                                                     ignore_index=P.get("ignore_index", -100),
                                                     reduction=P["reduction"],
                                                     label_smoothing=P.get("label_smoothing", 0.0))))
op("mse_loss")(lambda I, P: out(F.mse_loss(I["input"], I["target"], reduction=P["reduction"])))
op("l1_loss")(lambda I, P: out(F.l1_loss(I["input"], I["target"], reduction=P["reduction"])))
op("smooth_l1_loss")(lambda I, P: out(F.smooth_l1_loss(I["input"], I["target"], reduction=P["reduction"],
                                                       beta=P["beta"])))
op("huber_loss")(lambda I, P: out(F.huber_loss(I["input"], I["target"], reduction=P["reduction"], delta=P["delta"])))
op("bce_with_logits")(lambda I, P: out(F.binary_cross_entropy_with_logits(I["input"], I["target"],
                                                                          reduction=P["reduction"])))


@op("sdpa")
def _sdpa(I, P):
    # torch 1.13 has no F.scaled_dot_product_attention: the reference is written from its definition,
    # softmax(q kᵀ · scale + mask) v with scale = 1/sqrt(E), a boolean mask keeping the positions where
    # it is true and a causal mask keeping key j <= query i.
    q, k, v = I["q"], I["k"], I["v"]
    scale = P.get("scale") or 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    L, S = q.shape[-2], k.shape[-2]
    if P.get("causal", False):
        keep = torch.ones(L, S, dtype=BOOL).tril()
        scores = scores.masked_fill(~keep, -math.inf)
    if "mask" in I:
        m = I["mask"]
        scores = scores.masked_fill(~m, -math.inf) if m.dtype == BOOL else scores + m
    return out(torch.softmax(scores, -1) @ v)


@op("stft")
def _stft(I, P):
    x = I["signal"]
    win = P.get("win_length") or P["n_fft"]
    hop = P.get("hop_length") or P["n_fft"] // 4
    window = I["window"] if "window" in I else torch.hann_window(win, dtype=x.dtype)
    z = torch.stft(x, P["n_fft"], hop_length=hop, win_length=win, window=window, center=P["center"],
                   pad_mode="reflect", normalized=P.get("normalized", False), onesided=True, return_complex=True)
    return {"magnitude": z.abs(), "real_imag": torch.view_as_real(z)}


# _foreach_ list ops (in place on every tensor of a list): lists are the inputs x0, x1, ... and y0, y1, ...

def _list(I, prefix):
    return [v for k, v in I.items() if k[len(prefix):].isdigit() and k.startswith(prefix)]


def _foreach(fn):
    def run(I, P):
        xs = [t.clone() for t in _list(I, "x")]
        fn(xs, I, P)
        return _parts(xs)
    return run


op("foreach.add_")(_foreach(lambda xs, I, P: torch._foreach_add_(xs, _list(I, "y"), alpha=pyscalar(P, "alpha", 1))))
op("foreach.sub_")(_foreach(lambda xs, I, P: torch._foreach_sub_(xs, _list(I, "y"), alpha=pyscalar(P, "alpha", 1))))
op("foreach.mul_")(_foreach(lambda xs, I, P: torch._foreach_mul_(xs, _list(I, "y"))))
op("foreach.div_")(_foreach(lambda xs, I, P: torch._foreach_div_(xs, _list(I, "y"))))
op("foreach.maximum_")(_foreach(lambda xs, I, P: [x.copy_(torch.maximum(x, y)) for x, y in zip(xs, _list(I, "y"))]))
op("foreach.add_scalar_")(_foreach(lambda xs, I, P: torch._foreach_add_(xs, P["s"])))
op("foreach.mul_scalar_")(_foreach(lambda xs, I, P: torch._foreach_mul_(xs, P["s"])))
op("foreach.div_scalar_")(_foreach(lambda xs, I, P: torch._foreach_div_(xs, P["s"])))
op("foreach.sqrt_")(_foreach(lambda xs, I, P: torch._foreach_sqrt_(xs)))
op("foreach.zero_")(_foreach(lambda xs, I, P: torch._foreach_zero_(xs)))
op("foreach.neg_")(_foreach(lambda xs, I, P: torch._foreach_neg_(xs)))
op("foreach.abs_")(_foreach(lambda xs, I, P: torch._foreach_abs_(xs)))
op("foreach.addcmul_")(_foreach(lambda xs, I, P: torch._foreach_addcmul_(xs, _list(I, "t"), _list(I, "u"), P["value"])))
op("foreach.addcdiv_")(_foreach(lambda xs, I, P: torch._foreach_addcdiv_(xs, _list(I, "t"), _list(I, "u"), P["value"])))
op("foreach.norm")(lambda I, P: _parts(torch._foreach_norm(_list(I, "x"), pinf(P["p"]))))


# creation and conversion

DTYPES = {v: k for k, v in DTYPE_NAMES.items()}
op("arange")(lambda I, P: out(torch.arange(P["start"], P["end"], P["step"], dtype=DTYPES[P["dtype"]])))
op("arange_n")(lambda I, P: out(torch.arange(P["n"])))
op("linspace")(lambda I, P: out(torch.linspace(P["start"], P["end"], P["steps"], dtype=DTYPES[P["dtype"]])))
op("eye")(lambda I, P: out(torch.eye(P["n"], P.get("m") or P["n"], dtype=DTYPES[P["dtype"]])))
op("full")(lambda I, P: out(torch.full(P["shape"], pinf(P["value"]), dtype=DTYPES[P["dtype"]])))
op("scalar")(lambda I, P: out(torch.tensor(P["value"], dtype=DTYPES[P["dtype"]])))
op("to")(lambda I, P: out(I["x"].to(DTYPES[P["dtype"]])))
op("zeros_like")(lambda I, P: out(torch.zeros_like(I["x"])))
op("ones_like")(lambda I, P: out(torch.ones_like(I["x"], dtype=DTYPES[P["dtype"]]) if "dtype" in P else torch.ones_like(I["x"])))


# autograd

@op("grad")
def _grad(I, P):
    # via (C# side only): "backward" sum(y*w).Backward() then .Grad, "grad" Autograd.Grad, "backward_gradient"
    # y.Backward(w); all three are the same vector-Jacobian product.
    fn_inputs = {k: v for k, v in I.items() if k != "w"}
    leaves = {}
    for name in P["wrt"]:
        leaves[name] = fn_inputs[name].detach().clone().requires_grad_(True)
        fn_inputs[name] = leaves[name]
    y = OPS[P["fn"]](fn_inputs, P.get("fn_params", {}))["out"]
    loss = (y * I["w"]).sum()
    grads = torch.autograd.grad(loss, [leaves[n] for n in P["wrt"]])
    return {"grad_" + n: g for n, g in zip(P["wrt"], grads)}


@op("hvp_cubic")
def _hvp(I, P):
    # f(x) = sum(x^3 * a); g = df/dx = 3 x^2 a; H v = d(g . v)/dx = 6 x a v (computed by double backward).
    x = I["x"].detach().clone().requires_grad_(True)
    f = (x.pow(3) * I["a"]).sum()
    (g,) = torch.autograd.grad(f, [x], create_graph=True)
    (hv,) = torch.autograd.grad((g * I["v"]).sum(), [x])
    return {"grad": g.detach(), "hvp": hv}


# ---- the cases -----------------------------------------------------------------------------------

CASES = []
NAMES = set()


def case(name, opname, inputs, params=None):
    if name in NAMES:
        raise ValueError(f"duplicate case name {name}")
    if opname not in OPS:
        raise ValueError(f"unknown op {opname}")
    NAMES.add(name)
    params = params or {}
    run_inputs = {k: v.clone() for k, v in inputs.items()}
    for k in params.get("transpose_inputs", []):
        # a non-contiguous view: the C# side applies the same transpose before calling the op
        run_inputs[k] = run_inputs[k].transpose(-2, -1)
    with torch.no_grad() if opname not in ("grad", "hvp_cubic") else torch.enable_grad():
        expected = OPS[opname](run_inputs, params)
    CASES.append({
        "name": name, "op": opname,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "params": params,
        "expected": {k: enc(v) for k, v in expected.items()},
    })


def special_values(dtype=F32):
    return torch.tensor([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-3, 30.0, -30.0, math.inf, -math.inf,
                         math.nan], dtype=dtype)


def make_unary():
    domain = {
        "sqrt": (0.01, 9), "rsqrt": (0.01, 9), "log": (0.01, 9), "log2": (0.01, 9), "log1p": (-0.9, 5),
        "erfinv": (-0.99, 0.99), "reciprocal": None,
    }
    for n in UNARY:
        if n in ("isnan", "isinf", "isfinite", "logical_not"):
            continue
        lo_hi = domain.get(n, (-4, 4))
        if n == "reciprocal":
            x = uniform(0.2, 3, 3, 5) * torch.where(randbool(3, 5), 1.0, -1.0)
        else:
            x = uniform(*lo_hi, 3, 5)
        case(f"unary.{n}.f32", "unary." + n, {"x": x})
        case(f"unary.{n}.f64", "unary." + n, {"x": uniform(*lo_hi, 7, dtype=F64) if lo_hi else uniform(0.5, 2, 7, dtype=F64)})
        case(f"unary.{n}.special", "unary." + n, {"x": special_values()})
    for n in ("floor", "ceil", "round", "trunc", "sign", "abs"):
        case(f"unary.{n}.halves", "unary." + n, {"x": halves(4, 6)})
    for n in ("isnan", "isinf", "isfinite", "logical_not"):
        case(f"unary.{n}.special", "unary." + n, {"x": special_values()})
        case(f"unary.{n}.f64", "unary." + n, {"x": special_values(F64).reshape(3, 5)})
    case("unary.logical_not.bool", "unary.logical_not", {"x": randbool(2, 5)})
    case("unary.logical_not.int64", "unary.logical_not", {"x": randint(-2, 3, 7)})
    case("unary.neg.int64", "unary.neg", {"x": randint(-9, 10, 2, 4)})
    case("unary.abs.int64", "unary.abs", {"x": randint(-9, 10, 2, 4)})
    case("unary.sign.int64", "unary.sign", {"x": randint(-3, 4, 9)})
    case("unary.square.int64", "unary.square", {"x": randint(-9, 10, 6)})
    case("unary.exp.strided", "unary.exp", {"x": randn(4, 3)})
    for n in UNARY_INPLACE:
        dom = domain.get(n, (-4, 4)) or (0.5, 3)
        if n in ("floor", "round"):
            x = halves(3, 4)
        else:
            x = uniform(*dom, 3, 4)
        case(f"unary_.{n}.f32", "unary_." + n, {"x": x})


def make_binary():
    shapes = [("same", (3, 4), (3, 4)), ("bcast_col_row", (3, 1), (1, 4)), ("bcast_vec", (2, 3, 4), (4,)),
              ("bcast_scalar_tensor", (2, 3), ())]
    for n in BINARY:
        if n.startswith("logical"):
            continue
        for tag, sa, sb in shapes:
            if n in ("eq", "ne", "lt", "le", "gt", "ge", "maximum", "minimum"):
                a, b = halves(*sa, lo=-3, hi=3), halves(*sb, lo=-3, hi=3)
            elif n == "pow":
                a, b = uniform(0.2, 3, *sa), uniform(-2, 2, *sb)
            elif n in ("div", "fmod", "remainder"):
                a = randn(*sa, scale=3)
                b = uniform(0.5, 2.5, *sb) * torch.where(randbool(*sb), 1.0, -1.0) if sb else torch.tensor(-1.75)
            else:
                a, b = randn(*sa), randn(*sb)
            params = {}
            if n in ("add", "sub") and tag != "same":
                params = {"alpha": -2.5}
            case(f"binary.{n}.{tag}", "binary." + n, {"a": a, "b": b}, params)
    case("binary.add.alpha_f64", "binary.add", {"a": randn(5, dtype=F64), "b": randn(5, dtype=F64)}, {"alpha": 0.3})
    case("binary.sub.alpha_half", "binary.sub", {"a": randn(2, 3), "b": randn(2, 3)}, {"alpha": 0.5})
    for n in ("logical_and", "logical_or", "logical_xor"):
        case(f"binary.{n}.bool", "binary." + n, {"a": randbool(3, 4), "b": randbool(3, 4)})
        case(f"binary.{n}.bcast", "binary." + n, {"a": randbool(3, 1), "b": randbool(1, 4)})
        case(f"binary.{n}.float", "binary." + n, {"a": halves(6, lo=-1, hi=1), "b": halves(6, lo=-1, hi=1)})
    # integers: floor-style vs truncation-style modulo, true division, type promotion
    ia, ib = randint(-20, 21, 3, 4), randint(1, 6, 3, 4) * torch.where(randbool(3, 4), 1, -1)
    for n in ("add", "sub", "mul", "div", "fmod", "remainder", "maximum", "minimum", "eq", "lt"):
        case(f"binary.{n}.int64", "binary." + n, {"a": ia, "b": ib})
    case("binary.add.int64_alpha", "binary.add", {"a": ia, "b": ib}, {"alpha": 3.0})
    case("binary_.sub.int64_alpha", "binary_.sub", {"a": ia, "b": ib}, {"alpha": -2.0})
    case("binary.pow.int64", "binary.pow", {"a": randint(-4, 5, 6), "b": randint(0, 4, 6)})
    case("binary.add.int64_float32", "binary.add", {"a": randint(-5, 6, 2, 3), "b": randn(2, 3)})
    case("binary.mul.float32_float64", "binary.mul", {"a": randn(4), "b": randn(4, dtype=F64)})
    case("binary.add.bool_int64", "binary.add", {"a": randbool(5), "b": randint(0, 5, 5)})
    case("binary.div.by_zero", "binary.div", {"a": torch.tensor([1.0, -1.0, 0.0, 2.0]), "b": torch.tensor([0.0, 0.0, 0.0, -0.0])})
    case("binary.maximum.nan", "binary.maximum", {"a": torch.tensor([1.0, math.nan, 3.0]), "b": torch.tensor([2.0, 0.0, math.nan])})
    case("binary.atan2.quadrants", "binary.atan2", {"a": torch.tensor([1.0, 1.0, -1.0, -1.0, 0.0, 0.0]),
                                                    "b": torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0, 1.0])})

    for n in SCALAR_BINARY:
        a = halves(3, 4, lo=-4, hi=4) if n in ("eq", "ne", "lt", "le", "gt", "ge") else randn(3, 4, scale=2)
        s = {"pow": 3.0, "fmod": -1.5, "remainder": -1.5, "div": -0.75}.get(n, 0.5)
        if n == "pow":
            a = uniform(0.1, 2, 3, 4)
        case(f"binary_scalar.{n}.f32", "binary_scalar." + n, {"a": a}, {"s": s})
        case(f"binary_scalar.{n}.f64", "binary_scalar." + n, {"a": a.to(F64)}, {"s": s + 0.25})
    case("binary_scalar.pow.half", "binary_scalar.pow", {"a": uniform(0.1, 4, 5)}, {"s": 0.5})
    case("binary_scalar.pow.neg2", "binary_scalar.pow", {"a": uniform(0.5, 2, 5)}, {"s": -2.0})
    # integer tensors with integral scalars keep their dtype in PyTorch (a C# caller writing t.Add(2) means 2)
    ix = randint(-10, 11, 2, 5)
    for n in ("add", "sub", "mul", "remainder", "fmod", "pow"):
        s = 3.0 if n != "pow" else 2.0
        case(f"binary_scalar.{n}.int64", "binary_scalar." + n, {"a": ix}, {"s": s})
    case("binary_scalar.div.int64", "binary_scalar.div", {"a": ix}, {"s": 4.0})
    case("binary_scalar.add.int64_fraction", "binary_scalar.add", {"a": ix}, {"s": 0.5})
    case("binary_scalar.gt.int64", "binary_scalar.gt", {"a": ix}, {"s": 2.0})
    for n in ("add", "sub", "mul", "div", "pow"):
        a = uniform(0.5, 2, 2, 3) if n == "pow" else randn(2, 3)
        case(f"binary_scalar_.{n}.f32", "binary_scalar_." + n, {"a": a}, {"s": 1.5 if n != "div" else -4.0})
    case("binary_scalar_.mul.int64", "binary_scalar_.mul", {"a": ix}, {"s": 3.0})

    b = uniform(0.5, 2, 3, 4) * torch.where(randbool(3, 4), 1.0, -1.0)
    case("scalar_tensor.sub.f32", "scalar_tensor.sub", {"b": randn(3, 4)}, {"s": 2.5})
    case("scalar_tensor.div.f32", "scalar_tensor.div", {"b": b}, {"s": 3.0})
    case("scalar_tensor.div.f64", "scalar_tensor.div", {"b": b.to(F64)}, {"s": -1.25})
    case("scalar_tensor.pow.f32", "scalar_tensor.pow", {"b": randn(3, 4)}, {"s": 2.0})
    case("scalar_tensor.pow.e", "scalar_tensor.pow", {"b": randn(6, dtype=F64)}, {"s": math.e})
    case("scalar_tensor.add.f32", "scalar_tensor.add", {"b": randn(5)}, {"s": -7.0})
    case("scalar_tensor.mul.f32", "scalar_tensor.mul", {"b": randn(5)}, {"s": 0.1})
    case("scalar_tensor.sub.int64", "scalar_tensor.sub", {"b": randint(-5, 6, 6)}, {"s": 10.0})
    for n in ("add", "sub", "mul", "div"):
        case(f"operator.{n}.bcast", "operator." + n, {"a": randn(2, 3), "b": uniform(0.5, 2, 3)})
    case("operator.neg.f32", "operator.neg", {"a": randn(2, 3)})

    # in place: self keeps its shape, other broadcasts
    for n in BINARY_INPLACE:
        a = uniform(0.5, 2, 3, 4) if n == "pow" else randn(3, 4)
        b = uniform(-1.5, 1.5, 4) if n == "pow" else (uniform(0.5, 2, 1, 4) if n == "div" else randn(1, 4))
        params = {"alpha": 1.75} if n in ("add", "sub") else {}
        case(f"binary_.{n}.bcast", "binary_." + n, {"a": a, "b": b}, params)
    case("binary_.add.same_f64", "binary_.add", {"a": randn(5, dtype=F64), "b": randn(5, dtype=F64)}, {"alpha": -0.5})
    case("binary_.copy.convert", "binary_.copy", {"a": randn(2, 3), "b": randint(-5, 5, 3)})

    x, t1, t2 = randn(3, 4), randn(3, 4), uniform(0.5, 2, 3, 4)
    for opname in ("addcmul", "addcdiv", "addcmul_", "addcdiv_"):
        case(f"{opname}.value", opname, {"x": x, "t1": t1, "t2": t2}, {"value": -0.3})
        case(f"{opname}.bcast", opname, {"x": x, "t1": randn(4), "t2": uniform(0.5, 2, 3, 1)}, {"value": 2.0})
    for opname in ("lerp", "lerp_"):
        case(f"{opname}.scalar", opname, {"x": randn(3, 4), "end": randn(3, 4)}, {"weight": 0.3})
        case(f"{opname}.scalar_big", opname, {"x": randn(5, dtype=F64), "end": randn(5, dtype=F64)}, {"weight": 0.9})
        case(f"{opname}.tensor", opname, {"x": randn(3, 4), "end": randn(3, 4), "weight": uniform(0, 1, 3, 4)})
        case(f"{opname}.tensor_bcast", opname, {"x": randn(3, 4), "end": randn(3, 4), "weight": uniform(0, 1, 4)})
    for opname in ("clamp", "clamp_"):
        x = randn(4, 5, scale=2)
        case(f"{opname}.both", opname, {"x": x}, {"min": -1.0, "max": 0.5})
        case(f"{opname}.min_only", opname, {"x": x}, {"min": -0.25})
        case(f"{opname}.max_only", opname, {"x": x}, {"max": 1.25})
    case("clamp.nan", "clamp", {"x": special_values()}, {"min": -1.0, "max": 1.0})
    case("clamp.int64", "clamp", {"x": randint(-9, 10, 8)}, {"min": -2.0, "max": 3.0})
    case("clamp_.int64_min", "clamp_", {"x": randint(-9, 10, 8)}, {"min": 0.0})
    case("clamp.int64_fraction", "clamp", {"x": randint(-9, 10, 8)}, {"min": -2.5, "max": 3.5})
    case("clamp.f64", "clamp", {"x": randn(6, dtype=F64)}, {"min": 0.0})
    case("where.same", "where", {"cond": randbool(3, 4), "a": randn(3, 4), "b": randn(3, 4)})
    case("where.bcast", "where", {"cond": randbool(3, 1), "a": randn(1, 4), "b": randn(3, 4)})
    case("where.f64", "where", {"cond": randbool(5), "a": randn(5, dtype=F64), "b": randn(5, dtype=F64)})
    case("where.int64", "where", {"cond": randbool(5), "a": randint(0, 9, 5), "b": randint(-9, 0, 5)})
    for opname in ("masked_fill", "masked_fill_"):
        case(f"{opname}.same", opname, {"x": randn(3, 4), "mask": randbool(3, 4)}, {"value": -1.5})
        case(f"{opname}.bcast", opname, {"x": randn(3, 4), "mask": randbool(4)}, {"value": 7.0})
        case(f"{opname}.neg_inf", opname, {"x": randn(2, 3), "mask": randbool(2, 3)}, {"value": "-inf"})
    case("masked_fill.int64", "masked_fill", {"x": randint(0, 9, 6), "mask": randbool(6)}, {"value": -1.0})
    case("fill_.f32", "fill_", {"x": randn(2, 3)}, {"value": 3.25})


def make_reductions():
    x = randn(2, 3, 4)
    dim_sets = [("all", None), ("d0", [0]), ("d1", [1]), ("dlast", [-1]), ("d02", [0, 2])]
    for n in ("sum", "mean", "amax", "amin", "prod", "logsumexp"):
        for tag, dims in dim_sets:
            if n == "logsumexp" and dims is None:
                dims = [0, 1, 2]
            for keep in (False, True):
                if tag == "all" and keep and n not in ("sum", "amax"):
                    continue
                xi = uniform(0.6, 1.5, 2, 3, 4) if n == "prod" else x
                params = {"keepdim": keep}
                if dims is not None:
                    params["dims"] = dims
                case(f"reduce.{n}.{tag}.{'keep' if keep else 'nokeep'}", "reduce." + n, {"x": xi}, params)
    case("reduce.sum.f64", "reduce.sum", {"x": randn(3, 5, dtype=F64)}, {"dims": [1]})
    case("reduce.sum.int64", "reduce.sum", {"x": randint(-9, 10, 3, 5)}, {"dims": [0]})
    case("reduce.sum.bool", "reduce.sum", {"x": randbool(3, 5)})
    case("reduce.mean.f64", "reduce.mean", {"x": randn(3, 5, dtype=F64)}, {"dims": [0, 1], "keepdim": True})
    case("reduce.amax.int64", "reduce.amax", {"x": randint(-9, 10, 3, 5)}, {"dims": [1]})
    case("reduce.sum.scalar0d", "reduce.sum", {"x": torch.tensor(2.5)})
    case("reduce.logsumexp.large", "reduce.logsumexp", {"x": randn(3, 4, scale=30, shift=80)}, {"dims": [1]})
    b = randbool(2, 3, 4, p=0.7)
    for n in ("all", "any"):
        for tag, dims in dim_sets:
            for keep in (False, True):
                params = {"keepdim": keep}
                if dims is not None:
                    params["dims"] = dims
                case(f"reduce.{n}.{tag}.{'keep' if keep else 'nokeep'}", "reduce." + n, {"x": b}, params)
        case(f"reduce.{n}.float", "reduce." + n, {"x": halves(3, 4, lo=-1, hi=1)}, {"dims": [1]})
    for n in ("var", "std"):
        for tag, dims in dim_sets:
            for unbiased in (True, False):
                params = {"unbiased": unbiased, "keepdim": tag == "d1"}
                if dims is not None:
                    params["dims"] = dims
                case(f"reduce.{n}.{tag}.{'unbiased' if unbiased else 'biased'}", "reduce." + n, {"x": x}, params)
        case(f"reduce.{n}.f64", "reduce." + n, {"x": randn(4, 6, dtype=F64)}, {"dims": [1], "unbiased": True})
    for p in (1.0, 2.0, "inf", 3.0, "-inf", 0.5):
        for tag, dims in [("all", None), ("d1", [1]), ("d02", [0, 2])]:
            params = {"p": p, "keepdim": tag == "d02"}
            if dims is not None:
                params["dims"] = dims
            case(f"reduce.norm.p{p}.{tag}", "reduce.norm", {"x": x}, params)
    case("reduce.norm.f64", "reduce.norm", {"x": randn(7, dtype=F64)}, {"p": 2.0})
    for n in ("max_dim", "min_dim"):
        for dim in (0, 1, -1):
            for keep in (False, True):
                case(f"{n}.d{dim}.{'keep' if keep else 'nokeep'}", n, {"x": x}, {"dim": dim, "keepdim": keep})
        case(f"{n}.int64", n, {"x": randperm_tensor(3, 5)}, {"dim": 1, "keepdim": False})
    case("max_all.f32", "max_all", {"x": x})
    case("min_all.f32", "min_all", {"x": x})
    for n in ("argmax", "argmin"):
        case(f"{n}.flat", n, {"x": x})
        case(f"{n}.flat_keep", n, {"x": x}, {"keepdim": True})
        for dim in (0, 2, -2):
            case(f"{n}.d{dim}", n, {"x": x}, {"dim": dim, "keepdim": False})
        case(f"{n}.d1_keep", n, {"x": x}, {"dim": 1, "keepdim": True})
    for dim in (0, 1, 2, -1):
        case(f"cumsum.d{dim}", "cumsum", {"x": x}, {"dim": dim})
    case("cumsum.f64", "cumsum", {"x": randn(8, dtype=F64)}, {"dim": 0})
    case("cumsum.int64", "cumsum", {"x": randint(-5, 6, 3, 4)}, {"dim": 1})
    y = randn(4, 6)
    for k in (1, 3):
        for largest in (True, False):
            case(f"topk.k{k}.{'largest' if largest else 'smallest'}", "topk", {"x": y}, {"k": k, "dim": -1, "largest": largest})
    case("topk.dim0", "topk", {"x": y}, {"k": 2, "dim": 0, "largest": True})
    case("topk.f64", "topk", {"x": randn(10, dtype=F64)}, {"k": 4, "dim": 0, "largest": True})
    for desc in (False, True):
        d = "desc" if desc else "asc"
        case(f"sort.{d}.last", "sort", {"x": y}, {"dim": -1, "descending": desc})
        case(f"sort.{d}.dim0", "sort", {"x": y}, {"dim": 0, "descending": desc})
        case(f"sort.{d}.ties_stable", "sort", {"x": halves(3, 8, lo=-2, hi=2)}, {"dim": 1, "descending": desc})
        case(f"sort.{d}.int64", "sort", {"x": randint(-3, 4, 10)}, {"dim": 0, "descending": desc})
    case("sort.nan_last", "sort", {"x": torch.tensor([3.0, math.nan, -1.0, math.inf, 0.0, -math.inf])},
         {"dim": 0, "descending": False})


def randperm_tensor(*shape):
    n = 1
    for s in shape:
        n *= s
    return torch.randperm(n, generator=G).reshape(shape)


def make_shapes():
    x = randn(2, 3, 4)
    case("reshape.flat", "reshape", {"x": x}, {"shape": [24]})
    case("reshape.infer", "reshape", {"x": x}, {"shape": [4, -1]})
    case("reshape.2d", "reshape", {"x": randn(3, 4)}, {"shape": [2, 6]})
    case("view.split_dim", "view", {"x": x}, {"shape": [2, 3, 2, 2]})
    case("view.infer", "view", {"x": x}, {"shape": [-1, 12]})
    case("permute.201", "permute", {"x": x}, {"dims": [2, 0, 1]})
    case("permute.neg", "permute", {"x": x}, {"dims": [-1, -2, -3]})
    case("permute_contiguous.120", "permute_contiguous", {"x": x}, {"dims": [1, 2, 0]})
    case("transpose.01", "transpose", {"x": x}, {"dim0": 0, "dim1": 1})
    case("transpose.neg", "transpose", {"x": x}, {"dim0": -1, "dim1": 0})
    case("mT.3d", "mT", {"x": x})
    y = randn(1, 3, 1, 2)
    case("squeeze.all", "squeeze", {"x": y})
    case("squeeze.dim0", "squeeze", {"x": y}, {"dim": 0})
    case("squeeze.dim_not_one", "squeeze", {"x": y}, {"dim": 1})
    case("squeeze.neg", "squeeze", {"x": y}, {"dim": -2})
    for d in (0, 1, 3, -1):
        case(f"unsqueeze.d{d}", "unsqueeze", {"x": x}, {"dim": d})
    case("expand.rows", "expand", {"x": randn(3, 1)}, {"shape": [3, 4]})
    case("expand.new_dims", "expand", {"x": randn(4)}, {"shape": [2, 3, 4]})
    case("expand.keep", "expand", {"x": randn(1, 2)}, {"shape": [5, -1]})
    case("flatten.all", "flatten", {"x": x}, {"start": 0, "end": -1})
    case("flatten.tail", "flatten", {"x": randn(2, 3, 2, 2)}, {"start": 1, "end": -1})
    case("flatten.middle", "flatten", {"x": randn(2, 3, 2, 2)}, {"start": 1, "end": 2})
    case("repeat.2d", "repeat", {"x": randn(2, 3)}, {"repeats": [2, 3]})
    case("repeat.newdim", "repeat", {"x": randn(3)}, {"repeats": [2, 1, 2]})
    case("flip.d0", "flip", {"x": x}, {"dims": [0]})
    case("flip.d12", "flip", {"x": x}, {"dims": [1, -1]})
    case("narrow.d1", "narrow", {"x": x}, {"dim": 1, "start": 1, "length": 2})
    case("narrow.last", "narrow", {"x": x}, {"dim": -1, "start": 0, "length": 3})
    z = randn(5, 7)
    case("slice.step2", "slice", {"x": z}, {"dim": 1, "start": 0, "end": 7, "step": 2})
    case("slice.step3_offset", "slice", {"x": z}, {"dim": 1, "start": 1, "end": 6, "step": 3})
    case("slice.dim0", "slice", {"x": z}, {"dim": 0, "start": 1, "end": 4, "step": 1})
    case("slice.end_past", "slice", {"x": z}, {"dim": 0, "start": 2, "end": 100, "step": 2})
    case("slice.neg_start", "slice", {"x": z}, {"dim": -1, "start": -3, "end": 7, "step": 1})
    case("select.d0", "select", {"x": x}, {"dim": 0, "index": 1})
    case("select.d2_neg_index", "select", {"x": x}, {"dim": 2, "index": -1})
    case("index0.first", "index0", {"x": x}, {"index": 0})
    case("index_select.d0", "index_select", {"x": z, "index": torch.tensor([4, 0, 0, 2])}, {"dim": 0})
    case("index_select.d1", "index_select", {"x": z, "index": torch.tensor([6, 1])}, {"dim": 1})
    case("gather.d1", "gather", {"x": z, "index": randint(0, 7, 5, 3)}, {"dim": 1})
    case("gather.d0", "gather", {"x": z, "index": randint(0, 5, 2, 7)}, {"dim": 0})
    case("scatter.d1", "scatter", {"x": torch.zeros(3, 5), "index": torch.tensor([[0, 4], [2, 1], [3, 3]]),
                                   "src": randn(3, 2)}, {"dim": 1})
    case("scatter.d0", "scatter", {"x": randn(3, 4), "index": torch.tensor([[2, 0, 1, 2]]), "src": randn(1, 4)},
         {"dim": 0})
    case("scatter_add.d1_dupes", "scatter_add", {"x": randn(3, 5), "index": torch.tensor([[0, 0, 4], [1, 2, 1], [3, 3, 3]]),
                                                 "src": randn(3, 3)}, {"dim": 1})
    case("scatter_add.d0", "scatter_add", {"x": torch.zeros(4, 2, dtype=F64), "index": randint(0, 4, 6, 2),
                                           "src": randn(6, 2, dtype=F64)}, {"dim": 0})
    case("masked_select.same", "masked_select", {"x": z, "mask": randbool(5, 7)})
    case("masked_select.bcast", "masked_select", {"x": z, "mask": randbool(7)})
    case("masked_select.none", "masked_select", {"x": randn(3), "mask": torch.zeros(3, dtype=BOOL)})
    for d in (0, 1, -1):
        case(f"tril.k{d}", "tril", {"x": randn(4, 5)}, {"diagonal": d})
        case(f"triu.k{d}", "triu", {"x": randn(4, 5)}, {"diagonal": d})
    case("tril.batched", "tril", {"x": randn(2, 3, 3)}, {"diagonal": 0})
    case("cat.d0", "cat", {"x0": randn(2, 3), "x1": randn(1, 3), "x2": randn(3, 3)}, {"dim": 0})
    case("cat.d1", "cat", {"x0": randn(2, 3), "x1": randn(2, 1)}, {"dim": 1})
    case("cat.neg", "cat", {"x0": randn(2, 2, 1), "x1": randn(2, 2, 2)}, {"dim": -1})
    case("cat.int64", "cat", {"x0": randint(0, 5, 2), "x1": randint(0, 5, 3)}, {"dim": 0})
    case("stack.d0", "stack", {"x0": randn(2, 3), "x1": randn(2, 3), "x2": randn(2, 3)}, {"dim": 0})
    case("stack.d1", "stack", {"x0": randn(2, 3), "x1": randn(2, 3)}, {"dim": 1})
    case("stack.last", "stack", {"x0": randn(2, 3), "x1": randn(2, 3)}, {"dim": -1})
    case("chunk.even", "chunk", {"x": randn(6, 2)}, {"chunks": 3, "dim": 0})
    case("chunk.uneven", "chunk", {"x": randn(2, 7)}, {"chunks": 3, "dim": 1})
    case("chunk.fewer", "chunk", {"x": randn(2, 5)}, {"chunks": 4, "dim": 1})
    case("split.sizes", "split", {"x": randn(6, 2)}, {"sizes": [1, 2, 3], "dim": 0})
    case("split.size", "split", {"x": randn(2, 7)}, {"size": 3, "dim": 1})
    case("split.size_even", "split", {"x": randn(4, 3)}, {"size": 2, "dim": 0})


def make_linalg():
    case("matmul.2d", "matmul", {"a": randn(3, 4), "b": randn(4, 5)})
    case("matmul.vec_mat", "matmul", {"a": randn(4), "b": randn(4, 3)})
    case("matmul.mat_vec", "matmul", {"a": randn(3, 4), "b": randn(4)})
    case("matmul.vec_vec", "matmul", {"a": randn(5), "b": randn(5)})
    case("matmul.batched_bcast", "matmul", {"a": randn(2, 1, 3, 4), "b": randn(3, 4, 2)})
    case("matmul.batched_mat", "matmul", {"a": randn(2, 3, 4), "b": randn(4, 2)})
    case("matmul.f64", "matmul", {"a": randn(3, 3, dtype=F64), "b": randn(3, 2, dtype=F64)})
    case("mm.rect", "mm", {"a": randn(2, 5), "b": randn(5, 3)})
    case("mm.f64", "mm", {"a": randn(4, 4, dtype=F64), "b": randn(4, 4, dtype=F64)})
    case("bmm.basic", "bmm", {"a": randn(3, 2, 4), "b": randn(3, 4, 2)})
    case("outer.basic", "outer", {"a": randn(3), "b": randn(4)})
    case("dot.basic", "dot", {"a": randn(6), "b": randn(6)})
    case("dot.f64", "dot", {"a": randn(6, dtype=F64), "b": randn(6, dtype=F64)})
    case("addmm.beta_alpha", "addmm", {"x": randn(3, 2), "a": randn(3, 4), "b": randn(4, 2)}, {"beta": 0.5, "alpha": -2.0})
    case("addmm.bias_row", "addmm", {"x": randn(2), "a": randn(3, 4), "b": randn(4, 2)}, {"beta": 1.0, "alpha": 1.0})
    case("addmm.beta0", "addmm", {"x": torch.tensor([[math.nan, 1.0], [2.0, 3.0]]), "a": randn(2, 3), "b": randn(3, 2)},
         {"beta": 0.0, "alpha": 1.0})
    case("addmm_.beta_alpha", "addmm_", {"x": randn(3, 2), "a": randn(3, 4), "b": randn(4, 2)}, {"beta": 2.0, "alpha": 0.25})

    for tag, shape, dt in [("tall", (5, 3), F32), ("wide", (3, 5), F32), ("square_f64", (4, 4), F64),
                           ("batched", (2, 4, 3), F32)]:
        for full in (False, True):
            case(f"svd.{tag}.{'full' if full else 'reduced'}", "svd", {"x": randn(*shape, dtype=dt)}, {"full_matrices": full})
    for tag, m in [("4x4", spd(4) - 4 * torch.eye(4)), ("f64", spd(5, dtype=F64)), ("batched", spd(3, (2,)))]:
        case(f"eigh.{tag}.lower", "eigh", {"x": m}, {"upper": False})
    nonsym = randn(4, 4)
    case("eigh.nonsym_lower", "eigh", {"x": nonsym}, {"upper": False})
    case("eigh.nonsym_upper", "eigh", {"x": nonsym}, {"upper": True})
    for tag, shape, dt in [("tall", (5, 3), F32), ("square", (4, 4), F32), ("wide", (3, 5), F32),
                           ("f64", (4, 3), F64), ("batched", (2, 4, 3), F32)]:
        for complete in (False, True):
            case(f"qr.{tag}.{'complete' if complete else 'reduced'}", "qr", {"x": randn(*shape, dtype=dt)},
                 {"complete": complete})
    for tag, m in [("4", spd(4)), ("f64", spd(5, dtype=F64)), ("batched", spd(3, (2,)))]:
        case(f"cholesky.{tag}.lower", "cholesky", {"x": m}, {"upper": False})
        case(f"cholesky.{tag}.upper", "cholesky", {"x": m}, {"upper": True})
    case("inverse.4", "inverse", {"x": spd(4) + randn(4, 4)})
    case("inverse.f64", "inverse", {"x": randn(5, 5, dtype=F64) + 5 * torch.eye(5, dtype=F64)})
    case("inverse.batched", "inverse", {"x": randn(2, 3, 3) + 3 * torch.eye(3)})
    case("solve.matrix", "solve", {"a": randn(4, 4) + 4 * torch.eye(4), "b": randn(4, 2)})
    case("solve.f64", "solve", {"a": randn(3, 3, dtype=F64) + 3 * torch.eye(3, dtype=F64), "b": randn(3, 3, dtype=F64)})
    case("solve.batched", "solve", {"a": randn(2, 3, 3) + 3 * torch.eye(3), "b": randn(2, 3, 1)})
    m = randn(4, 3)
    for o in ("fro", "nuc", "2", "-2", "1", "-1", "inf", "-inf"):
        case(f"matrix_norm.{o}", "matrix_norm", {"x": m}, {"ord": o, "keepdim": False})
    case("matrix_norm.fro_batched_keep", "matrix_norm", {"x": randn(2, 3, 3)}, {"ord": "fro", "keepdim": True})
    case("matrix_norm.2_f64", "matrix_norm", {"x": randn(3, 5, dtype=F64)}, {"ord": "2", "keepdim": False})
    case("matrix_norm.nuc_batched", "matrix_norm", {"x": randn(2, 2, 3)}, {"ord": "nuc", "keepdim": True})
    for d in (0, 1, -2):
        case(f"diag.vec.k{d}", "diag", {"x": randn(3)}, {"diagonal": d})
        case(f"diag.mat.k{d}", "diag", {"x": randn(4, 5)}, {"diagonal": d})


def make_nn():
    x = randn(2, 3, 4)
    w, bias = randn(5, 4), randn(5)
    case("linear.bias", "linear", {"x": x, "weight": w, "bias": bias})
    case("linear.nobias", "linear", {"x": x, "weight": w})
    case("linear.2d", "linear", {"x": randn(3, 4), "weight": w, "bias": bias})
    case("linear.f64", "linear", {"x": randn(2, 3, dtype=F64), "weight": randn(2, 3, dtype=F64), "bias": randn(2, dtype=F64)})
    xl = randn(2, 3, 4, scale=2, shift=1)
    case("layer_norm.affine", "layer_norm", {"x": xl, "weight": randn(4), "bias": randn(4)},
         {"normalized_shape": [4], "eps": 1e-5})
    case("layer_norm.plain", "layer_norm", {"x": xl}, {"normalized_shape": [4], "eps": 1e-5})
    case("layer_norm.two_dims", "layer_norm", {"x": xl, "weight": randn(3, 4), "bias": randn(3, 4)},
         {"normalized_shape": [3, 4], "eps": 1e-5})
    case("layer_norm.weight_only", "layer_norm", {"x": xl, "weight": randn(4)}, {"normalized_shape": [4], "eps": 1e-3})
    case("layer_norm.big_eps", "layer_norm", {"x": randn(3, 6, scale=0.01)}, {"normalized_shape": [6], "eps": 0.1})
    for d in (0, 1, -1):
        case(f"softmax.d{d}", "softmax", {"x": x}, {"dim": d})
        case(f"log_softmax.d{d}", "log_softmax", {"x": x}, {"dim": d})
    case("softmax.large", "softmax", {"x": randn(2, 5, scale=50)}, {"dim": 1})
    case("log_softmax.large", "log_softmax", {"x": randn(2, 5, scale=50)}, {"dim": 1})
    case("softmax.neg_inf", "softmax", {"x": torch.tensor([[0.0, -math.inf, 1.0], [2.0, 2.0, -math.inf]])}, {"dim": 1})
    case("softmax.f64", "softmax", {"x": randn(3, 4, dtype=F64)}, {"dim": -1})
    case("dropout.eval", "dropout", {"x": randn(3, 4)}, {"p": 0.5, "training": False})
    case("dropout.p0_train", "dropout", {"x": randn(3, 4)}, {"p": 0.0, "training": True})

    img = randn(2, 4, 7, 6)
    conv = [("basic", 6, 4, 3, [1, 1], [0, 0], [1, 1], 1, True),
            ("stride2_pad1", 3, 4, 3, [2, 2], [1, 1], [1, 1], 1, True),
            ("dilation2", 2, 4, 3, [1, 1], [2, 2], [2, 2], 1, False),
            ("groups2", 4, 4, 3, [1, 2], [1, 0], [1, 1], 2, True),
            ("depthwise", 4, 4, 3, [1, 1], [1, 1], [1, 1], 4, False),
            ("rect_kernel", 2, 4, (1, 3), [1, 1], [0, 1], [1, 1], 1, True),
            ("asym_stride_pad", 3, 4, 2, [2, 1], [0, 2], [1, 2], 1, True)]
    for tag, cout, cin, k, stride, pad, dil, groups, has_bias in conv:
        kh, kw = (k, k) if isinstance(k, int) else k
        inputs = {"x": img, "weight": randn(cout, cin // groups, kh, kw, scale=0.5)}
        if has_bias:
            inputs["bias"] = randn(cout)
        case(f"conv2d.{tag}", "conv2d", inputs, {"stride": stride, "padding": pad, "dilation": dil, "groups": groups})
    case("conv2d.f64", "conv2d", {"x": randn(1, 2, 5, 5, dtype=F64), "weight": randn(3, 2, 3, 3, dtype=F64),
                                  "bias": randn(3, dtype=F64)}, {"stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "groups": 1})
    pool = [("k2", [2, 2], None, [0, 0]), ("k3_s2", [3, 3], [2, 2], [0, 0]), ("k3_s1_p1", [3, 3], [1, 1], [1, 1]),
            ("rect", [2, 3], [1, 2], [1, 1]), ("k3_s2_p1", [3, 3], [2, 2], [1, 1])]
    for n in ("max_pool2d", "avg_pool2d"):
        for tag, k, s, p in pool:
            params = {"kernel": k, "padding": p}
            if s is not None:
                params["stride"] = s
            case(f"{n}.{tag}", n, {"x": img}, params)
    case("max_pool2d.neg_values", "max_pool2d", {"x": randn(1, 1, 4, 4, shift=-10)}, {"kernel": [3, 3], "stride": [1, 1], "padding": [1, 1]})

    table = randn(10, 4)
    case("embedding.1d", "embedding", {"indices": torch.tensor([3, 0, 9, 3]), "weight": table})
    case("embedding.2d", "embedding", {"indices": randint(0, 10, 2, 3), "weight": table})
    case("embedding.f64", "embedding", {"indices": torch.tensor([1, 1]), "weight": randn(3, 2, dtype=F64)})

    logits, target = randn(6, 5, scale=2), torch.tensor([0, 4, 2, 2, 1, 3])
    cw = uniform(0.2, 2, 5)
    ignored = torch.tensor([0, 4, -100, 2, 1, -100])
    for red in ("none", "mean", "sum"):
        case(f"cross_entropy.plain.{red}", "cross_entropy", {"logits": logits, "target": target}, {"reduction": red})
        case(f"cross_entropy.weight.{red}", "cross_entropy", {"logits": logits, "target": target, "weight": cw}, {"reduction": red})
        case(f"cross_entropy.smooth.{red}", "cross_entropy", {"logits": logits, "target": target},
             {"reduction": red, "label_smoothing": 0.1})
        case(f"cross_entropy.ignore.{red}", "cross_entropy", {"logits": logits, "target": ignored}, {"reduction": red})
        case(f"cross_entropy.all_options.{red}", "cross_entropy",
             {"logits": logits, "target": torch.tensor([0, 4, 3, 2, 1, 3]), "weight": cw},
             {"reduction": red, "label_smoothing": 0.2, "ignore_index": 3})
    case("cross_entropy.spatial", "cross_entropy", {"logits": randn(2, 3, 2, 2), "target": randint(0, 3, 2, 2, 2)},
         {"reduction": "mean"})
    case("cross_entropy.prob_target", "cross_entropy",
         {"logits": logits, "target": torch.softmax(randn(6, 5), dim=1)}, {"reduction": "mean"})
    case("cross_entropy.f64", "cross_entropy", {"logits": randn(4, 3, dtype=F64), "target": torch.tensor([2, 0, 1, 1])},
         {"reduction": "sum"})

    inp, tgt = randn(3, 4, scale=2), randn(3, 4, scale=2)
    probs = uniform(0, 1, 3, 4)
    for red in ("none", "mean", "sum"):
        case(f"mse_loss.{red}", "mse_loss", {"input": inp, "target": tgt}, {"reduction": red})
        case(f"l1_loss.{red}", "l1_loss", {"input": inp, "target": tgt}, {"reduction": red})
        case(f"smooth_l1_loss.beta1.{red}", "smooth_l1_loss", {"input": inp, "target": tgt}, {"reduction": red, "beta": 1.0})
        case(f"smooth_l1_loss.beta0_5.{red}", "smooth_l1_loss", {"input": inp, "target": tgt}, {"reduction": red, "beta": 0.5})
        case(f"huber_loss.delta1.{red}", "huber_loss", {"input": inp, "target": tgt}, {"reduction": red, "delta": 1.0})
        case(f"huber_loss.delta2_5.{red}", "huber_loss", {"input": inp, "target": tgt}, {"reduction": red, "delta": 2.5})
        case(f"bce_with_logits.{red}", "bce_with_logits", {"input": inp, "target": probs}, {"reduction": red})
    case("smooth_l1_loss.beta0", "smooth_l1_loss", {"input": inp, "target": tgt}, {"reduction": "mean", "beta": 0.0})
    case("huber_loss.delta0_3", "huber_loss", {"input": inp, "target": tgt}, {"reduction": "sum", "delta": 0.3})
    case("bce_with_logits.extreme", "bce_with_logits", {"input": torch.tensor([-100.0, -20.0, 0.0, 20.0, 100.0]),
                                                        "target": torch.tensor([1.0, 0.0, 0.5, 1.0, 0.0])}, {"reduction": "none"})
    case("mse_loss.f64", "mse_loss", {"input": randn(5, dtype=F64), "target": randn(5, dtype=F64)}, {"reduction": "mean"})

    q, k, v = randn(2, 3, 5, 4), randn(2, 3, 6, 4), randn(2, 3, 6, 4)
    case("sdpa.plain", "sdpa", {"q": q, "k": k, "v": v})
    bool_mask = randbool(5, 6, p=0.7)
    bool_mask[:, 0] = True  # every query keeps at least one key
    case("sdpa.bool_mask", "sdpa", {"q": q, "k": k, "v": v, "mask": bool_mask})
    case("sdpa.bool_mask_batched", "sdpa", {"q": q, "k": k, "v": v, "mask": randbool(2, 1, 5, 6, p=0.8) | (torch.arange(6) == 2)})
    case("sdpa.float_mask", "sdpa", {"q": q, "k": k, "v": v, "mask": randn(5, 6)})
    qs, ks, vs = randn(2, 5, 4), randn(2, 5, 4), randn(2, 5, 3)
    case("sdpa.causal", "sdpa", {"q": qs, "k": ks, "v": vs}, {"causal": True})
    case("sdpa.causal_rect", "sdpa", {"q": q, "k": k, "v": v}, {"causal": True})
    case("sdpa.causal_float_mask", "sdpa", {"q": qs, "k": ks, "v": vs, "mask": randn(5, 5)}, {"causal": True})
    case("sdpa.scale", "sdpa", {"q": qs, "k": ks, "v": vs}, {"scale": 0.3})
    case("sdpa.f64", "sdpa", {"q": randn(3, 4, dtype=F64), "k": randn(5, 4, dtype=F64), "v": randn(5, 2, dtype=F64)})

    sig = randn(2, 64)
    stft = [("center", 16, None, None, True), ("no_center", 16, 4, None, False), ("hop5", 16, 5, None, True),
            ("win12", 16, 4, 12, True), ("win10_no_center", 16, 3, 10, False), ("n32_hop8", 32, 8, 20, True)]
    for tag, nfft, hop, win, center in stft:
        params = {"n_fft": nfft, "center": center}
        if hop is not None:
            params["hop_length"] = hop
        if win is not None:
            params["win_length"] = win
        case(f"stft.{tag}", "stft", {"signal": sig}, params)
    case("stft.1d_f64", "stft", {"signal": randn(50, dtype=F64)}, {"n_fft": 16, "hop_length": 4, "center": True})
    case("stft.normalized", "stft", {"signal": sig}, {"n_fft": 16, "hop_length": 4, "center": True, "normalized": True})
    case("stft.window", "stft", {"signal": sig, "window": uniform(0.5, 1, 16)}, {"n_fft": 16, "hop_length": 4, "center": False})


def make_foreach():
    shapes = [(3,), (2, 2), (1, 4, 2)]

    def lst(prefix, make):
        return {f"{prefix}{i}": make(sh) for i, sh in enumerate(shapes)}

    xs = lst("x", lambda sh: randn(*sh))
    pos = lst("x", lambda sh: uniform(0.1, 4, *sh))
    case("foreach.add_.alpha", "foreach.add_", dict(xs, **lst("y", lambda sh: randn(*sh))), {"alpha": -0.5})
    case("foreach.sub_.alpha", "foreach.sub_", dict(xs, **lst("y", lambda sh: randn(*sh))), {"alpha": 2.0})
    case("foreach.add_.default", "foreach.add_", dict(xs, **lst("y", lambda sh: randn(*sh))))
    case("foreach.mul_", "foreach.mul_", dict(xs, **lst("y", lambda sh: randn(*sh))))
    case("foreach.div_", "foreach.div_", dict(xs, **lst("y", lambda sh: uniform(0.5, 2, *sh))))
    case("foreach.maximum_", "foreach.maximum_", dict(xs, **lst("y", lambda sh: randn(*sh))))
    case("foreach.add_scalar_", "foreach.add_scalar_", xs, {"s": 1.5})
    case("foreach.mul_scalar_", "foreach.mul_scalar_", xs, {"s": -0.25})
    case("foreach.div_scalar_", "foreach.div_scalar_", xs, {"s": 3.0})
    case("foreach.sqrt_", "foreach.sqrt_", pos)
    case("foreach.zero_", "foreach.zero_", xs)
    case("foreach.neg_", "foreach.neg_", xs)
    case("foreach.abs_", "foreach.abs_", xs)
    tu = dict(lst("t", lambda sh: randn(*sh)), **lst("u", lambda sh: uniform(0.5, 2, *sh)))
    case("foreach.addcmul_", "foreach.addcmul_", dict(xs, **tu), {"value": -0.1})
    case("foreach.addcdiv_", "foreach.addcdiv_", dict(xs, **tu), {"value": 0.01})
    case("foreach.addcdiv_.f64", "foreach.addcdiv_", {"x0": randn(4, dtype=F64), "t0": randn(4, dtype=F64),
                                                      "u0": uniform(0.5, 2, 4, dtype=F64)}, {"value": 2.0})
    for p in (2.0, 1.0, "inf"):
        case(f"foreach.norm.p{p}", "foreach.norm", xs, {"p": p})


def make_creation_and_strided():
    case("arange.f32", "arange", {}, {"start": 0.0, "end": 1.0, "step": 0.1, "dtype": "float32"})
    case("arange.neg_step", "arange", {}, {"start": 5.0, "end": -1.0, "step": -1.5, "dtype": "float32"})
    case("arange.f64", "arange", {}, {"start": -1.0, "end": 1.0, "step": 0.25, "dtype": "float64"})
    case("arange.int64", "arange", {}, {"start": 2.0, "end": 11.0, "step": 3.0, "dtype": "int64"})
    case("arange_n.7", "arange_n", {}, {"n": 7})
    case("linspace.f32", "linspace", {}, {"start": -1.0, "end": 2.0, "steps": 7, "dtype": "float32"})
    case("linspace.one", "linspace", {}, {"start": 3.0, "end": 5.0, "steps": 1, "dtype": "float32"})
    case("linspace.f64", "linspace", {}, {"start": 0.0, "end": 1.0, "steps": 11, "dtype": "float64"})
    case("eye.square", "eye", {}, {"n": 3, "dtype": "float32"})
    case("eye.rect", "eye", {}, {"n": 2, "m": 4, "dtype": "float64"})
    case("eye.bool", "eye", {}, {"n": 3, "m": 2, "dtype": "bool"})
    case("full.f32", "full", {}, {"shape": [2, 3], "value": -1.25, "dtype": "float32"})
    case("full.int64", "full", {}, {"shape": [4], "value": 7.0, "dtype": "int64"})
    case("full.inf", "full", {}, {"shape": [2], "value": "inf", "dtype": "float32"})
    case("full.empty", "full", {}, {"shape": [0, 3], "value": 1.0, "dtype": "float32"})
    case("scalar.f64", "scalar", {}, {"value": 2.5, "dtype": "float64"})
    case("to.f32_int64_truncates", "to", {"x": torch.tensor([-2.7, -0.5, 0.5, 1.9, 3.0])}, {"dtype": "int64"})
    case("to.f32_bool", "to", {"x": torch.tensor([0.0, -0.0, 0.1, math.nan, -3.0])}, {"dtype": "bool"})
    case("to.int64_f32", "to", {"x": randint(-100, 100, 5)}, {"dtype": "float32"})
    case("to.bool_f64", "to", {"x": randbool(5)}, {"dtype": "float64"})
    case("to.f64_f32_rounds", "to", {"x": randn(5, dtype=F64) / 3}, {"dtype": "float32"})
    case("to.same", "to", {"x": randn(3)}, {"dtype": "float32"})
    case("zeros_like.f64", "zeros_like", {"x": randn(2, 3, dtype=F64)})
    case("ones_like.int64", "ones_like", {"x": randn(2, 2)}, {"dtype": "int64"})

    # non-contiguous (transposed) inputs: ops must honour strides, in-place ones must write through the view
    t = {"transpose_inputs": ["x"]}
    case("strided.unary.exp", "unary.exp", {"x": randn(3, 4)}, t)
    case("strided.unary_.sqrt", "unary_.sqrt", {"x": uniform(0.1, 4, 3, 4)}, t)
    case("strided.binary.add", "binary.add", {"a": randn(4, 3), "b": randn(3, 4)}, {"transpose_inputs": ["a"], "alpha": 2.0})
    case("strided.binary_.mul", "binary_.mul", {"a": randn(4, 3), "b": randn(4)}, {"transpose_inputs": ["a"]})
    case("strided.addcdiv_", "addcdiv_", {"x": randn(4, 3), "t1": randn(3, 4), "t2": uniform(0.5, 2, 3, 4)},
         {"transpose_inputs": ["x"], "value": 0.5})
    case("strided.reduce.sum", "reduce.sum", {"x": randn(2, 3, 4)}, {"transpose_inputs": ["x"], "dims": [1]})
    case("strided.cumsum", "cumsum", {"x": randn(3, 5)}, {"transpose_inputs": ["x"], "dim": 1})
    case("strided.view_fails_reshape_works", "reshape", {"x": randn(3, 4)}, {"transpose_inputs": ["x"], "shape": [12]})
    case("strided.matmul", "matmul", {"a": randn(4, 3), "b": randn(5, 4)}, {"transpose_inputs": ["a", "b"]})
    case("strided.sort", "sort", {"x": randn(4, 5)}, {"transpose_inputs": ["x"], "dim": 1, "descending": False})
    case("strided.softmax", "softmax", {"x": randn(4, 5)}, {"transpose_inputs": ["x"], "dim": -1})
    case("strided.clamp_", "clamp_", {"x": randn(4, 5)}, {"transpose_inputs": ["x"], "min": -0.5})
    case("strided.masked_fill_", "masked_fill_", {"x": randn(4, 5), "mask": randbool(5, 4)},
         {"transpose_inputs": ["x"], "value": 9.0})
    case("strided.linear", "linear", {"x": randn(4, 3), "weight": randn(2, 4)}, {"transpose_inputs": ["x"]})


def make_grads():
    def g(name, fn, inputs, wrt, fn_params=None, via="backward"):
        probe = OPS[fn]({k: v.clone() for k, v in inputs.items()}, fn_params or {})["out"]
        w = randn(*probe.shape, dtype=probe.dtype)
        params = {"fn": fn, "wrt": wrt, "via": via}
        if fn_params:
            params["fn_params"] = fn_params
        case("grad." + name, "grad", dict(inputs, w=w), params)

    for n, lo_hi in [("exp", (-2, 2)), ("log", (0.2, 3)), ("sqrt", (0.2, 3)), ("tanh", (-2, 2)), ("sigmoid", (-3, 3)),
                     ("relu", (-2, 2)), ("gelu", (-3, 3)), ("gelu_tanh", (-3, 3)), ("silu", (-3, 3)),
                     ("softplus", (-3, 3)), ("sin", (-3, 3)), ("abs", (-2, 2)), ("erf", (-2, 2)), ("rsqrt", (0.3, 3))]:
        g(n, "unary." + n, {"x": uniform(*lo_hi, 3, 4)}, ["x"], via=("backward", "grad", "backward_gradient")[len(n) % 3])
    g("mul_bcast", "binary.mul", {"a": randn(3, 4), "b": randn(4)}, ["a", "b"])
    g("div", "binary.div", {"a": randn(3, 4), "b": uniform(0.5, 2, 3, 4)}, ["a", "b"], via="grad")
    g("pow", "binary.pow", {"a": uniform(0.5, 2, 3, 4), "b": randn(3, 4)}, ["a", "b"])
    g("sub_alpha", "binary.sub", {"a": randn(3, 4), "b": randn(3, 1)}, ["a", "b"], {"alpha": 2.0})
    g("atan2", "binary.atan2", {"a": randn(5), "b": randn(5)}, ["a", "b"], via="grad")
    g("maximum", "binary.maximum", {"a": randn(6), "b": randn(6)}, ["a", "b"])
    g("pow_scalar", "binary_scalar.pow", {"a": uniform(0.5, 2, 5)}, ["a"], {"s": 2.5})
    g("rdiv", "scalar_tensor.div", {"b": uniform(0.5, 2, 5)}, ["b"], {"s": 3.0}, via="grad")
    g("matmul", "matmul", {"a": randn(2, 3, 4), "b": randn(4, 5)}, ["a", "b"], via="backward_gradient")
    g("linear", "linear", {"x": randn(3, 4), "weight": randn(2, 4), "bias": randn(2)}, ["x", "weight", "bias"], via="grad")
    g("layer_norm", "layer_norm", {"x": randn(3, 5), "weight": randn(5), "bias": randn(5)}, ["x", "weight", "bias"],
      {"normalized_shape": [5], "eps": 1e-5})
    g("softmax", "softmax", {"x": randn(3, 5)}, ["x"], {"dim": 1})
    g("log_softmax", "log_softmax", {"x": randn(3, 5)}, ["x"], {"dim": 0}, via="grad")
    g("logsumexp", "reduce.logsumexp", {"x": randn(3, 5)}, ["x"], {"dims": [1]})
    g("mean_dims", "reduce.mean", {"x": randn(2, 3, 4)}, ["x"], {"dims": [0, 2], "keepdim": True}, via="grad")
    g("var", "reduce.var", {"x": randn(3, 5)}, ["x"], {"dims": [1], "unbiased": True})
    g("norm2", "reduce.norm", {"x": randn(3, 5)}, ["x"], {"p": 2.0, "dims": [1]}, via="grad")
    g("amax", "reduce.amax", {"x": randn(3, 5)}, ["x"], {"dims": [1]})
    g("cumsum", "cumsum", {"x": randn(3, 5)}, ["x"], {"dim": 1}, via="backward_gradient")
    g("conv2d_groups", "conv2d", {"x": randn(1, 4, 4, 4), "weight": randn(4, 2, 2, 2)}, ["x", "weight"],
      {"stride": [1, 1], "padding": [0, 0], "dilation": [1, 1], "groups": 2}, via="backward_gradient")
    g("cross_entropy", "cross_entropy", {"logits": randn(4, 5), "target": torch.tensor([1, 0, 4, 2])}, ["logits"],
      {"reduction": "mean", "label_smoothing": 0.1})
    g("cross_entropy_weight", "cross_entropy", {"logits": randn(4, 3), "target": torch.tensor([1, 0, 2, 2]),
                                                "weight": uniform(0.5, 2, 3)}, ["logits"], {"reduction": "mean"}, via="grad")
    g("mse_loss", "mse_loss", {"input": randn(3, 4), "target": randn(3, 4)}, ["input", "target"], {"reduction": "mean"})
    g("huber_loss", "huber_loss", {"input": randn(3, 4, scale=2), "target": randn(3, 4)}, ["input"],
      {"reduction": "sum", "delta": 1.0})
    g("bce_with_logits", "bce_with_logits", {"input": randn(6), "target": uniform(0, 1, 6)}, ["input"],
      {"reduction": "mean"}, via="grad")
    g("conv2d", "conv2d", {"x": randn(1, 2, 5, 5), "weight": randn(3, 2, 3, 3), "bias": randn(3)}, ["x", "weight", "bias"],
      {"stride": [2, 1], "padding": [1, 1], "dilation": [1, 1], "groups": 1})
    g("max_pool2d", "max_pool2d", {"x": randn(1, 2, 4, 4)}, ["x"], {"kernel": [2, 2], "padding": [0, 0]})
    g("avg_pool2d", "avg_pool2d", {"x": randn(1, 2, 5, 5)}, ["x"], {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1]},
      via="grad")
    g("embedding", "embedding", {"indices": torch.tensor([[1, 3], [3, 0]]), "weight": randn(4, 3)}, ["weight"])
    g("sdpa", "sdpa", {"q": randn(2, 3, 4), "k": randn(2, 5, 4), "v": randn(2, 5, 2)}, ["q", "k", "v"], via="grad")
    g("sdpa_causal", "sdpa", {"q": randn(4, 3), "k": randn(4, 3), "v": randn(4, 3)}, ["q", "k", "v"], {"causal": True})
    g("where", "where", {"cond": randbool(3, 4), "a": randn(3, 4), "b": randn(3, 4)}, ["a", "b"])
    g("gather", "gather", {"x": randn(3, 4), "index": randint(0, 4, 3, 6)}, ["x"], {"dim": 1}, via="grad")
    g("index_select", "index_select", {"x": randn(4, 3), "index": torch.tensor([0, 2, 2, 3])}, ["x"], {"dim": 0})
    g("clamp", "clamp", {"x": randn(3, 4)}, ["x"], {"min": -0.5, "max": 0.5})
    g("permute_reshape", "reshape", {"x": randn(2, 3, 2)}, ["x"], {"shape": [3, 4]}, via="grad")
    g("stack", "stack", {"x0": randn(2, 3), "x1": randn(2, 3)}, ["x0", "x1"], {"dim": 1})
    g("f64_tanh", "unary.tanh", {"x": randn(5, dtype=F64)}, ["x"])

    x = randn(3, 4)
    case("hvp_cubic.f32", "hvp_cubic", {"x": x, "a": randn(3, 4), "v": randn(3, 4)})
    case("hvp_cubic.f64", "hvp_cubic", {"x": randn(5, dtype=F64), "a": randn(5, dtype=F64), "v": randn(5, dtype=F64)})


def main():
    make_unary()
    make_binary()
    make_reductions()
    make_shapes()
    make_linalg()
    make_nn()
    make_creation_and_strided()
    make_foreach()
    make_grads()
    doc = {
        "generator": "tests/golden/make_torch_fixtures.py",
        "torch_version": torch.__version__,
        "seed": SEED,
        "cases": CASES,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    ops = sorted({c["op"] for c in CASES})
    print(f"wrote {len(CASES)} cases ({len(ops)} ops, {len(text) / 1e6:.2f} MB) to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
