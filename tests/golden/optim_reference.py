"""Reference implementations of optimizers that torch.optim 1.13 lacks, written for TorchZoo's golden tests.

Each class follows its paper's update rule (cited in the docstring), written by us with plain torch ops.
They are references, not fast: one parameter at a time, float32.
"""
import math

import torch


class StepCountedReference(torch.optim.Optimizer):
    """Shared loop: per-parameter state with a 1-based step counter; subclasses write update(p, g, state, group)."""

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                state["step"] = state.get("step", 0) + 1
                self.update(p, p.grad, state, group)


def adam_denominator(v, bc2, eps):
    """Adam's bias-corrected denominator sqrt(v/bc2) + eps, written sqrt(v)/sqrt(bc2) + eps."""
    return (v.sqrt() / math.sqrt(bc2)).add_(eps)


def shape_scale(scale, rows, cols):
    """Muon's scale conventions: original sqrt(max(1, m/n)), match_adamw_rms 0.2*sqrt(max(m, n)), rms_to_rms sqrt(m/n)."""
    if scale == "original":
        return math.sqrt(max(1.0, rows / cols))
    if scale == "match_adamw_rms":
        return 0.2 * math.sqrt(max(rows, cols))
    return math.sqrt(rows / cols)


def decoupled_decay(p, u, lr, wd, cautious=False):
    """theta <- theta*(1 - lr*wd); with cautious=True, cautious weight decay (Chen et al., arXiv 2510.12402):
    theta <- theta - lr*wd*1[u*theta >= 0]*theta, u being the update (theta moves by -lr*u)."""
    if not cautious:
        p.mul_(1 - lr * wd)
    elif wd != 0:
        agree = (u * p >= 0).to(p.dtype)
        p.sub_(p * agree, alpha=lr * wd)


class Lion(torch.optim.Optimizer):
    """Lion, Chen et al. 2023 (arXiv 2302.06675), Algorithm 2:
    c = b1*m + (1-b1)*g; theta <- theta*(1 - lr*wd) - lr*sign(c); m <- b2*m + (1-b2)*g."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, cautious_wd=False):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay, cautious_wd=cautious_wd))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                m = state["exp_avg"]
                c = m * b1 + p.grad * (1 - b1)
                decoupled_decay(p, torch.sign(c), group["lr"], group["weight_decay"], group["cautious_wd"])
                p.add_(torch.sign(c), alpha=-group["lr"])
                m.mul_(b2).add_(p.grad, alpha=1 - b2)


def newton_schulz(g, coefficients=(3.4445, -4.7750, 2.0315), steps=5, eps=1e-7):
    """Quintic Newton-Schulz iteration of Muon (Jordan et al. 2024): X <- aX + (bA + cA^2)X, A = X X^T,
    on the wide orientation of G normalized by its Frobenius norm."""
    a, b, c = coefficients
    x = (g.double() if g.dtype == torch.float64 else g.float()).clone()
    transposed = x.size(0) > x.size(1)
    if transposed:
        x = x.T
    x = x / (x.norm() + eps)
    for _ in range(steps):
        gram = x @ x.T
        poly = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        x = torch.addmm(x, poly, x, beta=a, alpha=1)
    if transposed:
        x = x.T
    return x


def momentum_direction(buf, grad, momentum, nesterov):
    """Muon's EMA momentum: B <- mu*B + (1-mu)*G; Nesterov direction G + mu*(B - G)."""
    buf.lerp_(grad, 1 - momentum)
    return grad.lerp(buf, momentum) if nesterov else buf


class Muon(torch.optim.Optimizer):
    """Muon for 2-D (or flattened) weights, Jordan et al. 2024; scale conventions:
    match_adamw_rms 0.2*sqrt(max(m, n)) (Moonlight, arXiv 2502.16982), original sqrt(max(1, m/n)), rms_to_rms sqrt(m/n)."""

    def __init__(self, params, lr=1e-3, momentum=0.95, nesterov=True, ns_steps=5, weight_decay=0.01, scale="match_adamw_rms",
                 cautious_wd=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps,
                                      weight_decay=weight_decay, scale=scale, cautious_wd=cautious_wd))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                u = momentum_direction(state["momentum_buffer"], p.grad, group["momentum"], group["nesterov"])
                rows = p.size(0)
                matrix = u.reshape(rows, -1)
                cols = matrix.size(1)
                o = newton_schulz(matrix, steps=group["ns_steps"])
                s = shape_scale(group["scale"], rows, cols)
                decoupled_decay(p, o.view_as(p), group["lr"], group["weight_decay"], group["cautious_wd"])
                p.sub_(o.view_as(p), alpha=group["lr"] * s)


class Reg(torch.optim.Optimizer):
    """REG (Liu et al., arXiv 2510.03691) as reconstructed in TorchZoo's DESIGN.md from the paper's description
    (its algorithm box was not available): momentum, RACS balancing diag(r+eps)^-1/2 U diag(c+eps)^-1/2 with row and
    column p-norms (k passes), RMS matched to rho, decoupled weight decay."""

    def __init__(self, params, lr=1e-3, momentum=0.95, nesterov=True, p=2.0, passes=1, rho=0.2, eps=1e-8, weight_decay=0.01,
                 cautious_wd=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, p=p, passes=passes, rho=rho, eps=eps,
                                      weight_decay=weight_decay, cautious_wd=cautious_wd))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for prm in group["params"]:
                if prm.grad is None:
                    continue
                state = self.state[prm]
                if not state:
                    state["momentum_buffer"] = torch.zeros_like(prm)
                u = momentum_direction(state["momentum_buffer"], prm.grad, group["momentum"], group["nesterov"])
                x = u.reshape(prm.size(0), -1)
                for _ in range(group["passes"]):
                    row = torch.linalg.vector_norm(x, group["p"], dim=1, keepdim=True).add_(group["eps"]).rsqrt_()
                    col = torch.linalg.vector_norm(x, group["p"], dim=0, keepdim=True).add_(group["eps"]).rsqrt_()
                    x = (x * row).mul_(col)
                rms = x.square().mean().sqrt()
                x.mul_(group["rho"] / (rms.item() + group["eps"]))
                decoupled_decay(prm, x.view_as(prm), group["lr"], group["weight_decay"], group["cautious_wd"])
                prm.sub_(x.view_as(prm), alpha=group["lr"])
