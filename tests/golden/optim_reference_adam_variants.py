"""Reference implementations of the Adam-family variants for TorchZoo's golden tests.

Written by us from each paper's update rule (and, where the paper leaves a detail open, from the description of the
official code named in the docstring), with plain torch ops, one parameter at a time, float32. Nothing here is
copied from a public implementation. Each class's docstring says where its rule comes from and which reading it
implements where sources disagree; the C# optimizers document the same choices.
"""
import math

import torch

from optim_reference import StepCountedReference as _Reference
from optim_reference import adam_denominator as _denominator


def _moments(state, p, g, b1, b2, m_name="exp_avg", v_name="exp_avg_sq"):
    if m_name not in state:
        state[m_name] = torch.zeros_like(p)
        state[v_name] = torch.zeros_like(p)
    m, v = state[m_name], state[v_name]
    m.mul_(b1).add_(g, alpha=1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    return m, v


class Adopt(_Reference):
    """ADOPT, Taniguchi et al. 2024 (arXiv 2411.02853), Algorithm 'ADOPT' with clipping, as the official code:
    step 1: v = g^2 and no parameter update. Step t >= 2: c = (t-1)^0.25;
    g_hat = clip(g / max(sqrt(v), eps), -c, c); m <- b1*m + (1-b1)*g_hat; theta <- theta - lr*m;
    then v <- b2*v + (1-b2)*g^2. Weight decay: L2 (g <- g + wd*theta) or decoupled theta*(1 - lr*wd) from step 2."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.9999), eps=1e-6, weight_decay=0.0, clip=True, clip_exp=0.25,
                 decouple=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, clip=clip,
                                      clip_exp=clip_exp, decouple=decouple))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        if not group["decouple"] and wd != 0:
            g = g + wd * p
        if state["step"] == 1:
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = g * g
            return
        m, v = state["exp_avg"], state["exp_avg_sq"]
        if group["decouple"] and wd != 0:
            p.mul_(1 - lr * wd)
        normed = g / v.sqrt().clamp(min=group["eps"])
        if group["clip"]:
            c = (state["step"] - 1) ** group["clip_exp"]
            normed = normed.clamp(-c, c)
        m.mul_(b1).add_(normed, alpha=1 - b1)
        p.sub_(m, alpha=lr)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)


class AdaBelief(_Reference):
    """AdaBelief, Zhuang et al. 2020 (arXiv 2010.07468), Algorithm 2, with the official v0.2 conventions:
    m <- b1*m + (1-b1)*g; s <- b2*s + (1-b2)*(g-m)^2 + eps (eps accumulates in s);
    plain: theta <- theta - lr*(m/bc1)/(sqrt(s/bc2) + eps);
    rectify (RAdam's rho_t): if rho_t >= 5, theta <- theta - lr*r_t*m/(sqrt(s) + eps) with
    r_t = sqrt(bc2*(rho-4)(rho-2)rho_inf/((rho_inf-4)(rho_inf-2)rho))/bc1, else theta <- theta - lr*m/bc1.
    Decoupled weight decay theta*(1 - lr*wd) first (or L2)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0.0, rectify=True,
                 degenerated_to_sgd=True, decoupled=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, rectify=rectify,
                                      degenerated_to_sgd=degenerated_to_sgd, decoupled=decoupled))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, eps, t = group["lr"], group["weight_decay"], group["eps"], state["step"]
        if wd != 0:
            if group["decoupled"]:
                p.mul_(1 - lr * wd)
            else:
                g = g + wd * p
        if "exp_avg" not in state:
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_var"] = torch.zeros_like(p)
        m, s = state["exp_avg"], state["exp_avg_var"]
        m.mul_(b1).add_(g, alpha=1 - b1)
        r = g - m
        s.mul_(b2).addcmul_(r, r, value=1 - b2)
        s.add_(eps)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        if not group["rectify"]:
            p.addcdiv_(m, _denominator(s, bc2, eps), value=-lr / bc1)
            return
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * t * b2 ** t / bc2
        if rho >= 5:
            rt = math.sqrt(bc2 * (rho - 4) / (rho_inf - 4) * (rho - 2) / rho * rho_inf / (rho_inf - 2)) / bc1
            p.addcdiv_(m, s.sqrt().add_(eps), value=-lr * rt)
        elif group["degenerated_to_sgd"]:
            p.sub_(m, alpha=lr / bc1)


