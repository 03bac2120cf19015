"""The bare torch loop lrviz is measured against: N scheduler steps, nothing recorded or drawn.

``python bench/bare_loop.py onecycle N`` (goal 3: OneCycleLR, max_lr 0.1, total_steps N) or
``python bench/bare_loop.py cosine N`` (goal 7: CosineAnnealingLR, T_max N). The optimizer steps
once, before the first scheduler step (all torch's order check needs); calling SGD.step() every
step would add ~12 µs a step and make lrviz look better than it is.
"""

import sys

import torch

name, steps = sys.argv[1], int(sys.argv[2])
optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
if name == "onecycle":
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=steps)
else:
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
optimizer.step()
step = scheduler.step
for _ in range(steps):
    step()
