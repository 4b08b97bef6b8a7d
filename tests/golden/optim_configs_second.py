"""Golden configurations for the second-order optimizers, the closure-driven ones and the wrappers, against the
references in optim_reference_second.py. Closure-driven references record every closure call (parameters seen, loss,
gradients); AdaHessian and Sophia-H need Hessian-vector products and are recorded on the quadratic only, where the C#
test evaluates the loss live (there the Hutchinson estimate is exact whatever the random signs)."""
import torch

import optim_reference as ref
import optim_reference_second as sref
from optim_builders import adamw_fallback, routed, single

ALL = ["quadratic", "mlp", "matrix"]


def adamw(ps, lr=0.01, wd=0.01):
    return torch.optim.AdamW(ps, lr=lr, weight_decay=wd)


# name, registry name, our options (C# property names), builder, problems
CONFIGS = [
    ("sam_adamw", "sam", {"LearningRate": 0.01}, single(lambda ps: sref.Sam(adamw(ps), rho=0.05)), ALL),
    ("asam_adamw_rho05", "sam", {"LearningRate": 0.01, "Rho": 0.5, "Adaptive": True},
     single(lambda ps: sref.Sam(adamw(ps), rho=0.5, adaptive=True)), ALL),
    ("xgrad_adamw", "xgrad", {"LearningRate": 0.01}, single(lambda ps: sref.XGrad(adamw(ps))), ALL),
    ("xgrad_adamw_s2", "xgrad", {"LearningRate": 0.01, "PredictionSteps": 2},
     single(lambda ps: sref.XGrad(adamw(ps), steps=2)), ["quadratic", "mlp"]),
    ("adagc_adamw", "adagc", {"LearningRate": 0.01, "WarmupSteps": 5, "AbsoluteThreshold": 0.5},
     single(lambda ps: sref.AdaGc(adamw(ps, wd=0.1), abs_threshold=0.5, warmup=5)), ALL),
    # SOAP on the float64 twins: see PROBLEMS in make_optimizer_trajectories.py.
    ("soap", "soap", {"LearningRate": 0.01}, single(lambda ps: sref.Soap(ps, lr=0.01)), ["quadratic", "mlp64", "matrix64"]),
    ("soap_f3_wd_betas", "soap", {"LearningRate": 0.01, "PreconditionFrequency": 3, "WeightDecay": 0.1, "Beta1": 0.9,
                                  "Beta2": 0.99},
     single(lambda ps: sref.Soap(ps, lr=0.01, frequency=3, weight_decay=0.1, betas=(0.9, 0.99))), ["mlp64", "matrix64"]),
    ("soap_maxdim16", "soap", {"LearningRate": 0.01, "PreconditionFrequency": 2, "MaxPreconditionDim": 16},
     single(lambda ps: sref.Soap(ps, lr=0.01, frequency=2, max_dim=16)), ["matrix"]),
    ("adahessian", "adahessian", {"LearningRate": 0.1}, single(lambda ps: sref.AdaHessian(ps, lr=0.1)), ["quadratic"]),
    ("adahessian_power_wd_period", "adahessian",
     {"LearningRate": 0.05, "HessianPower": 0.5, "WeightDecay": 0.1, "UpdatePeriod": 3, "Eps": 1e-8},
     single(lambda ps: sref.AdaHessian(ps, lr=0.05, hessian_power=0.5, weight_decay=0.1, update_period=3, eps=1e-8)),
     ["quadratic"]),
    ("sophia", "sophia", {"LearningRate": 0.05, "HessianUpdatePeriod": 3},
     single(lambda ps: sref.SophiaH(ps, lr=0.05, period=3)), ["quadratic"]),
    ("sophia_gamma_nowd", "sophia", {"LearningRate": 0.05, "Gamma": 0.5, "WeightDecay": 0.0, "HessianUpdatePeriod": 1},
     single(lambda ps: sref.SophiaH(ps, lr=0.05, gamma=0.5, weight_decay=0.0, period=1)), ["quadratic"]),
    ("ranger21", "ranger21", {"LearningRate": 0.01, "TotalIterations": 24},
     single(lambda ps: sref.Ranger21(ps, lr=0.01, total=24)), ALL),
    ("ranger21_ams_wd_k3", "ranger21", {"LearningRate": 0.01, "TotalIterations": 30, "AmsGrad": True, "WeightDecay": 0.1,
                                        "LookaheadSteps": 3, "Beta2": 0.99},
     single(lambda ps: sref.Ranger21(ps, lr=0.01, total=30, amsgrad=True, weight_decay=0.1, la_k=3,
                                     betas=(0.9, 0.99))), ["quadratic", "mlp"]),
    ("gravity", "gravity", {"LearningRate": 0.01}, single(lambda ps: sref.Gravity(ps, lr=0.01)), ALL),
    ("gravity_seed_alpha", "gravity", {"LearningRate": 0.05, "Alpha": 0.1, "Beta": 0.8, "Seed": 7},
     single(lambda ps: sref.Gravity(ps, lr=0.05, alpha=0.1, beta=0.8, seed=7)), ["quadratic", "mlp"]),
    ("naggs", "naggs", {"LearningRate": 0.05}, single(lambda ps: sref.NagGs(ps, lr=0.05)), ALL),
    ("naggs_mu_gamma", "naggs", {"LearningRate": 0.05, "Mu": 0.5, "Gamma": 1.5},
     single(lambda ps: sref.NagGs(ps, lr=0.05, mu=0.5, gamma=1.5)), ["quadratic", "mlp"]),
    ("ano", "ano", {"LearningRate": 0.01}, single(lambda ps: sref.Ano(ps, lr=0.01)), ALL),
    ("ano_wd", "ano", {"LearningRate": 0.01, "WeightDecay": 0.1, "Beta1": 0.8},
     single(lambda ps: sref.Ano(ps, lr=0.01, weight_decay=0.1, betas=(0.8, 0.99))), ["quadratic", "mlp"]),
    ("anolog", "anolog", {"LearningRate": 0.01}, single(lambda ps: sref.Ano(ps, lr=0.01, log_beta1=True)), ALL),
    ("auon", "auon", {"LearningRate": 0.08}, routed(lambda ps: sref.AuOn(ps, lr=0.08), adamw_fallback), ["mlp", "matrix"]),
    ("auon_plain_nowd", "auon", {"LearningRate": 0.05, "Nesterov": False, "WeightDecay": 0.0, "Momentum": 0.9},
     routed(lambda ps: sref.AuOn(ps, lr=0.05, nesterov=False, weight_decay=0.0, momentum=0.9), adamw_fallback),
     ["matrix"]),
    ("root", "root", {"LearningRate": 0.02}, routed(lambda ps: sref.Root(ps, lr=0.02), adamw_fallback), ["mlp", "matrix"]),
    ("root_fixed_threshold_wd", "root", {"LearningRate": 0.02, "OutlierThreshold": 0.01, "WeightDecay": 0.1},
     routed(lambda ps: sref.Root(ps, lr=0.02, threshold=0.01, weight_decay=0.1), adamw_fallback), ["mlp", "matrix"]),
    ("root_quantile90", "root", {"LearningRate": 0.02, "OutlierQuantile": 0.9},
     routed(lambda ps: sref.Root(ps, lr=0.02, quantile=0.9), adamw_fallback), ["matrix"]),
    ("sania", "sania", {}, single(lambda ps: sref.Sania(ps)), ALL),
    ("sania_half", "sania", {"LearningRate": 0.5, "Eps": 1e-6}, single(lambda ps: sref.Sania(ps, lr=0.5, eps=1e-6)),
     ["quadratic", "mlp"]),
    ("sgg_adamw", "sgg", {"LearningRate": 0.01, "ReclusterInterval": 3},
     single(lambda ps: sref.Sgg(adamw(ps), interval=3)), ALL),
    ("sgg_adamw_instant_k2_scale", "sgg",
     {"LearningRate": 0.01, "ReclusterInterval": 2, "Clusters": 2, "StatisticBeta": 0.0, "ScaleBeta": 0.5,
      "MinScale": 0.5, "MaxScale": 2.0, "KMeansIterations": 3},
     single(lambda ps: sref.Sgg(adamw(ps), clusters=2, interval=2, beta=0.0, scale_beta=0.5, min_scale=0.5,
                                max_scale=2.0, iterations=3)), ["mlp", "matrix"]),
    ("adafisher", "adafisher", {"LearningRate": 0.001}, single(lambda ps: sref.AdaFisher(ps, lr=0.001)), ALL),
    ("adafisher_beta_gamma_damping_wd", "adafisher",
     {"LearningRate": 0.002, "Beta": 0.8, "FactorDecay": 0.5, "Damping": 0.01, "WeightDecay": 0.1},
     single(lambda ps: sref.AdaFisher(ps, lr=0.002, beta=0.8, gamma=0.5, damping=0.01, weight_decay=0.1)),
     ["mlp", "matrix"]),
]
