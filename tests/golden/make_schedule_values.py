"""Learning-rate (and momentum) sequences from torch.optim.lr_scheduler, for TorchZoo's schedule tests.

Run: /usr/bin/python3 tests/golden/make_schedule_values.py   (Debian's python3-torch 1.13)

Each case records the factor (lr / base lr) in effect for optimizer steps 0..T-1 (read before each
optimizer.step(), then scheduler.step()), so it compares directly with LearningRateSchedule.Factor(step, T).
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_LR = 0.1
T = 100


def record(make, steps=T, momentum=False):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=BASE_LR, momentum=0.9) if not momentum else torch.optim.Adam([p], lr=BASE_LR)
    sched = make(opt)
    lrs, moms = [], []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"] / BASE_LR)
        if momentum:
            moms.append(opt.param_groups[0]["betas"][0])
        opt.step()
        sched.step()
    out = {"factors": lrs}
    if momentum:
        out["momentum"] = moms
    return out


S = torch.optim.lr_scheduler
CASES = {
    "cosine_floor0": lambda: record(lambda o: S.CosineAnnealingLR(o, T_max=T, eta_min=0.0)),
    "cosine_floor0.1": lambda: record(lambda o: S.CosineAnnealingLR(o, T_max=T, eta_min=0.1 * BASE_LR)),
    "linear_decay": lambda: record(lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=T)),
    "step_10_0.5": lambda: record(lambda o: S.StepLR(o, step_size=10, gamma=0.5)),
    "multistep_30_60_90": lambda: record(lambda o: S.MultiStepLR(o, milestones=[30, 60, 90], gamma=0.3)),
    "exponential_0.97": lambda: record(lambda o: S.ExponentialLR(o, gamma=0.97)),
    "polynomial_2": lambda: record(lambda o: S.PolynomialLR(o, total_iters=T, power=2.0)),
    "warmup10_cosine": lambda: record(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=10),
                                                                 S.CosineAnnealingLR(o, T_max=T - 10)], milestones=[10])),
    "onecycle_cos": lambda: record(lambda o: S.OneCycleLR(o, max_lr=BASE_LR, total_steps=T), momentum=True),
    "onecycle_linear_pct0.25": lambda: record(lambda o: S.OneCycleLR(o, max_lr=BASE_LR, total_steps=T, pct_start=0.25,
                                                                      anneal_strategy="linear", div_factor=10, final_div_factor=100),
                                              momentum=True),
}


def main():
    torch.set_num_threads(1)
    out = {"total_steps": T, "cases": {name: make() for name, make in CASES.items()}}
    os.makedirs(os.path.join(HERE, "schedules"), exist_ok=True)
    with open(os.path.join(HERE, "schedules", "torch_lr_scheduler.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {len(CASES)} schedules")


if __name__ == "__main__":
    main()
