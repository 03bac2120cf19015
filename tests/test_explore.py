"""`lrviz explore`: driven through the real command line with Textual's pilot, checked against torch and `lrviz plot`."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import torch_lrs
from explore_driver import install, quit_app, settle, type_into

from lrviz.explore.app import ExplorerScreen, PickerScreen
from lrviz.explore.chart import BrailleChart
from lrviz.schedules import pytorch as registry
from lrviz.spec.flags import split_tokens

ROOT = Path(__file__).resolve().parents[1]


def chart_of(app) -> BrailleChart:
    return app.explorer.query_one("#chart", BrailleChart)


def lr_lists(app) -> list[list[float]]:
    return [series.values.tolist() for series in chart_of(app).series]


def export_curves(cli, command: str, name: str) -> list[dict]:
    """The JSON export of the curves a printed `lrviz plot ...` command draws."""
    args = shlex.split(command)
    assert args[:2] == ["lrviz", "plot"]
    if "--title" in args:  # a figure's title: export has no figure
        at = args.index("--title")
        args[at : at + 2] = []
    result = cli("export", *args[2:], "-o", name)
    assert result.code == 0, result.err
    return json.loads(Path(name).read_text())["curves"]


def test_enter_applies_typed_values_to_chart_and_findings(cli, monkeypatch):
    seen = []

    async def script(pilot, app):
        assert lr_lists(app) == [torch_lrs("CosineAnnealingLR", 300, T_max=100)]
        assert [f.rule for f in app.explorer.findings] == ["cosine-climbs-after-tmax"]
        assert "cosine-climbs-after-tmax" not in str(app.explorer.query_one("#findings").render())
        assert "T_max=100 is shorter than the 300-step run" in str(app.explorer.query_one("#findings").render())
        await pilot.press("3", "0", "0", "enter")  # focus starts on T_max, its text selected: typing replaces it
        await settle(pilot, app)
        assert lr_lists(app) == [torch_lrs("CosineAnnealingLR", 300, T_max=300)]
        previous = chart_of(app).previous
        assert [s.values.tolist() for s in previous] == [torch_lrs("CosineAnnealingLR", 300, T_max=100)]
        assert previous[0].style == "dim"
        assert app.explorer.findings == []
        assert "no findings" in str(app.explorer.query_one("#findings").render())
        await quit_app(pilot, app)

    install(monkeypatch, script, seen=seen)
    result = cli("explore", "cosine", "--t-max", "100", "--steps", "300")
    assert result.code == 0, result.err
    assert result.out == "lrviz plot cosine --t-max 300 --steps 300\n"
    assert seen


def test_focus_starts_on_first_parameter_with_its_text_selected(cli, monkeypatch):
    async def script(pilot, app):
        focused = app.focused
        assert focused.id == "field-0"
        assert app.explorer.draft.fields[0].label == "step_size"
        assert (focused.selection.start, focused.selection.end) == (0, len("30"))
        await pilot.press("tab")
        assert app.focused.id == "field-1"  # gamma
        await pilot.press("shift+tab")
        assert app.focused.id == "field-0"
        await quit_app(pilot, app)

    install(monkeypatch, script)
    assert cli("explore", "step", "--step-size", "30", "--gamma", "0.5").code == 0


def test_mouse_clicks_a_field(cli, monkeypatch):
    async def script(pilot, app):
        assert await pilot.click("#field-1")  # gamma
        assert app.focused.id == "field-1"
        await pilot.press("end", "ctrl+u", *"0.25", "enter")
        await settle(pilot, app)
        assert lr_lists(app) == [torch_lrs("StepLR", 40, step_size=10, gamma=0.25)]
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "step", "--step-size", "10")
    assert result.out == "lrviz plot step --step-size 10 --gamma 0.25\n", result.err


def test_bad_value_marks_its_field_and_keeps_the_last_good_curve(cli, monkeypatch):
    async def script(pilot, app):
        good = lr_lists(app)
        await type_into(pilot, app, "gamma", "0")
        screen = app.explorer
        index = [f.label for f in screen.draft.fields].index("gamma")
        assert screen.query_one(f"#field-{index}").has_class("bad")
        assert str(screen.query_one(f"#error-{index}").render()) == "must be greater than 0, got 0"
        assert screen.errors == {"--gamma": "must be greater than 0, got 0"}
        assert lr_lists(app) == good
        await type_into(pilot, app, "steps", "0")  # the gamma error is re-checked too: both fail, first one shown
        assert lr_lists(app) == good
        await type_into(pilot, app, "gamma", "0.8")
        assert screen.errors == {"--steps": "must be at least 1, got 0"}
        await type_into(pilot, app, "steps", "20")
        assert screen.errors == {}
        assert lr_lists(app) == [torch_lrs("ExponentialLR", 20, gamma=0.8)]
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "exp", "--gamma", "0.9", "--steps", "50")
    assert result.code == 0, result.err
    assert result.out == "lrviz plot exp --gamma 0.8 --steps 20\n"


def test_torch_refusal_is_shown_like_a_bad_value(cli, monkeypatch):
    async def script(pilot, app):
        good = lr_lists(app)
        await type_into(pilot, app, "steps", "101")  # OneCycleLR was built for 100 steps
        status = str(app.explorer.query_one("#status").render())
        assert status.startswith("Error: --steps: 101 steps is longer than OneCycleLR allows")
        assert lr_lists(app) == good
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "onecycle", "--max-lr", "0.1", "--total-steps", "100")
    assert result.out == "lrviz plot onecycle --max-lr 0.1 --total-steps 100\n"


def test_ctrl_s_saves_the_bytes_lrviz_plot_saves(cli, monkeypatch, tmp_path):
    async def script(pilot, app):
        await type_into(pilot, app, "gamma", "0.95")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert str(app.explorer.query_one("#status").render()) == "wrote exp.png"
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "exp", "--gamma", "0.9", "--steps", "50")
    assert result.out == "lrviz plot exp --gamma 0.95 --steps 50\n"
    explored = (tmp_path / "exp.png").read_bytes()
    assert cli("plot", "exp", "--gamma", "0.95", "--steps", "50", "-o", "plotted.png").code == 0
    assert explored == (tmp_path / "plotted.png").read_bytes()
    # the printed command itself writes the same file, byte for byte
    (tmp_path / "exp.png").unlink()
    assert cli(*shlex.split(result.out)[1:]).code == 0
    assert (tmp_path / "exp.png").read_bytes() == explored


def test_figure_flags_go_into_the_saved_figure_and_the_command(cli, monkeypatch, tmp_path):
    async def script(pilot, app):
        await type_into(pilot, app, "milestones", "20,20,40")  # a duplicated milestone: a marked warning
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await quit_app(pilot, app)

    install(monkeypatch, script)
    args = ["multistep", "--milestones", "30", "--steps", "60", "--style", "paper", "--log-y", "-o", "ms.svg"]
    result = cli("explore", *args)
    assert result.code == 0, result.err
    expected = "lrviz plot multistep --milestones 20,20,40 --steps 60 -o ms.svg --style paper --log-y\n"
    assert result.out == expected
    explored = (tmp_path / "ms.svg").read_bytes()
    assert b"lrviz-finding" in explored  # the warning's step is marked, as plot marks it
    printed = shlex.split(result.out)
    printed[printed.index("ms.svg")] = "plotted.svg"
    assert cli(*printed[1:]).code == 0
    assert explored == (tmp_path / "plotted.svg").read_bytes()


def test_printed_command_recreates_the_exported_curve(cli, monkeypatch, tmp_path):
    async def script(pilot, app):
        await type_into(pilot, app, "eta_min", "0.001")
        await type_into(pilot, app, "lr", "0.3,0.2")
        await type_into(pilot, app, "warmup", "10")
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        assert str(app.explorer.query_one("#status").render()) == "wrote cosine.json"
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "cosine", "--t-max", "80")
    assert result.code == 0, result.err
    assert result.out == "lrviz plot cosine --t-max 80 --eta-min 0.001 --lr 0.3,0.2 --warmup-steps 10\n"
    explored = json.loads((tmp_path / "cosine.json").read_text())["curves"]
    assert [c["base_lr"] for c in explored] == [0.3, 0.2]
    assert export_curves(cli, result.out, "again.json") == explored


def test_escape_then_q_quits_with_the_command(cli, monkeypatch):
    async def script(pilot, app):
        await pilot.press("escape")
        assert app.focused is None
        await pilot.press("q")

    install(monkeypatch, script)
    result = cli("explore", "linear", "--total-iters", "20")
    assert result.out == "lrviz plot linear --total-iters 20\n"


def test_choice_field_applies_when_chosen(cli, monkeypatch):
    async def script(pilot, app):
        screen = app.explorer
        index = [f.label for f in screen.draft.fields].index("mode")
        screen.query_one(f"#field-{index}").value = "triangular2"
        await settle(pilot, app)
        expected = torch_lrs("CyclicLR", 200, base_lr=0.01, max_lr=0.1, step_size_up=25, mode="triangular2")
        assert lr_lists(app) == [expected]
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "cyclic", "--base-lr", "0.01", "--max-lr", "0.1", "--step-size-up", "25", "--steps", "200")
    assert result.out.endswith("--step-size-up 25 --mode triangular2 --steps 200\n")


@pytest.fixture
def configs(tmp_path):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    return tmp_path / "configs"


def test_yaml_with_several_curves_has_a_curve_selector(cli, monkeypatch, configs):
    async def script(pilot, app):
        screen = app.explorer
        selector = screen.query_one("#curve")
        assert [str(option[0]) for option in selector._options] == [
            "SequentialLR(LinearLR, CosineAnnealingLR)",
            "warmup: {steps: 10} x CosineAnnealingLR",
        ]
        assert [f.label for f in screen.draft.fields][:2] == ["0.start_factor", "0.end_factor"]  # nested ones too
        selector.value = 1
        await settle(pilot, app)
        assert [f.key for f in screen.draft.fields][0] == "curves[1].scheduler.T_max"
        await type_into(pilot, app, "T_max", "50")
        assert len(chart_of(app).series) == 2
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "configs/warmup_cosine_sequential.yaml")
    assert result.code == 0, result.err
    assert result.out.startswith("lrviz plot CosineAnnealingLR --t-max 50 --lr 0.1 --steps 100 --warmup-steps 10")
    (curve,) = export_curves(cli, result.out, "flags.json")
    warmup = [min(1.0, 0.01 + (1 - 0.01) * k / 10) for k in range(100)]
    assert curve["lr"] == pytest.approx([lr * w for lr, w in zip(torch_lrs("CosineAnnealingLR", 100, T_max=50), warmup, strict=True)], rel=1e-15)


def test_yaml_sweep_is_a_list_field(cli, monkeypatch, configs):
    async def script(pilot, app):
        await type_into(pilot, app, "sweep gamma", "0.5,0.7")
        assert lr_lists(app) == [torch_lrs("ExponentialLR", 100, gamma=g) for g in (0.5, 0.7)]
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "configs/exponential_gamma.yaml")
    assert result.out == "lrviz plot ExponentialLR --gamma 0.5,0.7 --lr 0.1 --steps 100 --title 'ExponentialLR, gamma sweep'\n"
    assert [c["params"]["gamma"] for c in export_curves(cli, result.out, "sweep.json")] == [0.5, 0.7]


def test_unedited_yaml_prints_the_file_command(cli, monkeypatch, configs):
    install(monkeypatch, quit_app)
    result = cli("explore", "configs/chained.yaml")
    assert result.code == 0, result.err
    assert result.out == "lrviz plot configs/chained.yaml\n"


def sequential_reference(t_max: int) -> list[float]:
    """configs/warmup_cosine_sequential.yaml's first curve, stepped in a plain torch loop."""
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=10)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[10])
    values = []
    for _ in range(100):
        values.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return values


