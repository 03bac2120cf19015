"""Run `lrviz explore` through the real command line with Textual's pilot at the keys.

`ExplorerApp.run` is replaced by a headless ``run_test`` session that waits for the first curve,
runs a test's script of key presses, and returns the app's result to the command, which then
prints the `lrviz plot` command exactly as in a terminal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from lrviz.explore.app import ExplorerApp

Script = Callable[[object, ExplorerApp], Awaitable[None]]


async def settle(pilot, app: ExplorerApp) -> None:
    """Let every worker (simulation, saving) finish and the screen catch up."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def type_into(pilot, app: ExplorerApp, label: str, text: str) -> None:
    """Focus the field labelled `label`, replace its text by `text` and press Enter."""
    screen = app.explorer
    index = [f.label for f in screen.draft.fields].index(label)
    field = screen.query_one(f"#field-{index}")
    field.focus()
    field.select_all()
    await pilot.press(*text, "enter")
    await settle(pilot, app)


def install(monkeypatch, script: Script, size: tuple[int, int] = (80, 24), seen: list | None = None) -> None:
    """Make `lrviz explore` run headless with `script` at the keys; `seen` collects the app."""

    async def drive(app: ExplorerApp):
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            if seen is not None:
                seen.append(app)
            await script(pilot, app)
        return app.return_value

    monkeypatch.setattr(ExplorerApp, "run", lambda self: asyncio.run(drive(self)))


async def quit_app(pilot, app: ExplorerApp) -> None:
    """Ctrl+Q."""
    await pilot.press("ctrl+q")
