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
  cases GOLDEN_FOLDER         -> every case this side can run: the built-in ones below, and one per registry name of the
                                 golden configurations in GOLDEN_FOLDER (tests/golden), each with its PyTorch source,
                                 the options our side must use, its modes and whether it needs a loss closure
  run CASE MODE WARM REPS     -> seconds of each of REPS steps after WARM untimed steps of a fresh optimizer,
                                 and the optimizer's state bytes; MODE is "single" or "foreach"
  quit

Built-in cases: adamw, adam, sgd (torch.optim, MODE picks foreach=False/True); lion, reg, muon (written here, the
way a PyTorch user writes them from the papers: per-tensor loops; MODE picks the foreach flag of the AdamW that REG
and Muon use for biases and norms; Lion has no torch.optim part, so it runs in one mode).

Golden cases (every other registry name): the configuration of tests/golden/optim_configs_*.py with the fewest option
overrides for that name (the first of those in load_configs() order), built by its own builder over the named ViT-B
parameters, so the PyTorch side is configured exactly as the golden test configures ours: torch.optim's class where
torch 1.13 has the optimizer, else the paper-derived reference of tests/golden/optim_reference*.py. MODE sets the
foreach flag of every torch.optim optimizer in the build (the optimizer itself, or the AdamW fallback of a routed one,
or the optimizer a wrapper drives); a build without one runs in one mode.
"""
import argparse
import gc
import json
import math
import os
import statistics
import sys
import time

import torch

# bench/Common/openblas_core.py: beside this script in the build output, in bench/Common in the source tree.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Common"))
from openblas_core import openblas_core  # noqa: E402

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
_golden = {}  # registry name -> (label, options, builder), filled by the "cases" command
_trajectories = None  # tests/golden/make_optimizer_trajectories.py, imported by the "cases" command

BUILT_IN_MODES = {"adamw": ["single", "foreach"], "adam": ["single", "foreach"], "sgd": ["single", "foreach"],
                  "lion": ["single"], "reg": ["single", "foreach"], "muon": ["single", "foreach"]}


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


def parts_of(optimizer):
    """The optimizer and those it drives (a wrapper's base, Lookahead's inner optimizer), outermost first."""
    found = [optimizer]
    for v in vars(optimizer).values():
        if v is not optimizer and hasattr(v, "step") and hasattr(v, "param_groups"):
            found += parts_of(v)
    return found


def is_torch_optim(optimizer):
    return type(optimizer).__module__.startswith("torch.optim")


def set_foreach(optimizers, foreach):
    """The foreach flag of every torch.optim optimizer among the parts (torch 1.13 reads it per group at each step)."""
    for o in optimizers:
        for part in parts_of(o):
            if is_torch_optim(part):
                for group in part.param_groups:
                    group["foreach"] = foreach


def build_built_in(case, foreach):
    params = parameters()
    matrices = [p for p in params if p.dim() == 2]
    others = [p for p in params if p.dim() < 2]
    if case == "adamw":
        return [torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01, foreach=foreach)]
    if case == "adam":
        return [torch.optim.Adam(params, lr=1e-3, foreach=foreach)]
    if case == "sgd":
        return [torch.optim.SGD(params, lr=1e-2, momentum=0.9, foreach=foreach)]
    if case == "lion":
        return [Lion(params, lr=1e-4, weight_decay=0.1)]
    if case == "reg":
        return [Reg(matrices), torch.optim.AdamW(others, lr=1e-3, weight_decay=0.01, foreach=foreach)]
    if case == "muon":
        return [Muon(matrices), torch.optim.AdamW(others, lr=1e-3, weight_decay=0.01, foreach=foreach)]
    raise ValueError("unknown case " + case)


def make(case, mode):
    """The optimizers of one case (a routed case has two, stepped in order)."""
    if mode not in ("single", "foreach"):
        raise ValueError("unknown mode " + mode)
    if case in BUILT_IN_MODES:
        return build_built_in(case, mode == "foreach")
    if case not in _golden:
        raise ValueError("unknown case " + case + " (golden cases need the cases command first)")
    named = [(name, p) for (name, _), p in zip(vit_b_shapes(), parameters())]
    optimizers = _golden[case][2](named)
    set_foreach(optimizers, mode == "foreach")
    return optimizers


def state_bytes(optimizers):
    """Bytes of the tensors in every part's state, and of tensor lists a part keeps beside it (Lookahead's slow
    weights); parameters themselves are not state."""
    params = {id(p) for p in parameters()}
    tensors = {}

    def add(value):
        for t in value if isinstance(value, (list, tuple)) else [value]:
            if torch.is_tensor(t) and id(t) not in params:
                tensors[id(t)] = t

    for o in optimizers:
        for part in parts_of(o):
            for s in getattr(part, "state", {}).values():
                for v in s.values() if isinstance(s, dict) else [s]:
                    add(v)
            for v in vars(part).values():
                if isinstance(v, list) and v and all(torch.is_tensor(t) for t in v):
                    add(v)
    return sum(t.numel() * t.element_size() for t in tensors.values())


def load_golden(folder):
    """For every registry name of the golden configurations, the one with the fewest option overrides (the first of
    those in load_configs() order): the PyTorch side is then built exactly as the golden trajectories were."""
    global _trajectories
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import make_optimizer_trajectories
    _trajectories = make_optimizer_trajectories
    _golden.clear()
    for label, registry, options, build, _ in _trajectories.load_configs():
        if registry not in _golden or len(options) < len(_golden[registry][1]):
            _golden[registry] = (label, options, build)


def describe(registry):
    """Source, options, modes and closure need of a golden case, from a build over two tiny named parameters."""
    label, options, build = _golden[registry]
    tiny = [("blocks.0.attn.qkv.weight", torch.nn.Parameter(torch.zeros(2, 2))),
            ("blocks.0.attn.qkv.bias", torch.nn.Parameter(torch.zeros(2)))]
    optimizers = build(tiny)
    torch_parts = any(is_torch_optim(part) for o in optimizers for part in parts_of(o))
    return {"label": label, "options": options, "source": _trajectories.reference_of(optimizers[0]),
            "closure": bool(getattr(optimizers[0], "requires_closure", False)),
            "modes": ["single", "foreach"] if torch_parts else ["single"]}


def cases(folder):
    load_golden(folder)
    result = {name: {"label": name, "options": None, "modes": modes, "closure": False,
                     "source": "torch.optim " + torch.__version__ if name in ("adamw", "adam", "sgd") else
                     "bench/OptimizerStep/pytorch_optimizer_step.py"}
              for name, modes in BUILT_IN_MODES.items()}
    for registry in _golden:
        if registry not in result:
            result[registry] = describe(registry)
    return {"cases": result}


def run(case, mode, warm, reps):
    optimizers = make(case, mode)

    def step():
        for o in optimizers:
            o.step()

    for _ in range(warm):
        step()
    seconds = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t0)
    result = {"seconds": seconds, "state_bytes": state_bytes(optimizers)}
    del optimizers
    gc.collect()  # free the state before the next block (the references may hold cycles)
    return result


def info():
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "openblas_core": openblas_core(),
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
            elif cmd == "cases":
                answer = cases(line.strip()[len("cases"):].strip())
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
    for case, modes in BUILT_IN_MODES.items():
        for mode in modes:
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
