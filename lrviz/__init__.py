"""lrviz: see exactly what a PyTorch learning-rate schedule does before training with it.

Python API (heavy modules load on first use)::

    import lrviz
    curves = lrviz.simulate("configs/cosine_tmax.yaml")   # or a Spec
    fig = lrviz.plot(curves)                                # a matplotlib Figure
    curves[0].lr, curves[0].to_dict()
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "simulate", "plot", "render", "load_spec", "Curve", "LrvizError"]


def __getattr__(name: str) -> Any:
    # Lazy: `import lrviz` must not import torch or matplotlib.
    if name in ("simulate", "Curve"):
        from lrviz import simulation

        return getattr(simulation, name)
    if name in ("plot", "render"):
        from lrviz.figure import render

        return render
    if name == "load_spec":
        from lrviz.yamlspec import load_spec_file

        return load_spec_file
    if name == "LrvizError":
        from lrviz.errors import LrvizError

        return LrvizError
    raise AttributeError(f"module 'lrviz' has no attribute {name!r}")
