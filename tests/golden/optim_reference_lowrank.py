"""Reference implementations of COSMOS, GaLore AdamW, SMMF and Muon with an 8-bit momentum for TorchZoo's golden tests.

Written by us from each paper's update rule and the description of its official code named in the docstring, with
plain torch ops, one parameter at a time, float32. Nothing here is copied from a public implementation. Where TorchZoo
stores a state in another form (SMMF's packed sign bits), the reference keeps the form the paper states (a boolean
sign matrix), so the golden test also checks that the C# storage is equivalent.
"""
import math

import torch

from optim_reference import momentum_direction, newton_schulz, shape_scale
from optim_reference_memory import _Quantized, _Reference


class Cosmos(_Reference):
    """COSMOS, Liu et al. 2025 (arXiv 2502.17410), the later official code (COSMOS_optim.py), for matrices (m x n):
    M <- b1 M + G (unnormalized); P (n x r) = top-r eigenvectors of G^T G at step 1 with S = (1-b3)(GP)^T(GP); later
    P' = orth(b3 P S + (1-b3) G^T G P) (QR), T = P^T P', S <- b3 T^T S T + (1-b3)(GP')^T(GP'); V <- b2 V + (1-b2)(GP)^2;
    Gh = (G + b1 M)/(1 + b1 (1-b1^t)/(1-b1)); A = (Gh P / (sqrt(V/bc2) + eps)) P^T; R = Gh - Gh P P^T;
    O = NS5(R)/(|NS5(R)| + eps), dropped when |R| <= tol |Gh| (TorchZoo's guard against rounding-level residuals);
    D = A + rho sqrt(mn) O; theta <- theta(1 - lr wd) - lr ratio sqrt(mn) D/(|D| + eps). r = min(rank, m, n).
    Matrices with more than max_rows rows: AdamW with M, V as exponential averages."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.95, 0.95), eps=1e-8, weight_decay=0.0, rank=64, ratio=0.1,
                 rho=0.2, tol=1e-5, max_rows=10000, ns_steps=5):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, rank=rank, ratio=ratio,
                                      rho=rho, tol=tol, max_rows=max_rows, ns_steps=ns_steps))

    def update(self, p, g, state, group):
        b1, b2, b3 = group["betas"]
        lr, t, eps = group["lr"], state["step"], group["eps"]
        G = g.reshape(p.shape[0], -1)
        rows, cols = G.shape
        if rows > group["max_rows"]:
            if "m" not in state:
                state["m"], state["v"] = torch.zeros_like(p), torch.zeros_like(p)
            state["m"].mul_(b1).add_(g, alpha=1 - b1)
            state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
            p.mul_(1 - lr * group["weight_decay"])
            denom = state["v"].sqrt() / math.sqrt(1 - b2 ** t) + eps
            p.addcdiv_(state["m"], denom, value=-lr / (1 - b1 ** t))
            return
        if "m" not in state:
            state["m"] = torch.zeros_like(G)
        state["m"].mul_(b1).add_(G)
        if "P" not in state:
            r = min(group["rank"], rows, cols)
            U, _, _ = torch.linalg.svd(G.t() @ G)
            P = U[:, :r].contiguous()
            S = (1 - b3) * ((G @ P).t() @ (G @ P))
        else:
            old, S = state["P"], state["S"]
            P, _ = torch.linalg.qr(b3 * (old @ S) + (1 - b3) * (G.t() @ (G @ old)))
            T = old.t() @ P
            S = b3 * (T.t() @ (S @ T)) + (1 - b3) * ((G @ P).t() @ (G @ P))
        state["P"], state["S"] = P, S
        GP = G @ P
        if "v" not in state:
            state["v"] = torch.zeros_like(GP)
        state["v"].mul_(b2).addcmul_(GP, GP, value=1 - b2)
        Gh = (G + b1 * state["m"]) / (1 + b1 * (1 - b1 ** t) / (1 - b1))
        inside = Gh @ P
        A = (inside / (state["v"].sqrt() / math.sqrt(1 - b2 ** t) + eps)) @ P.t()
        R = Gh - inside @ P.t()
        O = newton_schulz(R, steps=group["ns_steps"])
        O = O / (O.norm() + eps)
        if R.norm() <= group["tol"] * Gh.norm():
            O = torch.zeros_like(O)
        scale = math.sqrt(rows * cols)
        D = A + group["rho"] * scale * O
        p.mul_(1 - lr * group["weight_decay"])
        p.sub_((lr * group["ratio"] * scale) * (D / (D.norm() + eps)).reshape(p.shape))


class GaLoreAdamW(_Reference):
    """GaLore AdamW, Zhao et al. 2024 (arXiv 2403.03507), official galore_torch with the "std" projector: for a matrix
    (m x n) every T steps (from step 1) the SVD G = U S V^T gives P = V[:, :r] if m >= n else U[:, :r], r = min(rank, m, n);
    R = G P or P^T G; Adam moments on R (kept across refreshes); N = m/(sqrt(v) + eps) projected back and scaled by alpha;
    theta <- theta - lr sqrt(bc2)/bc1 N; theta <- theta - lr wd theta. Vectors: that AdamW step in full rank."""

    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0, rank=128, gap=200, alpha=0.25):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, rank=rank, gap=gap,
                                      alpha=alpha))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, t = group["lr"], state["step"]
        matrix = p.dim() >= 2
        G = g.reshape(p.shape[0], -1) if matrix else g
        right = matrix and G.shape[0] >= G.shape[1]
        if matrix and (t - 1) % group["gap"] == 0:
            r = min(group["rank"], *G.shape)
            U, _, Vh = torch.linalg.svd(G, full_matrices=False)
            state["P"] = Vh[:r].t().contiguous() if right else U[:, :r].contiguous()
        if matrix:
            R = G @ state["P"] if right else state["P"].t() @ G
        else:
            R = G
        if "m" not in state:
            state["m"], state["v"] = torch.zeros_like(R), torch.zeros_like(R)
        state["m"].mul_(b1).add_(R, alpha=1 - b1)
        state["v"].mul_(b2).addcmul_(R, R, value=1 - b2)
        N = state["m"] / (state["v"].sqrt() + group["eps"])
        if matrix:
            N = (N @ state["P"].t() if right else state["P"] @ N) * group["alpha"]
        p.sub_(N.reshape(p.shape), alpha=lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t))
        p.mul_(1 - lr * group["weight_decay"])


def square_shape(n):
    """SMMF's near-square matricization: (n/d, d), d the largest divisor of n with d <= sqrt(n)."""
    d = math.isqrt(n)
    while n % d != 0:
        d -= 1
    return n // d, d


