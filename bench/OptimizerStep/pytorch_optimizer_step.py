#!/usr/bin/python3
"""PyTorch side of the OptimizerStep benchmark (run with Debian's /usr/bin/python3 and python3-torch).

One optimizer step over a ViT-B-sized parameter set (12 blocks of qkv 768x2304, proj 768x768, fc1 768x3072,
fc2 3072x768, their biases and two LayerNorms: 85.05M parameters), fixed random gradients, float32 on the CPU.

* ``--serve``: the C# program (bench/OptimizerStep) starts this script once and sends one command per line on
  stdin; each answer is one JSON line on stdout, so both sides' blocks interleave in the same run.
* standalone: ``/usr/bin/python3 bench/OptimizerStep/pytorch_optimizer_step.py --threads 2`` prints the PyTorch
  step times alone (a quick look, not a ratio).

Commands (``--serve``):
  info                        -> versions, threads, parameter count
  threads N                   -> torch.set_num_threads(N)
  run CASE MODE WARM REPS     -> seconds of each of REPS steps after WARM untimed steps of a fresh optimizer,
                                 and the optimizer's state bytes; MODE is "single" or "foreach"
  quit

Cases: adamw, adam, sgd (torch.optim, MODE picks foreach=False/True); lion, reg, muon (written here, the way a
PyTorch user writes them from the papers: per-tensor loops; MODE picks the foreach flag of the AdamW that REG and
Muon use for biases and norms).
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch

# The parameter set, in the same order and with the same names as the C# side.
def vit_b_shapes():
    shapes = []
    for i in range(12):
        b = f"blocks.{i}."
        shapes += [
            (b + "norm1.weight", (768,)), (b + "norm1.bias", (768,)),
            (b + "attn.qkv.weight", (768, 2304)), (b + "attn.qkv.bias", (2304,)),
            (b + "attn.proj.weight", (768, 768)), (b + "attn.proj.bias", (768,)),
            (b + "norm2.weight", (768,)), (b + "norm2.bias", (768,)),
            (b + "mlp.fc1.weight", (768, 3072)), (b + "mlp.fc1.bias", (3072,)),
            (b + "mlp.fc2.weight", (3072, 768)), (b + "mlp.fc2.bias", (768,)),
        ]
    return shapes


_params = None


def parameters():
    """The parameters with fixed random gradients (created once; steps move them, which timing does not mind)."""
    global _params
    if _params is None:
        gen = torch.Generator().manual_seed(1)
        _params = []
        for _, shape in vit_b_shapes():
            p = torch.nn.Parameter(torch.randn(shape, generator=gen) * 0.02)
            p.grad = torch.randn(shape, generator=gen)
            _params.append(p)
    return _params


class Lion(torch.optim.Optimizer):
    """Lion (Chen et al., arXiv 2302.06675), straightforward: the update rule per tensor."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                update = exp_avg.mul(beta1).add_(p.grad, alpha=1 - beta1).sign_()
                p.mul_(1 - lr * wd)
                p.add_(update, alpha=-lr)
                exp_avg.mul_(beta2).add_(p.grad, alpha=1 - beta2)


