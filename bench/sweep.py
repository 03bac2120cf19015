"""Goal 6's pair: a sweep of four long cosine curves (1M steps), simulated with 1 or automatic workers.

``python bench/sweep.py 1|auto`` simulates; ``python bench/sweep.py workers`` prints how many
processes the automatic choice uses on this machine.
"""

import sys

from lrviz.simulation.parallel import worker_count
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens

spec = spec_from_tokens(["cosine", "--t-max", "100000,200000,300000,400000"], CurveFlags(steps="250000"))
if sys.argv[1] == "workers":
    print(worker_count(spec))
else:
    simulate(spec, workers=None if sys.argv[1] == "auto" else int(sys.argv[1]))
