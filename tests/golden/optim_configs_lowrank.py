"""Golden configurations for COSMOS, GaLore AdamW, SMMF and Muon with an 8-bit block-wise momentum, against the
references in optim_reference_lowrank.py. Ranks stay below the rank of the problems' gradients (the matrix problem's
gradient has rank 16), so every subspace the references and TorchZoo compute is well defined. COSMOS and GaLore run on
the float64 twins of the problems (see PROBLEMS in make_optimizer_trajectories.py): in float32 their rotations,
eigenbases and Newton-Schulz iterations carry rounding differences between two BLAS kernel sets that grow past the
tests' tolerance (rtol 1e-5, atol 1e-6) within 20 steps."""
import optim_reference_lowrank as ref
from optim_builders import adamw_fallback, routed, single

ALL = ["quadratic", "mlp", "matrix"]

# name, registry name, our options (C# property names), builder, problems
CONFIGS = [
    # COSMOS is a matrix optimizer: hidden matrices to it, the rest to TorchZoo's default AdamW fallback.
    ("cosmos", "cosmos", {"LearningRate": 0.001, "Rank": 4},
     routed(lambda ps: ref.Cosmos(ps, lr=0.001, rank=4), adamw_fallback), ["mlp64", "matrix64"]),
    ("cosmos_betas_wd_ratio", "cosmos",
     {"LearningRate": 0.001, "Rank": 4, "Beta1": 0.8, "Beta2": 0.99, "Beta3": 0.9, "WeightDecay": 0.1,
      "LearningRateRatio": 0.2, "ResidualScale": 0.3},
     routed(lambda ps: ref.Cosmos(ps, lr=0.001, rank=4, betas=(0.8, 0.99, 0.9), weight_decay=0.1, ratio=0.2, rho=0.3),
            adamw_fallback), ["mlp64", "matrix64"]),
    ("cosmos_max_rows", "cosmos", {"LearningRate": 0.01, "Rank": 8, "MaxPreconditionRows": 4},
     routed(lambda ps: ref.Cosmos(ps, lr=0.01, rank=8, max_rows=4), adamw_fallback), ["mlp64"]),
    ("galore_adamw", "galore_adamw", {"Rank": 4, "ProjectionUpdateInterval": 5},
     single(lambda ps: ref.GaLoreAdamW(ps, rank=4, gap=5)), ["quadratic", "mlp64", "matrix64"]),
    ("galore_adamw_rank8_wd_scale", "galore_adamw",
     {"LearningRate": 0.001, "Rank": 8, "ProjectionUpdateInterval": 3, "Scale": 0.5, "WeightDecay": 0.1},
     single(lambda ps: ref.GaLoreAdamW(ps, lr=0.001, rank=8, gap=3, alpha=0.5, weight_decay=0.1)), ["mlp64", "matrix64"]),
    ("smmf", "smmf", {"LearningRate": 0.01}, single(lambda ps: ref.Smmf(ps, lr=0.01)), ALL),
    ("smmf_l2_decay_growth", "smmf",
     {"LearningRate": 0.01, "WeightDecay": 0.1, "DecoupledWeightDecay": False, "DecayRate": -0.8, "GrowthRate": 0.99,
      "Beta1": 0.8},
     single(lambda ps: ref.Smmf(ps, lr=0.01, weight_decay=0.1, decoupled=False, decay=-0.8, growth=0.99, beta1=0.8)),
     ALL),
    ("smmf_no_momentum_full_vectors", "smmf", {"LearningRate": 0.01, "Beta1": 0.0, "VectorReshape": False,
                                               "WeightDecay": 0.05},
     single(lambda ps: ref.Smmf(ps, lr=0.01, beta1=0.0, vector_reshape=False, weight_decay=0.05)), ALL),
    ("muon_8bit", "muon", {"LearningRate": 0.01, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 0},
     routed(lambda ps: ref.Muon8bit(ps, lr=0.01), adamw_fallback), ["mlp", "matrix"]),
    ("muon_8bit_block256_plain", "muon",
     {"LearningRate": 0.01, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 0, "QuantizationBlockSize": 256,
      "Nesterov": False, "WeightDecay": 0.1},
     routed(lambda ps: ref.Muon8bit(ps, lr=0.01, block=256, nesterov=False, weight_decay=0.1), adamw_fallback),
     ["matrix"]),
    ("muon_8bit_min_size", "muon",
     {"LearningRate": 0.01, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 10, "QuantizationBlockSize": 16},
     routed(lambda ps: ref.Muon8bit(ps, lr=0.01, block=16, min_size=10), adamw_fallback), ["mlp"]),
]
