"""Writes the optimizer golden trajectories that tests/Trainers.Tests compares against.

Run: OPENBLAS_CORETYPE=Haswell /usr/bin/python3 tests/golden/make_optimizer_trajectories.py   (Debian's python3-torch 1.13)

OPENBLAS_CORETYPE=Haswell pins OpenBLAS's kernels: the committed data was written with them, and on a CPU where OpenBLAS
picks its AVX-512 kernels the MLP and matrix gradients differ in the last bits, so a regeneration without it rewrites
files whose values did not really change.

For every (optimizer configuration, problem) pair it runs 20 steps and stores, per step, the gradient fed
to the optimizer and the parameters after the step, as one safetensors file per pair in tests/golden/optim/.
The C# test feeds the same gradients to our optimizer and compares parameters after every step, so it
checks the update rule itself. torch.optim is the reference where it has the optimizer; otherwise the
references in optim_reference*.py, written from the papers.

Trainers.Tests pins the same kernels (tests/Trainers.Tests/Trainers.Tests.runsettings): SOAP's eigenbasis refresh is not
continuous in the last bits of its statistics, so only identical kernels reproduce a trajectory. Rules that normalize
eigen- or Newton-Schulz output element-wise also run on the float64 problems, where rounding noise stays far below eps.
"""
import json
import os
import struct

# OpenBLAS picks its matmul kernels by CPU, and kernels differ in the last bits of the MLP and matrix gradients. The
# committed data was made with the Haswell kernels (which every x86-64 CPU with AVX2 runs); pinning them before torch
# loads OpenBLAS keeps regeneration byte-identical on other machines (e.g. AVX-512 ones, which default to SkylakeX).
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

import torch  # noqa: E402  (after the kernel choice above)


STEPS = 20
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "optim")


def problem_quadratic():
    g = torch.Generator().manual_seed(1)
    a = torch.rand(10, generator=g) * 2 + 0.1
    b = torch.randn(10, generator=g)
    params = {"x": torch.randn(10, generator=g)}
    # The data is returned too: curvature optimizers' trajectories store it so the C# test can evaluate the loss live.
    # Every loss takes an optional `layers` dict (see LAYERS); the quadratic has no layers.
    return params, lambda p, layers=None: 0.5 * (a * (p["x"] - b) ** 2).sum(), {"a": a, "b": b}


def problem_mlp(dtype=torch.float32):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(16, 4, generator=g).to(dtype)
    y = torch.randn(16, 1, generator=g).to(dtype)
    params = {
        "fc1.weight": (torch.randn(8, 4, generator=g) * 0.5).to(dtype),
        "fc1.bias": (torch.randn(8, generator=g) * 0.1).to(dtype),
        "fc2.weight": (torch.randn(1, 8, generator=g) * 0.5).to(dtype),
        "fc2.bias": (torch.randn(1, generator=g) * 0.1).to(dtype),
    }

    def loss(p, layers=None):
        z1 = x @ p["fc1.weight"].T + p["fc1.bias"]
        h = torch.tanh(observe(layers, "fc1", x, z1))
        z2 = h @ p["fc2.weight"].T + p["fc2.bias"]
        return ((observe(layers, "fc2", h, z2) - y) ** 2).mean()

    return params, loss


def problem_matrix(dtype=torch.float32):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(32, 16, generator=g).to(dtype)
    y = torch.randn(64, 16, generator=g).to(dtype)
    params = {"weight": (torch.randn(64, 32, generator=g) * 0.1).to(dtype)}

    def loss(p, layers=None):
        # weight @ x is a Linear layer applied to the 16 columns of x: inputs x^T (16, 32), outputs (weight @ x)^T.
        z = p["weight"] @ x
        return ((observe(layers, "weight", x.T, z.T).T - y) ** 2).mean()

    return params, loss


def observe(layers, name, layer_input, layer_output):
    """With a `layers` dict, records a Linear layer's input and keeps its output's gradient (for K-FAC optimizers);
    returns the output unchanged, so the loss is computed by exactly the same operations either way."""
    if layers is not None:
        layer_output.retain_grad()
        layers[name] = (layer_input.detach(), layer_output)
    return layer_output


# The float64 twins are for rules that normalize eigen- or Newton-Schulz output element-wise (SOAP, Conda, AdaMuon,
# COSMOS, GaLore): these gradients are rank-deficient, so in float32 the null directions carry rounding noise near eps,
# which the normalization blows up to O(lr). In float64 that noise is far below eps.
PROBLEMS = {"quadratic": problem_quadratic, "mlp": problem_mlp, "matrix": problem_matrix,
            "mlp64": lambda: problem_mlp(torch.float64), "matrix64": lambda: problem_matrix(torch.float64)}