def _nnmf(x):
    """Rank-1 non-negative factorization of x >= 0 (rows >= cols): row sums, column sums divided by their total."""
    col = x.sum(dim=0)
    total = col.sum()
    return x.sum(dim=1), col / total if total != 0 else col


class Smmf(_Reference):
    """SMMF, Park & Lee 2025 (arXiv 2412.08894), official eai-lab/SMMF: reshape to square_shape(numel); decompress
    M_hat = where(sign, r c^T, -r c^T), V_hat = r_v c_v^T; b1_t = b1 growth^(t-1), b2_t = 1 - t^decay;
    M = b1_t M_hat + (1-b1_t) G; V = b2_t V_hat + (1-b2_t) G^2; compress sign = M > 0 and nnmf(|M|), nnmf(V);
    theta <- theta - lr M/(sqrt(V) + eps) (uncompressed M, V). Weight decay decoupled before the step (or L2 with
    decoupled=False). beta1 = 0: no first moment (G instead of M). vector_reshape=False: 1-D tensors keep full M, V."""

    def __init__(self, params, lr=1e-3, beta1=0.9, growth=0.999, decay=-0.5, eps=1e-8, weight_decay=0.0,
                 vector_reshape=True, decoupled=True):
        super().__init__(params, dict(lr=lr, beta1=beta1, growth=growth, decay=decay, eps=eps,
                                      weight_decay=weight_decay, vector_reshape=vector_reshape, decoupled=decoupled))

    def update(self, p, g, state, group):
        lr, t = group["lr"], state["step"]
        wd = group["weight_decay"]
        if group["decoupled"]:
            p.mul_(1 - lr * wd)
        elif wd != 0:
            g = g + wd * p
        factored = group["vector_reshape"] or g.squeeze().dim() != 1
        shape = square_shape(p.numel()) if factored else p.shape
        G = g.reshape(shape)
        b1 = group["beta1"] * group["growth"] ** (t - 1)
        b2 = 1 - t ** group["decay"]
        if "v" not in state:
            state["v"] = (torch.zeros(shape[0]), torch.zeros(shape[1])) if factored else torch.zeros(shape)
            state["m"] = (torch.zeros(shape[0]), torch.zeros(shape[1])) if factored else torch.zeros(shape)
            state["sign"] = torch.zeros(shape, dtype=torch.bool)
        if factored:
            V = torch.outer(*state["v"])
            magnitude = torch.outer(*state["m"])
            M = torch.where(state["sign"], magnitude, -magnitude)
        else:
            V, M = state["v"], state["m"]
        V = b2 * V + (1 - b2) * G * G
        numerator = G
        if group["beta1"] > 0:
            M = b1 * M + (1 - b1) * G
            numerator = M
        if factored:
            state["v"] = _nnmf(V)
            state["m"] = _nnmf(M.abs())
            state["sign"] = M > 0
        else:
            state["v"], state["m"] = V, M
        p.sub_(lr * (numerator / (V.sqrt() + group["eps"])).reshape(p.shape))


class Muon8bit(_Reference):
    """Muon (see optim_reference.Muon) with the momentum buffer stored 8-bit block-wise (signed dynamic map): dequantize,
    B <- mu B + (1-mu) G, direction from the unquantized B (Nesterov G + mu(B - G)), requantize; tensors with fewer than
    min_size elements keep a float32 buffer."""

    def __init__(self, params, lr=1e-3, momentum=0.95, nesterov=True, weight_decay=0.01, scale="match_adamw_rms",
                 block=2048, min_size=0):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay,
                                      scale=scale, block=block, min_size=min_size))

    def update(self, p, g, state, group):
        q = _Quantized(state, "m8", True, group["block"], p)
        quantized = p.numel() >= group["min_size"]
        buf = q.load() if quantized else state.setdefault("momentum_buffer", torch.zeros_like(p))
        u = momentum_direction(buf, g, group["momentum"], group["nesterov"])
        if quantized:
            q.store(buf)
        matrix = u.reshape(p.size(0), -1)
        o = newton_schulz(matrix)
        p.mul_(1 - group["lr"] * group["weight_decay"])
        p.sub_(o.view_as(p), alpha=group["lr"] * shape_scale(group["scale"], *matrix.shape))