def test_yaml_edit_flags_cannot_say_prints_the_file_and_a_note(cli, monkeypatch, configs):
    async def script(pilot, app):
        await type_into(pilot, app, "1.T_max", "50")  # a nested scheduler's parameter
        assert lr_lists(app)[0] == sequential_reference(t_max=50)
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", "configs/warmup_cosine_sequential.yaml")
    assert result.out == "lrviz plot configs/warmup_cosine_sequential.yaml\n"
    assert result.err.startswith("Note: the edits to configs/warmup_cosine_sequential.yaml are not in this command")


def test_without_arguments_a_picker_of_the_families(cli, monkeypatch):
    async def script(pilot, app):
        assert isinstance(app.screen, PickerScreen)
        options = app.screen.query_one("#families")
        from lrviz import schedules

        assert options.option_count == len(registry.catalog()) + len(schedules.all_names())
        assert [o.id for o in options.options][15:] == schedules.all_names()  # torch's first, then frameworks'
        options.highlighted = [o.id for o in options.options].index("SequentialLR")
        await pilot.press("enter")
        assert "describe it in a YAML file" in str(app.screen.query_one("#status").render())
        options.highlighted = 0  # StepLR: starts from `lrviz show step`'s example
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ExplorerScreen)
        assert lr_lists(app) == [torch_lrs("StepLR", 120, step_size=30, gamma=0.5)]
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore")
    assert result.out == "lrviz plot step --step-size 30 --gamma 0.5 --steps 120\n"


