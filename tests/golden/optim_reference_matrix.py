"""Reference implementations for the matrix optimizers, schedule-free AdamW, Lookahead and the cautious flags.

Written by us from the papers and the descriptions in TorchZoo's reference notes (reference/zoo.md), with plain
torch ops, one parameter at a time, float32. No public implementation was copied. Where a rule has variants, the
docstring says which one this is.
"""
import math

import torch

from optim_reference import adam_denominator, decoupled_decay, momentum_direction, newton_schulz, shape_scale


def cautious_mask(u, g):
    """Cautious optimizers (Liang et al., arXiv 2411.16085): keep the coordinates of the update u (theta moves by -lr*u)
    whose sign agrees with the gradient, rescaled by 1/max(mean(mask), 1e-3)."""
    mask = (u * g > 0).to(u.dtype)
    keep = max(mask.mean().item(), 1e-3)
    u.mul_(mask).div_(keep)
    return u


class AdamW(torch.optim.Optimizer):
    """AdamW (Loshchilov & Hutter, arXiv 1711.05101) with the cautious flags: cautious masks the direction
    u = m_hat/(sqrt(v_hat)+eps) (C-AdamW); cautious_wd decays only coordinates where u*theta >= 0."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, cautious=False, cautious_wd=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, cautious=cautious,
                                      cautious_wd=cautious_wd))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            lr, wd = group["lr"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                if not group["cautious_wd"]:
                    p.mul_(1 - lr * wd)
                m, v = state["m"], state["v"]
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                u = (m / adam_denominator(v, 1 - b2 ** t, group["eps"])).div_(1 - b1 ** t)
                if group["cautious"]:
                    cautious_mask(u, g)
                if group["cautious_wd"]:
                    decoupled_decay(p, u, lr, wd, cautious=True)
                p.sub_(u, alpha=lr)


class NorMuon(torch.optim.Optimizer):
    """NorMuon (Li et al., arXiv 2510.05491), following the official normuon.py as described in zoo.md: Muon's
    orthogonalized Nesterov momentum O, a per-row EMA of mean(O^2) (no bias correction), O/(sqrt(v)+eps), Frobenius
    norm of O restored (eps in that ratio is TorchZoo's), times sqrt(max(1, m/n)), decoupled weight decay."""

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, beta2=0.95, eps=1e-10, ns_steps=5, weight_decay=0.0,
                 scale="original"):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, beta2=beta2, eps=eps, ns_steps=ns_steps,
                                      weight_decay=weight_decay, scale=scale))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            eps = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                rows = p.size(0)
                state = self.state[p]
                if not state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                    state["v"] = torch.zeros(rows, 1)
                u = momentum_direction(state["momentum_buffer"], p.grad, group["momentum"], group["nesterov"])
                matrix = u.reshape(rows, -1)
                cols = matrix.size(1)
                o = newton_schulz(matrix, steps=group["ns_steps"]).float()
                norm = o.norm()
                state["v"].lerp_(o.square().mean(dim=1, keepdim=True), 1 - group["beta2"])
                o = o / (state["v"].sqrt() + eps)
                o = o * (norm / (o.norm() + eps))
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.sub_(o.reshape(p.shape), alpha=group["lr"] * shape_scale(group["scale"], rows, cols))


