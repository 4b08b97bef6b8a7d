namespace TorchZoo.Bench.OptimizerStep;

/// <summary>Command-line options, parsed by hand.</summary>
internal sealed class Options
{
    public const string Usage =
        "usage: dotnet run -c Release --project bench/OptimizerStep -- [--threads N] [--rounds N] [--quick] [--no-generic]\n" +
        "                                                             [--all | --only a,b] [--golden DIR] [--python PATH] [--verbose]\n" +
        "  --threads N     intra-op threads on both sides (default 2)\n" +
        "  --rounds N      interleaved rounds of the element-wise cases (default 7, --quick 2); the decomposition-bound\n" +
        "                  ones (Muon family, SOAP, Conda, ROOT) run max(1, N/3) rounds of one step\n" +
        "  --quick         fewer rounds and steps (a smoke run, not for the record)\n" +
        "  --no-generic    skip the column of our generic (Fused = false) path\n" +
        "  --all           every optimizer of OptimizerRegistry (default: adamw, lion, reg, muon, sgd, adam)\n" +
        "  --only LIST     only these registry names\n" +
        "  --golden DIR    tests/golden, whose configurations and references give the PyTorch side of the optimizers\n" +
        "                  torch.optim lacks (default: found above the program)\n" +
        "  --python PATH   the Python that has torch (default /usr/bin/python3)\n" +
        "  --verbose       print min/median/max of every series";

    public int Threads { get; private set; } = 2;
    public int? Rounds { get; private set; }
    public bool Quick { get; private set; }
    public bool Generic { get; private set; } = true;
    public bool Verbose { get; private set; }
    public bool Help { get; private set; }
    public string[]? Only { get; private set; }
    public bool All { get; private set; }
    public string? Golden { get; private set; }
    public string Python { get; private set; } = "/usr/bin/python3";

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            int Positive()
            {
                string v = Value();
                return int.TryParse(v, out int n) && n > 0 ? n : throw new ArgumentException($"{a} needs a positive integer, not '{v}'.");
            }
            switch (a)
            {
                case "--threads": o.Threads = Positive(); break;
                case "--rounds": o.Rounds = Positive(); break;
                case "--quick": o.Quick = true; break;
                case "--no-generic": o.Generic = false; break;
                case "--only": o.Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--all": o.All = true; break;
                case "--golden": o.Golden = Value(); break;
                case "--verbose": o.Verbose = true; break;
                case "--python": o.Python = Value(); break;
                case "-h" or "--help": o.Help = true; break;
                default: throw new ArgumentException($"Unknown option '{a}'.");
            }
        }
        if (o.All && o.Only is not null) throw new ArgumentException("--all and --only exclude each other.");
        return o;
    }
}
