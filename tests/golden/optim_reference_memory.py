"""Reference implementations of the memory-efficient optimizers for TorchZoo's golden tests.

Written by us from each paper's update rule (and, where the paper leaves a detail open, from the description of the
official code named in the docstring), with plain torch ops, one parameter at a time, float32. Nothing here is
copied from a public implementation. Where a factored or block-wise state is an exact rewriting of a full one, the
reference keeps the full form the paper states (e.g. Adafactor's rank-1 matrix, Coupled Adam's full v averaged over
the vocabulary), so the golden test also checks that the C# storage is equivalent.
"""
import math
import re

import torch

from optim_reference import StepCountedReference


class _Reference(StepCountedReference):
    """StepCountedReference's loop (1-based step counter, update(p, g, state, group)).
    Parameters may be given as (name, tensor) pairs; the name is then kept in state["name"]."""

    def __init__(self, params, defaults):
        params = list(params)
        self.names = {}
        if params and isinstance(params[0], tuple):
            for n, p in params:
                self.names[id(p)] = n
            params = [p for _, p in params]
        super().__init__(params, defaults)
        self.positions = {id(p): i + 1 for i, p in enumerate(params)}


def _rms(x):
    return x.pow(2).mean().sqrt()


def _factored_inverse_sqrt(row, col):
    """1/sqrt(V_hat) with V_hat = outer(R, C) / mean(R) (the paper's R C / (1^T R), written with means)."""
    v_hat = torch.outer(row, col) / row.mean()
    return v_hat.rsqrt()


def _factored_clipped_direction(p, g, g2, b, state, d):
    """Adafactor's (and AdaLomo's) U = G/sqrt(V_hat), V_hat the EMA (rate b) of g2 = G^2 + eps1, factored into row and
    column means for matrices and full for vectors (state created on first use); then U <- U/max(1, RMS(U)/d)."""
    if p.dim() == 2:
        if "row" not in state:
            state["row"] = torch.zeros(p.shape[0])
            state["col"] = torch.zeros(p.shape[1])
        state["row"].mul_(b).add_(g2.mean(dim=1), alpha=1 - b)
        state["col"].mul_(b).add_(g2.mean(dim=0), alpha=1 - b)
        u = g * _factored_inverse_sqrt(state["row"], state["col"])
    else:
        if "v" not in state:
            state["v"] = torch.zeros_like(p)
        state["v"].mul_(b).add_(g2, alpha=1 - b)
        u = g / state["v"].sqrt()
    return u / max(1.0, _rms(u).item() / d)


class Adafactor(_Reference):
    """Adafactor, Shazeer & Stern 2018 (arXiv 1804.04235), Algorithms 4/5 with relative step sizes:
    beta2_t = 1 - t^-0.8; matrices: R <- b R + (1-b) rowmean(G^2 + eps1), C <- b C + (1-b) colmean(G^2 + eps1),
    V_hat = R C^T / mean(R); vectors: V <- b V + (1-b)(G^2 + eps1); U = G / sqrt(V_hat);
    U <- U / max(1, RMS(U)/d)  (clipping shrinks only); rho_t = min(lr, 1/sqrt(t)) if relative_step else lr;
    alpha_t = max(eps2, RMS(theta)) rho_t if scale_parameter else rho_t; optional momentum on the clipped U;
    theta <- theta (1 - wd alpha_t) - alpha_t U. Only 2-D parameters occur in the golden problems."""

    def __init__(self, params, lr=1e-2, eps1=1e-30, eps2=1e-3, d=1.0, decay=-0.8, beta1=0.0, relative_step=True,
                 scale_parameter=True, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, eps1=eps1, eps2=eps2, d=d, decay=decay, beta1=beta1,
                                      relative_step=relative_step, scale_parameter=scale_parameter,
                                      weight_decay=weight_decay))

    def update(self, p, g, state, group):
        t = state["step"]
        rho = min(group["lr"], 1 / math.sqrt(t)) if group["relative_step"] else group["lr"]
        alpha = max(group["eps2"], _rms(p).item()) * rho if group["scale_parameter"] else rho
        b = 1 - t ** group["decay"]
        g2 = g * g + group["eps1"]
        u = _factored_clipped_direction(p, g, g2, b, state, group["d"])
        if group["beta1"] > 0:
            if "m" not in state:
                state["m"] = torch.zeros_like(p)
            state["m"].mul_(group["beta1"]).add_(u, alpha=1 - group["beta1"])
            u = state["m"]
        if group["weight_decay"] != 0:
            p.mul_(1 - group["weight_decay"] * alpha)
        p.sub_(alpha * u)


