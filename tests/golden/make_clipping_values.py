"""Gradients before and after torch.nn.utils.clip_grad_norm_ / clip_grad_value_, for TorchZoo's clipping tests.

Run: /usr/bin/python3 tests/golden/make_clipping_values.py   (Debian's python3-torch 1.13)
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def grads(scale):
    g = torch.Generator().manual_seed(11)
    return [torch.randn(4, 3, generator=g) * scale, torch.randn(5, generator=g) * scale, torch.randn(2, 2, 2, generator=g) * scale]


def case(kind, scale, **kw):
    params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads(scale)]
    for p, g in zip(params, grads(scale)):
        p.grad = g.clone()
    before = [p.grad.clone() for p in params]
    if kind == "norm":
        total = torch.nn.utils.clip_grad_norm_(params, **kw).item()
    else:
        total = math.sqrt(sum(float((g ** 2).sum()) for g in before))
        torch.nn.utils.clip_grad_value_(params, **kw)
    # JSON has no infinity: the inf norm is written as the string "inf".
    args = {k: ("inf" if isinstance(v, float) and math.isinf(v) else v) for k, v in kw.items()}
    return {
        "kind": kind, "args": args, "norm": total,
        "shapes": [list(g.shape) for g in before],
        "before": [g.flatten().tolist() for g in before],
        "after": [p.grad.flatten().tolist() for p in params],
    }


CASES = {
    "norm_clips": case("norm", 1.0, max_norm=1.0),
    "norm_no_clip": case("norm", 0.01, max_norm=1.0),
    "norm_inf": case("norm", 1.0, max_norm=0.5, norm_type=float("inf")),
    "norm_p1": case("norm", 1.0, max_norm=2.0, norm_type=1.0),
    "norm_zero": case("norm", 0.0, max_norm=1.0),
    "value": case("value", 1.0, clip_value=0.5),
}

if __name__ == "__main__":
    with open(os.path.join(HERE, "clipping", "torch_clip.json"), "w") as f:
        json.dump(CASES, f, indent=1)
    print(f"wrote {len(CASES)} clipping cases")
