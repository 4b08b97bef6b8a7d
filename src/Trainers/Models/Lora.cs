using System.Globalization;
using System.Text.RegularExpressions;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Trainers.Models;

/// <summary>Adds, merges and persists LoRA adapters on any module built from <see cref="Linear"/> layers.</summary>
public static class Lora
{
    /// <summary>
    /// Adds an adapter to every Linear whose dotted name matches <see cref="LoraOptions.TargetModules"/> and freezes
    /// every other parameter (RequiresGrad false) except those matching <see cref="LoraOptions.TrainableParameters"/>.
    /// Returns the adapters by module name. Fails, changing nothing, if no Linear matches or one already has an adapter.
    /// </summary>
    public static IReadOnlyDictionary<string, LoraAdapter> Apply(Module model, LoraOptions options, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var target = new Regex(options.TargetModules, RegexOptions.CultureInvariant);
        var keep = options.TrainableParameters is null ? null : new Regex(options.TrainableParameters, RegexOptions.CultureInvariant);
        var linears = model.NamedModules().Where(m => m.Module is Linear).Select(m => (m.Name, Layer: (Linear)m.Module)).ToList();
        var chosen = linears.Where(l => target.IsMatch(l.Name)).ToList();
        if (chosen.Count == 0)
            throw new ArgumentException(
                $"TargetModules '{options.TargetModules}' matches no Linear layer; the model has: {string.Join(", ", linears.Select(l => l.Name))}.", nameof(options));
        if (chosen.FirstOrDefault(l => l.Layer.Adapter is not null) is { Layer: not null } taken)
            throw new InvalidOperationException($"Linear '{taken.Name}' already has an adapter.");

        foreach (var (name, p) in model.NamedParameters())
            p.RequiresGrad = keep is not null && keep.IsMatch(name);
        var adapters = new Dictionary<string, LoraAdapter>();
        foreach (var (name, layer) in chosen)
            adapters[name] = new LoraAdapter(layer, options, generator);
        return adapters;
    }

    /// <summary>The adapters present in <paramref name="model"/>, by module name.</summary>
    public static IReadOnlyDictionary<string, LoraAdapter> Adapters(Module model) =>
        model.NamedModules().Where(m => m.Module is Linear { Adapter: LoraAdapter })
            .ToDictionary(m => m.Name, m => (LoraAdapter)((Linear)m.Module).Adapter!);

    /// <summary>Folds every adapter into its base weight (inference at base cost).</summary>
    public static void Merge(Module model)
    {
        foreach (LoraAdapter a in Adapters(model).Values) a.Merge();
    }

    /// <summary>Takes every adapter back out of its base weight.</summary>
    public static void Unmerge(Module model)
    {
        foreach (LoraAdapter a in Adapters(model).Values) a.Unmerge();
    }

    /// <summary>The adapter tensors only (names containing <c>lora_</c>), live (do not dispose them).</summary>
    public static IReadOnlyDictionary<string, Tensor> AdapterState(Module model) =>
        model.NamedParameters().Where(p => IsAdapterName(p.Name)).ToDictionary(p => p.Name, p => (Tensor)p.Parameter);

    /// <summary>Writes only the adapter tensors to a safetensors file, with rank and α in its metadata.</summary>
    public static void SaveAdapters(Module model, string path)
    {
        var adapters = Adapters(model);
        if (adapters.Count == 0) throw new InvalidOperationException("The model has no LoRA adapters to save.");
        LoraOptions o = adapters.Values.First().Options;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "torchzoo-lora",
            ["rank"] = o.Rank.ToString(CultureInfo.InvariantCulture),
            ["alpha"] = o.Alpha.ToString("R", CultureInfo.InvariantCulture),
            ["target_modules"] = o.TargetModules,
        };
        SafeTensors.Save(path, AdapterState(model), metadata);
    }

    /// <summary>
    /// Loads adapter tensors saved by <see cref="SaveAdapters"/> into a model that has the same adapters
    /// (apply <see cref="Apply"/> with the same options first). The file must hold exactly the model's adapter tensors.
    /// Merged adapters are unmerged first and merged again after loading.
    /// </summary>
    public static void LoadAdapters(Module model, string path)
    {
        var adapters = Adapters(model);
        if (adapters.Count == 0) throw new InvalidOperationException("The model has no LoRA adapters to load into; call Lora.Apply first.");
        Dictionary<string, Tensor> loaded = SafeTensors.Load(path);
        try
        {
            var own = AdapterState(model);
            var missing = own.Keys.Where(k => !loaded.ContainsKey(k)).ToList();
            var unexpected = loaded.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"'{path}' does not match the model's adapters: " +
                    (missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "") +
                    (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                    (unexpected.Count > 0 ? $"unexpected {string.Join(", ", unexpected)}" : "") + ".");
            var merged = adapters.Values.Where(a => a.IsMerged).ToList();
            foreach (LoraAdapter a in merged) a.Unmerge();
            model.LoadStateDict(loaded, strict: false);
            foreach (LoraAdapter a in merged) a.Merge();
        }
        finally
        {
            foreach (Tensor t in loaded.Values) t.Dispose();
        }
    }

    private static bool IsAdapterName(string name) => name.Split('.').Any(part => part.StartsWith("lora_", StringComparison.Ordinal));
}
