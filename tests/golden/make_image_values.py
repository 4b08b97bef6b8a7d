"""Resized images and spectrogram magnitudes from PyTorch, for TorchZoo.Extensions' image and spectrogram tests.

Run: /usr/bin/python3 tests/golden/make_image_values.py   (Debian's python3-torch 1.13)

Writes tests/golden/extensions/image_values.json:
  resize[]:      an input image [C, H, W] and torch.nn.functional.interpolate of it (as a batch of one) to
                 (height, width) with mode "bilinear" (align_corners=False, no antialiasing) or "nearest".
  spectrogram[]: a signal [T] and |torch.stft| with a Hann window of win_length (periodic, as torch.hann_window),
                 center=True with reflect padding, onesided: magnitude [1, F, frames]; optionally log1p-scaled
                 and then resized bilinearly to [1, target_height, target_width].
All values are float32 computed in float32, written with 9 significant digits.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "extensions", "image_values.json")


def values(t):
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def resize_case(name, c, h, w, height, width, mode, seed):
    g = torch.Generator().manual_seed(seed)
    image = torch.rand(c, h, w, generator=g, dtype=torch.float32) * 4 - 1
    kwargs = {"align_corners": False} if mode == "bilinear" else {}
    out = F.interpolate(image.unsqueeze(0), size=(height, width), mode=mode, **kwargs)[0]
    return {
        "name": name, "mode": mode, "shape": [c, h, w], "height": height, "width": width,
        "input": values(image), "output": values(out), "output_shape": list(out.shape),
    }


def chirp(n, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n, dtype=torch.float64) / n
    x = torch.sin(2 * math.pi * (5 * t + 40 * t * t)) + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    return x.to(torch.float32)


def spectrogram_case(name, n, n_fft, hop, win, log_scale, target, seed):
    signal = chirp(n, seed)
    window = torch.hann_window(win, dtype=torch.float32)
    z = torch.stft(signal, n_fft, hop_length=hop, win_length=win, window=window, center=True,
                   pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
    mag = z.abs().unsqueeze(0)  # [1, F, frames]
    if log_scale:
        mag = torch.log1p(mag)
    if target is not None:
        mag = F.interpolate(mag.unsqueeze(0), size=target, mode="bilinear", align_corners=False)[0]
    return {
        "name": name, "length": n, "n_fft": n_fft, "hop_length": hop, "win_length": win, "log_scale": log_scale,
        "target_height": target[0] if target else None, "target_width": target[1] if target else None,
        "signal": values(signal), "output": values(mag), "output_shape": list(mag.shape),
    }


def main():
    torch.manual_seed(0)
    resize = [
        resize_case("bilinear_up_1x3x4_to_7x5", 1, 3, 4, 7, 5, "bilinear", 1),
        resize_case("bilinear_down_3x9x11_to_4x6", 3, 9, 11, 4, 6, "bilinear", 2),
        resize_case("bilinear_mixed_2x5x8_to_10x3", 2, 5, 8, 10, 3, "bilinear", 3),
        resize_case("nearest_up_1x3x4_to_7x5", 1, 3, 4, 7, 5, "nearest", 4),
        resize_case("nearest_down_3x9x11_to_4x6", 3, 9, 11, 4, 6, "nearest", 5),
        resize_case("nearest_identity_2x4x4", 2, 4, 4, 4, 4, "nearest", 6),
    ]
    spectrogram = [
        spectrogram_case("plain_n64_fft16_hop4", 64, 16, 4, 16, False, None, 10),
        spectrogram_case("short_window_n100_fft32_hop8_win20", 100, 32, 8, 20, False, None, 11),
        spectrogram_case("log_n128_fft32_hop16", 128, 32, 16, 32, True, None, 12),
        spectrogram_case("log_resized_n200_fft64_hop10_to_16x12", 200, 64, 10, 64, True, (16, 12), 13),
        spectrogram_case("odd_fft_n50_fft15_hop5", 50, 15, 5, 15, False, None, 14),
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"torch_version": torch.__version__, "resize": resize, "spectrogram": spectrogram}, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(resize)} resize cases, {len(spectrogram)} spectrogram cases")


if __name__ == "__main__":
    main()
