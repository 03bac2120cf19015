"""Goal 8's floor: what any figure of a torch schedule costs at least, with nothing simulated.

``python bench/floor.py OUT.png``: import torch, import matplotlib, save a two-point line as a
PNG, then exit as any script does.
"""

import sys

import torch  # noqa: F401 - the import is what is measured
from matplotlib.figure import Figure

figure = Figure(figsize=(6.4, 4.0), layout="constrained")
figure.add_subplot().plot([0, 1], [0.1, 0.0])
figure.savefig(sys.argv[1], dpi=150)
