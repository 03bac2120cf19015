"""Text for terminals 80 columns wide, and for pipes: lines that never split a token.

A label is shortened in the middle rather than cut, entries are packed whole onto lines, and
prose wraps at spaces with a hanging indent, so a number, a step or a parameter name is always
read whole on one line.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

KEY_SEPARATOR = "   "  # between two entries on a line


SEPARATORS = " ,=()[]"  # a cut next to one of these leaves no number or name in pieces


def shorten_middle(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: its start and end kept, `…` in the middle.

    Labels differ at either end (the scheduler at the start, a swept value at the end), so the
    middle is the part to give up. The cuts fall next to a separator where the kept part has one,
    so `gamma=0.99` never shows as `gamma=0.` (which reads as another value).
    """
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    head = text[: limit // 2]
    tail = text[len(text) - (limit - 1 - limit // 2) :] if limit - 1 - limit // 2 else ""
    if any(char in SEPARATORS for char in head):
        head = head[: max(head.rfind(char) for char in SEPARATORS) + 1]
    if any(char in SEPARATORS for char in tail):
        tail = tail[min(tail.find(char) for char in SEPARATORS if char in tail) :]
    elif tail[:1].isdigit() or tail[:1] == ".":  # the end of a number: its start is cut off
        tail = ""
    return head + "…" + tail


def pack_entries(entries: Sequence[str], width: int, separator: str = KEY_SEPARATOR) -> list[str]:
    """`entries` joined by `separator` into lines of at most `width` characters, never splitting
    an entry (an entry longer than `width` gets a line of its own)."""
    lines: list[str] = []
    for entry in entries:
        if lines and len(lines[-1]) + len(separator) + len(entry) <= width:
            lines[-1] += separator + entry
        else:
            lines.append(entry)
    return lines


def hanging(label: str, text: str, width: int, indent: int = 2, rest: int | None = None) -> list[str]:
    """`label` then `text` wrapped to `width`, continuation lines aligned under the text's start
    (or indented by `rest` spaces).

    Lines break only at spaces: a token (a number, a path, `400-step`) is never split, and one
    longer than the line stays whole on a line of its own.
    """
    lead = " " * indent + label
    return textwrap.wrap(
        text,
        width=max(width, len(lead) + 20),
        initial_indent=lead,
        subsequent_indent=" " * (len(lead) if rest is None else rest),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [lead.rstrip()]
