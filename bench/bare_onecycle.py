"""Goal 3's reference: the bare torch loop, stepping OneCycleLR N times, nothing recorded or drawn.

``python bench/bare_onecycle.py N``. The optimizer steps once, before the first scheduler step
(all torch's order check needs); calling SGD.step() every step would add ~12 µs a step and make
lrviz look better than it is.
"""

import sys

import torch

steps = int(sys.argv[1])
optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=steps)
optimizer.step()
step = scheduler.step
for _ in range(steps):
    step()
