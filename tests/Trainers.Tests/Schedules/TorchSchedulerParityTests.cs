using System.Text.Json;
using TorchZoo.Trainers.Schedules;

namespace TorchZoo.Trainers.Tests.Schedules;

/// <summary>Our schedules against torch.optim.lr_scheduler's values (tests/golden/make_schedule_values.py).</summary>
public class TorchSchedulerParityTests
{
    private static readonly Dictionary<string, LearningRateSchedule> Ours = new()
    {
        ["cosine_floor0"] = new CosineSchedule(),
        ["cosine_floor0.1"] = new CosineSchedule { FloorRatio = 0.1 },
        ["linear_decay"] = new LinearDecaySchedule(),
        ["step_10_0.5"] = new StepSchedule { StepSize = 10, Gamma = 0.5 },
        ["multistep_30_60_90"] = new MultiStepSchedule { Milestones = new long[] { 30, 60, 90 }, Gamma = 0.3 },
        ["exponential_0.97"] = new ExponentialSchedule { Gamma = 0.97 },
        ["polynomial_2"] = new PolynomialSchedule { Power = 2 },
        ["warmup10_cosine"] = new WarmupSchedule(new CosineSchedule()) { WarmupSteps = 10, StartFactor = 0.01 },
        ["onecycle_cos"] = new OneCycleSchedule(),
        ["onecycle_linear_pct0.25"] = new OneCycleSchedule { PctStart = 0.25, Anneal = AnnealShape.Linear, DivFactor = 10, FinalDivFactor = 100 },
    };

    private static JsonElement Golden()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "golden", "schedules", "torch_lr_scheduler.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    public static IEnumerable<string> Cases() => Golden().GetProperty("cases").EnumerateObject().Select(p => p.Name).ToList();

    [TestCaseSource(nameof(Cases))]
    public void MatchesTorchAtEveryStep(string name)
    {
        Ours.Should().ContainKey(name, "every golden schedule needs its counterpart here");
        JsonElement root = Golden();
        long total = root.GetProperty("total_steps").GetInt64();
        JsonElement golden = root.GetProperty("cases").GetProperty(name);
        double[] expected = golden.GetProperty("factors").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        LearningRateSchedule schedule = Ours[name];
        for (int step = 0; step < expected.Length; step++)
            schedule.Factor(step, total).Should().BeApproximately(expected[step], 1e-9 + 1e-6 * Math.Abs(expected[step]), $"{name} at step {step}");
        if (golden.TryGetProperty("momentum", out JsonElement momentum))
        {
            var oneCycle = (OneCycleSchedule)schedule;
            double[] m = momentum.EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int step = 0; step < m.Length; step++)
                oneCycle.MomentumFactor(step, total).Should().BeApproximately(m[step], 1e-9, $"{name} momentum at step {step}");
        }
    }
}