class AdaMuon(torch.optim.Optimizer):
    """AdaMuon (Si et al., arXiv 2507.11005), following the official adamuon.py as described in zoo.md: O = NS5 of the
    Nesterov momentum; element-wise v <- b2*v + (1-b2)*O^2; O/(sqrt(v/bc2)+eps); rescaled to Frobenius norm sqrt(min(m,n));
    step lr*0.2*sqrt(max(m,n)) -- the 0.2 applied once (update RMS 0.2). sign=True orthogonalizes sign(U) instead."""

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, beta2=0.999, eps=1e-8, ns_steps=5, weight_decay=0.01,
                 rms=0.2, sign=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, beta2=beta2, eps=eps, ns_steps=ns_steps,
                                      weight_decay=weight_decay, rms=rms, sign=sign))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b2, eps = group["beta2"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                rows = p.size(0)
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["momentum_buffer"] = torch.zeros_like(p)
                state["step"] += 1
                u = momentum_direction(state["momentum_buffer"], p.grad, group["momentum"], group["nesterov"]).reshape(rows, -1)
                if group["sign"]:
                    u = u.sign()
                cols = u.size(1)
                o = newton_schulz(u, steps=group["ns_steps"])
                if "v" not in state:
                    state["v"] = torch.zeros(rows, cols, dtype=p.dtype)
                v = state["v"]
                v.mul_(b2).addcmul_(o, o, value=1 - b2)
                bc2 = 1 - b2 ** state["step"]
                o = o / (v.sqrt() / math.sqrt(bc2)).add_(eps)
                o = o * (math.sqrt(min(rows, cols)) / (o.norm() + eps))
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.sub_(o.reshape(p.shape), alpha=group["lr"] * group["rms"] * math.sqrt(max(rows, cols)))


class Conda(torch.optim.Optimizer):
    """Conda ("Column-Normalized Adam", arXiv 2509.24218) in the variant pytorch-optimizer's conda.py implements, as
    described in zoo.md (not the paper's own code): momentum m; every T steps (1, T+1, ...) the full orthogonal factor of
    the SVD of m on the smaller side (U if m < n, else V); Adam's second moment of the projected gradient in that basis
    (never re-rotated); the projected momentum normalized and projected back; step lr*sqrt(bc2)/bc1; decoupled decay."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, interval=2000, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, interval=interval, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                m = state["m"]
                m.mul_(b1).add_(p.grad, alpha=1 - b1)
                rows = p.size(0)
                mm, gm = m.reshape(rows, -1), p.grad.reshape(rows, -1)
                left = rows < mm.size(1)
                if (t - 1) % group["interval"] == 0:
                    u, _, vh = torch.linalg.svd(mm, full_matrices=False)
                    state["basis"] = u if left else vh.T.contiguous()
                basis = state["basis"]
                g_rot = basis.T @ gm if left else gm @ basis
                m_rot = basis.T @ mm if left else mm @ basis
                if "v" not in state:
                    state["v"] = torch.zeros_like(g_rot)
                v = state["v"]
                v.mul_(b2).addcmul_(g_rot, g_rot, value=1 - b2)
                n = m_rot / (v.sqrt() + group["eps"])
                delta = basis @ n if left else n @ basis.T
                bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.sub_(delta.reshape(p.shape), alpha=group["lr"] * math.sqrt(bc2) / bc1)


class ScheduleFreeAdamW(torch.optim.Optimizer):
    """Schedule-free AdamW (Defazio et al., arXiv 2405.15682), Algorithm 1 written literally with the three sequences
    x (average), z (base) and y (gradient point, held by the parameter):
        y_t = (1-b1) z_t + b1 x_t;  v <- b2 v + (1-b2) g^2;  gamma_t = lr * min(1, t/warmup) * sqrt(1 - b2^t)
        z_{t+1} = z_t - gamma_t g/(sqrt(v)+eps) - gamma_t wd y_t
        c_{t+1} = gamma_t^p / sum_i gamma_i^p;  x_{t+1} = (1-c) x_t + c z_{t+1}
    (TorchZoo keeps only y and z and uses an equivalent update; comparing the two checks that identity too.)"""

    def __init__(self, params, lr=2.5e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, warmup=0, power=2.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, warmup=warmup, power=power))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["weight_sum"] = 0.0
                    state["x"] = p.detach().clone()
                    state["z"] = p.detach().clone()
                    state["v"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                x, z, v = state["x"], state["z"], state["v"]
                y = p.detach().clone()
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                warm = 1.0 if group["warmup"] == 0 else min(1.0, t / group["warmup"])
                gamma = group["lr"] * warm * math.sqrt(1 - b2 ** t)
                z.sub_(g / (v.sqrt() + group["eps"]), alpha=gamma)
                z.sub_(y, alpha=gamma * group["weight_decay"])
                weight = gamma ** group["power"]
                state["weight_sum"] += weight
                c = weight / state["weight_sum"]
                x.mul_(1 - c).add_(z, alpha=c)
                p.copy_(z * (1 - b1) + x * b1)


class Lookahead:
    """Lookahead (Zhang et al., arXiv 1907.08610) around any torch optimizer: slow weights phi = theta at the first step;
    every k inner steps phi <- phi + alpha (theta - phi) (lerp) and theta <- phi. No pullback of the inner state."""

    def __init__(self, inner, k=5, alpha=0.5):
        self.inner, self.k, self.alpha = inner, k, alpha
        self.steps = 0
        self.slow = None

    def zero_grad(self):
        self.inner.zero_grad()

    @torch.no_grad()
    def step(self):
        params = [p for group in self.inner.param_groups for p in group["params"]]
        if self.slow is None:
            self.slow = [p.detach().clone() for p in params]
        self.inner.step()
        self.steps += 1
        if self.steps % self.k == 0:
            for s, p in zip(self.slow, params):
                s.lerp_(p, self.alpha)
                p.copy_(s)
