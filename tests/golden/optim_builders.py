"""Helpers that build reference optimizers the way TorchZoo groups and routes parameters."""
import torch


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
    """One optimizer over every parameter."""
    return lambda named: [factory([p for _, p in named])]


def adamw_fallback(ps):
    """TorchZoo's default fallback for matrix optimizers: AdamWOptions() defaults."""
    return torch.optim.AdamW(ps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
