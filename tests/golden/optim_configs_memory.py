"""Golden configurations for the memory-efficient optimizers (Adafactor, CAME, AdaLomo, Adam-mini, Coupled Adam,
APOLLO/APOLLO-Mini, Subset-Norm Adam, 8-bit block-wise AdamW and Lion), against the references in optim_reference_memory.py."""
import optim_reference_memory as ref
from optim_builders import single

ALL = ["quadratic", "mlp", "matrix"]


def named(factory):
    """One optimizer over every parameter, given as (name, parameter) pairs (for name-dependent rules)."""
    return lambda pairs: [factory(list(pairs))]


# name, registry name, our options (C# property names), builder, problems
CONFIGS = [
    ("adafactor", "adafactor", {}, single(lambda ps: ref.Adafactor(ps)), ALL),
    ("adafactor_clip_decay", "adafactor", {"ClipThreshold": 0.5, "DecayRate": -0.5, "WeightDecay": 0.1},
     single(lambda ps: ref.Adafactor(ps, d=0.5, decay=-0.5, weight_decay=0.1)), ALL),
    ("adafactor_momentum_fixed_lr", "adafactor",
     {"LearningRate": 0.01, "RelativeStep": False, "ScaleParameter": False, "Beta1": 0.9},
     single(lambda ps: ref.Adafactor(ps, lr=0.01, relative_step=False, scale_parameter=False, beta1=0.9)),
     ["mlp", "matrix"]),
    ("came", "came", {"LearningRate": 0.01}, single(lambda ps: ref.Came(ps, lr=0.01)), ALL),
    ("came_betas_clip_wd", "came", {"LearningRate": 0.01, "Beta3": 0.99, "ClipThreshold": 0.5, "WeightDecay": 0.1},
     single(lambda ps: ref.Came(ps, lr=0.01, betas=(0.9, 0.999, 0.99), d=0.5, weight_decay=0.1)), ["mlp", "matrix"]),
    ("adalomo", "adalomo", {"LearningRate": 0.01}, single(lambda ps: ref.AdaLomo(ps, lr=0.01)), ALL),
    ("adalomo_clip_wd", "adalomo", {"LearningRate": 0.01, "ClipThreshold": 0.5, "WeightDecay": 0.1},
     single(lambda ps: ref.AdaLomo(ps, lr=0.01, d=0.5, weight_decay=0.1)), ["mlp", "matrix"]),
    ("adam_mini", "adam_mini", {"LearningRate": 0.01}, named(lambda ps: ref.AdamMini(ps, lr=0.01)), ALL),
    ("adam_mini_heads_fc1", "adam_mini", {"LearningRate": 0.01, "HeadCount": 2, "QueryKeyPattern": r"^fc1\.weight$"},
     named(lambda ps: ref.AdamMini(ps, lr=0.01, heads=2, qk_pattern=r"^fc1\.weight$")), ["mlp"]),
    ("adam_mini_heads_matrix", "adam_mini", {"LearningRate": 0.01, "HeadCount": 4, "QueryKeyPattern": "^weight$",
                                             "WeightDecay": 0.0},
     named(lambda ps: ref.AdamMini(ps, lr=0.01, heads=4, qk_pattern="^weight$", weight_decay=0.0)), ["matrix"]),
    ("coupled_adam", "coupled_adam", {"LearningRate": 0.01, "EmbeddingPattern": r"^(fc1\.weight|weight)$"},
     named(lambda ps: ref.CoupledAdam(ps, lr=0.01, pattern=r"^(fc1\.weight|weight)$")), ALL),
    ("apollo", "apollo", {"Rank": 4, "ProjectionUpdateInterval": 5},
     single(lambda ps: ref.Apollo(ps, rank=4, update_proj_gap=5)), ALL),
    ("apollo_nolimiter_wd_seed", "apollo",
     {"Rank": 3, "ProjectionUpdateInterval": 4, "NormGrowthLimiter": False, "WeightDecay": 0.1, "Seed": 5,
      "Scale": 2.0},
     single(lambda ps: ref.Apollo(ps, rank=3, update_proj_gap=4, limiter=False, weight_decay=0.1, seed=5, scale=2.0)),
     ["mlp", "matrix"]),
    ("apollo_mini", "apollo_mini", {"LearningRate": 0.001, "ProjectionUpdateInterval": 7},
     single(lambda ps: ref.Apollo(ps, lr=0.001, rank=1, scale_type="tensor", scale=128.0, update_proj_gap=7)), ALL),
    ("adamw_8bit", "adamw", {"LearningRate": 0.01, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 0},
     single(lambda ps: ref.AdamW8bit(ps, lr=0.01)), ALL),
    ("adamw_8bit_block256", "adamw",
     {"LearningRate": 0.01, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 0, "QuantizationBlockSize": 256,
      "WeightDecay": 0.1},
     single(lambda ps: ref.AdamW8bit(ps, lr=0.01, block=256, weight_decay=0.1)), ["matrix"]),
    ("adamw_8bit_min_size", "adamw",
     {"LearningRate": 0.01, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 10, "QuantizationBlockSize": 16},
     single(lambda ps: ref.AdamW8bit(ps, lr=0.01, block=16, min_size=10)), ["mlp"]),
    ("lion_8bit", "lion", {"LearningRate": 0.003, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 0},
     single(lambda ps: ref.Lion8bit(ps, lr=0.003)), ALL),
    ("lion_8bit_block256_wd", "lion",
     {"LearningRate": 0.003, "StateDtype": "Int8Blockwise", "MinQuantizedSize": 0, "QuantizationBlockSize": 256,
      "WeightDecay": 0.1},
     single(lambda ps: ref.Lion8bit(ps, lr=0.003, block=256, weight_decay=0.1)), ["matrix"]),
    ("adamw_sn", "adamw_sn", {"LearningRate": 0.01, "WeightDecay": 0.1},
     single(lambda ps: ref.AdamWSN(ps, lr=0.01, weight_decay=0.1)), ALL),
    ("adamw_sn_subset7_mean", "adamw_sn", {"LearningRate": 0.01, "SubsetSize": 7, "MeanOverSubset": True},
     single(lambda ps: ref.AdamWSN(ps, lr=0.01, subset_size=7, mean=True)), ["mlp", "matrix"]),
    ("microadam", "microadam", {"LearningRate": 0.01, "Density": 0.3, "WindowSize": 4, "QuantizationBucketSize": 8},
     single(lambda ps: ref.MicroAdam(ps, lr=0.01, density=0.3, window=4, bucket=8)), ALL),
    ("microadam_2bit_wd_betas", "microadam",
     {"LearningRate": 0.01, "Density": 0.2, "WindowSize": 3, "ErrorBits": 2, "QuantizationBucketSize": 5,
      "WeightDecay": 0.1, "Beta1": 0.8, "Beta2": 0.99},
     single(lambda ps: ref.MicroAdam(ps, lr=0.01, density=0.2, window=3, bits=2, bucket=5, weight_decay=0.1,
                                     betas=(0.8, 0.99))), ["quadratic", "mlp"]),
    ("microadam_float_error", "microadam", {"LearningRate": 0.01, "Density": 0.1, "QuantizeErrorFeedback": False},
     single(lambda ps: ref.MicroAdam(ps, lr=0.01, density=0.1, quantize=False)), ["mlp", "matrix"]),
]
