#!/usr/bin/env python3
"""Writes tests/golden/models/*.safetensors: PyTorch reference outputs and gradients for TorchZoo's models.

Each model is written here in plain PyTorch with the parameter names TorchZoo uses (timm-like for the ViT),
filled with seeded random values, run in eval mode on seeded inputs; a loss is backpropagated. Each file holds
  param.<name>  the weights            grad.<name>  d loss / d weight
  input, target the batch              output, loss the forward results
and its metadata holds the configuration as JSON. hf_vit.safetensors instead holds a ViT written with
Hugging Face's ViTForImageClassification names (no transformers package here: the naming is written by hand).

    /usr/bin/python3 tests/golden/make_model_fixtures.py
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models")
CODES = {torch.float32: "F32", torch.int64: "I64", torch.bool: "BOOL"}


def save(path, tensors, metadata):
    """Minimal safetensors writer (F32, I64, BOOL), our own, so no extra package is needed."""
    header = {"__metadata__": metadata}
    offset, blobs = 0, []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for b in blobs:
            f.write(b)


# ---- the models, with TorchZoo's names ---------------------------------------------------------------------

def attention(q, k, v, mask=None):
    # As TorchZoo's scaled dot-product attention: scale the queries, then Q·Kᵀ, mask, softmax, ·V.
    scores = (q * (1.0 / math.sqrt(q.shape[-1]))) @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(-1) @ v


class Attn(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, key_mask=None):
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        mask = None if key_mask is None else key_mask.view(b, 1, 1, n)
        y = attention(qkv[0], qkv[1], qkv[2], mask)
        return self.proj(y.transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attn(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, round(dim * mlp_ratio))

    def forward(self, x, key_mask=None):
        x = x + self.attn(self.norm1(x), key_mask)
        return x + self.mlp(self.norm2(x))


def encoder(model, c):
    model.blocks = nn.ModuleList(Block(c["width"], c["heads"], c["mlp_ratio"], c["eps"]) for _ in range(c["depth"]))
    model.norm = nn.LayerNorm(c["width"], eps=c["eps"])
    model.head = nn.Linear(c["width"], c["outputs"])


class ViT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cls = c["pooling"] == "cls"
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(c["channels"], c["width"], c["patch"], c["patch"])
        tokens = (c["height"] // c["patch"]) * (c["width_px"] // c["patch"])
        if self.cls:
            self.cls_token = nn.Parameter(torch.zeros(1, 1, c["width"]))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens + int(self.cls), c["width"]))
        encoder(self, c)

    def forward(self, x):
        x = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        if self.cls:
            x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        x = x + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return self.head(x[:, 0] if self.cls else x.mean(1))


def stem_channels(patch, width):
    # As TorchZoo's PatchEmbedding.StemChannels: doubling up to the width, at least min(16, width).
    layers = patch.bit_length() - 1
    return [max(min(16, width), width >> (layers - 1 - i)) for i in range(layers)]


class ViTStem(ViT):
    """The ViT with a convolutional stem (Xiao et al. 2021): 3x3 stride-2 convolution without bias, BatchNorm, GELU
    per layer, then a 1x1 projection."""

    def __init__(self, c):
        super().__init__(c)
        layers, inputs = [], c["channels"]
        for outputs in stem_channels(c["patch"], c["width"]):
            layers += [nn.Conv2d(inputs, outputs, 3, 2, 1, bias=False), nn.BatchNorm2d(outputs), nn.GELU()]
            inputs = outputs
        self.patch_embed.stem = nn.Sequential(*layers)
        self.patch_embed.proj = nn.Conv2d(c["width"], c["width"], 1)

    def forward(self, x):
        return super().forward(self.patch_embed.stem(x))


class SeqEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cls = c["pooling"] == "cls"
        self.pad = c["padding_id"]
        self.token_embed = nn.Embedding(c["vocab"], c["width"])
        if self.cls:
            self.cls_token = nn.Parameter(torch.zeros(1, 1, c["width"]))
        self.pos_embed = nn.Parameter(torch.zeros(1, c["max_length"] + int(self.cls), c["width"]))
        encoder(self, c)

    def forward(self, tokens):
        b, n = tokens.shape
        x = self.token_embed(tokens)
        keep = tokens != self.pad
        if self.cls:
            x = torch.cat([self.cls_token.expand(b, -1, -1), x], 1)
            keep = torch.cat([torch.ones(b, 1, dtype=torch.bool), keep], 1)
            n += 1
        x = x + self.pos_embed[:, :n]
        for blk in self.blocks:
            x = blk(x, keep)
        x = self.norm(x)
        if self.cls:
            return self.head(x[:, 0])
        w = keep.float().unsqueeze(-1)
        return self.head((x * w).sum(1) / w.sum(1).clamp(min=1))


class TabEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.feature_embed = nn.Module()
        self.feature_embed.weight = nn.Parameter(torch.zeros(c["features"], c["width"]))
        self.feature_embed.bias = nn.Parameter(torch.zeros(c["features"], c["width"]))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, c["width"]))
        encoder(self, c)

    def forward(self, x):
        x = x.unsqueeze(-1) * self.feature_embed.weight + self.feature_embed.bias
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x)[:, 0])


class MlpBaseline(nn.Module):
    def __init__(self, c):
        super().__init__()
        sizes = [c["inputs"]] + c["hidden"]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.head = nn.Linear(sizes[-1], c["outputs"])

    def forward(self, x):
        for layer in self.layers:
            x = F.gelu(layer(x))
        return self.head(x)


# ---- Hugging Face ViT naming, written by hand ----------------------------------------------------------------

class HfSelfAttention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)


class HfLayer(nn.Module):
    def __init__(self, dim, heads, eps):
        super().__init__()
        self.heads = heads
        self.attention = nn.Module()
        self.attention.attention = HfSelfAttention(dim)
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(dim, dim)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(dim, 4 * dim)
        self.output = nn.Module()
        self.output.dense = nn.Linear(4 * dim, dim)
        self.layernorm_before = nn.LayerNorm(dim, eps=eps)
        self.layernorm_after = nn.LayerNorm(dim, eps=eps)

    def forward(self, x):
        b, n, d = x.shape
        h = self.layernorm_before(x)
        sa = self.attention.attention

        def split(t):
            return t.view(b, n, self.heads, d // self.heads).permute(0, 2, 1, 3)

        q, k, v = split(sa.query(h)), split(sa.key(h)), split(sa.value(h))
        # Hugging Face's order: (Q·Kᵀ)/√d, softmax, ·V.
        probs = (q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)).softmax(-1)
        ctx = (probs @ v).permute(0, 2, 1, 3).reshape(b, n, d)
        x = x + self.attention.output.dense(ctx)
        return x + self.output.dense(F.gelu(self.intermediate.dense(self.layernorm_after(x))))


class HfViT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["width"]
        self.vit = nn.Module()
        self.vit.embeddings = nn.Module()
        self.vit.embeddings.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        tokens = (c["height"] // c["patch"]) * (c["width_px"] // c["patch"])
        self.vit.embeddings.position_embeddings = nn.Parameter(torch.zeros(1, tokens + 1, d))
        self.vit.embeddings.patch_embeddings = nn.Module()
        self.vit.embeddings.patch_embeddings.projection = nn.Conv2d(c["channels"], d, c["patch"], c["patch"])
        self.vit.encoder = nn.Module()
        self.vit.encoder.layer = nn.ModuleList(HfLayer(d, c["heads"], c["eps"]) for _ in range(c["depth"]))
        self.vit.layernorm = nn.LayerNorm(d, eps=c["eps"])
        self.classifier = nn.Linear(d, c["outputs"])

    def forward(self, x):
        e = self.vit.embeddings
        x = e.patch_embeddings.projection(x).flatten(2).transpose(1, 2)
        x = torch.cat([e.cls_token.expand(x.shape[0], -1, -1), x], 1) + e.position_embeddings
        for layer in self.vit.encoder.layer:
            x = layer(x)
        return self.classifier(self.vit.layernorm(x)[:, 0])


# ---- weights, inputs, run ------------------------------------------------------------------------------------

def randomize(model, g):
    """Every parameter random (LayerNorm scales around 1), so a wrong mapping cannot hide behind zeros or ones."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() >= 2 and name not in ("cls_token", "pos_embed") and "embeddings." not in name and "feature_embed" not in name:
                fan_in = p.numel() // p.shape[0]
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
        # Running statistics away from their 0/1 start, so evaluation mode is tested on real values.
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(0.2 * torch.randn(b.shape, generator=g))
            elif name.endswith("running_var"):
                b.copy_(0.5 + torch.rand(b.shape, generator=g))
            elif name.endswith("num_batches_tracked"):
                b.fill_(7)


