"""The OpenBLAS kernel set of this process, for the benchmarks' PyTorch sides (TorchZoo's side: TorchRuntime.BlasCore).

Copied next to each benchmark's script by its project; run from the source tree, the script finds it in bench/Common.
"""
import ctypes


def openblas_core():
    """The kernel set OpenBLAS runs in this process (it reads OPENBLAS_CORETYPE when torch loads it), or None."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None
