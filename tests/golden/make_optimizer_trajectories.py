"""Writes the optimizer golden trajectories that tests/Trainers.Tests compares against.

Run: /usr/bin/python3 tests/golden/make_optimizer_trajectories.py   (Debian's python3-torch 1.13)

For every (optimizer configuration, problem) pair it runs 20 steps and stores, per step, the gradient fed
to the optimizer and the parameters after the step, as one safetensors file per pair in tests/golden/optim/.
The C# test feeds the same gradients to our optimizer and compares parameters after every step, so it
checks the update rule itself. torch.optim is the reference where it has the optimizer; otherwise the
references in optim_reference.py, written from the papers.
"""
import json
import os
import struct

import torch

import optim_reference as ref

STEPS = 20
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "optim")


def problem_quadratic():
    g = torch.Generator().manual_seed(1)
    a = torch.rand(10, generator=g) * 2 + 0.1
    b = torch.randn(10, generator=g)
    params = {"x": torch.randn(10, generator=g)}
    return params, lambda p: 0.5 * (a * (p["x"] - b) ** 2).sum()


def problem_mlp():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(16, 4, generator=g)
    y = torch.randn(16, 1, generator=g)
    params = {
        "fc1.weight": torch.randn(8, 4, generator=g) * 0.5,
        "fc1.bias": torch.randn(8, generator=g) * 0.1,
        "fc2.weight": torch.randn(1, 8, generator=g) * 0.5,
        "fc2.bias": torch.randn(1, generator=g) * 0.1,
    }

    def loss(p):
        h = torch.tanh(x @ p["fc1.weight"].T + p["fc1.bias"])
        return ((h @ p["fc2.weight"].T + p["fc2.bias"] - y) ** 2).mean()

    return params, loss


def problem_matrix():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(32, 16, generator=g)
    y = torch.randn(64, 16, generator=g)
    params = {"weight": torch.randn(64, 32, generator=g) * 0.1}
    return params, lambda p: ((p["weight"] @ x - y) ** 2).mean()


PROBLEMS = {"quadratic": problem_quadratic, "mlp": problem_mlp, "matrix": problem_matrix}


def routed(matrix_factory, fallback_factory):
    """Hidden matrices (2-D or more) to the matrix optimizer, the rest to the fallback, as TorchZoo routes."""

    def build(named):
        matrices = [p for n, p in named if p.dim() >= 2]
        others = [p for n, p in named if p.dim() < 2]
        optimizers = []
        if matrices:
            optimizers.append(matrix_factory(matrices))
        if others:
            optimizers.append(fallback_factory(others))
        return optimizers

    return build


def single(factory):
    return lambda named: [factory([p for _, p in named])]


