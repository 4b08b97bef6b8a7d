"""Reference implementations for the second-order optimizers, the closure-driven ones and the wrappers (SAM/ASAM,
SOAP, AdaHessian, Sophia-H, Ranger21, Gravity, NAG-GS, ANO/Anolog, AuON, ROOT, SANIA, XGrad, AdaGC).

Written by us from the papers and from the descriptions in TorchZoo's reference notes (reference/zoo.md), with plain
torch ops, one parameter at a time, float32. No public implementation was copied. Where a rule has variants, the
docstring says which one this is. Closure-driven classes set requires_closure (and create_graph when they need
Hessian-vector products); make_optimizer_trajectories.py then records every closure call.
"""
import math

import torch

from optim_reference import StepCountedReference, adam_denominator, momentum_direction, newton_schulz, shape_scale


class Wrapper:
    """Delegates param_groups/zero_grad to the inner torch optimizer."""

    def __init__(self, base):
        self.base = base
        self.param_groups = base.param_groups

    def zero_grad(self):
        self.base.zero_grad()

    def params(self):
        return [p for g in self.param_groups for p in g["params"]]


class Sam(Wrapper):
    """SAM (Foret et al., arXiv 2010.01412) / ASAM (Kwon et al., arXiv 2102.11600): e = rho*T^2 g/(||T g|| + 1e-12) with
    T = |theta| (ASAM) or 1, the norm over all parameters; gradient again at theta + e; theta restored from a copy; inner step."""
    requires_closure = True

    def __init__(self, base, rho=0.05, adaptive=False):
        super().__init__(base)
        self.rho, self.adaptive = rho, adaptive

    def step(self, closure):
        loss = closure()
        ps = [p for p in self.params() if p.grad is not None]
        with torch.no_grad():
            tg = [p.grad * p.abs() if self.adaptive else p.grad for p in ps]
            total = math.sqrt(sum((t.square().sum()).item() for t in tg))
            scale = self.rho / (total + 1e-12)
            saved = []
            for p, t in zip(ps, tg):
                e = t * p.abs() * scale if self.adaptive else t * scale
                saved.append(p.detach().clone())
                p.add_(e)
        closure()
        with torch.no_grad():
            for p, s in zip(ps, saved):
                p.copy_(s)
        self.base.step()
        return loss


class XGrad(Wrapper):
    """XGrad weight prediction (Guan et al., arXiv 2305.18240), generic reading: the gradient is taken at the predicted
    weights theta + s*(theta - theta_prev) (theta_prev = the weights before the last step, i.e. the last applied update
    extrapolated s steps); the first step has no prediction. Weights restored exactly, then the inner step."""
    requires_closure = True

    def __init__(self, base, steps=1):
        super().__init__(base)
        self.s = steps
        self.prev = None

    def step(self, closure):
        ps = self.params()
        saved = None
        if self.prev is not None:
            with torch.no_grad():
                saved = [p.detach().clone() for p in ps]
                for p, q in zip(ps, self.prev):
                    p.add_(p - q, alpha=self.s)
        loss = closure()
        with torch.no_grad():
            if saved is not None:
                for p, s in zip(ps, saved):
                    p.copy_(s)
            self.prev = [p.detach().clone() for p in ps]
        self.base.step()
        return loss


class AdaGc(Wrapper):
    """AdaGC (Wang et al., arXiv 2502.11034) as a clipping wrapper: warmup global clip h = min(l_abs/(||g||+1e-6), 1),
    gamma_i = min over the warmup of h*||g_i||; afterwards h_i = min(l_rel*gamma_i/(||g_i||+1e-6), 1),
    gamma_i <- beta*gamma_i + (1-beta)*h_i*||g_i||; then the inner step (TorchZoo's AdaGcClipping, norms in float64)."""

    def __init__(self, base, abs_threshold=1.0, rel_threshold=1.05, beta=0.98, warmup=100):
        super().__init__(base)
        self.la, self.lr_, self.beta, self.warmup = abs_threshold, rel_threshold, beta, warmup
        self.t = 0
        self.gamma = {}

    def step(self):
        self.t += 1
        ps = [p for p in self.params() if p.grad is not None]
        with torch.no_grad():
            norms = [p.grad.norm().item() for p in ps]
            total = math.sqrt(sum(n * n for n in norms))
            if self.t <= self.warmup:
                h = min(self.la / (total + 1e-6), 1.0)
                if h < 1:
                    for p in ps:
                        p.grad.mul_(h)
                for p, n in zip(ps, norms):
                    self.gamma[p] = min(self.gamma.get(p, h * n), h * n)
            else:
                for p, n in zip(ps, norms):
                    g = self.gamma.get(p, n)
                    h = min(self.lr_ * g / (n + 1e-6), 1.0)
                    if h < 1:
                        p.grad.mul_(h)
                    self.gamma[p] = self.beta * g + (1 - self.beta) * h * n
        self.base.step()


