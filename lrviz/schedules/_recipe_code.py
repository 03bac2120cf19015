"""`--code` sources shared by the LLM / training-library families (nanogpt, torchtitan, fairseq, ...).

Each of those families writes its schedule as a plain top-level function of the update index and
keyword parameters, using only ``math``; the plain-torch snippet is that function's own source plus a
``make_scheduler(optimizer)`` returning a ``LambdaLR`` over it, so the snippet and lrviz run the same
code. Every user value is emitted as a Python literal (``repr``), never pasted as text.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

ABSOLUTE_GROUPS = """\
    for group in optimizer.param_groups:  # the schedule gives LRs themselves: LambdaLR multiplies them by 1.0
        group["lr"] = group["initial_lr"] = 1.0
"""


class Code(str):
    """Source text lrviz writes itself (``optimizer.defaults["lr"]``), emitted as is: never a user value."""


def literal(value: Any) -> str:
    """`value` as Python source that evaluates to it (non-finite floats and lists included)."""
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, (bool, int, float, str)) or value is None:
        return repr(value)
    raise TypeError(f"no literal for {type(value).__name__}")


def call(function: str, arguments: Mapping[str, Any]) -> str:
    """`function(name=literal, ...)`."""
    return f"{function}(" + ", ".join(f"{name}={literal(value)}" for name, value in arguments.items()) + ")"


def lambda_source(
    functions: tuple[Callable[..., Any], ...],
    entry: str,
    arguments: Mapping[str, Any],
    absolute: bool,
    bind: bool = True,
) -> str:
    """A self-contained ``make_scheduler(optimizer)``: `functions`' own source (functions or classes), and a
    ``LambdaLR`` over ``partial(entry, **arguments)`` (``bind=False``: over ``entry(**arguments)``, a callable
    built once); absolute LRs: over an optimizer whose LR is set to 1.0."""
    definitions = "\n\n".join(inspect.getsource(function).rstrip() + "\n" for function in functions)
    keywords = ", ".join(f"{name}={literal(value)}" for name, value in arguments.items())
    schedule = f"partial({entry}, {keywords})" if bind else f"{entry}({keywords})"
    return (
        "import math\nfrom functools import partial\n\nimport torch\n\n\n"
        + definitions
        + "\n\ndef make_scheduler(optimizer):\n"
        + (ABSOLUTE_GROUPS if absolute else "")
        + f"    return torch.optim.lr_scheduler.LambdaLR(optimizer, {schedule})\n"
    )


def framework_source(imports: str, body: str, absolute: bool = False) -> str:
    """A self-contained ``make_scheduler(optimizer)`` from the framework's own `imports` and a `body`
    (indented four spaces) that ends in a ``return`` of a torch LR scheduler."""
    return f"{imports.rstrip()}\n\n\ndef make_scheduler(optimizer):\n" + (ABSOLUTE_GROUPS if absolute else "") + body
