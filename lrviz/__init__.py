"""lrviz: see exactly what a PyTorch learning-rate schedule does before training with it.

Python API (heavy modules load on first use)::

    import lrviz
    spec = lrviz.spec_for("cosine", T_max=150, steps=400)  # validated like flags and YAML
    curves = lrviz.simulate(spec)              # or lrviz.simulate("configs/cosine_tmax.yaml")
    fig = lrviz.plot(curves, style="paper")    # a matplotlib Figure; or lrviz.plot(curves, ax=ax)
    lrviz.save_figure(fig, "cosine.pdf")       # deterministic bytes
    curves[0].lr, curves[0].to_dict(), lrviz.pytorch_code(spec)
    schedule = lrviz.Schedule.from_spec(spec)  # drives a real optimizer: schedule.build(optimizer).step()
    result = lrviz.search("step", step_size=[10, 20, 30, 50], gamma=0.5, steps=100, score="bound")
    spec = lrviz.read_config("faster-rcnn_r50_fpn_1x_coco.py", dataset_size=117266, world_size=8)
"""

from __future__ import annotations

import sys
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "simulate",
    "plot",
    "render",
    "save_figure",
    "load_spec",
    "read_config",
    "spec_for",
    "spec_from_dict",
    "pytorch_code",
    "search",
    "Schedule",
    "Spec",
    "Curve",
    "RenderOptions",
    "LrvizError",
    "SpecError",
]


def __getattr__(name: str) -> Any:
    # Lazy: `import lrviz` must not import torch or matplotlib.
    if name in ("simulate", "Curve"):
        from lrviz.simulation import stepping as simulation

        return getattr(simulation, name)
    if name in ("plot", "render", "save_figure", "RenderOptions"):
        from lrviz.rendering import figure

        return getattr(figure, name)
    if name in ("spec_for", "spec_from_dict", "Spec"):
        from lrviz.spec import model as spec

        return getattr(spec, name)
    if name == "search":
        # the package lrviz.search is callable: lrviz.search(...) runs a search (lrviz/search/__init__.py)
        import lrviz.search  # noqa: F401 - imported for sys.modules

        return sys.modules["lrviz.search"]
    if name == "Schedule":
        from lrviz.simulation.schedule import Schedule

        return Schedule
    if name == "pytorch_code":
        from lrviz.report.code import pytorch_code

        return pytorch_code
    if name == "read_config":
        from lrviz.spec.readers import read_config

        return read_config
    if name == "load_spec":
        from lrviz.spec.yamlfile import load_spec_file

        return load_spec_file
    if name in ("LrvizError", "SpecError"):
        from lrviz import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'lrviz' has no attribute {name!r}")