class Came(_Reference):
    """CAME, Luo et al. 2023 (arXiv 2307.02047), Algorithm 1 with the official code's handling of vectors:
    factored EMA (rate b2) of G^2 + eps1 -> V_hat; U = G/sqrt(V_hat); U <- U/max(1, RMS(U)/d); m <- b1 m + (1-b1) U;
    S = (U - m)^2 + eps2 with a factored EMA (rate b3) -> S_hat; theta <- theta(1 - lr wd) - lr m / sqrt(S_hat).
    Vectors: full EMA V, U = G/sqrt(V), clipped, m as above, theta <- theta(1 - lr wd) - lr m."""

    def __init__(self, params, lr=2e-4, betas=(0.9, 0.999, 0.9999), eps=(1e-30, 1e-16), d=1.0, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, d=d, weight_decay=weight_decay))

    def update(self, p, g, state, group):
        b1, b2, b3 = group["betas"]
        e1, e2 = group["eps"]
        lr = group["lr"]
        matrix = p.dim() == 2
        if "m" not in state:
            state["m"] = torch.zeros_like(p)
            if matrix:
                for k in ("row", "col", "srow", "scol"):
                    state[k] = torch.zeros(p.shape[0] if k.endswith("row") else p.shape[1])
            else:
                state["v"] = torch.zeros_like(p)
        g2 = g * g + e1
        if matrix:
            state["row"].mul_(b2).add_(g2.mean(dim=1), alpha=1 - b2)
            state["col"].mul_(b2).add_(g2.mean(dim=0), alpha=1 - b2)
            u = g * _factored_inverse_sqrt(state["row"], state["col"])
        else:
            state["v"].mul_(b2).add_(g2, alpha=1 - b2)
            u = g / state["v"].sqrt()
        u = u / max(1.0, _rms(u).item() / group["d"])
        m = state["m"]
        m.mul_(b1).add_(u, alpha=1 - b1)
        if matrix:
            s = (u - m) ** 2 + e2
            state["srow"].mul_(b3).add_(s.mean(dim=1), alpha=1 - b3)
            state["scol"].mul_(b3).add_(s.mean(dim=0), alpha=1 - b3)
            step = m * _factored_inverse_sqrt(state["srow"], state["scol"])
        else:
            step = m
        if group["weight_decay"] != 0:
            p.mul_(1 - lr * group["weight_decay"])
        p.sub_(lr * step)


class AdaLomo(_Reference):
    """AdaLomo, Lv et al. 2023 (arXiv 2310.10195), the update of Algorithm 1 / official collie adalomo.py (applied on
    stored gradients, not fused into backward): b_t = 1 - t^-0.8; factored EMA of G^2 + eps1; U = G/sqrt(V_hat);
    U <- U/max(1, RMS(U)/d); alpha = lr max(eps2, RMS(theta)); theta <- theta(1 - alpha wd) - alpha U."""

    def __init__(self, params, lr=1e-3, eps=(1e-30, 1e-3), d=1.0, decay=-0.8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, eps=eps, d=d, decay=decay, weight_decay=weight_decay))

    def update(self, p, g, state, group):
        e1, e2 = group["eps"]
        b = 1 - state["step"] ** group["decay"]
        g2 = g * g + e1
        u = _factored_clipped_direction(p, g, g2, b, state, group["d"])
        alpha = group["lr"] * max(e2, _rms(p).item())
        if group["weight_decay"] != 0:
            p.mul_(1 - alpha * group["weight_decay"])
        p.sub_(alpha * u)


