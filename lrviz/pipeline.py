"""The one pipeline every command, the gallery, the Python API, ``search`` and ``explore`` run.

::

    spec = load(target)                # a Spec, a YAML file's path, or a mapping in the YAML format
    result = run(spec, Request())      # curves (simulated with real torch schedulers) and findings
    render / report / export(result)   # nothing below here steps a scheduler or reads a spec file

:func:`run` computes and never prints. A :class:`Request` says how: strict (plot, export, the
Python API: a problem in the spec is an error) or lenient (``lrviz check``: a curve torch would
refuse is simulated as far as torch runs it, and its problems become findings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrviz.check.rules import Finding
    from lrviz.simulation.stepping import Curve
    from lrviz.spec.model import Spec


@dataclass(frozen=True)
class Request:
    """How to run a Spec."""

    strict: bool = True  # False: `lrviz check` (problems become findings, refused curves are left out)
    findings: bool = True  # run check's rules over the curves
    progress: Callable[[int], None] | None = None  # called with each chunk of steps done
    workers: int | None = None  # processes for a sweep; None picks by size, 1 never forks


@dataclass(frozen=True)
class Result:
    """What a Spec does: its curves (in the Spec's order) and the findings over them."""

    spec: Spec
    curves: list[Curve]
    findings: list[Finding] = field(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        """The findings at warning level: what plot, compare and export print above their output."""
        return [f for f in self.findings if f.level == "warning"]

    @property
    def marked_steps(self) -> list[tuple[int, str, str]]:
        """(step, curve label, rule) of every step the warnings are about: what a figure marks."""
        return [(step, finding.curve, finding.rule) for finding in self.warnings for step in finding.steps]


def load(target: Spec | str | Mapping[str, Any]) -> Spec:
    """A Spec from a Spec, the path of a spec file, or a mapping in the YAML format."""
    from lrviz.spec.model import Spec, spec_from_dict

    if isinstance(target, Spec):
        return target
    if isinstance(target, Mapping):
        return spec_from_dict(target)
    from lrviz.spec.yamlfile import load_spec_file

    return load_spec_file(str(target))


def load_all(targets: Sequence[Spec | str | Mapping[str, Any]]) -> Spec:
    """One Spec holding every curve of several targets (compare's files), within one command's bounds."""
    from lrviz.spec.model import merge_specs

    return merge_specs([load(target) for target in targets])


def run(spec: Spec, request: Request | None = None) -> Result:
    """Simulate every curve of `spec` and check it: the Result every output is rendered from.

    Strict (the default): the spec's first problem is raised as a SpecError, and a curve torch
    cannot run raises ScheduleError. Lenient: every curve is simulated as far as torch runs it
    (a curve torch refuses to build has no values), and the rules explain the rest.
    """
    from lrviz.check.rules import check, simulate_for_check
    from lrviz.simulation.stepping import simulate

    request = request or Request()
    if not request.strict:
        values = [simulate_for_check(curve) for curve in spec.curves]
        return Result(spec, [v for v in values if v is not None], check(spec, values))
    spec.raise_first_problem()
    curves = simulate(spec, progress=request.progress, workers=request.workers)
    return Result(spec, curves, check(spec, curves) if request.findings else [])