class Reg(torch.optim.Optimizer):
    """REG as reconstructed in DESIGN.md, straightforward: Nesterov momentum, one RACS pass (p = 2), RMS matched
    to 0.2, decoupled weight decay; for 2-D parameters (the caller routes the rest to AdamW)."""

    def __init__(self, params, lr=1e-3, momentum=0.95, weight_decay=0.01, target_rms=0.2, eps=1e-8):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, target_rms=target_rms, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu, wd, rho, eps = group["lr"], group["momentum"], group["weight_decay"], group["target_rms"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                buf = state["momentum_buffer"]
                buf.lerp_(g, 1 - mu)
                u = g.lerp(buf, mu)
                r = u.norm(p=2, dim=1, keepdim=True)
                c = u.norm(p=2, dim=0, keepdim=True)
                x = u * (r + eps).rsqrt() * (c + eps).rsqrt()
                x.mul_(rho / (x.square().mean().sqrt().item() + eps))
                p.mul_(1 - lr * wd)
                p.add_(x, alpha=-lr)


def newton_schulz5(g, steps=5, eps=1e-7):
    """Muon's quintic Newton-Schulz iteration (Keller Jordan's code), float32 on the CPU."""
    a, b, c = (3.4445, -4.7750, 2.0315)
    x = g.float()
    transposed = g.size(0) > g.size(1)
    if transposed:
        x = x.T
    x = x / (x.norm() + eps)
    for _ in range(steps):
        A = x @ x.T
        B = b * A + c * A @ A
        x = a * x + B @ x
    if transposed:
        x = x.T
    return x


class Muon(torch.optim.Optimizer):
    """Muon for 2-D parameters: Nesterov momentum, NS5, scale 0.2·sqrt(max(m, n)) (AdamW-matched), decoupled decay."""

    def __init__(self, params, lr=1e-3, momentum=0.95, weight_decay=0.01):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                buf = state["momentum_buffer"]
                buf.lerp_(g, 1 - mu)
                u = g.lerp(buf, mu)
                o = newton_schulz5(u)
                p.mul_(1 - lr * wd)
                p.add_(o, alpha=-lr * 0.2 * math.sqrt(max(p.size(0), p.size(1))))


class Routed:
    """A matrix optimizer for the 2-D parameters and AdamW for the rest, as REG and Muon are used."""

    def __init__(self, matrix, fallback):
        self.parts = [matrix, fallback]

    def step(self):
        for o in self.parts:
            o.step()

    def state_tensors(self):
        return [t for o in self.parts for s in o.state.values() for t in s.values() if torch.is_tensor(t)]


def make(case, mode):
    params = parameters()
    foreach = mode == "foreach"
    if mode not in ("single", "foreach"):
        raise ValueError("unknown mode " + mode)
    matrices = [p for p in params if p.dim() == 2]
    others = [p for p in params if p.dim() < 2]
    if case == "adamw":
        return torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01, foreach=foreach)
    if case == "adam":
        return torch.optim.Adam(params, lr=1e-3, foreach=foreach)
    if case == "sgd":
        return torch.optim.SGD(params, lr=1e-2, momentum=0.9, foreach=foreach)
    if case == "lion":
        return Lion(params, lr=1e-4, weight_decay=0.1)
    if case == "reg":
        return Routed(Reg(matrices), torch.optim.AdamW(others, lr=1e-3, weight_decay=0.01, foreach=foreach))
    if case == "muon":
        return Routed(Muon(matrices), torch.optim.AdamW(others, lr=1e-3, weight_decay=0.01, foreach=foreach))
    raise ValueError("unknown case " + case)


def state_bytes(opt):
    tensors = opt.state_tensors() if isinstance(opt, Routed) else \
        [t for s in opt.state.values() for t in s.values() if torch.is_tensor(t)]
    return sum(t.numel() * t.element_size() for t in tensors)


def run(case, mode, warm, reps):
    opt = make(case, mode)
    for _ in range(warm):
        opt.step()
    seconds = []
    for _ in range(reps):
        t0 = time.perf_counter()
        opt.step()
        seconds.append(time.perf_counter() - t0)
    result = {"seconds": seconds, "state_bytes": state_bytes(opt)}
    del opt
    return result


def info():
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in parameters()),
        "tensors": len(parameters()),
    }


def serve():
    torch.set_grad_enabled(False)
    out = sys.stdout
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            cmd = words[0]
            if cmd == "quit":
                break
            if cmd == "info":
                answer = info()
            elif cmd == "threads":
                torch.set_num_threads(int(words[1]))
                answer = {"threads": torch.get_num_threads()}
            elif cmd == "run":
                answer = run(words[1], words[2], int(words[3]), int(words[4]))
            else:
                answer = {"error": "unknown command " + cmd}
        except Exception as e:  # report, keep serving
            answer = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def standalone(args):
    torch.set_grad_enabled(False)
    torch.set_num_threads(args.threads)
    i = info()
    print(f"torch {i['torch']}, threads {i['threads']}, {i['parameters']:,} parameters in {i['tensors']} tensors")
    for case in ["adamw", "adam", "lion", "reg", "sgd", "muon"]:
        for mode in ["single", "foreach"]:
            reps = 1 if case == "muon" else 3
            r = run(case, mode, 0 if case == "muon" else 1, reps)
            print(f"{case:<6} {mode:<8} {statistics.median(r['seconds']) * 1e3:9.1f} ms/step  "
                  f"state {r['state_bytes'] / i['parameters']:.2f} B/param")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--serve", action="store_true", help="answer commands on stdin (used by the C# program)")
    p.add_argument("--threads", type=int, default=2, help="intra-op threads (standalone)")
    args = p.parse_args()
    if args.serve:
        serve()
    else:
        standalone(args)


if __name__ == "__main__":
    main()