class Soap(torch.optim.Optimizer):
    """SOAP (Vyas et al., arXiv 2409.11321), the variant with momentum in the original space (pytorch-optimizer's /
    the first official release): L, R EMAs of G G^T and G^T G (beta_s = beta2); step 1 only initializes L, R and the
    eigenbases (eigh of L + 1e-30 I, columns in descending eigenvalue order) and does not move the weights; then
    m <- b1 m + (1-b1) G; v <- b2 v + (1-b2) (Q_L^T G Q_R)^2 (old bases); N = Q_L [(Q_L^T m Q_R)/(sqrt(v)+eps)] Q_R^T;
    theta <- theta - lr*sqrt(bc2)/bc1 * N; theta <- theta - lr*wd*theta; then L, R updated with G and, every f steps,
    the bases refreshed by one power iteration: sort columns by diag(Q^T L Q) descending (v's axis permuted alike),
    Q <- qr(L Q). bc counts updates (the skipped first step excluded). 1-D tensors: plain Adam (no rotation); sides
    longer than max_dim stay unrotated; >2-D tensors as (size(0), -1)."""

    def __init__(self, params, lr=3e-3, betas=(0.95, 0.95), eps=1e-8, weight_decay=0.01, frequency=10, max_dim=10000):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, frequency=frequency,
                                      max_dim=max_dim))

    @staticmethod
    def _project(x, qs, back=False):
        ql, qr = qs
        if ql is not None:
            x = ql @ x if back else ql.T @ x
        if qr is not None:
            x = x @ qr.T if back else x @ qr
        return x

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.reshape(p.size(0), -1) if p.dim() >= 2 else p.grad
                state = self.state[p]
                matrix = p.dim() >= 2
                if not state:
                    state["t"] = 0
                    state["m"] = torch.zeros_like(g)
                    state["v"] = torch.zeros_like(g)
                    if matrix:
                        sides = [g.size(0) <= group["max_dim"], g.size(1) <= group["max_dim"]]
                        state["L"] = torch.zeros(g.size(0), g.size(0), dtype=g.dtype) if sides[0] else None
                        state["R"] = torch.zeros(g.size(1), g.size(1), dtype=g.dtype) if sides[1] else None
                        self._update_stats(state, g, b2)
                        qs = []
                        for s in (state["L"], state["R"]):
                            if s is None:
                                qs.append(None)
                                continue
                            _, q = torch.linalg.eigh(s + 1e-30 * torch.eye(s.size(0), dtype=s.dtype))
                            qs.append(torch.flip(q, [1]))
                        state["Q"] = qs
                    continue
                state["t"] += 1
                t = state["t"]
                m, v = state["m"], state["v"]
                m.mul_(b1).add_(g, alpha=1 - b1)
                if matrix:
                    gp = self._project(g, state["Q"])
                    v.mul_(b2).addcmul_(gp, gp, value=1 - b2)
                    n = self._project(self._project(m, state["Q"]) / (v.sqrt() + group["eps"]), state["Q"], back=True)
                else:
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    n = m / (v.sqrt() + group["eps"])
                bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
                lr = group["lr"]
                p.sub_(n.view_as(p), alpha=lr * math.sqrt(bc2) / bc1)
                p.mul_(1 - lr * group["weight_decay"])
                if matrix:
                    self._update_stats(state, g, b2)
                    if t % group["frequency"] == 0:
                        self._refresh(state)

    @staticmethod
    def _update_stats(state, g, beta):
        if state["L"] is not None:
            state["L"].mul_(beta).add_(g @ g.T, alpha=1 - beta)
        if state["R"] is not None:
            state["R"].mul_(beta).add_(g.T @ g, alpha=1 - beta)

    @staticmethod
    def _refresh(state):
        v = state["v"]
        qs = state["Q"]
        for axis, key in ((0, "L"), (1, "R")):
            s, q = state[key], qs[axis]
            if s is None:
                continue
            order = torch.argsort(torch.diag(q.T @ s @ q), descending=True)
            v = v.index_select(axis, order)
            q = q[:, order]
            qs[axis], _ = torch.linalg.qr(s @ q)
        state["v"].copy_(v)