class AdamMini(_Reference):
    """Adam-mini, Zhang et al. 2024 (arXiv 2406.16793): m full; v one scalar per Hessian block,
    v_b <- b2 v_b + (1-b2) mean_b(g^2); theta <- theta(1 - lr wd) - lr (m/bc1)/(sqrt(v_b/bc2) + eps).
    Blocks: names matching qk_pattern (with heads > 0) -> rows split into `heads` equal blocks; other matrices -> one
    block per row (output neuron / token); vectors -> one block. Needs (name, param) pairs."""

    def __init__(self, named_params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, heads=0,
                 qk_pattern=r"(^|\.)(q|k|q_proj|k_proj|wq|wk|query|key)\.weight$"):
        super().__init__(named_params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, heads=heads,
                                            qk_pattern=qk_pattern))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr = group["lr"]
        name = self.names[id(p)]
        if p.dim() < 2:
            blocks = 1
        elif group["heads"] > 0 and re.search(group["qk_pattern"], name):
            blocks = group["heads"]
        else:
            blocks = p.shape[0]
        if "m" not in state:
            state["m"] = torch.zeros_like(p)
            state["v"] = torch.zeros(blocks)
        if group["weight_decay"] != 0:
            p.mul_(1 - lr * group["weight_decay"])
        m, v = state["m"], state["v"]
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).add_((g * g).reshape(blocks, -1).mean(dim=1), alpha=1 - b2)
        bc1 = 1 - b1 ** state["step"]
        bc2 = 1 - b2 ** state["step"]
        denom = (v.sqrt() / math.sqrt(bc2) + group["eps"]).repeat_interleave(p.numel() // blocks).reshape(p.shape)
        p.sub_(lr / bc1 * m / denom)


class CoupledAdam(_Reference):
    """Coupled Adam, Stollenwerk & Stollenwerk 2025 (arXiv 2502.08441): AdamW, except that for the embedding matrix
    (names matching pattern; rows = tokens) the second moment used is the full v averaged over the vocabulary:
    v_bar_j = mean_i v_ij. Decoupled weight decay. Needs (name, param) pairs."""

    def __init__(self, named_params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, pattern=None):
        super().__init__(named_params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, pattern=pattern))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr = group["lr"]
        if "m" not in state:
            state["m"] = torch.zeros_like(p)
            state["v"] = torch.zeros_like(p)
        p.mul_(1 - lr * group["weight_decay"])
        m, v = state["m"], state["v"]
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        used = v
        if p.dim() == 2 and re.search(group["pattern"], self.names[id(p)]):
            used = v.mean(dim=0, keepdim=True).expand_as(v)
        bc1 = 1 - b1 ** state["step"]
        bc2 = 1 - b2 ** state["step"]
        p.sub_(lr / bc1 * m / (used.sqrt() / math.sqrt(bc2) + group["eps"]))


def apollo_next_seed(seed):
    """TorchZoo's seed advance at each projection refresh: a 31-bit linear congruential step."""
    return (1103515245 * seed + 12345) % (2 ** 31)


