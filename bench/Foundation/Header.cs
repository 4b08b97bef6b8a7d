using System.Text.Json;
using TorchZoo.Bench.Common;
using TorchZoo.Torch;

namespace TorchZoo.Bench.Foundation;

/// <summary>What the numbers were measured on: printed at the top of every run.</summary>
internal static class Header
{
    public static void Print(Options options, JsonElement pytorchInfo, string? floorPath)
    {
        Console.WriteLine($"machine:   {Machine.CpuModel()}, {Environment.ProcessorCount} logical cores (nproc)");
        Console.WriteLine($"TorchZoo:  libtorch {TorchRuntime.Version}, .NET {Environment.Version}, BLAS mapped: {string.Join(", ", Machine.BlasLibraries())}, " +
                          $"OpenBLAS kernels {TorchRuntime.BlasCore ?? "(not OpenBLAS)"}");
        Console.WriteLine($"PyTorch:   torch {pytorchInfo.GetProperty("torch").GetString()} (Python {pytorchInfo.GetProperty("python").GetString()}), " +
                          $"BLAS mapped: {string.Join(", ", pytorchInfo.GetProperty("blas").EnumerateArray().Select(e => e.GetString()))}, " +
                          $"OpenBLAS kernels {pytorchInfo.GetProperty("openblas_core").GetString() ?? "(not OpenBLAS)"}");
        Console.WriteLine($"C++ floor: {floorPath ?? "not built / skipped"}");
        Console.WriteLine($"threads:   GEMM {options.Threads}, per-op {options.OpThreads}{(options.Quick ? "  (--quick: smoke run)" : "")}");
        Console.WriteLine($"load:      {Machine.LoadAverage()} at start");
    }
}
