using System.Globalization;
using TorchZoo.Trainers.Distributed;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;

namespace ChirpRegression;

/// <summary>The example's command line: every option has a default that finishes in a few minutes on two cores.</summary>
public sealed record RunOptions
{
    public int Samples { get; init; } = 12_000;
    public int Epochs { get; init; } = 8;
    public int Grid { get; init; } = 64;
    public int Patch { get; init; } = 8;
    // The stem lifted every target by 0.03–0.04 at the default budget (REG: onset time 0.926 → 0.958; AdamW 0.940 → 0.967)
    // at no measurable cost; docs/benchmarks.md "Chirp regression".
    public bool ConvolutionalStem { get; init; } = true;
    public int Width { get; init; } = 128;
    public int Depth { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int BatchSize { get; init; } = 64;
    public string Optimizer { get; init; } = "reg";
    public double? LearningRate { get; init; }
    public int Threads { get; init; } = Math.Min(Environment.ProcessorCount, 2);
    public int Seed { get; init; } = 42;
    public int Patience { get; init; } = 3;
    public string Output { get; init; } = "chirp-output";
    public bool Stft { get; init; }
    public bool Auto { get; init; }
    public int AutoEpochsPerFamily { get; init; } = 6;
    public int WorldSize { get; init; } = 1;
    public int? DiLoCoInnerSteps { get; init; }
    public double? OuterLearningRate { get; init; }
    public double? OuterMomentum { get; init; }

    // DiLoCo's outer step as this example runs it. The paper's outer momentum 0.9 (DiLoCoOptions' default) is meant for
    // thousands of outer steps; the default run makes ~100, and with Nesterov momentum 0.9 the steady-state outer step
    // is 0.7 / (1 − 0.9) = 7 times the averaged pseudo-gradient. Measured (3-epoch runs, 2 ranks, H = 10, AdamW):
    // validation loss 0.622 with momentum 0.9, 0.470 with 0.5, 0.471 with plain averaging (lr 1, momentum 0), 0.518
    // for data parallel. docs/benchmarks.md has the full runs.
    public double EffectiveOuterLearningRate => OuterLearningRate ?? 0.7;
    public double EffectiveOuterMomentum => OuterMomentum ?? 0.5;
    public bool ThreadsGiven { get; init; }

    public const string Help = """
        ChirpRegression: a Vision Transformer that regresses a chirp's onset time, onset frequency and offset frequency
        from its spectrogram (after arXiv 2503.22713), trained with TorchZoo.

          --samples N       examples to generate (default 12000; 20% held out for test, 10% of the rest for validation)
          --epochs N        maximum epochs (default 8; early stopping with patience 3 on the validation loss)
          --grid N          spectrogram size N×N (default 64; the study used 128)
          --patch N         ViT patch size (default 8)
          --no-stem         one p×p patch convolution instead of the default convolutional stem (3×3 stride-2
                            convolutions with BatchNorm and GELU, arXiv 2106.14881), which needs a power-of-two patch
          --width N --depth N --heads N   ViT shape (default 128, 4, 4)
          --batch N         batch size (default 64)
          --optimizer NAME  any registered optimizer: reg (default), adamw, muon, lion, soap, ...
          --lr X            learning rate (default: the optimizer's)
          --threads N       libtorch threads (default 2)
          --seed N          seed for data and training (default 42)
          --out DIR         where the model and report go (default chirp-output)
          --auto            let ml.Auto() choose the optimizer and its learning rate (successive halving, equal epochs per
                            optimizer family: --auto-epochs N, default 6), then train the winner
          --world-size N    data-parallel over N processes on this machine (c10d/Gloo on loopback; the batch stays global,
                            threads are split between the ranks). Started by torchzoo-launch (or with RANK, WORLD_SIZE,
                            MASTER_ADDR, MASTER_PORT set on each machine), the program joins that group instead
          --diloco H        DiLoCo over the ranks: H inner steps of the chosen optimizer, then an outer Nesterov step on
                            the averaged pseudo-gradient: --outer-lr X (default 0.7) --outer-momentum X (default 0.5, not
                            the paper's 0.9, which suits thousands of outer steps rather than this run's ~100)
          --stft            synthesize waveforms (256 Hz) and compute the spectrogram with the Spectrogram transform (libtorch stft)
        """;

    public static RunOptions Parse(string[] args)
    {
        var o = new RunOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            double Number(double min, double max) => double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= min && v <= max
                ? v : throw new ArgumentException($"{args[i - 1]} needs a number in [{min}, {(max == double.MaxValue ? "∞" : max.ToString(CultureInfo.InvariantCulture))}].");
            int Int() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException($"{args[i - 1]} needs a positive integer.");
            o = args[i] switch
            {
                "--samples" => o with { Samples = Int() },
                "--epochs" => o with { Epochs = Int() },
                "--grid" => o with { Grid = Int() },
                "--patch" => o with { Patch = Int() },
                "--width" => o with { Width = Int() },
                "--depth" => o with { Depth = Int() },
                "--heads" => o with { Heads = Int() },
                "--batch" => o with { BatchSize = Int() },
                "--threads" => o with { Threads = Int(), ThreadsGiven = true },
                "--world-size" => o with { WorldSize = Int() },
                "--diloco" => o with { DiLoCoInnerSteps = Int() },
                "--outer-lr" => o with { OuterLearningRate = Number(0, double.MaxValue) },
                "--outer-momentum" => o with { OuterMomentum = Number(0, 0.999999) },
                "--seed" => o with { Seed = Int() },
                "--patience" => o with { Patience = Int() },
                "--optimizer" => o with { Optimizer = Next() },
                "--lr" => o with { LearningRate = double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) && lr > 0 ? lr : throw new ArgumentException("--lr needs a positive number.") },
                "--out" => o with { Output = Next() },
                "--stft" => o with { Stft = true },
                "--stem" => o with { ConvolutionalStem = true },
                "--no-stem" => o with { ConvolutionalStem = false },
                "--auto" => o with { Auto = true },
                "--auto-epochs" => o with { AutoEpochsPerFamily = Int() },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Run with --help for the options."),
            };
        }
        if (o.Grid % o.Patch != 0) throw new ArgumentException($"--patch {o.Patch} must divide --grid {o.Grid}.");
        if (o.ConvolutionalStem && !PatchEmbedding.IsStemPatch(o.Patch))
            throw new ArgumentException($"--patch {o.Patch} is not a power of two, which the convolutional stem needs; add --no-stem for one {o.Patch}×{o.Patch} patch convolution.");
        if (o.Width % o.Heads != 0) throw new ArgumentException($"--heads {o.Heads} must divide --width {o.Width}.");
        if (o.Samples < 100) throw new ArgumentException("--samples must be at least 100.");
        _ = OptimizerRegistry.Create(o.Optimizer);
        if (o.Auto && (o.WorldSize > 1 || o.DiLoCoInnerSteps is not null)) throw new ArgumentException("--auto runs in one process: drop --world-size and --diloco.");
        if (o.DiLoCoInnerSteps is null && (o.OuterLearningRate is not null || o.OuterMomentum is not null))
            throw new ArgumentException("--outer-lr and --outer-momentum are DiLoCo's; add --diloco H.");
        if (o.BatchSize % o.WorldSize != 0) throw new ArgumentException($"--batch {o.BatchSize} is the global batch and must be divisible by --world-size {o.WorldSize}.");
        return o;
    }

    /// <summary>The ViT these options describe (the chirp preset with the command line's shape).</summary>
    public VisionTransformerOptions Model() => VisionTransformerOptions.Micro with
    {
        PatchSize = Patch, Width = Width, Depth = Depth, Heads = Heads,
        PatchEmbedding = ConvolutionalStem ? PatchEmbeddingKind.ConvolutionalStem : PatchEmbeddingKind.Convolution,
    };

    public OptimizerOptions OptimizerOptions()
    {
        OptimizerOptions options = OptimizerRegistry.Create(Optimizer);
        if (LearningRate is { } lr) options = options with { LearningRate = lr };
        // DiLoCo's process group is the training loop's, filled in when training starts.
        if (DiLoCoInnerSteps is not { } h) return options;
        return new DiLoCoOptions { Inner = options, InnerSteps = h, OuterLearningRate = EffectiveOuterLearningRate, OuterMomentum = EffectiveOuterMomentum };
    }
}