ADAMW_FALLBACK = lambda ps: torch.optim.AdamW(ps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

# name, registry name, our options (C# property names), builder, problems
CONFIGS = [
    ("sgd", "sgd", {"LearningRate": 0.05}, single(lambda ps: torch.optim.SGD(ps, lr=0.05)), ["quadratic", "mlp"]),
    ("sgd_momentum_wd", "sgd", {"LearningRate": 0.05, "Momentum": 0.9, "Dampening": 0.1, "WeightDecay": 0.01},
     single(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)), ["quadratic", "mlp"]),
    ("sgd_nesterov", "sgd", {"LearningRate": 0.05, "Momentum": 0.9, "Nesterov": True},
     single(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)), ["quadratic", "mlp"]),
    ("sgd_maximize", "sgd", {"LearningRate": 0.05, "Momentum": 0.5, "Maximize": True},
     single(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.5, maximize=True)), ["quadratic"]),
    ("adam", "adam", {"LearningRate": 0.01}, single(lambda ps: torch.optim.Adam(ps, lr=0.01)), ["quadratic", "mlp", "matrix"]),
    ("adam_l2_betas", "adam", {"LearningRate": 0.02, "Beta1": 0.8, "Beta2": 0.99, "Eps": 1e-6, "WeightDecay": 0.05},
     single(lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)), ["quadratic", "mlp"]),
    ("adam_amsgrad", "adam", {"LearningRate": 0.01, "AmsGrad": True},
     single(lambda ps: torch.optim.Adam(ps, lr=0.01, amsgrad=True)), ["quadratic", "mlp"]),
    ("adamw", "adamw", {"LearningRate": 0.01, "WeightDecay": 0.1},
     single(lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1)), ["quadratic", "mlp", "matrix"]),
    ("adamw_amsgrad", "adamw", {"LearningRate": 0.01, "AmsGrad": True},
     single(lambda ps: torch.optim.AdamW(ps, lr=0.01, amsgrad=True)), ["quadratic", "mlp"]),
    ("adamw_maximize", "adamw", {"LearningRate": 0.01, "Maximize": True},
     single(lambda ps: torch.optim.AdamW(ps, lr=0.01, maximize=True)), ["quadratic"]),
    ("lion", "lion", {"LearningRate": 0.003, "WeightDecay": 0.1},
     single(lambda ps: ref.Lion(ps, lr=0.003, weight_decay=0.1)), ["quadratic", "mlp", "matrix"]),
    ("muon", "muon", {"LearningRate": 0.01},
     routed(lambda ps: ref.Muon(ps, lr=0.01), ADAMW_FALLBACK), ["mlp", "matrix"]),
    ("muon_original_plain", "muon", {"LearningRate": 0.02, "Scale": "Original", "Nesterov": False, "WeightDecay": 0.0},
     routed(lambda ps: ref.Muon(ps, lr=0.02, scale="original", nesterov=False, weight_decay=0.0), ADAMW_FALLBACK), ["matrix"]),
    ("muon_rms_to_rms", "muon", {"LearningRate": 0.02, "Scale": "RmsToRms"},
     routed(lambda ps: ref.Muon(ps, lr=0.02, scale="rms_to_rms"), ADAMW_FALLBACK), ["matrix"]),
    ("reg", "reg", {"LearningRate": 0.01}, routed(lambda ps: ref.Reg(ps, lr=0.01), ADAMW_FALLBACK), ["mlp", "matrix"]),
    ("reg_ruiz3_p1", "reg", {"LearningRate": 0.01, "NormPower": 1.0, "BalancingPasses": 3, "Nesterov": False},
     routed(lambda ps: ref.Reg(ps, lr=0.01, p=1.0, passes=3, nesterov=False), ADAMW_FALLBACK), ["matrix"]),
]


def save_safetensors(path, tensors, metadata):
    """Minimal safetensors writer (float32 only), our own, so no extra package is needed."""
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().float()
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for b in blobs:
            f.write(b)


def run(config, problem_name):
    label, registry, options, build, _ = config
    params, loss_fn = PROBLEMS[problem_name]()
    live = {n: p.clone().requires_grad_(True) for n, p in params.items()}
    names = list(live)
    optimizers = build([(n, live[n]) for n in names])
    record = {f"init.{n}": live[n].detach().clone() for n in names}
    for step in range(1, STEPS + 1):
        for opt in optimizers:
            opt.zero_grad()
        loss = loss_fn(live)
        loss.backward()
        for n in names:
            record[f"step{step}.grad.{n}"] = live[n].grad.detach().clone()
        for opt in optimizers:
            opt.step()
        for n in names:
            record[f"step{step}.param.{n}"] = live[n].detach().clone()
    metadata = {
        "optimizer": registry,
        "options": json.dumps(options),
        "problem": problem_name,
        "parameters": json.dumps(names),
        "steps": str(STEPS),
        "reference": "torch.optim " + torch.__version__ if registry in ("sgd", "adam", "adamw") else "tests/golden/optim_reference.py",
    }
    save_safetensors(os.path.join(OUT, f"{label}__{problem_name}.safetensors"), record, metadata)


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".safetensors"):
            os.remove(os.path.join(OUT, f))
    count = 0
    for config in CONFIGS:
        for problem in config[4]:
            run(config, problem)
            count += 1
    print(f"wrote {count} trajectories to {OUT}")


if __name__ == "__main__":
    main()
