"""Golden configurations for NorMuon, AdaMuon, Conda, schedule-free AdamW, Lookahead and the cautious flags
(C-AdamW, cautious weight decay on AdamW, Lion, Muon and REG)."""
import torch

import optim_reference as ref
import optim_reference_matrix as mref
from optim_builders import adamw_fallback, routed, single


# name, registry name, our options (C# property names), builder, problems
CONFIGS = [
    # Matrix optimizers (AdaMuon and Conda on the float64 twins: see PROBLEMS in make_optimizer_trajectories.py):
    # hidden matrices to the optimizer, the rest to TorchZoo's default AdamW fallback.
    ("normuon", "normuon", {"LearningRate": 0.02},
     routed(lambda ps: mref.NorMuon(ps, lr=0.02), adamw_fallback), ["mlp", "matrix"]),
    ("normuon_plain_wd_rms", "normuon", {"LearningRate": 0.005, "Nesterov": False, "Beta2": 0.9, "WeightDecay": 0.1,
                                         "Scale": "MatchAdamWRms"},
     routed(lambda ps: mref.NorMuon(ps, lr=0.005, nesterov=False, beta2=0.9, weight_decay=0.1, scale="match_adamw_rms"),
            adamw_fallback), ["matrix"]),
    ("adamuon", "adamuon", {"LearningRate": 0.01},
     routed(lambda ps: mref.AdaMuon(ps, lr=0.01), adamw_fallback), ["mlp64", "matrix64"]),
    ("adamuon_sign_plain", "adamuon", {"LearningRate": 0.01, "SignStabilization": True, "Nesterov": False, "Beta2": 0.95},
     routed(lambda ps: mref.AdaMuon(ps, lr=0.01, sign=True, nesterov=False, beta2=0.95), adamw_fallback), ["matrix"]),
    ("conda", "conda", {"LearningRate": 0.01},
     routed(lambda ps: mref.Conda(ps, lr=0.01), adamw_fallback), ["mlp64", "matrix64"]),
    ("conda_refresh5_wd", "conda", {"LearningRate": 0.01, "BasisUpdateInterval": 5, "WeightDecay": 0.1, "Beta1": 0.8},
     routed(lambda ps: mref.Conda(ps, lr=0.01, interval=5, weight_decay=0.1, betas=(0.8, 0.999)), adamw_fallback),
     ["mlp64", "matrix64"]),
    # Schedule-free AdamW (the trajectory records the training point y held by the parameters).
    ("schedulefree_adamw", "schedulefree_adamw", {"LearningRate": 0.01},
     single(lambda ps: mref.ScheduleFreeAdamW(ps, lr=0.01)), ["quadratic", "mlp", "matrix"]),
    ("schedulefree_adamw_warmup_wd", "schedulefree_adamw", {"LearningRate": 0.02, "WarmupSteps": 5, "WeightDecay": 0.05,
                                                            "Beta1": 0.8},
     single(lambda ps: mref.ScheduleFreeAdamW(ps, lr=0.02, warmup=5, weight_decay=0.05, betas=(0.8, 0.999))),
     ["quadratic", "mlp"]),
    # Lookahead around AdamW (TorchZoo's default inner optimizer; LearningRate/WeightDecay forward to it).
    ("lookahead_adamw", "lookahead", {"LearningRate": 0.01, "WeightDecay": 0.1},
     single(lambda ps: mref.Lookahead(torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1), k=5, alpha=0.5)),
     ["quadratic", "mlp", "matrix"]),
    ("lookahead_adamw_k3_a08", "lookahead", {"LearningRate": 0.02, "SyncPeriod": 3, "Alpha": 0.8},
     single(lambda ps: mref.Lookahead(torch.optim.AdamW(ps, lr=0.02, weight_decay=0.01), k=3, alpha=0.8)),
     ["quadratic", "mlp"]),
    # Cautious flags.
    ("adamw_cautious", "adamw", {"LearningRate": 0.01, "WeightDecay": 0.1, "Cautious": True},
     single(lambda ps: mref.AdamW(ps, lr=0.01, weight_decay=0.1, cautious=True)), ["quadratic", "mlp", "matrix"]),
    ("adamw_cwd", "adamw", {"LearningRate": 0.01, "WeightDecay": 0.5, "CautiousWeightDecay": True},
     single(lambda ps: mref.AdamW(ps, lr=0.01, weight_decay=0.5, cautious_wd=True)), ["quadratic", "mlp", "matrix"]),
    ("adamw_cautious_cwd", "adamw", {"LearningRate": 0.01, "WeightDecay": 0.5, "Cautious": True, "CautiousWeightDecay": True},
     single(lambda ps: mref.AdamW(ps, lr=0.01, weight_decay=0.5, cautious=True, cautious_wd=True)), ["mlp"]),
    ("lion_cwd", "lion", {"LearningRate": 0.003, "WeightDecay": 1.0, "CautiousWeightDecay": True},
     single(lambda ps: ref.Lion(ps, lr=0.003, weight_decay=1.0, cautious_wd=True)), ["quadratic", "mlp", "matrix"]),
    ("muon_cwd", "muon", {"LearningRate": 0.01, "WeightDecay": 0.5, "CautiousWeightDecay": True},
     routed(lambda ps: ref.Muon(ps, lr=0.01, weight_decay=0.5, cautious_wd=True), adamw_fallback), ["mlp", "matrix"]),
    ("reg_cwd", "reg", {"LearningRate": 0.01, "WeightDecay": 0.5, "CautiousWeightDecay": True},
     routed(lambda ps: ref.Reg(ps, lr=0.01, weight_decay=0.5, cautious_wd=True), adamw_fallback), ["mlp", "matrix"]),
]
