#!/usr/bin/env python3
"""Writes tests/golden/torch/pytorch_written.safetensors from PyTorch tensors, plus the expected values.

python3-safetensors is not available here, so the format is written by hand from its specification:
an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw
little-endian bytes of each tensor, back to back. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/make_safetensors.py

The expected values (pytorch_written.json) are written as integers: raw bit patterns for floating-point
types (so NaN, -0.0, infinities and subnormals compare exactly), plain values for integers and booleans.
"""
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "torch")

CODES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}

# The integer type with the same width, to read floating-point bit patterns.
BITS = {torch.float64: torch.int64, torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16}


def tensors():
    g = torch.Generator().manual_seed(20240601)
    special = [0.0, -0.0, 1.0, -2.5, float("inf"), float("-inf"), float("nan"), 1e-40, 3.0e38, 65504.0]
    return {
        "f32": torch.cat([torch.tensor(special, dtype=torch.float32), torch.randn(14, generator=g)]).reshape(2, 3, 4),
        "f64": torch.cat([torch.tensor(special + [5e-324, 1e308], dtype=torch.float64),
                          torch.randn(3, generator=g, dtype=torch.float64)]).reshape(3, 5),
        "f16": torch.tensor(special[:8] + [6e-8, 65504.0, 0.1, 1 / 3], dtype=torch.float16).reshape(4, 3),
        "bf16": torch.tensor(special + [0.1, 1 / 3], dtype=torch.float32).to(torch.bfloat16).reshape(2, 6),
        "i64": torch.tensor([0, 1, -1, 2**63 - 1, -(2**63), 1234567890123], dtype=torch.int64).reshape(3, 2),
        "i32": torch.tensor([0, -1, 2**31 - 1, -(2**31), 42], dtype=torch.int32),
        "bool": torch.tensor([[True, False, True], [False, False, True]]),
        "u8": torch.arange(0, 256, 17, dtype=torch.uint8),
        "scalar_f32": torch.tensor(3.25, dtype=torch.float32),
        "scalar_i64": torch.tensor(-7, dtype=torch.int64),
        "empty_f32": torch.zeros(0, 3, dtype=torch.float32),
        "empty_i32": torch.zeros(0, dtype=torch.int32),
        # A non-contiguous view is written as its row-major values.
        "transposed": torch.arange(6, dtype=torch.float32).reshape(2, 3).t(),
    }


def expected(t):
    t = t.contiguous()
    if t.dtype in BITS:
        bits = t.view(BITS[t.dtype]).reshape(-1).tolist()
        width = 8 * t.element_size()
        return [b & ((1 << width) - 1) for b in bits]  # unsigned bit patterns
    if t.dtype == torch.bool:
        return [bool(v) for v in t.reshape(-1).tolist()]
    return t.reshape(-1).tolist()


def raw_bytes(t):
    t = t.contiguous()
    if t.numel() == 0:
        return b""
    # View the storage as bytes; little-endian on every machine PyTorch supports here.
    return t.reshape(-1).view(torch.uint8).numpy().tobytes()


def write(path, named, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    chunks, offset = [], 0
    for name, t in named.items():
        data = raw_bytes(t)
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def main():
    if sys.byteorder != "little":
        raise SystemExit("this script writes native byte order and must run on a little-endian machine")
    os.makedirs(OUT, exist_ok=True)
    named = tensors()
    write(os.path.join(OUT, "pytorch_written.safetensors"), named, {"format": "pt", "written_by": "make_safetensors.py"})
    doc = {
        "metadata": {"format": "pt", "written_by": "make_safetensors.py"},
        "tensors": {
            name: {"dtype": CODES[t.dtype], "shape": list(t.shape), "values": expected(t)} for name, t in named.items()
        },
    }
    with open(os.path.join(OUT, "pytorch_written.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(named)} tensors to {OUT}")


if __name__ == "__main__":
    main()
