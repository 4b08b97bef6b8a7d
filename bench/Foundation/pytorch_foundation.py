#!/usr/bin/python3
"""PyTorch side of the Foundation benchmark (run with Debian's /usr/bin/python3 and python3-torch).

Two ways to use it:

* ``--serve``: the C# program (bench/Foundation) starts this script once and sends it one command per
  line on stdin; each answer is one JSON line on stdout. The C# side alternates its own measurements
  with these, so machine noise hits both sides of every ratio.
* standalone: ``/usr/bin/python3 bench/Foundation/pytorch_foundation.py --threads 2`` prints the
  PyTorch numbers alone (handy for a quick look, not for ratios).

Commands (``--serve``):
  info                               -> versions, thread count, BLAS library mapped in this process
  threads N                          -> torch.set_num_threads(N)
  gemm M K N REPS                    -> seconds of each of REPS calls of torch.mm(a[M,K], b[K,N]),
                                        and the minor page faults they took together
  op NAME NUMEL CALLS REPS           -> microseconds per call of REPS timed loops of CALLS calls
  quit
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

# bench/Common/openblas_core.py: beside this script in the build output, in bench/Common in the source tree.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Common"))
from openblas_core import openblas_core  # noqa: E402


def blas_libraries():
    """Shared libraries with 'blas' or 'lapack' in their name that this process has mapped."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) >= 6 and ("blas" in parts[5] or "lapack" in parts[5]):
                    found.add(os.path.realpath(parts[5]))
    except OSError:
        pass
    return sorted(found)


def info():
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "openblas_core": openblas_core(),
        "blas": blas_libraries(),
        "config": torch.__config__.show(),
    }


_gemm_inputs = {}


def gemm(m, k, n, reps):
    """Seconds for each of reps calls of torch.mm, after one untimed call."""
    if (m, k, n) not in _gemm_inputs:
        gen = torch.Generator().manual_seed(1)
        _gemm_inputs[(m, k, n)] = (torch.randn(m, k, generator=gen), torch.randn(k, n, generator=gen))
    a, b = _gemm_inputs[(m, k, n)]
    torch.mm(a, b)
    times = []
    faults = minor_faults()
    for _ in range(reps):
        t0 = time.perf_counter()
        c = torch.mm(a, b)
        t1 = time.perf_counter()
        del c
        times.append(t1 - t0)
    return times, minor_faults() - faults


def minor_faults():
    """Minor page faults of this process so far (/proc/self/stat field 10): fresh output pages."""
    with open("/proc/self/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])


def make_op(name, numel):
    """The loop for one tiny in-place op, written as an eager PyTorch user writes it."""
    x = torch.ones(numel)
    y = torch.full((numel,), 1e-3)
    t1 = torch.full((numel,), 0.5)
    t2 = torch.full((numel,), 0.25)

    if name == "add_":
        def run(calls):
            for _ in range(calls):
                x.add_(y)
    elif name == "mul_":
        def run(calls):
            for _ in range(calls):
                x.mul_(0.999999)
    elif name == "addcmul_":
        def run(calls):
            for _ in range(calls):
                x.addcmul_(t1, t2, value=1e-3)
    elif name == "empty_loop":
        # The interpreter's own loop cost, for reference: included in every op above.
        def run(calls):
            for _ in range(calls):
                pass
    else:
        raise ValueError("unknown op " + name)
    return run


def op(name, numel, calls, reps):
    run = make_op(name, numel)
    run(max(1, calls // 10))  # warm-up
    result = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        run(calls)
        t1 = time.perf_counter_ns()
        result.append((t1 - t0) / 1000.0 / calls)
    return result


def serve():
    torch.set_grad_enabled(False)  # in-place ops on leaves without requires_grad: no autograd either way
    out = sys.stdout
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            cmd = words[0]
            if cmd == "quit":
                break
            if cmd == "info":
                answer = info()
            elif cmd == "threads":
                torch.set_num_threads(int(words[1]))
                answer = {"threads": torch.get_num_threads()}
            elif cmd == "gemm":
                seconds, faults = gemm(int(words[1]), int(words[2]), int(words[3]), int(words[4]))
                answer = {"seconds": seconds, "faults": faults}
            elif cmd == "op":
                answer = {"us": op(words[1], int(words[2]), int(words[3]), int(words[4]))}
            else:
                answer = {"error": "unknown command " + cmd}
        except Exception as e:  # report, keep serving
            answer = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def standalone(args):
    torch.set_grad_enabled(False)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, BLAS {blas_libraries()}")
    for m, k, n in [(1024, 1024, 1024), (4096, 1024, 1024)]:
        gemm(m, k, n, 2)
        t = statistics.median(gemm(m, k, n, 10)[0])
        print(f"mm {m}x{k} @ {k}x{n}: {t * 1e3:8.2f} ms  {2.0 * m * k * n / t / 1e9:7.1f} GFLOP/s")
    torch.set_num_threads(args.op_threads)
    for name in ["add_", "mul_", "addcmul_", "empty_loop"]:
        us = statistics.median(op(name, 16, 200_000, 7))
        print(f"{name:<10} 16 elements, {args.op_threads} thread(s): {us:6.3f} us/call")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--serve", action="store_true", help="answer commands on stdin (used by the C# program)")
    p.add_argument("--threads", type=int, default=2, help="threads for GEMM (standalone)")
    p.add_argument("--op-threads", type=int, default=1, help="threads for per-op timings (standalone)")
    args = p.parse_args()
    if args.serve:
        serve()
    else:
        standalone(args)


if __name__ == "__main__":
    main()
