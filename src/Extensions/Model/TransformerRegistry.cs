using TorchZoo.Extensions.Core;

namespace TorchZoo.Extensions.Model;

/// <summary>
/// Loaders of saved transformers by kind. Built-in kinds register themselves; a custom transformer registers
/// its loader once (e.g. in a static constructor or at startup) with <see cref="Register"/>.
/// </summary>
public static class TransformerRegistry
{
    private static readonly Dictionary<string, Func<ModelLoadContext, ITransformer>> loaders = new(StringComparer.Ordinal);

    static TransformerRegistry()
    {
        Register("TransformerChain", TransformerChain<ITransformer>.Load);
        BuiltInTransformers.RegisterAll();
    }

    public static void Register(string kind, Func<ModelLoadContext, ITransformer> loader)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(loader);
        lock (loaders) loaders[kind] = loader;
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        string kind = context.Kind;
        Func<ModelLoadContext, ITransformer>? loader;
        lock (loaders) loaders.TryGetValue(kind, out loader);
        if (loader is null)
            throw context.Invalid($"it contains a transformer of kind '{kind}', which is not registered (a model from another kind of pipeline, or a custom transformer whose loader was not registered)");
        return loader(context);
    }
}
