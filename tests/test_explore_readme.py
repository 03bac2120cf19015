"""README's `lrviz explore` section: its examples run, its key list is the app's, its screenshot is current."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from explore_driver import install, quit_app, settle, type_into
from textual.widgets import Input

from lrviz.explore.app import ExplorerApp, ExplorerScreen, ExploreSettings, PickerScreen
from lrviz.explore.drafts import FlagDraft
from lrviz.rendering.figure import RenderOptions
from lrviz.spec.flags import CurveFlags

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Exploring live: `lrviz explore`", 1)[1].split("\n## ", 1)[0]
SCREENSHOT = ROOT / "gallery" / "explore.svg"


def explore_examples() -> list[str]:
    """The `$ lrviz explore ...` lines of the section's shell block."""
    (block,) = re.findall(r"```shell\n(.*?)```", SECTION, flags=re.S)
    return [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("$ lrviz explore")]


def test_section_has_examples_and_screenshot():
    assert len(explore_examples()) == 4
    assert "(gallery/explore.svg)" in SECTION


@pytest.mark.parametrize("command", explore_examples())
def test_example_runs_and_its_printed_command_plots(command, cli, monkeypatch, tmp_path):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")

    async def script(pilot, app):
        if isinstance(app.screen, PickerScreen):  # no arguments: pick the first family
            await pilot.press("enter")
            await settle(pilot, app)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.explorer.outcome is not None and app.explorer.errors == {}
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli(*shlex.split(command)[1:])
    assert result.code == 0, result.err
    printed = shlex.split(result.out)
    assert printed[:2] == ["lrviz", "plot"]
    assert cli(*printed[1:], "-o", "printed.png").code == 0


def test_key_list_is_the_apps_bindings():
    keys = {binding.key for binding in ExplorerScreen.BINDINGS}
    assert {"enter", "tab", "ctrl+s", "ctrl+e", "ctrl+q", "escape", "q"} <= keys
    for key in ("Enter", "Tab / Shift+Tab", "Ctrl+S", "Ctrl+E", "Ctrl+Q, or Escape then q"):
        assert f"| {key} |" in SECTION


async def _readme_screen() -> str:
    """The screenshot: cosine over a 300-step run, T_max changed from 300 to 100 (a warning appears)."""
    settings = ExploreSettings(lambda draft: "cosine.png", lambda spec: RenderOptions(title=spec.title))
    app = ExplorerApp(FlagDraft.from_tokens(["cosine", "--t-max", "300"], CurveFlags(steps="300")), settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await type_into(pilot, app, "T_max", "100")
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a steady cursor: the same picture every time
        await pilot.pause()
        return app.export_screenshot(title="lrviz explore cosine --t-max 300 --steps 300")


def test_readme_screenshot_is_current(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)  # the README shows the colours
    svg = asyncio.run(_readme_screen())
    if os.environ.get("LRVIZ_UPDATE_SCREENSHOT"):
        SCREENSHOT.write_text(svg, encoding="utf-8")
    assert SCREENSHOT.exists() and SCREENSHOT.read_text(encoding="utf-8") == svg, (
        "gallery/explore.svg is stale: run `LRVIZ_UPDATE_SCREENSHOT=1 python -m pytest tests/test_explore_readme.py`"
    )
