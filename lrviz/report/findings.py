"""Findings as text: the same rule firing on several curves of a sweep is one group.

`lrviz check` prints each group in its long form (every curve's numbers, the fix, hanging
indents at the terminal's width); `plot` and `compare` print one short `Warning:` line per group
on stderr. The findings themselves (:class:`lrviz.check.rules.Finding`, one per curve) are unchanged:
grouping is only how they are shown. Nothing here imports torch or rich.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrviz.errors import printable
from lrviz.report.text import hanging, shorten_middle

if TYPE_CHECKING:
    from lrviz.check.rules import Finding

WHAT = "what happens: "
FIX = "how to fix:   "
MAX_NAMES = 60  # characters of curve names in a short warning line, shortened in the middle beyond


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one rule, one per curve it fired on (at one place, a flag or YAML key, or
    at several: the files of a `compare`)."""

    findings: tuple[Finding, ...]
    total_curves: int  # curves checked, for "2 of 4 curves"

    @property
    def first(self) -> Finding:
        """The first finding: its level, rule and place are the group's."""
        return self.findings[0]

    def curve_names(self) -> str:
        """The curves it fired on, by the value of the parameter it is about where their labels
        show it (`T_max=50, T_max=100`), else by their labels (`;` between them)."""
        values = [_part_named(finding.curve, _parameter_of(finding.where)) for finding in self.findings]
        if all(values):
            return ", ".join(dict.fromkeys(printable(value) for value in values))
        return "; ".join(dict.fromkeys(printable(finding.curve) for finding in self.findings))

    def place(self) -> str:
        """Where: the flag or YAML key they share, else how many places."""
        places = dict.fromkeys(finding.where for finding in self.findings)
        return printable(next(iter(places))) if len(places) == 1 else f"{len(places)} places"

    def count(self) -> str:
        """How many curves of how many it fired on: `2 of 4 curves`."""
        return f"{len(self.findings)} of {self.total_curves} curves"


def group_findings(findings: Sequence[Finding], total_curves: int) -> list[FindingGroup]:
    """Findings with the same level and rule together, in the order they first occur."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.level, finding.rule), []).append(finding)
    return [FindingGroup(tuple(members), max(total_curves, len(members))) for members in groups.values()]


def _parameter_of(where: str) -> str:
    """The parameter a place names: `T_max` of `--t-max` or of `spec.yaml:3: curves[0].scheduler.T_max`."""
    key = where.rsplit(": ", 1)[-1]
    key = re.sub(r"\[\d+\]", "", key).rsplit(".", 1)[-1]
    return key.removeprefix("--").replace("-", "_").lower()


def _part_named(label: str, parameter: str) -> str | None:
    """The `name=value` part of a label (`T_max=50, eta_min=0`) for `parameter`, if it has one."""
    for part in _top_level_parts(label):
        name, equals, _ = part.partition("=")
        if equals and name.strip().lower() == parameter:
            return part.strip()
    return None


def _top_level_parts(label: str) -> list[str]:
    """`label` split at the commas outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(label):
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(label[start:index])
            start = index + 1
    parts.append(label[start:])
    return parts


def warning_line(group: FindingGroup, rule_docs: dict[str, str]) -> str:
    """The group as one `Warning:` line: a single finding in full, several in short, naming the curves."""
    first = group.first
    if len(group.findings) == 1:
        return f"Warning: {printable(' '.join(first.line().split()))}"
    names = shorten_middle(group.curve_names(), MAX_NAMES)
    doc = rule_docs.get(first.rule, first.message).rstrip(".")
    return (
        f"Warning: {group.place()} ({group.count()}: {names}): {printable(doc)}; "
        f"`lrviz check` shows each curve's numbers and the fix [{first.rule}]"
    )


def finding_lines(group: FindingGroup, width: int) -> list[tuple[str, str]]:
    """The group's long form as (style, line) pairs: the heading, then what happens and how to fix
    it, for each curve when they differ."""
    first = group.first
    rule = f"[{first.rule}]"
    if len(group.findings) == 1:
        heading = f"{first.level} {printable(first.where)} ({printable(first.curve)}) {rule}"
        return [
            *(("heading", line) for line in hanging("", heading, width, indent=0, rest=4)),
            *(("", line) for line in hanging(WHAT, printable(first.message), width)),
            *(("", line) for line in hanging(FIX, printable(first.fix), width)),
        ]
    heading = f"{first.level} {group.place()} {rule} on {group.count()}: {group.curve_names()}"
    lines = [("heading", line) for line in hanging("", heading, width, indent=0, rest=4)]
    fixes = {finding.fix for finding in group.findings}
    one_place = not group.place().endswith(" places")
    for finding in group.findings:
        where = "" if one_place else f" ({printable(finding.where)})"
        lines += [("curve", line) for line in hanging("", f"{printable(finding.curve)}{where}:", width, rest=4)]
        lines += [("", line) for line in hanging(WHAT, printable(finding.message), width, indent=4)]
        if len(fixes) > 1:
            lines += [("", line) for line in hanging(FIX, printable(finding.fix), width, indent=4)]
    if len(fixes) == 1:
        lines += [("", line) for line in hanging(FIX, printable(first.fix), width)]
    return lines