def test_picker_opens_a_framework_schedule_from_its_example(cli, monkeypatch):
    from lrviz import schedules

    schedule = registry.resolve("hf:cosine").framework
    example = shlex.split(schedule.example)[2:]
    expected = json.loads(cli("export", *example).out)["curves"][0]["lr"]

    async def script(pilot, app):
        options = app.screen.query_one("#families")
        options.highlighted = [o.id for o in options.options].index("hf:cosine")
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ExplorerScreen)
        assert lr_lists(app) == [expected]
        await quit_app(pilot, app)

    assert "hf:cosine" in schedules.all_names()
    install(monkeypatch, script)
    result = cli("explore")
    assert result.code == 0, result.err
    assert shlex.split(result.out)[2] == "hf:cosine"


def test_long_curve_is_drawn_from_column_envelopes(cli, monkeypatch):
    async def script(pilot, app):
        (series,) = chart_of(app).series
        assert len(series.values) == 10_000
        text = str(chart_of(app).render())
        assert "10000" in text and any(0x2800 < ord(ch) <= 0x28FF for ch in text)
        await quit_app(pilot, app)

    install(monkeypatch, script, size=(120, 40))
    assert cli("explore", "sgdr", "--t-0", "1000", "--steps", "10000").code == 0


def test_bad_initial_values_fail_before_the_app_like_plot(cli):
    result = cli("explore", "cosine", "--t-max", "0")
    assert (result.code, result.err) == (2, "Error: --t-max: must be at least 1, got 0\n")
    result = cli("explore", "configs/none.yaml")
    assert (result.code, result.err) == (2, "Error: configs/none.yaml: no such file\n")
    (Path.cwd() / "spec.yaml").write_text("scheduler: {type: cosine, T_max: 10}\n")
    result = cli("explore", "spec.yaml", "--title", "T")
    assert (result.code, result.err) == (2, "Error: --title: cannot be combined with a YAML file: put it in the file\n")
    result = cli("explore", "cosine", "--t-max", "5", "-o", "x.txt")
    assert result.code == 2 and result.err.startswith("Error: --output: unsupported output format '.txt'")


