"""Goal 2's reference: the plain script anyone would write for lrviz's cosine figure.

torch.optim.SGD + CosineAnnealingLR for T_max 50, 100, 150 over 400 steps, drawn with pyplot
and saved as a PNG: ``python bench/plain_cosine.py OUT.png``.
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

figure, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
for t_max in (50, 100, 150):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max)
    lrs = []
    for _ in range(400):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    ax.plot(range(400), lrs, drawstyle="steps-post", label=f"T_max={t_max}")
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.legend()
figure.savefig(sys.argv[1], dpi=150)
