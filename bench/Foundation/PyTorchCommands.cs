using System.Globalization;
using System.Text.Json;
using TorchZoo.Bench.Common;

namespace TorchZoo.Bench.Foundation;

/// <summary>pytorch_foundation.py --serve's commands on the shared <see cref="PyTorchServer"/>.</summary>
internal static class FoundationCommands
{
    /// <summary>Seconds of each call, and the minor page faults of all of them.</summary>
    public static (double[] Seconds, long Faults) Gemm(this PyTorchServer server, GemmCase g, int reps)
    {
        JsonElement answer = server.Ask($"gemm {g.M} {g.K} {g.N} {reps}");
        return (PyTorchServer.Numbers(answer, "seconds"), answer.GetProperty("faults").GetInt64());
    }

    public static double[] Op(this PyTorchServer server, string op, int numel, int calls, int reps) =>
        PyTorchServer.Numbers(server.Ask(string.Create(CultureInfo.InvariantCulture, $"op {op} {numel} {calls} {reps}")), "us");
}