def run(name, model, config, x, target, loss_fn, checkpoint=False):
    """checkpoint: write the weights alone, under their own names, to <name>.safetensors (a model file), and the
    batch, outputs and gradients to <name>_io.safetensors."""
    model.eval()
    y = model(x)
    loss = loss_fn(y, target)
    model.zero_grad()
    loss.backward()
    tensors = {"input": x, "target": target, "output": y, "loss": loss.reshape(1)}
    weights = {}
    for n, p in model.named_parameters():
        weights[n if checkpoint else f"param.{n}"] = p
        tensors[f"grad.{n}"] = p.grad
    for n, b in model.named_buffers():
        weights[n if checkpoint else f"param.{n}"] = b
    meta = {"config": json.dumps(config)}
    if checkpoint:
        save(os.path.join(OUT, f"{name}.safetensors"), weights, meta)
        save(os.path.join(OUT, f"{name}_io.safetensors"), tensors, meta)
    else:
        save(os.path.join(OUT, f"{name}.safetensors"), {**weights, **tensors}, meta)
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, loss {loss.item():.6f}")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    base = {"width": 48, "depth": 2, "heads": 3, "mlp_ratio": 4.0, "eps": 1e-6}

    g = torch.Generator().manual_seed(1)
    c = dict(base, height=32, width_px=32, channels=3, patch=8, pooling="cls", outputs=5)
    m = ViT(c)
    randomize(m, g)
    run("vit_square_cls", m, c, torch.randn(4, 3, 32, 32, generator=g), torch.tensor([0, 3, 1, 4]), F.cross_entropy)

    g = torch.Generator().manual_seed(2)
    c = dict(base, height=24, width_px=40, channels=1, patch=8, pooling="mean", outputs=3)
    m = ViT(c)
    randomize(m, g)
    run("vit_rect_mean", m, c, torch.randn(3, 1, 24, 40, generator=g), torch.randn(3, 3, generator=g), F.mse_loss)

    g = torch.Generator().manual_seed(9)
    c = dict(base, height=32, width_px=16, channels=2, patch=4, pooling="mean", outputs=3)
    m = ViTStem(c)
    randomize(m, g)
    run("vit_stem_mean", m, c, torch.randn(3, 2, 32, 16, generator=g), torch.randn(3, 3, generator=g), F.mse_loss)

    seq = dict(base, width=32, heads=4, vocab=50, max_length=12, padding_id=0)
    tokens = torch.randint(1, 50, (4, 10), generator=torch.Generator().manual_seed(3))
    tokens[1, 7:] = 0
    tokens[2, 3:] = 0
    tokens[3, 9:] = 0

    g = torch.Generator().manual_seed(4)
    c = dict(seq, pooling="cls", outputs=3)
    m = SeqEncoder(c)
    randomize(m, g)
    run("seq_cls", m, c, tokens, torch.tensor([2, 0, 1, 2]), F.cross_entropy)

    g = torch.Generator().manual_seed(5)
    c = dict(seq, pooling="mean", outputs=2)
    m = SeqEncoder(c)
    randomize(m, g)
    run("seq_mean", m, c, tokens, torch.randn(4, 2, generator=g), F.mse_loss)

    g = torch.Generator().manual_seed(6)
    c = dict(base, width=32, heads=4, features=7, pooling="cls", outputs=2)
    m = TabEncoder(c)
    randomize(m, g)
    run("tabular_cls", m, c, torch.randn(5, 7, generator=g), torch.randn(5, 2, generator=g), F.mse_loss)

    g = torch.Generator().manual_seed(7)
    c = {"inputs": 10, "hidden": [16, 12], "activation": "gelu", "outputs": 3}
    m = MlpBaseline(c)
    randomize(m, g)
    run("mlp_gelu", m, c, torch.randn(6, 10, generator=g), torch.randn(6, 3, generator=g), F.mse_loss)

    g = torch.Generator().manual_seed(8)
    c = dict(base, height=32, width_px=32, channels=3, patch=8, outputs=5, eps=1e-12)
    m = HfViT(c)
    randomize(m, g)
    run("hf_vit", m, c, torch.randn(2, 3, 32, 32, generator=g), torch.tensor([1, 4]), F.cross_entropy, checkpoint=True)


if __name__ == "__main__":
    main()