def rademacher(p, gen):
    return torch.randint(0, 2, p.shape, generator=gen).to(p.dtype) * 2 - 1


class AdaHessian(torch.optim.Optimizer):
    """AdaHessian (Yao et al., arXiv 2006.00719): D = |z*(Hz)| with z Rademacher (Hutchinson), spatially averaged over
    (kh, kw) for 4-D kernels; m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) D^2; theta <- theta*(1 - lr*wd) -
    lr*(m/bc1)/((sqrt(v/bc2))^k + eps). One generator (seeded) draws z for every parameter in order."""
    requires_closure = True
    create_graph = True

    def __init__(self, params, lr=0.15, betas=(0.9, 0.999), eps=1e-4, weight_decay=0.0, hessian_power=1.0, seed=0,
                 update_period=1):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, hessian_power=hessian_power))
        self.gen = torch.Generator().manual_seed(seed)
        self.period = update_period
        self.t = 0

    def step(self, closure):
        loss = closure()
        self.t += 1
        ps = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
        grads = [p.grad for p in ps]
        if (self.t - 1) % self.period == 0:
            zs = [rademacher(p, self.gen) for p in ps]
            hzs = torch.autograd.grad(grads, ps, grad_outputs=zs)
            for p, z, hz in zip(ps, zs, hzs):
                d = (z * hz).abs()
                if p.dim() == 4:
                    d = d.mean(dim=[2, 3], keepdim=True).expand_as(p)
                self.state[p]["d"] = d.detach()
        with torch.no_grad():
            for group in self.param_groups:
                b1, b2 = group["betas"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    st = self.state[p]
                    if "m" not in st:
                        st["step"] = 0
                        st["m"] = torch.zeros_like(p)
                        st["v"] = torch.zeros_like(p)
                    st["step"] += 1
                    t = st["step"]
                    g = p.grad.detach()
                    st["m"].mul_(b1).add_(g, alpha=1 - b1)
                    if (self.t - 1) % self.period == 0:
                        st["v"].mul_(b2).addcmul_(st["d"], st["d"], value=1 - b2)
                    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
                    lr = group["lr"]
                    p.mul_(1 - lr * group["weight_decay"])
                    denom = (st["v"] / bc2).sqrt().pow(group["hessian_power"]).add_(group["eps"])
                    p.addcdiv_(st["m"], denom, value=-lr / bc1)
        for p in ps:
            p.grad = None
        return loss


class SophiaH(torch.optim.Optimizer):
    """Sophia (Liu et al., arXiv 2305.14342) with the Hutchinson estimator (Sophia-H): m <- b1 m + (1-b1) g; every k
    steps (steps 1, k+1, ...) h <- b2 h + (1-b2) z*(Hz); theta <- theta*(1 - lr*wd);
    theta <- theta - lr*clip(m/max(gamma*h, eps), -1, 1)."""
    requires_closure = True
    create_graph = True

    def __init__(self, params, lr=1e-4, betas=(0.965, 0.99), gamma=0.01, eps=1e-12, weight_decay=0.1, period=10, seed=0):
        super().__init__(params, dict(lr=lr, betas=betas, gamma=gamma, eps=eps, weight_decay=weight_decay))
        self.gen = torch.Generator().manual_seed(seed)
        self.period = period
        self.t = 0

    def step(self, closure):
        loss = closure()
        self.t += 1
        ps = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
        refresh = (self.t - 1) % self.period == 0
        if refresh:
            zs = [rademacher(p, self.gen) for p in ps]
            hzs = torch.autograd.grad([p.grad for p in ps], ps, grad_outputs=zs)
            for p, z, hz in zip(ps, zs, hzs):
                self.state[p]["est"] = (z * hz).detach()
        with torch.no_grad():
            for group in self.param_groups:
                b1, b2 = group["betas"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    st = self.state[p]
                    if "m" not in st:
                        st["m"] = torch.zeros_like(p)
                        st["h"] = torch.zeros_like(p)
                    g = p.grad.detach()
                    st["m"].mul_(b1).add_(g, alpha=1 - b1)
                    if refresh:
                        st["h"].mul_(b2).add_(st["est"], alpha=1 - b2)
                    lr = group["lr"]
                    p.mul_(1 - lr * group["weight_decay"])
                    ratio = (st["m"] / (st["h"] * group["gamma"]).clamp(min=group["eps"])).clamp(-1, 1)
                    p.sub_(ratio, alpha=lr)
        for p in ps:
            p.grad = None
        return loss


def unit_norm(x):
    """Norm per output unit (dims 1.. for >= 2-D tensors, keepdim), or of the whole tensor for 0/1-D."""
    if x.dim() <= 1:
        return x.norm()
    return x.norm(dim=tuple(range(1, x.dim())), keepdim=True)


class Ranger21(torch.optim.Optimizer):
    """Ranger21 (Wright & Demeure, arXiv 2106.13731), from the paper and the official description:
    per tensor AGC (unit-wise, clip 1e-2, eps 1e-3) -> gradient centralization (>= 2-D) -> gradient normalization
    g/(std(g)+1e-8) (numel > 2); v <- b2 v + (1-b2) g^2 (AMSGrad optional, done correctly); positive-negative momentum:
    the EMA (decay b1^2) of the current parity gets g, p = ((1+f) m_cur - f m_other)/sqrt((1+b2)^2 + b2^2);
    lr_t = lr*min(1, t/W) (W = min(ceil(2/(1-b2)), 0.22 T)) and, after 0.72 T, a linear warm-down to 3e-5;
    stable decay theta <- theta*(1 - wd*lr_t/sqrt(mean of all v_hat)); norm loss theta <- theta*(1 - lr_t*2*nl*(1 - 1/(||theta_unit||+eps)));
    theta <- theta - lr_t/bc1 * p / softplus_50(sqrt(v_hat)+eps); Lookahead every 5 steps with alpha 0.5."""

    def __init__(self, params, lr=1e-3, total=1000, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4, agc=1e-2,
                 agc_eps=1e-3, softplus_beta=50.0, norm_loss=1e-4, la_k=5, la_alpha=0.5, pnm=1.0, amsgrad=False,
                 warmup_pct=0.22, warmdown_start=0.72, warmdown_min_lr=3e-5):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))
        self.c = dict(total=total, agc=agc, agc_eps=agc_eps, sp=softplus_beta, nl=norm_loss, k=la_k, a=la_alpha, pnm=pnm,
                      ams=amsgrad, warmup_pct=warmup_pct, wd_start=warmdown_start, wd_min=warmdown_min_lr)
        self.t = 0

    def lr_at(self, lr, b2):
        c, t = self.c, self.t
        warm = min(math.ceil(2 / (1 - b2)), int(c["warmup_pct"] * c["total"]))
        if warm > 0:
            lr = lr * min(1.0, t / warm)
        start = int(c["wd_start"] * c["total"])
        if t > start and c["total"] > start:
            lr = max(c["wd_min"], lr - (lr - c["wd_min"]) * (t - start) / (c["total"] - start))
        return lr

    @torch.no_grad()
    def step(self):
        c = self.c
        self.t += 1
        t = self.t
        grads = {}
        vsum, count = 0.0, 0
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.clone()
                pn = unit_norm(p).clamp(min=c["agc_eps"])
                gn = unit_norm(g)
                limit = pn * c["agc"]
                g = torch.where(gn > limit, g * (limit / gn.clamp(min=1e-6)), g)
                if g.dim() > 1:
                    g = g - g.mean(dim=tuple(range(1, g.dim())), keepdim=True)
                if g.numel() > 2:
                    g = g / (g.std() + 1e-8)
                grads[p] = g
                st = self.state[p]
                if not st:
                    st["m"] = torch.zeros_like(p)
                    st["m_neg"] = torch.zeros_like(p)
                    st["v"] = torch.zeros_like(p)
                    st["slow"] = p.detach().clone()
                    if c["ams"]:
                        st["v_max"] = torch.zeros_like(p)
                st["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
                v = st["v"]
                if c["ams"]:
                    st["v_max"].copy_(torch.maximum(st["v_max"], v))
                    v = st["v_max"]
                vsum += (v / (1 - b2 ** t)).sum().item()
                count += p.numel()
        vnorm = math.sqrt(vsum / count)
        for group in self.param_groups:
            b1, b2 = group["betas"]
            lr = self.lr_at(group["lr"], b2)
            for p in group["params"]:
                if p not in grads:
                    continue
                g, st = grads[p], self.state[p]
                p.mul_(1 - group["weight_decay"] * lr / vnorm)
                un = unit_norm(p)
                correction = 2 * c["nl"] * (1 - 1 / (un + group["eps"]))
                p.mul_(1 - lr * correction)
                cur, other = (st["m"], st["m_neg"]) if t % 2 == 1 else (st["m_neg"], st["m"])
                b1sq = b1 * b1
                cur.mul_(b1sq).add_(g, alpha=1 - b1sq)
                direction = (cur * (1 + c["pnm"]) - other * c["pnm"]) / math.sqrt((1 + b2) ** 2 + b2 ** 2)
                v = st["v_max"] if c["ams"] else st["v"]
                denom = ((v / (1 - b2 ** t)).sqrt() + group["eps"])
                denom = torch.nn.functional.softplus(denom, beta=c["sp"])
                p.addcdiv_(direction, denom, value=-lr / (1 - b1 ** t))
                if t % c["k"] == 0:
                    st["slow"].add_(p - st["slow"], alpha=c["a"])
                    p.copy_(st["slow"])


class Gravity(torch.optim.Optimizer):
    """Gravity (Bahrami & Zadeh, arXiv 2101.09192): M = 1/max|g|; zeta = g/(1 + (g/M)^2); beta_t = (beta t + 1)/(t + 2);
    v <- beta_t v + (1 - beta_t) zeta; theta <- theta - lr v; v_0 ~ N(0, (alpha/lr)^2) drawn from a generator seeded
    with seed + (the parameter's index in the optimizer)."""

    def __init__(self, params, lr=1e-2, alpha=1e-2, beta=0.9, seed=0):
        super().__init__(params, dict(lr=lr, alpha=alpha, beta=beta))
        self.seed = seed

    @torch.no_grad()
    def step(self):
        index = 0
        for group in self.param_groups:
            for p in group["params"]:
                index += 1
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    gen = torch.Generator().manual_seed(self.seed + index - 1)
                    st["v"] = torch.empty_like(p).normal_(0, group["alpha"] / group["lr"], generator=gen)
                    st["t"] = 0
                st["t"] += 1
                t = st["t"]
                g = p.grad
                gmax = g.abs().max()
                zeta = g / (1 + (g * gmax) ** 2)
                bt = (group["beta"] * t + 1) / (t + 2)
                st["v"].mul_(bt).add_(zeta, alpha=1 - bt)
                p.sub_(st["v"], alpha=group["lr"])


class NagGs(torch.optim.Optimizer):
    """NAG-GS (Leplat et al., arXiv 2209.14937): v_0 = theta; b = alpha mu/(alpha mu + gamma);
    v <- (1-b) v + b theta - (b/mu) g; gamma <- (alpha mu + gamma)/(1 + alpha); theta <- (theta + alpha v)/(1 + alpha).
    alpha is the learning rate."""

    def __init__(self, params, lr=1e-2, mu=1.0, gamma=1.0):
        super().__init__(params, dict(lr=lr, mu=mu, gamma=gamma))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            a, mu = group["lr"], group["mu"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["v"] = p.detach().clone()
                    st["gamma"] = group["gamma"]
                gamma = st["gamma"]
                b = a * mu / (a * mu + gamma)
                v = st["v"]
                v.mul_(1 - b).add_(p, alpha=b).add_(p.grad, alpha=-b / mu)
                st["gamma"] = (a * mu + gamma) / (1 + a)
                p.add_(v, alpha=a).div_(1 + a)


class Ano(torch.optim.Optimizer):
    """ANO (Kegreisz, "Faster is Better in Noisy Landscape", arXiv 2508.18258), the Yogi-style form of zoo.md:
    m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) sign(g^2 - v) g^2; theta <- theta*(1 - lr*wd);
    theta <- theta - lr*|g|*sign(m)/(sqrt(v/bc2) + eps). Anolog: b1_t = 1 - 1/ln(max(2, t))."""

    def __init__(self, params, lr=1e-4, betas=(0.92, 0.99), eps=1e-8, weight_decay=0.0, log_beta1=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, log_beta1=log_beta1))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["t"] = 0
                    st["m"] = torch.zeros_like(p)
                    st["v"] = torch.zeros_like(p)
                st["t"] += 1
                t = st["t"]
                beta1 = 1 - 1 / math.log(max(2, t)) if group["log_beta1"] else b1
                g = p.grad
                st["m"].mul_(beta1).add_(g, alpha=1 - beta1)
                g2 = g * g
                st["v"].mul_(b2).add_(torch.sign(g2 - st["v"]) * g2, alpha=1 - b2)
                lr = group["lr"]
                p.mul_(1 - lr * group["weight_decay"])
                p.addcdiv_(g.abs() * torch.sign(st["m"]), adam_denominator(st["v"], 1 - b2 ** t, group["eps"]), value=-lr)


class AuOn(torch.optim.Optimizer):
    """AuON (Maity, arXiv 2509.24320): B <- mu B + (1-mu) G; U = G + mu(B - G) (Nesterov) or B, as (size(0), -1);
    X = U/(||U||_F + 1e-7); O = X/(sqrt(mean(cosh(X)^2)) + 1e-8); theta <- theta*(1 - lr wd) - lr*sqrt(max(1, m/n))*O."""

    def __init__(self, params, lr=0.08, momentum=0.95, nesterov=True, weight_decay=0.01):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["b"] = torch.zeros_like(p)
                u = momentum_direction(st["b"], p.grad, mu, group["nesterov"]).reshape(p.size(0), -1)
                x = u / (u.norm() + 1e-7)
                o = x / (torch.cosh(x).square().mean().sqrt() + 1e-8)
                rows, cols = u.shape
                lr = group["lr"]
                p.mul_(1 - lr * group["weight_decay"])
                p.sub_(o.view_as(p), alpha=lr * shape_scale("original", rows, cols))


class Root(torch.optim.Optimizer):
    """ROOT (He et al., arXiv 2511.20626), TorchZoo's reading: M <- mu M + g; eps = threshold, or (threshold = 0) the
    q-quantile of |M| (the sorted value at index floor(q (N-1))); B = clamp(M, -eps, eps) (M minus its soft-thresholded
    outliers); O = NS5(B) with Muon's coefficients; theta <- theta*(1 - lr wd) - lr*sqrt(max(1, m/n))*O."""

    def __init__(self, params, lr=0.02, momentum=0.95, threshold=0.0, quantile=0.99, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, threshold=threshold, quantile=quantile,
                                      weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["m"] = torch.zeros_like(p)
                m = st["m"]
                m.mul_(group["momentum"]).add_(p.grad)
                mat = m.reshape(p.size(0), -1)
                eps = group["threshold"]
                if eps == 0:
                    flat, _ = mat.abs().flatten().sort()
                    eps = flat[int(math.floor(group["quantile"] * (flat.numel() - 1)))].item()
                b = mat.clamp(-eps, eps)
                o = newton_schulz(b)
                rows, cols = mat.shape
                lr = group["lr"]
                p.mul_(1 - lr * group["weight_decay"])
                p.sub_(o.view_as(p), alpha=lr * shape_scale("original", rows, cols))


class Sania(torch.optim.Optimizer):
    """SANIA (Abdukhakimov et al., arXiv 2312.17369) with AdaGrad-SQR: B <- B + g^2 (no square root);
    step = lr*(f - f*)/(sum over all parameters of g^2/(B + eps)); theta <- theta - step*g/(B + eps)."""
    requires_closure = True

    def __init__(self, params, lr=1.0, eps=1e-8, f_star=0.0):
        super().__init__(params, dict(lr=lr, eps=eps))
        self.f_star = f_star

    def step(self, closure):
        loss = closure()
        with torch.no_grad():
            total = 0.0
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    st = self.state[p]
                    if not st:
                        st["b"] = torch.zeros_like(p)
                    st["b"].addcmul_(p.grad, p.grad)
                    total += (p.grad.square() / (st["b"] + group["eps"])).sum().item()
            gap = max(loss.item() - self.f_star, 0.0)
            for group in self.param_groups:
                step = group["lr"] * gap / total if total > 0 else 0.0
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.sub_(p.grad / (self.state[p]["b"] + group["eps"]), alpha=step)
        return loss


def _lower_median_abs_deviation(x, average):
    """median of |x - average|, the lower middle value for even counts (torch.median's convention)."""
    d = (x - average).abs().sort().values
    return d[(d.numel() - 1) // 2].item()


class Sgg(Wrapper):
    """SGG, Scaling with Gradient Grouping (Li et al., ACL 2025, arXiv 2506.01049), as TorchZoo reconstructs it from the
    paper's description: per coordinate x = sqrt(v), v an EMA (beta) of g^2 (beta = 0: x = |g|); every T steps each tensor's
    x is grouped by 1-D k-means (warm-started centres; the first time the sorted values at ranks (2j+1)n/(2K); L Lloyd
    passes), and group j gets s <- beta_s*s + (1 - beta_s)*clamp(D/(D_j + eps), s_min, s_max), D_j the lower median of
    |x - mean(x of the tensor)| over the group, D the same over every coordinate of the model around the model mean.
    Each step: theta0 = theta; inner step; theta <- theta0 + s[group]*(theta - theta0)."""

    def __init__(self, base, clusters=3, interval=100, beta=0.999, scale_beta=0.9, min_scale=0.1, max_scale=10.0,
                 iterations=10, eps=1e-8):
        super().__init__(base)
        self.k, self.interval, self.beta, self.scale_beta = clusters, interval, beta, scale_beta
        self.min_scale, self.max_scale, self.iterations, self.eps = min_scale, max_scale, iterations, eps
        self.t = 0
        self.v, self.labels, self.centres, self.scales = {}, {}, {}, {}

    def _assign(self, x, c):
        return (x[:, None] - c[None, :]).abs().argmin(dim=1)

    def _regroup(self, current):
        everything = torch.cat([x.reshape(-1) for x in current.values()])
        global_mda = _lower_median_abs_deviation(everything, everything.mean())
        for p, stat in current.items():
            x = stat.reshape(-1)
            if p in self.centres:
                c = self.centres[p]
            else:
                n = x.numel()
                c = x.sort().values[torch.tensor([(2 * j + 1) * n // (2 * self.k) for j in range(self.k)])]
            labels = self._assign(x, c)
            for _ in range(self.iterations):
                sums = torch.zeros(self.k).scatter_add(0, labels, x)
                counts = torch.zeros(self.k).scatter_add(0, labels, torch.ones_like(x))
                c = torch.where(counts > 0, sums / counts.clamp(min=1), c)
                labels = self._assign(x, c)
            mean = x.mean()
            previous = self.scales.get(p, torch.ones(self.k)).tolist()
            new = []
            for j in range(self.k):
                members = x[labels == j]
                if members.numel() == 0:
                    new.append(previous[j])
                    continue
                target = min(max(global_mda / (_lower_median_abs_deviation(members, mean) + self.eps), self.min_scale),
                             self.max_scale)
                new.append(self.scale_beta * previous[j] + (1 - self.scale_beta) * target)
            self.scales[p] = torch.tensor(new, dtype=torch.float32)
            self.centres[p] = c.clone()
            self.labels[p] = labels.clone()

    def step(self):
        with torch.no_grad():
            current = {}
            for p in self.params():
                if p.grad is None:
                    continue
                if self.beta > 0:
                    v = self.v.setdefault(p, torch.zeros_like(p))
                    v.mul_(self.beta).addcmul_(p.grad, p.grad, value=1 - self.beta)
                    current[p] = v.sqrt()
                else:
                    current[p] = p.grad.abs()
            if (self.t + 1) % self.interval == 0:
                self._regroup(current)
            before = {p: p.detach().clone() for p in current if p in self.labels}
        self.base.step()
        with torch.no_grad():
            for p, start in before.items():
                s = self.scales[p][self.labels[p]].view(p.shape)
                p.copy_(start + (p - start) * s)
        self.t += 1


def _min_max(z):
    """AdaFisher's Min-Max normalization (z - min)/(max - min + 1e-6)."""
    mn = z.min()
    return (z - mn) / ((z.max() - mn) + 1e-6)


class AdaFisher(StepCountedReference):
    """AdaFisher (Gomes et al., ICLR 2025, arXiv 2405.16397) as TorchZoo reads the paper: per Linear layer, EMAs (gamma,
    from zeros) of the diagonals of the input covariance H = mean_rows([x, 1]^2) and of the output-gradient covariance
    S = mean_rows(delta^2); F = N(S) (x) N(H) + damping with Min-Max normalization N; m <- beta*m + (1-beta)*g;
    theta <- theta*(1 - lr*wd) - lr*(m/(1 - beta^t))/F (no square root). Parameters outside a layer: D <- gamma*D +
    (1-gamma)*g^2, F = N(D) + damping. The trajectory script feeds each layer's input and output gradient through
    observe() before step()."""
    observes_layers = True

    def __init__(self, params, lr=1e-3, beta=0.9, gamma=0.8, damping=1e-3, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, beta=beta, gamma=gamma, damping=damping, weight_decay=weight_decay))
        self.layers = {}
        self.pending = {}

    def add_layers(self, layers):
        self.layers = dict(layers)

    def observe(self, name, layer_input, output_grad):
        weight, bias = self.layers[name]
        h = layer_input.reshape(-1, weight.shape[1]).square().mean(dim=0)
        if bias is not None:
            h = torch.cat([h, torch.ones(1)])
        s = output_grad.reshape(-1, weight.shape[0]).square().mean(dim=0)
        self.pending[name] = (h, s)

    @torch.no_grad()
    def step(self):
        gamma = self.param_groups[0]["gamma"]
        for name, (h_new, s_new) in self.pending.items():
            state = self.state[self.layers[name][0]]
            state.setdefault("H", torch.zeros_like(h_new)).mul_(gamma).add_(h_new / 1, alpha=1 - gamma)
            state.setdefault("S", torch.zeros_like(s_new)).mul_(gamma).add_(s_new / 1, alpha=1 - gamma)
        self.pending = {}
        super().step()

    def _fisher(self, p, g, state, group):
        for weight, bias in self.layers.values():
            if p is weight:
                h, s = self.state[weight]["H"], self.state[weight]["S"]
                h_in = h[:-1] if bias is not None else h
                return (_min_max(s)[:, None] * _min_max(h_in)[None, :]).add_(group["damping"])
            if bias is not None and p is bias:
                h, s = self.state[weight]["H"], self.state[weight]["S"]
                return (_min_max(s) * _min_max(h)[-1]).add_(group["damping"])
        d = state.setdefault("D", torch.zeros_like(p))
        d.mul_(group["gamma"]).addcmul_(g, g, value=1 - group["gamma"])
        return _min_max(d).add_(group["damping"])

    def update(self, p, g, state, group):
        m = state.setdefault("m", torch.zeros_like(p))
        m.mul_(group["beta"]).add_(g, alpha=1 - group["beta"])
        fisher = self._fisher(p, g, state, group)
        lr, wd = group["lr"], group["weight_decay"]
        if wd != 0:
            p.mul_(1 - lr * wd)
        p.addcdiv_(m, fisher, value=-lr / (1 - group["beta"] ** state["step"]))
