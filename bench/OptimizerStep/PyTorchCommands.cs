using System.Text.Json;
using TorchZoo.Bench.Common;

namespace TorchZoo.Bench.OptimizerStep;

/// <summary>pytorch_optimizer_step.py --serve's commands on the shared <see cref="PyTorchServer"/>.</summary>
internal static class OptimizerStepCommands
{
    /// <summary>Seconds of each of <paramref name="reps"/> steps after <paramref name="warm"/> untimed ones, and the state bytes.</summary>
    public static (double[] Seconds, long StateBytes) Run(this PyTorchServer server, string optimizer, string mode, int warm, int reps)
    {
        JsonElement a = server.Ask($"run {optimizer} {mode} {warm} {reps}");
        return (PyTorchServer.Numbers(a, "seconds"), a.GetProperty("state_bytes").GetInt64());
    }

    /// <summary>Every case the server can run, by registry name (source, option overrides, modes, closure need), with the
    /// golden configurations of <paramref name="goldenFolder"/> loaded.</summary>
    public static JsonElement Cases(this PyTorchServer server, string goldenFolder) =>
        server.Ask($"cases {goldenFolder}").GetProperty("cases").Clone();
}
