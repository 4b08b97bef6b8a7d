#!/usr/bin/env python3
"""PyTorch eager side of bench/VitStep: the chirp ViT (timm-style, written here) and one AdamW training step.

Driven by the C# benchmark over stdin/stdout so the two sides interleave in one run:
  stdin  "<batch> <steps>"   → runs <steps> timed training steps at <batch>, prints "<ms per step>"
  stdin  "quit"              → exits
Run alone for a quick look:  /usr/bin/python3 pytorch_vit_step.py --batch 64 --steps 5
"""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# bench/Common/openblas_core.py: beside this script in the build output, in bench/Common in the source tree.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Common"))
from openblas_core import openblas_core  # noqa: E402

CHANNELS, IMAGE, PATCH, WIDTH, DEPTH, HEADS, OUTPUTS = 1, 64, 8, 192, 6, 3, 3


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(CHANNELS, WIDTH, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, WIDTH))
        self.pos_embed = nn.Parameter(torch.randn(1, (IMAGE // PATCH) ** 2 + 1, WIDTH) * 0.02)
        self.blocks = nn.ModuleList(Block(WIDTH, HEADS) for _ in range(DEPTH))
        self.norm = nn.LayerNorm(WIDTH, eps=1e-6)
        self.head = nn.Linear(WIDTH, OUTPUTS)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x)[:, 0])


def make(batch):
    torch.manual_seed(0)
    model = ViT().train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    x = torch.randn(batch, CHANNELS, IMAGE, IMAGE)
    y = torch.randn(batch, OUTPUTS)
    return model, opt, x, y


def step(model, opt, x, y):
    opt.zero_grad(set_to_none=True)
    F.mse_loss(model(x), y).backward()
    opt.step()


def timed(state, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step(*state)
    return (time.perf_counter() - start) * 1000 / steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int)
    p.add_argument("--steps", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    states = {}

    def state(batch):
        if batch not in states:
            states[batch] = make(batch)
            for _ in range(3):  # warm-up (first steps allocate and pick kernels)
                step(*states[batch])
        return states[batch]

    if a.batch:
        print(f"{timed(state(a.batch), a.steps):.2f} ms/step at batch {a.batch}, {torch.get_num_threads()} threads")
        return
    print(f"ready torch {torch.__version__} threads {torch.get_num_threads()} OpenBLAS kernels {openblas_core()}", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        batch, steps = int(parts[0]), int(parts[1])
        print(f"{timed(state(batch), steps):.3f}", flush=True)


if __name__ == "__main__":
    main()
