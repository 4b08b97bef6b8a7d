"""Golden configurations for the core optimizers (SGD, Adam, AdamW, Lion, Muon, REG)."""
import torch

import optim_reference as ref
from optim_builders import adamw_fallback, routed, single


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
     routed(lambda ps: ref.Muon(ps, lr=0.01), adamw_fallback), ["mlp", "matrix"]),
    ("muon_original_plain", "muon", {"LearningRate": 0.02, "Scale": "Original", "Nesterov": False, "WeightDecay": 0.0},
     routed(lambda ps: ref.Muon(ps, lr=0.02, scale="original", nesterov=False, weight_decay=0.0), adamw_fallback), ["matrix"]),
    ("muon_rms_to_rms", "muon", {"LearningRate": 0.02, "Scale": "RmsToRms"},
     routed(lambda ps: ref.Muon(ps, lr=0.02, scale="rms_to_rms"), adamw_fallback), ["matrix"]),
    ("reg", "reg", {"LearningRate": 0.01}, routed(lambda ps: ref.Reg(ps, lr=0.01), adamw_fallback), ["mlp", "matrix"]),
    ("reg_ruiz3_p1", "reg", {"LearningRate": 0.01, "NormPower": 1.0, "BalancingPasses": 3, "Nesterov": False},
     routed(lambda ps: ref.Reg(ps, lr=0.01, p=1.0, passes=3, nesterov=False), adamw_fallback), ["matrix"]),
]