# The Linear layers of each problem: layer name -> (weight, bias or None), as the C# test declares them.
LAYERS = {"quadratic": {}, "mlp": {"fc1": ("fc1.weight", "fc1.bias"), "fc2": ("fc2.weight", "fc2.bias")},
          "matrix": {"weight": ("weight", None)}}
LAYERS["mlp64"], LAYERS["matrix64"] = LAYERS["mlp"], LAYERS["matrix"]


def load_configs():
    """CONFIGS from every optim_configs_*.py beside this script: (label, registry name, our options, builder, problems)."""
    import importlib
    configs = []
    for f in sorted(os.listdir(HERE)):
        if f.startswith("optim_configs_") and f.endswith(".py"):
            configs.extend(importlib.import_module(f[:-3]).CONFIGS)
    labels = [c[0] for c in configs]
    duplicates = {l for l in labels if labels.count(l) > 1}
    if duplicates:
        raise SystemExit(f"duplicate configuration labels: {sorted(duplicates)}")
    return configs


def save_safetensors(path, tensors, metadata):
    """Minimal safetensors writer (float32, and float64 where a problem is float64), our own, so no extra package is needed."""
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        t = t if t.dtype == torch.float64 else t.float()
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F64" if t.dtype == torch.float64 else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for b in blobs:
            f.write(b)


def reference_of(optimizer):
    """Where the reference rule lives: torch.optim, or the module of our own reference class (the first optimizer's)."""
    module = type(optimizer).__module__
    if module.startswith("torch.optim"):
        return "torch.optim " + torch.__version__
    return f"tests/golden/{module}.py"


def run_closure(optimizers, live, names, loss_fn, record):
    """Closure-driven optimizers (SAM, SANIA, AdaHessian, ...): per step and per closure call, record the parameters the
    call saw, the loss and the gradients; the C# test replays them (or, for live problems, evaluates the loss itself)."""
    (opt,) = optimizers
    for step in range(1, STEPS + 1):
        calls = [0]

        def closure():
            calls[0] += 1
            key = f"step{step}.call{calls[0]}"
            opt.zero_grad()
            for n in names:
                record[f"{key}.param.{n}"] = live[n].detach().clone()
            with torch.enable_grad():
                loss = loss_fn(live)
                loss.backward(create_graph=getattr(opt, "create_graph", False))
            record[f"{key}.loss"] = loss.detach().clone().reshape(1)
            for n in names:
                record[f"{key}.grad.{n}"] = live[n].grad.detach().clone()
            return loss.detach()

        opt.step(closure)
        for n in names:
            record[f"step{step}.param.{n}"] = live[n].detach().clone()


def run(config, problem_name):
    label, registry, options, build, _ = config
    params, loss_fn, *data = PROBLEMS[problem_name]()
    live = {n: p.clone().requires_grad_(True) for n, p in params.items()}
    names = list(live)
    optimizers = build([(n, live[n]) for n in names])
    record = {f"init.{n}": live[n].detach().clone() for n in names}
    closure = getattr(optimizers[0], "requires_closure", False)
    extra = {}
    if closure:
        extra["closure"] = "true"
        if getattr(optimizers[0], "create_graph", False):
            # Hessian-vector products cannot be replayed from recorded gradients: the C# test evaluates the loss live.
            if problem_name != "quadratic":
                raise SystemExit(f"{label}: curvature optimizers are recorded on the quadratic problem only")
            extra["live"] = problem_name
            for k, v in data[0].items():
                record[f"problem.{k}"] = v.clone()
        run_closure(optimizers, live, names, loss_fn, record)
    kfac = getattr(optimizers[0], "observes_layers", False)
    if kfac:
        # K-FAC optimizers (AdaFisher) also get each Linear layer's input and output gradient; both are recorded.
        extra["layers"] = json.dumps(LAYERS[problem_name])
        optimizers[0].add_layers({k: (live[w], live[b] if b else None) for k, (w, b) in LAYERS[problem_name].items()})
    for step in range(1, STEPS + 1) if not closure else ():
        for opt in optimizers:
            opt.zero_grad()
        layers = {} if kfac else None
        loss = loss_fn(live, layers)
        loss.backward()
        for n in names:
            record[f"step{step}.grad.{n}"] = live[n].grad.detach().clone()
        for k, (layer_input, layer_output) in (layers or {}).items():
            record[f"step{step}.input.{k}"] = layer_input.clone()
            record[f"step{step}.output_grad.{k}"] = layer_output.grad.detach().clone()
            optimizers[0].observe(k, layer_input, layer_output.grad.detach())
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
        "reference": reference_of(optimizers[0]),
        **extra,
    }
    save_safetensors(os.path.join(OUT, f"{label}__{problem_name}.safetensors"), record, metadata)


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".safetensors"):
            os.remove(os.path.join(OUT, f))
    count = 0
    for config in load_configs():
        for problem in config[4]:
            run(config, problem)
            count += 1
    print(f"wrote {count} trajectories to {OUT}")


if __name__ == "__main__":
    main()
