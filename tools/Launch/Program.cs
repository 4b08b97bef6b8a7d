// torchzoo-launch: starts N copies of a command on this machine as the ranks of one process group, the way torchrun
// does for a single node: each gets MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE and LOCAL_WORLD_SIZE. Output
// lines are forwarded with a "[rank r] " prefix. When a rank fails, the others are stopped and the launcher exits with
// that rank's exit code.
//
//   torchzoo-launch --world-size 2 [--nnodes M --node-rank K] [--master-addr 127.0.0.1] [--master-port N] -- <command> [arguments...]
// With --nnodes M, run it on each of M machines with the same --master-addr (node 0's) and --master-port and its own
// --node-rank: the ranks are K·N + local rank of a world of M·N.
using System.Globalization;
using TorchZoo.Torch.Distributed;

int worldSize = 1, nodes = 1, nodeRank = 0;
string address = "127.0.0.1";
int? port = null;
int separator = Array.IndexOf(args, "--");
if (separator < 0 || separator == args.Length - 1)
    return Usage("give the command to run after '--'.");
for (int i = 0; i < separator; i++)
{
    string option = args[i];
    string? value = i + 1 < separator ? args[i + 1] : null;
    switch (option)
    {
        case "--world-size" or "--nproc-per-node" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w >= 1:
            worldSize = w;
            i++;
            break;
        case "--nnodes" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1:
            nodes = n;
            i++;
            break;
        case "--node-rank" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int k):
            nodeRank = k;
            i++;
            break;
        case "--master-addr" when !string.IsNullOrWhiteSpace(value):
            address = value!;
            i++;
            break;
        case "--master-port" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535:
            port = p;
            i++;
            break;
        default:
            return Usage($"'{option}'{(value is null ? "" : $" {value}")} is not a valid option.");
    }
}
string command = args[separator + 1];
string[] arguments = args[(separator + 2)..];
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
if (nodeRank >= nodes) return Usage($"--node-rank {nodeRank} must be below --nnodes {nodes}.");
if (nodes > 1 && port is null) return Usage("a run over several machines needs --master-port (the same on every machine).");
return LocalLaunch.Run(worldSize, command, arguments, address, port, cancel.Token, nodes, nodeRank);

static int Usage(string problem)
{
    Console.Error.WriteLine($"torchzoo-launch: {problem}");
    Console.Error.WriteLine("usage: torchzoo-launch --world-size N [--nnodes M --node-rank K] [--master-addr 127.0.0.1] [--master-port PORT] -- <command> [arguments...]");
    return 2;
}
