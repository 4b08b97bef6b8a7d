using System.Globalization;
using System.Runtime.InteropServices;
using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce"/> combines the ranks' tensors.</summary>
public enum ReduceOp
{
    Sum = 0,
    /// <summary>The sum divided by the world size (floating-point tensors only).</summary>
    Average = 1,
    Max = 2,
    Min = 3,
    Product = 4,
}

/// <summary>
/// A group of cooperating processes ("ranks") over PyTorch's c10d: rank 0 hosts a TCPStore on the master
/// address and port, every rank joins it, and collectives run over Gloo on CPU tensors. Every operation
/// waits at most <see cref="Timeout"/>; a peer that is missing, died or stalls makes it throw a
/// <see cref="TorchException"/> instead of hanging. Collectives are blocking and must be called by every
/// rank in the same order. A group of one (<see cref="Single"/>) needs no network: its collectives are
/// identities.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    /// <summary>Used when no timeout is given: generous for real runs, still bounded.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private readonly GroupHandle? native;

    private ProcessGroup(GroupHandle? native, int rank, int worldSize, TimeSpan timeout)
    {
        this.native = native;
        Rank = rank;
        WorldSize = worldSize;
        Timeout = timeout;
    }

    /// <summary>This process's index in [0, <see cref="WorldSize"/>).</summary>
    public int Rank { get; }

    /// <summary>The number of processes in the group.</summary>
    public int WorldSize { get; }

    /// <summary>The longest any rendezvous or collective waits before failing.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>True for rank 0, the rank that writes checkpoints and reports.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>
    /// Joins (rank 0: hosts) the rendezvous at <paramref name="masterAddress"/>:<paramref name="port"/> and
    /// connects to the other ranks. Blocks until all <paramref name="worldSize"/> ranks have joined or the
    /// timeout has passed (then throws).
    /// </summary>
    public static ProcessGroup Init(int rank, int worldSize, string masterAddress, int port, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(masterAddress);
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "The world size must be at least 1.");
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be in [0, {worldSize}).");
        if (string.IsNullOrWhiteSpace(masterAddress)) throw new ArgumentException("The master address is empty.", nameof(masterAddress));
        if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "The master port must be in [1, 65535].");
        TimeSpan wait = timeout ?? DefaultTimeout;
        if (wait <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), wait, "The timeout must be positive.");
        long ms = Math.Max(1L, (long)Math.Ceiling(wait.TotalMilliseconds));
        IntPtr h = NativeMethods.tz_pg_create(rank, worldSize, masterAddress, port, ms);
        if (h == IntPtr.Zero) throw TorchException.FromNative();
        return new ProcessGroup(new GroupHandle(h), rank, worldSize, wait);
    }

    /// <summary>
    /// <see cref="Init"/> from the variables torchrun (and tools/Launch) set: MASTER_ADDR, MASTER_PORT, RANK and
    /// WORLD_SIZE. Throws <see cref="InvalidOperationException"/> naming the variable that is missing or invalid.
    /// </summary>
    public static ProcessGroup InitFromEnvironment(TimeSpan? timeout = null)
    {
        string address = Variable("MASTER_ADDR");
        int port = Integer("MASTER_PORT", 1, 65535);
        int worldSize = Integer("WORLD_SIZE", 1, int.MaxValue);
        int rank = Integer("RANK", 0, worldSize - 1);
        return Init(rank, worldSize, address, port, timeout);
    }

    /// <summary>True when RANK and WORLD_SIZE are set, i.e. this process was started by a launcher.</summary>
    public static bool IsLaunchedDistributed =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("RANK")) &&
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WORLD_SIZE"));

    /// <summary>A world of one process without any network: every collective leaves its tensor as it is.</summary>
    public static ProcessGroup Single() => new(null, 0, 1, DefaultTimeout);

    private static string Variable(string name)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException($"The environment variable {name} is not set; start the ranks with tools/Launch (or torchrun), which sets MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE.");
        return value.Trim();
    }

    private static int Integer(string name, int min, int max)
    {
        string text = Variable(name);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw new InvalidOperationException($"The environment variable {name} is '{text}', but it must be an integer in [{min}, {max}].");
        return value;
    }

    private IntPtr Handle => native is null || native.IsClosed
        ? throw new ObjectDisposedException(nameof(ProcessGroup), "The process group has been disposed.")
        : native.DangerousGetHandle();

    private void EnsureOpen()
    {
        if (native is not null) _ = Handle;
        else if (disposedSingle) throw new ObjectDisposedException(nameof(ProcessGroup), "The process group has been disposed.");
    }

    private bool disposedSingle;

    /// <summary>Combines <paramref name="tensor"/> across all ranks, in place (contiguous CPU tensors).</summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        EnsureOpen();
        if (native is null)
        {
            if (op == ReduceOp.Average && !tensor.Dtype.IsFloatingPoint())
                throw new TorchException($"all_reduce with Average needs a floating-point tensor, got {tensor.Dtype}.");
            return;
        }
        Tensor.Check(NativeMethods.tz_pg_all_reduce(Handle, tensor.Handle, (int)op), tensor, native);
    }

    /// <summary>Every rank's <paramref name="tensor"/> receives rank <paramref name="root"/>'s values, in place.</summary>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        EnsureOpen();
        if (root < 0 || root >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"The root rank must be in [0, {WorldSize}).");
        if (native is null) return;
        Tensor.Check(NativeMethods.tz_pg_broadcast(Handle, tensor.Handle, root), tensor, native);
    }

    /// <summary>Every rank's <paramref name="tensor"/>, in rank order (new tensors the caller owns).</summary>
    public unsafe Tensor[] AllGather(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        EnsureOpen();
        if (native is null) return new[] { tensor.Clone() };
        var handles = new IntPtr[WorldSize];
        int n;
        fixed (IntPtr* p = handles) n = NativeMethods.tz_pg_all_gather(Handle, tensor.Handle, p, handles.Length);
        Tensor.Check(n, tensor, native);
        return Tensor.Adopt(handles, n);
    }

    /// <summary>Returns once every rank has reached the barrier.</summary>
    public void Barrier()
    {
        EnsureOpen();
        if (native is null) return;
        Tensor.Check(NativeMethods.tz_pg_barrier(Handle), native);
    }

    /// <summary>Leaves the group (closes the store and Gloo connections).</summary>
    public void Dispose()
    {
        disposedSingle = true;
        native?.Dispose();
    }

    public override string ToString() => $"ProcessGroup(rank {Rank} of {WorldSize})";

    private sealed class GroupHandle : SafeHandle
    {
        public GroupHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.tz_pg_free(handle);
            return true;
        }
    }
}
