#!/usr/bin/env python3
"""Checks that a safetensors file written by TorchZoo reads correctly in PyTorch.

    /usr/bin/python3 check_safetensors.py FILE.safetensors EXPECTED.json

The file is parsed by hand from the format's specification (python3-safetensors is not available):
8-byte little-endian header length, JSON header, raw little-endian data; each tensor is rebuilt with
torch.frombuffer. EXPECTED.json has the layout make_safetensors.py writes: {"tensors": {name: {dtype,
shape, values}}} with floating-point values given as unsigned bit patterns. Exit code 0 when every
tensor matches exactly, 1 otherwise (the reasons are printed).
"""
import json
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
BITS = {torch.float64: torch.int64, torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16}


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = bytearray(blob[8 + n:])
    metadata = header.pop("__metadata__", {})
    tensors, covered = {}, 0
    for name, info in header.items():
        dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = info["shape"]
        covered += end - begin
        if end == begin:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
        tensors[name] = t
    return tensors, metadata, n, covered, len(data)


def values(t):
    t = t.contiguous()
    if t.dtype in BITS:
        width = 8 * t.element_size()
        return [b & ((1 << width) - 1) for b in t.view(BITS[t.dtype]).reshape(-1).tolist()]
    if t.dtype == torch.bool:
        return [bool(v) for v in t.reshape(-1).tolist()]
    return t.reshape(-1).tolist()


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    tensors, metadata, header_len, covered, data_len = read(sys.argv[1])
    with open(sys.argv[2]) as f:
        want = json.load(f)
    problems = []
    if header_len % 8 != 0:
        problems.append(f"header length {header_len} is not a multiple of 8")
    if covered != data_len:
        problems.append(f"tensors cover {covered} bytes but the data section has {data_len}")
    for key, value in want.get("metadata", {}).items():
        if metadata.get(key) != value:
            problems.append(f"metadata {key!r}: expected {value!r}, found {metadata.get(key)!r}")
    if set(tensors) != set(want["tensors"]):
        problems.append(f"names differ: file {sorted(tensors)} expected {sorted(want['tensors'])}")
    for name, w in want["tensors"].items():
        t = tensors.get(name)
        if t is None:
            continue
        if t.dtype != DTYPES[w["dtype"]]:
            problems.append(f"{name}: dtype {t.dtype}, expected {w['dtype']}")
        elif list(t.shape) != w["shape"]:
            problems.append(f"{name}: shape {list(t.shape)}, expected {w['shape']}")
        elif values(t) != w["values"]:
            problems.append(f"{name}: values {values(t)[:8]}..., expected {w['values'][:8]}...")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"OK: {len(tensors)} tensors match")


if __name__ == "__main__":
    main()
