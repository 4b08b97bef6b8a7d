"""Golden configurations for the rest of torch.optim 1.13: NAdam, RAdam, Adamax, Adagrad, Adadelta, RMSprop, Rprop, ASGD."""
import torch

from optim_builders import single


def torch_config(label, registry, options, factory, problems):
    return (label, registry, options, single(factory), problems)


# name, registry name, our options (C# property names), builder, problems
CONFIGS = [
    torch_config("nadam", "nadam", {"LearningRate": 0.01},
                 lambda ps: torch.optim.NAdam(ps, lr=0.01), ["quadratic", "mlp", "matrix"]),
    torch_config("nadam_wd", "nadam",
                 {"LearningRate": 0.02, "Beta1": 0.8, "Beta2": 0.99, "Eps": 1e-6, "WeightDecay": 0.05, "MomentumDecay": 0.05},
                 lambda ps: torch.optim.NAdam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, momentum_decay=0.05),
                 ["quadratic", "mlp"]),
    # ρ_t first exceeds 5 at step 6 (for both β2 here), so every run crosses from the SGD branch into the rectified one.
    torch_config("radam", "radam", {"LearningRate": 0.01, "Beta2": 0.9},
                 lambda ps: torch.optim.RAdam(ps, lr=0.01, betas=(0.9, 0.9)), ["quadratic", "mlp", "matrix"]),
    torch_config("radam_default_betas_wd", "radam", {"LearningRate": 0.01, "WeightDecay": 0.05},
                 lambda ps: torch.optim.RAdam(ps, lr=0.01, weight_decay=0.05), ["quadratic", "mlp"]),
    torch_config("adamax", "adamax", {"LearningRate": 0.01},
                 lambda ps: torch.optim.Adamax(ps, lr=0.01), ["quadratic", "mlp", "matrix"]),
    torch_config("adamax_wd_betas", "adamax", {"LearningRate": 0.02, "Beta1": 0.8, "Beta2": 0.95, "Eps": 1e-4, "WeightDecay": 0.05},
                 lambda ps: torch.optim.Adamax(ps, lr=0.02, betas=(0.8, 0.95), eps=1e-4, weight_decay=0.05), ["quadratic", "mlp"]),
    torch_config("adagrad", "adagrad", {"LearningRate": 0.1},
                 lambda ps: torch.optim.Adagrad(ps, lr=0.1), ["quadratic", "mlp", "matrix"]),
    torch_config("adagrad_decay_init_wd", "adagrad",
                 {"LearningRate": 0.1, "LearningRateDecay": 0.05, "InitialAccumulatorValue": 0.1, "Eps": 1e-6, "WeightDecay": 0.05},
                 lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1, eps=1e-6,
                                                weight_decay=0.05), ["quadratic", "mlp"]),
    torch_config("adagrad_maximize", "adagrad", {"LearningRate": 0.05, "Maximize": True},
                 lambda ps: torch.optim.Adagrad(ps, lr=0.05, maximize=True), ["quadratic"]),
    torch_config("adadelta", "adadelta", {},
                 lambda ps: torch.optim.Adadelta(ps), ["quadratic", "mlp", "matrix"]),
    torch_config("adadelta_rho_eps_wd", "adadelta", {"LearningRate": 0.5, "Rho": 0.8, "Eps": 1e-4, "WeightDecay": 0.05},
                 lambda ps: torch.optim.Adadelta(ps, lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.05), ["quadratic", "mlp"]),
    torch_config("rmsprop", "rmsprop", {"LearningRate": 0.01},
                 lambda ps: torch.optim.RMSprop(ps, lr=0.01), ["quadratic", "mlp", "matrix"]),
    torch_config("rmsprop_centered_momentum", "rmsprop",
                 {"LearningRate": 0.005, "Alpha": 0.9, "Eps": 1e-6, "Momentum": 0.9, "Centered": True, "WeightDecay": 0.05},
                 lambda ps: torch.optim.RMSprop(ps, lr=0.005, alpha=0.9, eps=1e-6, momentum=0.9, centered=True, weight_decay=0.05),
                 ["quadratic", "mlp", "matrix"]),
    torch_config("rmsprop_momentum_maximize", "rmsprop", {"LearningRate": 0.005, "Momentum": 0.5, "Maximize": True},
                 lambda ps: torch.optim.RMSprop(ps, lr=0.005, momentum=0.5, maximize=True), ["quadratic"]),
    torch_config("rprop", "rprop", {"LearningRate": 0.01},
                 lambda ps: torch.optim.Rprop(ps, lr=0.01), ["quadratic", "mlp", "matrix"]),
    # Tight bounds so both clamps bite within 20 steps.
    torch_config("rprop_etas_bounds", "rprop", {"LearningRate": 0.05, "EtaMinus": 0.3, "EtaPlus": 1.5, "StepSizeMin": 0.01, "StepSizeMax": 0.2},
                 lambda ps: torch.optim.Rprop(ps, lr=0.05, etas=(0.3, 1.5), step_sizes=(0.01, 0.2)), ["quadratic", "mlp"]),
    torch_config("asgd", "asgd", {"LearningRate": 0.05},
                 lambda ps: torch.optim.ASGD(ps, lr=0.05), ["quadratic", "mlp", "matrix"]),
    # λ_a = 0.5 anneals the step visibly; t0 = 5 starts averaging inside the run.
    torch_config("asgd_anneal_average_wd", "asgd", {"LearningRate": 0.05, "Lambd": 0.5, "Alpha": 0.5, "T0": 5.0, "WeightDecay": 0.05},
                 lambda ps: torch.optim.ASGD(ps, lr=0.05, lambd=0.5, alpha=0.5, t0=5, weight_decay=0.05), ["quadratic", "mlp"]),
]
