using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchZoo.Torch;
using TorchZoo.Torch.Serialization;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Training;

/// <summary>
/// Everything needed to continue a run as if it had never stopped: model weights, optimizer state, the
/// step and epoch, both random generators (shuffling and libtorch's default), callback state, the best
/// weights of early stopping and the history. One safetensors file, written atomically (temporary file,
/// fsync, rename), so a crash while writing never damages the previous checkpoint.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    private const string Format = "torchzoo.checkpoint/1";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public required int Epoch { get; init; }
    public required long Step { get; init; }
    public required double LearningRateScale { get; init; }
    public required Dictionary<string, Tensor> Model { get; init; }
    public required OptimizerState Optimizer { get; init; }
    public required Tensor ShuffleGenerator { get; init; }
    public required Tensor DefaultGenerator { get; init; }
    public Dictionary<string, Tensor>? BestWeights { get; init; }
    /// <summary>State of the stateful callbacks, keyed by type name and occurrence ("ReduceOnPlateau#0").</summary>
    public required Dictionary<string, Dictionary<string, double>> CallbackStates { get; init; }
    public required HistorySnapshot History { get; init; }

    /// <summary>The serializable part of a <see cref="TrainingHistory"/>.</summary>
    public sealed record HistorySnapshot(List<EvaluationRecord> Evaluations, List<double> LearningRates, List<double> StepLosses, List<long> SkippedSteps)
    {
        public static HistorySnapshot Of(TrainingHistory h) => new(h.Evaluations.ToList(), h.LearningRates.ToList(), h.StepLosses.ToList(), h.SkippedSteps.ToList());

        public void RestoreInto(TrainingHistory h)
        {
            h.Evaluations.AddRange(Evaluations);
            h.LearningRates.AddRange(LearningRates);
            h.StepLosses.AddRange(StepLosses);
            h.SkippedSteps.AddRange(SkippedSteps);
        }
    }

    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, t) in Model) tensors[$"model.{k}"] = t;
        foreach (var (k, t) in Optimizer.Tensors) tensors[$"optimizer.{k}"] = t;
        if (BestWeights is not null)
            foreach (var (k, t) in BestWeights) tensors[$"best.{k}"] = t;
        tensors["rng.shuffle"] = ShuffleGenerator;
        tensors["rng.default"] = DefaultGenerator;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["lr_scale"] = LearningRateScale.ToString("R", CultureInfo.InvariantCulture),
            ["optimizer"] = Optimizer.Optimizer,
            ["optimizer_scalars"] = JsonSerializer.Serialize(Optimizer.Scalars, Json),
            ["callbacks"] = JsonSerializer.Serialize(CallbackStates, Json),
            ["history"] = JsonSerializer.Serialize(History, Json),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>Reads and validates a checkpoint; a truncated or foreign file fails with a message naming it.</summary>
    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The checkpoint '{path}' does not exist.", path);
        IReadOnlyDictionary<string, string> metadata;
        Dictionary<string, Tensor> tensors;
        try
        {
            (_, metadata) = SafeTensors.ReadHeader(path);
            if (!metadata.TryGetValue("format", out string? format) || format != Format)
                throw new InvalidDataException($"'{path}' is not a TorchZoo checkpoint (format '{format ?? "missing"}').");
            tensors = SafeTensors.Load(path);
        }
        catch (InvalidDataException e) when (!e.Message.Contains("TorchZoo checkpoint"))
        {
            throw new InvalidDataException($"The checkpoint '{path}' is damaged: {e.Message}", e);
        }
        foreach (Tensor t in tensors.Values) t.DetachFromDisposeScope();
        try
        {
            var optimizer = new OptimizerState(metadata["optimizer"]);
            foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, double>>(metadata["optimizer_scalars"], Json)!) optimizer.Scalars[k] = v;
            Dictionary<string, Tensor> Prefixed(string prefix) =>
                tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            foreach (var (k, t) in Prefixed("optimizer.")) optimizer.Tensors[k] = t;
            var best = Prefixed("best.");
            return new Checkpoint
            {
                Epoch = int.Parse(metadata["epoch"], CultureInfo.InvariantCulture),
                Step = long.Parse(metadata["step"], CultureInfo.InvariantCulture),
                LearningRateScale = double.Parse(metadata["lr_scale"], CultureInfo.InvariantCulture),
                Model = Prefixed("model."),
                Optimizer = optimizer,
                ShuffleGenerator = tensors["rng.shuffle"],
                DefaultGenerator = tensors["rng.default"],
                BestWeights = best.Count > 0 ? best : null,
                CallbackStates = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, double>>>(metadata["callbacks"], Json)!,
                History = JsonSerializer.Deserialize<HistorySnapshot>(metadata["history"], Json)!,
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or JsonException or FormatException)
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            throw new InvalidDataException($"The checkpoint '{path}' is incomplete or damaged: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in Model.Values) t.Dispose();
        Optimizer.Dispose();
        ShuffleGenerator.Dispose();
        DefaultGenerator.Dispose();
        if (BestWeights is not null)
            foreach (Tensor t in BestWeights.Values) t.Dispose();
    }
}