class AdEMAMix(_Reference):
    """AdEMAMix, Pagliardini et al. 2024 (arXiv 2409.03137), Algorithm 1 with decoupled weight decay as the paper:
    m1 <- b1*m1 + (1-b1)*g; m2 <- b3_t*m2 + (1-b3_t)*g; v <- b2*v + (1-b2)*g^2;
    theta <- theta*(1 - lr*wd) - lr*(m1/bc1 + alpha_t*m2)/(sqrt(v/bc2) + eps).
    Warmups (paper, section 'schedulers'): alpha_t = min(t*alpha/T_a, alpha);
    b3_t = min(exp(ln b1 * ln b3 / ((1 - t/T_b)*ln b3 + (t/T_b)*ln b1)), b3) for t < T_b."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999, 0.9999), alpha=5.0, eps=1e-8, weight_decay=0.0,
                 t_alpha=0, t_beta3=0):
        super().__init__(params, dict(lr=lr, betas=betas, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      t_alpha=t_alpha, t_beta3=t_beta3))

    def update(self, p, g, state, group):
        b1, b2, b3 = group["betas"]
        lr, wd, t = group["lr"], group["weight_decay"], state["step"]
        alpha = group["alpha"]
        if group["t_alpha"]:
            alpha = min(t * alpha / group["t_alpha"], alpha)
        if group["t_beta3"] and t < group["t_beta3"]:
            a = t / group["t_beta3"]
            l1, l3 = math.log(b1), math.log(b3)
            b3 = min(math.exp(l1 * l3 / ((1 - a) * l3 + a * l1)), b3)
        if wd != 0:
            p.mul_(1 - lr * wd)
        if "exp_avg_slow" not in state:
            state["exp_avg_slow"] = torch.zeros_like(p)
        m1, v = _moments(state, p, g, b1, b2, m_name="exp_avg_fast")
        m2 = state["exp_avg_slow"]
        m2.mul_(b3).add_(g, alpha=1 - b3)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        num = (m1 / bc1).add_(m2, alpha=alpha)
        p.addcdiv_(num, _denominator(v, bc2, group["eps"]), value=-lr)


class Mars(_Reference):
    """MARS, Yuan et al. 2024 (arXiv 2411.10438), Algorithm 1 in its approximate form (previous step's gradient),
    as described for the official AGI-Arena/MARS code: c = g + gamma*b1/(1-b1)*(g - g_prev), g_prev = 0 at step 1
    (or g itself, the paper's x_1 = x_0); c <- c/||c|| if ||c|| > 1; m <- b1*m + (1-b1)*c;
    adamw: v <- b2*v + (1-b2)*c^2, theta <- theta*(1 - lr*wd) - lr*(m/bc1)/(sqrt(v/bc2) + eps);
    lion: theta <- theta*(1 - lr*wd) - lr*sign(m).
    Tensors that are not 2-D (unless optimize_1d): AdamW with lr*lr_1d/lr0, betas_1d, decoupled wd_1d."""

    def __init__(self, params, lr=3e-3, betas=(0.95, 0.99), eps=1e-8, weight_decay=0.0, gamma=0.025,
                 flavour="adamw", optimize_1d=False, lr_1d=3e-3, betas_1d=(0.9, 0.95), weight_decay_1d=0.1,
                 zero_initial_prev=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, gamma=gamma,
                                      flavour=flavour, optimize_1d=optimize_1d, lr_1d=lr_1d, betas_1d=betas_1d,
                                      weight_decay_1d=weight_decay_1d, zero_initial_prev=zero_initial_prev, lr0=lr))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, eps, t = group["lr"], group["weight_decay"], group["eps"], state["step"]
        if not group["optimize_1d"] and p.dim() != 2:
            lr1 = lr * group["lr_1d"] / group["lr0"]
            c1, c2 = group["betas_1d"]
            if group["weight_decay_1d"] != 0:
                p.mul_(1 - lr1 * group["weight_decay_1d"])
            m, v = _moments(state, p, g, c1, c2)
            p.addcdiv_(m, _denominator(v, 1 - c2 ** t, eps), value=-lr1 / (1 - c1 ** t))
            return
        if "last_grad" not in state:
            state["exp_avg"] = torch.zeros_like(p)
            state["last_grad"] = torch.zeros_like(p) if group["zero_initial_prev"] else g.clone()
        m, prev = state["exp_avg"], state["last_grad"]
        c = (g - prev).mul_(group["gamma"] * b1 / (1 - b1)).add_(g)
        norm = c.norm().item()
        if norm > 1:
            c.div_(norm)
        prev.copy_(g)
        m.mul_(b1).add_(c, alpha=1 - b1)
        if wd != 0:
            p.mul_(1 - lr * wd)
        if group["flavour"] == "lion":
            p.sub_(m.sign(), alpha=lr)
            return
        if "exp_avg_sq" not in state:
            state["exp_avg_sq"] = torch.zeros_like(p)
        v = state["exp_avg_sq"]
        v.mul_(b2).addcmul_(c, c, value=1 - b2)
        p.addcdiv_(m, _denominator(v, 1 - b2 ** t, eps), value=-lr / (1 - b1 ** t))


class Grams(_Reference):
    """Grams, Cao et al. 2024 (arXiv 2412.17107), Algorithm 1, with the standard Adam EMAs and bias corrections:
    m <- b1*m + (1-b1)*g; v <- b2*v + (1-b2)*g^2; u = (m/bc1)/(sqrt(v/bc2) + eps);
    theta <- theta*(1 - lr*wd) - lr*sign(g)*|u|."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, t = group["lr"], group["weight_decay"], state["step"]
        if wd != 0:
            p.mul_(1 - lr * wd)
        m, v = _moments(state, p, g, b1, b2)
        mag = (m / _denominator(v, 1 - b2 ** t, group["eps"])).abs_()
        p.sub_(mag.mul_(g.sign()), alpha=lr / (1 - b1 ** t))


class LaProp(_Reference):
    """LaProp, Ziyin et al. 2020 (arXiv 2002.04839), Algorithm 1 with the official code's learning-rate-weighted
    bias correction: v <- b2*v + (1-b2)*g^2; a <- b1*a + (1-b1)*lr; m <- b1*m + (1-b1)*lr*g/(sqrt(v/bc2) + eps);
    theta <- theta - (lr/a)*m. Weight decay decoupled theta*(1 - lr*wd) before the step (TorchZoo's choice)."""

    def __init__(self, params, lr=4e-4, betas=(0.9, 0.999), eps=1e-15, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, t = group["lr"], group["weight_decay"], state["step"]
        if wd != 0:
            p.mul_(1 - lr * wd)
        if "exp_avg" not in state:
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
            state["exp_avg_lr"] = 0.0
        m, v = state["exp_avg"], state["exp_avg_sq"]
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        state["exp_avg_lr"] = state["exp_avg_lr"] * b1 + (1 - b1) * lr
        m.mul_(b1).addcdiv_(g, _denominator(v, 1 - b2 ** t, group["eps"]), value=(1 - b1) * lr)
        if state["exp_avg_lr"] > 0:
            p.sub_(m, alpha=lr / state["exp_avg_lr"])


class SgdSai(_Reference):
    """SGD-SaI, Xu et al. 2024 (arXiv 2412.11768): at a tensor's first step gsnr = ||g|| / (std(g) + eps) (unbiased
    std; gsnr = ||g|| when the std is 0 or undefined); b = g at the first step, then b <- mu*b + (1-mu)*g;
    theta <- theta*(1 - lr*wd) - lr*gsnr*b. (No normalization by the largest gsnr.)"""

    def __init__(self, params, lr=1e-2, momentum=0.9, eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, momentum=momentum, eps=eps, weight_decay=weight_decay))

    def update(self, p, g, state, group):
        lr, wd, mu = group["lr"], group["weight_decay"], group["momentum"]
        if "gsnr" not in state:
            sigma = g.std().item()
            norm = g.norm().item()
            state["gsnr"] = norm if (math.isnan(sigma) or sigma == 0) else norm / (sigma + group["eps"])
        d = g
        if mu != 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.clone()
            else:
                state["momentum_buffer"].mul_(mu).add_(g, alpha=1 - mu)
            d = state["momentum_buffer"]
        if wd != 0:
            p.mul_(1 - lr * wd)
        p.sub_(d, alpha=lr * state["gsnr"])


class AdaBound(_Reference):
    """AdaBound, Luo et al. 2019 (arXiv 1902.09843), Algorithm 2 (as the official code's step-size form):
    L2 weight decay; Adam moments; s = (lr*sqrt(bc2)/bc1)/(sqrt(v) + eps) clipped to
    [final*(1 - 1/(gamma*t + 1)), final*(1 + 1/(gamma*t))] with final = final_lr*lr/lr0; theta <- theta - s*m."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), final_lr=0.1, gamma=1e-3, eps=1e-8, weight_decay=0.0,
                 amsbound=False):
        super().__init__(params, dict(lr=lr, betas=betas, final_lr=final_lr, gamma=gamma, eps=eps,
                                      weight_decay=weight_decay, amsbound=amsbound, lr0=lr))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, t, gamma = group["lr"], group["weight_decay"], state["step"], group["gamma"]
        if wd != 0:
            g = g + wd * p
        m, v = _moments(state, p, g, b1, b2)
        if group["amsbound"]:
            if "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = torch.zeros_like(p)
            torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        final = group["final_lr"] * lr / group["lr0"]
        lower = final * (1 - 1 / (gamma * t + 1))
        upper = final * (1 + 1 / (gamma * t))
        s = torch.ones_like(p).mul_(lr * math.sqrt(bc2) / bc1).div_(v.sqrt().add_(group["eps"]))
        s.clamp_(lower, upper).mul_(m)
        p.sub_(s)


class AdaMod(_Reference):
    """AdaMod, Ding et al. 2019 (arXiv 1910.12249), Algorithm 1: L2 weight decay; Adam moments;
    s = (lr*sqrt(bc2)/bc1)/(sqrt(v) + eps); s_avg <- b3*s_avg + (1-b3)*s; theta <- theta - min(s, s_avg)*m."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), beta3=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, beta3=beta3, eps=eps, weight_decay=weight_decay))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        b3, lr, wd, t = group["beta3"], group["lr"], group["weight_decay"], state["step"]
        if wd != 0:
            g = g + wd * p
        m, v = _moments(state, p, g, b1, b2)
        if "exp_avg_lr" not in state:
            state["exp_avg_lr"] = torch.zeros_like(p)
        avg = state["exp_avg_lr"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        s = torch.ones_like(p).mul_(lr * math.sqrt(bc2) / bc1).div_(v.sqrt().add_(group["eps"]))
        avg.mul_(b3).add_(s, alpha=1 - b3)
        s = torch.minimum(s, avg).mul_(m)
        p.sub_(s)


def radial_projection(p, g, u, delta, eps):
    """AdamP/SGDP projection, Heo et al. 2021 (arXiv 2006.08217), Algorithm 1/2: for the channel view (rows = size(0))
    then the layer view (one row), if max_rows |cos(g, theta)| < delta/sqrt(row length) with
    cos = g.theta / max(|g||theta|, eps), remove from u its component along theta_hat = theta/(|theta| + eps), per row.
    Returns whether it projected (u is modified in place)."""
    for rows in (p.size(0), 1):
        gv, wv = g.reshape(rows, -1), p.reshape(rows, -1)
        cos = (gv * wv).sum(1).abs() / (gv.norm(dim=1) * wv.norm(dim=1)).clamp(min=eps)
        if cos.max().item() < delta / math.sqrt(wv.size(1)):
            unit = wv / wv.norm(dim=1, keepdim=True).add(eps)
            uv = u.view(rows, -1)
            uv.sub_(unit * (unit * uv).sum(1, keepdim=True))
            return True
    return False


class AdamP(_Reference):
    """AdamP, Heo et al. 2021 (arXiv 2006.08217), Algorithm 2: Adam direction u = m/(sqrt(v/bc2) + eps)
    (Nesterov: (b1*m + (1-b1)*g)/...), projected for tensors with >= 2 dims (radial_projection), which also scales
    the decoupled weight decay by wd_ratio; theta <- theta*(1 - lr*wd*ratio) - (lr/bc1)*u."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, delta=0.1, wd_ratio=0.1,
                 nesterov=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, delta=delta,
                                      wd_ratio=wd_ratio, nesterov=nesterov))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, t, eps = group["lr"], group["weight_decay"], state["step"], group["eps"]
        m, v = _moments(state, p, g, b1, b2)
        denom = _denominator(v, 1 - b2 ** t, eps)
        u = (m * b1).add_(g, alpha=1 - b1).div_(denom) if group["nesterov"] else m / denom
        ratio = group["wd_ratio"] if p.dim() > 1 and radial_projection(p, g, u, group["delta"], eps) else 1.0
        if wd * ratio != 0:
            p.mul_(1 - lr * (wd * ratio))
        p.sub_(u, alpha=lr / (1 - b1 ** t))


class Sgdp(_Reference):
    """SGDP, Heo et al. 2021 (arXiv 2006.08217), Algorithm 1: b <- mu*b + (1-dampening)*g (b starts at 0);
    d = g + mu*b (Nesterov) or a copy of b; projected for tensors with >= 2 dims (radial_projection);
    theta <- theta*(1 - lr*wd*ratio/(1-mu)) - lr*d."""

    def __init__(self, params, lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, eps=1e-8, weight_decay=0.0,
                 delta=0.1, wd_ratio=0.1):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, eps=eps,
                                      weight_decay=weight_decay, delta=delta, wd_ratio=wd_ratio))

    def update(self, p, g, state, group):
        lr, wd, mu = group["lr"], group["weight_decay"], group["momentum"]
        if "momentum" not in state:
            state["momentum"] = torch.zeros_like(p)
        buf = state["momentum"]
        buf.mul_(mu).add_(g, alpha=1 - group["dampening"])
        d = g.add(buf, alpha=mu) if group["nesterov"] else buf.clone()
        ratio = group["wd_ratio"] if p.dim() > 1 and radial_projection(p, g, d, group["delta"], group["eps"]) else 1.0
        w = wd * ratio / (1 - mu)
        if w != 0:
            p.mul_(1 - lr * w)
        p.sub_(d, alpha=lr)


class EXAdam(_Reference):
    """EXAdam, Adly 2024 (arXiv 2412.20302 v2; no growing step size): decoupled decay theta*(1 - lr*wd); Adam moments;
    d1 = 1 + b2^t * v/(v + eps); d2 = 1 + b1^t * m^2/(m^2 + eps); m~ = d1*m/bc1; v~ = d2*v/bc2; g~ = d1*g/bc1;
    theta <- theta - lr*(m~ + g~)/(sqrt(v~) + eps)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, t, eps = group["lr"], group["weight_decay"], state["step"], group["eps"]
        if wd != 0:
            p.mul_(1 - lr * wd)
        m, v = _moments(state, p, g, b1, b2)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        d1 = (v / (v + eps)).mul_(b2 ** t).add_(1)
        m2 = m.square()
        d2 = (m2 / (m2 + eps)).mul_(b1 ** t).add_(1)
        mt = (m / bc1).mul_(d1)
        vt = (v / bc2).mul_(d2)
        gt = (g / bc1).mul_(d1)
        p.addcdiv_(mt.add_(gt), vt.sqrt_().add_(eps), value=-lr)


def _rms(x):
    return x.square().mean().sqrt_().item()


class FAdam(_Reference):
    """FAdam, Hwang 2024 (arXiv 2405.12807), Algorithm 1: b2_t = b2*(1 - b2^(t-1))/(1 - b2^t);
    F <- b2_t*F + (1-b2_t)*g^2; eps_t = eps*min(1, RMS(g)); g_n = g/(F^p + eps_t), g_n /= max(1, RMS(g_n)/c);
    m <- b1*m + (1-b1)*g_n; w = theta/(F^p + eps_t), w /= max(1, RMS(w)/c); theta <- theta - lr*(m + wd*w)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, p=0.5, clip=1.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, p=p, clip=clip))

    def update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd, t, c = group["lr"], group["weight_decay"], state["step"], group["clip"]
        if "momentum" not in state:
            state["momentum"] = torch.zeros_like(p)
            state["fim"] = torch.zeros_like(p)
        m, fim = state["momentum"], state["fim"]
        beta2 = b2 * (1 - b2 ** (t - 1)) / (1 - b2 ** t)
        fim.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        eps = group["eps"] * min(1.0, _rms(g))
        denom = fim.pow(group["p"]).add_(eps)
        gn = g / denom
        gn.div_(max(1.0, _rms(gn) / c))
        m.mul_(b1).add_(gn, alpha=1 - b1)
        w = p / denom
        w.div_(max(1.0, _rms(w) / c))
        p.sub_(m.add(w, alpha=wd), alpha=lr)
