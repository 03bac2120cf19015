"""Snapshots of `lrviz explore` screens (pytest-textual-snapshot): 80x24 and larger, a bad value, a YAML spec, the picker.

Update them after a deliberate change of the screens with `pytest tests/test_explore_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from explore_driver import settle
from textual.widgets import Input

from lrviz.explore.app import ExplorerApp, ExploreSettings
from lrviz.explore.drafts import FlagDraft, YamlDraft
from lrviz.rendering.figure import RenderOptions
from lrviz.spec.flags import CurveFlags

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ExploreSettings(lambda draft: "figure.png", lambda spec: RenderOptions(title=spec.title))


async def wait_for_curves(pilot) -> None:
    """Every simulation done, and the text cursor steady (its blink would make the screenshot depend on timing)."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await settle(pilot, pilot.app)


def flag_app(*tokens: str, steps: str | None = None) -> ExplorerApp:
    return ExplorerApp(FlagDraft.from_tokens(list(tokens), CurveFlags(steps=steps)), SETTINGS)


def test_cosine_at_80x24(snap_compare):
    assert snap_compare(flag_app("cosine", "--t-max", "100", steps="300"), run_before=wait_for_curves)


def test_after_a_change_at_120x36(snap_compare):
    async def change(pilot) -> None:
        await wait_for_curves(pilot)
        await pilot.press("0", ".", "8", "enter")
        await wait_for_curves(pilot)

    app = flag_app("step", "--step-size", "30", "--gamma", "0.5", steps="120")
    assert snap_compare(app, terminal_size=(120, 36), press=["tab"], run_before=change)


def test_bad_value_marks_the_field(snap_compare):
    async def bad(pilot) -> None:
        await wait_for_curves(pilot)
        await pilot.press("tab", "0", "enter")  # gamma 0
        await wait_for_curves(pilot)

    assert snap_compare(flag_app("multistep", "--milestones", "30,60", "--gamma", "0.5", steps="100"), run_before=bad)


def test_yaml_spec_with_a_curve_selector(snap_compare, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(YamlDraft.from_file("configs/warmup_cosine_sequential.yaml"), SETTINGS)
    assert snap_compare(app, terminal_size=(100, 30), run_before=wait_for_curves)


def test_family_picker(snap_compare):
    assert snap_compare(ExplorerApp(None, SETTINGS))


@pytest.fixture(autouse=True)
def _fixed_environment(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # snapshots in grey: the same on every terminal
