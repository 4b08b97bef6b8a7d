namespace TorchZoo.Bench.Foundation;

/// <summary>Command-line options; deliberately a handful, parsed by hand.</summary>
internal sealed class Options
{
    public const string Usage =
        "usage: dotnet run -c Release --project bench/Foundation -- [--threads N] [--op-threads N] [--rounds N] [--quick]\n" +
        "                                                          [--python PATH] [--no-floor] [--verbose]\n" +
        "  --threads N     intra-op threads for GEMM on both sides (default 2)\n" +
        "  --op-threads N  threads for the per-op timings on both sides (default 1; 16-element ops never parallelize)\n" +
        "  --rounds N      interleaved GEMM rounds (default 15, --quick 3); per-op rounds are half as many (at least 3)\n" +
        "  --quick         fewer rounds and shorter loops (a smoke run, not for the record)\n" +
        "  --python PATH   the Python that has torch (default /usr/bin/python3)\n" +
        "  --no-floor      skip the C++ floor column\n" +
        "  --verbose       print min/median/max of every series";

    public int Threads { get; private set; } = 2;
    public int OpThreads { get; private set; } = 1;
    public int? Rounds { get; private set; }
    public bool Quick { get; private set; }
    public bool NoFloor { get; private set; }
    public bool Verbose { get; private set; }
    public bool Help { get; private set; }
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
                case "--op-threads": o.OpThreads = Positive(); break;
                case "--rounds": o.Rounds = Positive(); break;
                case "--quick": o.Quick = true; break;
                case "--no-floor": o.NoFloor = true; break;
                case "--verbose": o.Verbose = true; break;
                case "--python": o.Python = Value(); break;
                case "-h" or "--help": o.Help = true; break;
                default: throw new ArgumentException($"Unknown option '{a}'.");
            }
        }
        return o;
    }
}