def test_missing_textual_is_one_error_line(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual", None)  # what an install without the extra looks like
    monkeypatch.delitem(sys.modules, "lrviz.explore.app", raising=False)
    result = cli("explore", "cosine", "--t-max", "5")
    assert (result.code, result.err) == (2, "Error: lrviz explore needs textual: pip install 'lrviz[explore]'\n")


def test_help_and_the_first_frame_import_neither_textual_for_help_nor_torch_for_the_app():
    code = (
        "import sys, asyncio\n"
        "from lrviz.cli.app import main\n"
        "assert main(['--help']) == 0 and main(['explore', '--help']) == 0\n"
        "print(sorted(m for m in ('textual', 'torch', 'matplotlib') if m in sys.modules))\n"
        "from lrviz.explore.app import ExplorerApp, ExploreSettings\n"
        "from lrviz.explore.drafts import FlagDraft\n"
        "from lrviz.spec.flags import CurveFlags\n"
        "from lrviz.rendering.figure import RenderOptions\n"
        "app = ExplorerApp(FlagDraft.from_tokens(['cosine', '--t-max', '50'], CurveFlags()),\n"
        "                  ExploreSettings(lambda d: 'x.png', lambda s: RenderOptions()))\n"
        "print('torch' in sys.modules)\n"
        "async def main_():\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.pause()\n"
        "        chart = app.explorer.query_one('#chart')\n"
        "        print(app.explorer.outcome is None, chart.loading)\n"  # first frame: spinner, no curve yet
        "        await app.workers.wait_for_complete(); await pilot.pause()\n"
        "        print(len(chart.series), chart.loading)\n"
        "asyncio.run(main_())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-5:] == ["[]", "False", "True True", "1 False", ""]


def test_no_color_gives_a_grey_screen(monkeypatch):
    import asyncio
    import re

    from lrviz.explore.app import ExplorerApp, ExploreSettings
    from lrviz.explore.drafts import FlagDraft
    from lrviz.rendering.figure import RenderOptions
    from lrviz.spec.flags import CurveFlags

    async def screenshot() -> str:
        settings = ExploreSettings(lambda draft: "x.png", lambda spec: RenderOptions())
        app = ExplorerApp(FlagDraft.from_tokens(["cosine", "--t-max", "50"], CurveFlags()), settings)
        async with app.run_test() as pilot:
            await settle(pilot, app)
            return app.export_screenshot()

    monkeypatch.setenv("NO_COLOR", "1")
    # c5c8c6 is the SVG export's own default foreground (rich's terminal theme), not the app's
    colours = set(re.findall(r"fill: #([0-9a-f]{6})", asyncio.run(screenshot()))) - {"c5c8c6"}
    assert colours and all(c[0:2] == c[2:4] == c[4:6] for c in colours), colours
    monkeypatch.delenv("NO_COLOR")
    colours = set(re.findall(r"fill: #([0-9a-f]{6})", asyncio.run(screenshot())))
    assert any(c[0:2] != c[2:4] for c in colours)


def test_column_spans_hold_each_value_for_its_step():
    from lrviz.explore.chart import column_spans

    values = np.array([4.0, 3.0, 2.0, 1.0])
    low, high = column_spans(values, 8)  # two columns per step: each value twice, edges joined
    assert low.tolist() == [4, 4, 3, 3, 2, 2, 1, 1]
    assert high.tolist() == [4, 4, 4, 3, 3, 2, 2, 1]
    spike = np.zeros(10_000)
    spike[5_001] = 1.0
    low, high = column_spans(spike, 100)  # a one-step spike survives 100-fold decimation
    assert high.max() == 1.0 and low.min() == 0.0


FLAG_FAMILIES = [name for name, info in registry.catalog().items() if not info.kind.needs_yaml]


@pytest.mark.parametrize("family", FLAG_FAMILIES)
def test_every_family_explores_and_its_command_recreates_the_curves(family, cli, monkeypatch, tmp_path):
    """From the picker's start (the `lrviz show` example): typed fields, a curve, and an exact command."""
    example = shlex.split(registry.EXAMPLES[family])[2:]

    async def script(pilot, app):
        screen = app.explorer
        assert screen.outcome is not None and screen.errors == {}
        kinds = {f.label: f.kind for f in screen.draft.fields}
        for param in registry.catalog()[family].params:
            widget = screen.query_one(f"#field-{list(kinds).index(param.name)}")
            assert type(widget).__name__ == ("Select" if param.kind in ("choice", "bool") else "FieldInput")
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await quit_app(pilot, app)

    install(monkeypatch, script)
    result = cli("explore", *example)
    assert result.code == 0, result.err
    printed = shlex.split(result.out)[2:]
    assert printed[0] == example[0] and sorted(split_tokens(printed)[1]) == sorted(split_tokens(example)[1])
    exported = json.loads((tmp_path / f"{example[0]}.json").read_text())["curves"]
    assert export_curves(cli, result.out, "printed.json") == exported
