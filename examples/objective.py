"""An objective for `lrviz search --score train --objective examples/objective.py:objective`.

lrviz calls `objective(schedule)` once per candidate (in a worker process): build the model and the
optimizer, let `schedule.build(optimizer)` drive the LR, train for `schedule.steps` steps and return
the loss to minimise (or a dict with `loss` and a per-step `curve`, drawn in the figure).
"""

import torch


def objective(schedule):
    """Least squares on a fixed random problem: the final training loss under the schedule."""
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(256, 8, generator=generator)
    targets = inputs @ torch.randn(8, 1, generator=generator) + 0.1 * torch.randn(256, 1, generator=generator)
    torch.manual_seed(0)  # the same start for every candidate
    model = torch.nn.Linear(8, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    driver = schedule.build(optimizer)  # sets the optimizer's LR at every step, warmup included
    curve = []
    for _ in range(schedule.steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        driver.step()
        curve.append(loss.item())
    return {"loss": curve[-1], "curve": curve}
