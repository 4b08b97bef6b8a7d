#!/usr/bin/env python3
"""The matrix products of one chirp-ViT layer at batch 8 (520 token rows, width 192, MLP 768), timed alone at 1 and 2
threads in libtorch (through PyTorch): how close the step's GEMMs get to the machine's ceiling, and what running the
independent products of a backward pass side by side on one thread each could gain over one 2-thread product.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/VitStep/gemm_shapes.py [--rounds N]

Set OPENBLAS_CORETYPE to what TorchZoo picks for the CPU (TorchRuntime.BlasCore): without it OpenBLAS may run its
SSE3 fallback on a CPU model it does not recognise. The kernel set in use is printed first.
"""
import argparse
import ctypes
import time

import torch

# (m, k, n) of A(m×k)·B(k×n): forward x·Wᵀ for qkv, proj, fc1, fc2; then weight gradients dYᵀ·X for qkv, fc1, fc2.
SHAPES = [(520, 192, 576), (520, 192, 192), (520, 192, 768), (520, 768, 192),
          (576, 520, 192), (768, 520, 192), (192, 520, 768)]


def timed(threads, repeats):
    torch.set_num_threads(threads)
    total = 0.0
    for m, k, n in SHAPES:
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(10):
            a @ b
        start = time.perf_counter()
        for _ in range(repeats):
            a @ b
        seconds = (time.perf_counter() - start) / repeats
        total += seconds
        print(f"{threads} thread(s) {m}x{k}x{n}: {seconds * 1e6:8.1f} us  {2 * m * k * n / seconds / 1e9:5.1f} GFLOP/s")
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    try:
        openblas = ctypes.CDLL("libopenblas.so.0")
        openblas.openblas_get_corename.restype = ctypes.c_char_p
        print(f"OpenBLAS kernels: {openblas.openblas_get_corename().decode()}")
    except (OSError, AttributeError):
        print("OpenBLAS kernels: unknown (not OpenBLAS?)")
    for _ in range(args.rounds):
        one, two = timed(1, args.repeats), timed(2, args.repeats)
        print(f"sum: 1 thread {one * 1e3:.2f} ms, 2 threads {two * 1e3:.2f} ms, speed-up {one / two:.2f}")


if __name__ == "__main__":
    main()
