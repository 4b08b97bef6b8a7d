using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>Device kinds, numbered as libtorch's <c>c10::DeviceType</c>.</summary>
public enum DeviceType
{
    Cpu = 0,
    Cuda = 1,
}

/// <summary>Where a tensor lives: the CPU, or a CUDA device by index.</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda();
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t[5..], out int index) && index >= 0)
            return Cuda(index);
        throw new ArgumentException($"Unknown device '{text}': expected 'cpu', 'cuda' or 'cuda:N'.", nameof(text));
    }

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