class Apollo(_Reference):
    """APOLLO / APOLLO-Mini, Zhu et al. 2024 (arXiv 2412.05270), as the official apollo_torch code: for a matrix G
    (m x n) a Gaussian P with N(0, 1/r) entries, regenerated every T steps from a seed (start: seed0 + 1-based position;
    then apollo_next_seed), r = min(rank, m, n); R = G P^T (P: r x n) if m >= n else P^T G (P: m x r); Adam moments on R
    (no bias correction inside); R_tilde = m/(sqrt(v) + eps); s = ||R_tilde||/(||R|| + 1e-8) over the rank dimension
    (channel) or the whole tensor (tensor); G_tilde = G s (the full-rank raw gradient); norm-growth limiter:
    G_tilde /= max(||G_tilde||/(prev + 1e-8), gamma)/gamma, prev <- ||G_tilde|| after limiting;
    theta <- theta - lr sqrt(bc2)/bc1 sqrt(alpha) G_tilde, then theta <- theta - lr wd theta. Vectors: that AdamW step."""

    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0, rank=256, scale_type="channel",
                 scale=1.0, update_proj_gap=200, seed=0, limiter=True, gamma=1.01):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, rank=rank,
                                      scale_type=scale_type, scale=scale, update_proj_gap=update_proj_gap, seed=seed,
                                      limiter=limiter, gamma=gamma))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, t = group["lr"], state["step"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        step_size = lr * math.sqrt(bc2) / bc1
        if p.dim() < 2:
            if "m" not in state:
                state["m"] = torch.zeros_like(p)
                state["v"] = torch.zeros_like(p)
            state["m"].mul_(b1).add_(g, alpha=1 - b1)
            state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
            p.sub_(step_size * state["m"] / (state["v"].sqrt() + group["eps"]))
            p.mul_(1 - lr * group["weight_decay"])
            return
        rows, cols = p.shape[0], p.numel() // p.shape[0]
        G = g.reshape(rows, cols)
        r = min(group["rank"], rows, cols)
        if "seed" not in state:
            state["seed"] = group["seed"] + self.positions[id(p)]
        elif (t - 1) % group["update_proj_gap"] == 0:
            state["seed"] = apollo_next_seed(state["seed"])
        gen = torch.Generator().manual_seed(state["seed"])
        right = rows >= cols
        P = torch.randn((r, cols) if right else (rows, r), generator=gen) / math.sqrt(r)
        R = G @ P.t() if right else P.t() @ G
        if "m" not in state:
            state["m"] = torch.zeros_like(R)
            state["v"] = torch.zeros_like(R)
        m, v = state["m"], state["v"]
        m.mul_(b1).add_(R, alpha=1 - b1)
        v.mul_(b2).addcmul_(R, R, value=1 - b2)
        Rt = m / (v.sqrt() + group["eps"])
        if group["scale_type"] == "channel":
            dim = 1 if right else 0
            s = Rt.norm(dim=dim, keepdim=True) / (R.norm(dim=dim, keepdim=True) + 1e-8)
        else:
            s = Rt.norm() / (R.norm() + 1e-8)
        Gt = G * s
        if group["limiter"]:
            norm = Gt.norm().item()
            if "prev" in state:
                limiter = max(norm / (state["prev"] + 1e-8), group["gamma"]) / group["gamma"]
                Gt = Gt / limiter
                norm = norm / limiter
            state["prev"] = norm
        p.sub_((step_size * math.sqrt(group["scale"])) * Gt.reshape(p.shape))
        p.mul_(1 - lr * group["weight_decay"])


# ---- 8-bit block-wise states (Dettmers et al. 2021, arXiv 2110.02861) ----

def dynamic_map(signed):
    """Our dynamic quantization map from the paper's description: +-10^-E (0.1 + 0.9 (2k+1)/2^(f+1)), E = 0..6,
    k < 2^f, f = 6 - E (signed) or 7 - E (unsigned), plus 0 and 1; 256 float32 values, ascending."""
    values = [0.0, 1.0]
    for e in range(7):
        f = (6 if signed else 7) - e
        count = 2 ** f
        for k in range(count):
            value = (0.1 + 0.9 * (2 * k + 1) / (2.0 * count)) / float(10 ** e)
            values.append(value)
            if signed:
                values.append(-value)
    assert len(values) == 256
    return torch.tensor(sorted(values), dtype=torch.float32).sort().values


def quantize(x, signed, block):
    """Codes (nearest map entry; ties to the lower one) and per-block absmax of the flattened x."""
    qmap = dynamic_map(signed)
    mid = (qmap[:-1] + qmap[1:]) / 2
    flat = x.reshape(-1)
    n = flat.numel()
    nb = (n + block - 1) // block
    padded = torch.cat([flat, torch.zeros(nb * block - n)]).reshape(nb, block)
    absmax = padded.abs().amax(dim=1)
    safe = torch.where(absmax == 0, torch.ones_like(absmax), absmax)
    normalized = (padded / safe.unsqueeze(1)).reshape(-1)
    codes = torch.searchsorted(mid, normalized)[:n]
    return codes, absmax


def dequantize(codes, absmax, signed, block, shape):
    qmap = dynamic_map(signed)
    n = codes.numel()
    nb = absmax.numel()
    values = torch.cat([qmap[codes], torch.zeros(nb * block - n)]).reshape(nb, block)
    return (values * absmax.unsqueeze(1)).reshape(-1)[:n].reshape(shape)


class _Quantized:
    def __init__(self, state, name, signed, block, like):
        self.state, self.name, self.signed, self.block, self.shape = state, name, signed, block, like.shape

    def load(self):
        if self.name not in self.state:
            return torch.zeros(self.shape)
        codes, absmax = self.state[self.name]
        return dequantize(codes, absmax, self.signed, self.block, self.shape)

    def store(self, x):
        self.state[self.name] = quantize(x, self.signed, self.block)


class AdamW8bit(_Reference):
    """AdamW with 8-bit block-wise m (signed map) and v (unsigned map): each step dequantize, update in float32
    (torch.optim.AdamW's operation order), requantize; the update uses the new unquantized moments."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, block=2048, min_size=0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, block=block,
                                      min_size=min_size))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, t = group["lr"], state["step"]
        q = p.numel() >= group["min_size"]
        qm = _Quantized(state, "m8", True, group["block"], p)
        qv = _Quantized(state, "v8", False, group["block"], p)
        if q:
            m, v = qm.load(), qv.load()
        else:
            if "m" not in state:
                state["m"], state["v"] = torch.zeros_like(p), torch.zeros_like(p)
            m, v = state["m"], state["v"]
        p.mul_(1 - lr * group["weight_decay"])
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        if q:
            qm.store(m)
            qv.store(v)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        p.addcdiv_(m, (v.sqrt() / math.sqrt(bc2)).add_(group["eps"]), value=-lr / bc1)


class Lion8bit(_Reference):
    """Lion (arXiv 2302.06675) with an 8-bit block-wise momentum (signed map): c = b1 m + (1-b1) g;
    theta <- theta(1 - lr wd) - lr sign(c); m <- b2 m + (1-b2) g, requantized."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, block=2048, min_size=0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay, block=block, min_size=min_size))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr = group["lr"]
        qm = _Quantized(state, "m8", True, group["block"], p)
        m = qm.load()
        c = m.mul(b1).add_(g, alpha=1 - b1)
        p.mul_(1 - lr * group["weight_decay"])
        p.sub_(lr * c.sign())
        m.mul_(b2).add_(g, alpha=1 - b2)
        qm.store(m)


class AdamWSN(_Reference):
    """Subset-Norm Adam, Nguyen et al. 2024 (arXiv 2411.07120): for a matrix (rows, cols) the second moment is one value
    per subset, v_S <- b2 v_S + (1-b2) sum_S g^2 (mean with mean=True); subsets are the rows if rows >= cols, else the
    columns (subset_size=0), or contiguous flattened runs of size = largest divisor of numel <= subset_size;
    theta <- theta(1 - lr wd) - lr (m/bc1)/(sqrt(v_S/bc2) + eps). Vectors: AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0, subset_size=0, mean=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, subset_size=subset_size,
                                      mean=mean))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, t = group["lr"], state["step"]
        p.mul_(1 - lr * group["weight_decay"])
        if "m" not in state:
            state["m"] = torch.zeros_like(p)
        m = state["m"]
        m.mul_(b1).add_(g, alpha=1 - b1)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        if p.dim() < 2:
            if "v" not in state:
                state["v"] = torch.zeros_like(p)
            state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
            p.sub_(lr / bc1 * m / (state["v"].sqrt() / math.sqrt(bc2) + group["eps"]))
            return
        numel = p.numel()
        rows = p.shape[0]
        cols = numel // rows
        g2 = (g * g).reshape(rows, cols)
        reduce = (lambda x, d: x.mean(dim=d)) if group["mean"] else (lambda x, d: x.sum(dim=d))
        if group["subset_size"] == 0:
            per = reduce(g2, 1).reshape(rows, 1) if rows >= cols else reduce(g2, 0).reshape(1, cols)
        else:
            d = min(group["subset_size"], numel)
            while numel % d != 0:
                d -= 1
            per = reduce(g2.reshape(numel // d, d), 1).reshape(numel // d, 1)
        if "v" not in state:
            state["v"] = torch.zeros_like(per)
        v = state["v"]
        v.mul_(b2).add_(per, alpha=1 - b2)
        denom = v.sqrt() / math.sqrt(bc2) + group["eps"]
        if group["subset_size"] == 0:
            step = m.reshape(rows, cols) / denom
        else:
            step = m.reshape(v.shape[0], -1) / denom
        p.sub_(lr / bc1 * step.reshape(p.shape))


def uniform_quantize(x, bits, bucket):
    """MicroAdam's error-feedback compression: per bucket of the flattened x, delta = min, u = (max - min)/(2^b - 1)
    (1 when max = min), code = clamp(round((x - delta)/u), 0, 2^b - 1). Returns (codes as floats, delta, u); the C#
    side packs the codes into bytes, which is lossless, so the reference keeps them unpacked."""
    flat = x.reshape(-1)
    n = flat.numel()
    buckets = (n + bucket - 1) // bucket
    if buckets * bucket != n:
        flat = torch.cat([flat, flat[n - 1:].expand(buckets * bucket - n)])
    b = flat.view(buckets, bucket)
    levels = float((1 << bits) - 1)
    mn = b.amin(dim=1)
    u = (b.amax(dim=1) - mn) / levels
    u = u.masked_fill(u == 0, 1.0)
    codes = ((b - mn[:, None]) / u[:, None]).round().clamp(0, levels)
    return codes, mn, u


def uniform_dequantize(codes, mn, u, shape):
    n = math.prod(shape)
    return (codes * u[:, None] + mn[:, None]).reshape(-1)[:n].reshape(shape)


class MicroAdam(_Reference):
    """MicroAdam (Modoranu et al., NeurIPS 2024, arXiv 2405.15593), Algorithm 1 as we read it: a = g + Q^-1(e);
    top-k of |a| (k = ceil(density*n), at least 1) goes into a ring buffer of the last m (indices, values); the rest,
    quantized to b bits with min/max per bucket, is the next error feedback e. m_hat and v_hat are rebuilt from the
    window each step: sum over slots of beta^age * scatter(values) (values^2 for v), times (1 - beta)/(1 - beta^c) with
    c = min(t, m) (the window's own weight total; the paper's bias correction is UNCERTAIN, see the C# docs).
    theta <- theta*(1 - lr*wd) - lr*m_hat/(sqrt(v_hat) + eps). Dense float32 ops, no packing."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, density=0.01, window=10,
                 quantize=True, bits=4, bucket=2048):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, density=density,
                                      window=window, quantize=quantize, bits=bits, bucket=bucket))

    def update(self, p, g, state, group):
        t, m = state["step"], group["window"]
        b1, b2 = group["betas"]
        n = p.numel()
        k = min(max(math.ceil(group["density"] * n), 1), n)
        a = g.reshape(-1).float().clone()
        if "error" in state:
            a.add_(uniform_dequantize(*state["error"], (n,)) if group["quantize"] else state["error"])
        _, idx = a.abs().topk(k)
        values = a.gather(0, idx)
        a = a.scatter(0, idx, torch.zeros_like(values))
        state["error"] = uniform_quantize(a, group["bits"], group["bucket"]) if group["quantize"] else a.clone()
        if "indices" not in state:
            state["indices"] = torch.zeros(m, k, dtype=torch.long)
            state["values"] = torch.zeros(m, k)
        slot = (t - 1) % m
        state["indices"][slot] = idx
        state["values"][slot] = values
        c = min(t, m)
        flat = state["indices"].reshape(-1)

        def window_sum(x, beta):
            w = torch.tensor([beta ** ((slot - j) % m) if (slot - j) % m < c else 0.0 for j in range(m)],
                             dtype=torch.float32).reshape(m, 1)
            return torch.zeros(n).scatter_add(0, flat, (x * w).reshape(-1))

        m_hat = window_sum(state["values"], b1).mul_((1 - b1) / (1 - b1 ** c))
        v_hat = window_sum(state["values"].square(), b2).mul_((1 - b2) / (1 - b2 ** c))
        lr, wd = group["lr"], group["weight_decay"]
        if wd != 0:
            p.mul_(1 - lr * wd)
        p.addcdiv_(m_hat.view(p.shape), v_hat.sqrt_().add_(group["eps"]).view(p.shape), value=-lr)
