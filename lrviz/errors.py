"""The lrviz exception family and the exit codes the command line maps them to."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1  # `lrviz check` found something at warning level
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in lrviz


def printable(text: object) -> str:
    """`text` safe to show on a terminal: control and other non-printable characters escaped as
    ``repr`` escapes them (``\\x1b``, ``\\x07``, ``\\n``), so user text in a spec cannot retitle,
    clear or write the clipboard of the terminal that shows it. Printable unicode stays as it is."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class LrvizError(Exception):
    """A user mistake: bad flag, bad YAML, unwritable output. Exit code 2.

    `where` names the flag (``--gamma``) or YAML location (``cfg.yaml:7: curves[0].gamma``)
    the message is about; the command line prints ``Error: <where>: <message>``.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class SpecError(LrvizError):
    """A spec (flags or YAML) that cannot describe a schedule."""


class ScheduleError(LrvizError):
    """torch refused the schedule: it raised while building or stepping the scheduler."""


class OutputError(LrvizError):
    """An output file that cannot be written."""


@dataclass(frozen=True)
class SpecProblem:
    """A mistake in a spec, as data: where it is (a flag or file:line: key) and what is wrong.

    A Spec keeps the mistakes torch only makes at run time this way (``Spec.problems``): plot and
    export stop at the first, ``lrviz check`` explains each one as a finding.
    """

    where: str
    message: str

    def error(self) -> SpecError:
        """The SpecError the command line shows as ``Error: <where>: <message>``."""
        return SpecError(self.message, self.where)
