"""`lrviz search` on the command line: table, JSON shape, figure, random draws, and the bad-input contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lrviz
from lrviz.search.figure import BEST_GID, render_search

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_GRID = ["step", "--step-size", "10,20,30,50", "--gamma", "0.5", "--steps", "100"]


def test_json_has_the_design_shape_ranked_best_first(cli):
    result = cli("search", *ARTICLE_GRID, "--score", "bound", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {"score", "candidates", "best"} <= set(data)
    assert data["score"] == "bound" and data["sampler"] == "grid"
    required = {"label", "scheduler", "params", "base_lr", "score", "best_lr", "rank"}
    assert all(required <= set(c) for c in data["candidates"])
    assert [c["rank"] for c in data["candidates"]] == [1, 2, 3, 4]
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores)
    assert sorted(c["params"]["step_size"] for c in data["candidates"]) == [10, 20, 30, 50]
    assert data["best"] == data["candidates"][0]
    assert data["candidates"][0]["scheduler"] == "StepLR" and data["candidates"][0]["base_lr"] == 0.1


def test_json_scores_are_the_bound_of_the_simulated_curves(cli):
    from lrviz.search.bound import bound_terms

    data = json.loads(cli("search", *ARTICLE_GRID, "--format", "json").out)
    for candidate in data["candidates"]:
        spec = lrviz.spec_for("step", step_size=candidate["params"]["step_size"], gamma=0.5, steps=100)
        terms = bound_terms(lrviz.simulate(spec)[0].lr / 0.1)
        assert candidate["score"] == pytest.approx(terms.best_bound)
        assert candidate["best_lr"] == pytest.approx(terms.best_lr)


def test_table_ranks_candidates_and_names_the_best(cli):
    result = cli("search", *ARTICLE_GRID)
    assert result.code == 0, result.err
    rows = [line.split() for line in result.out.splitlines() if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    best = rows[0][1]
    assert f"best: {best}" in result.out
    assert "best LR" in result.out and "seconds" in result.out


def test_figure_colours_candidates_by_score_and_highlights_the_best(cli, tmp_path):
    result = cli("search", *ARTICLE_GRID, "-o", "search.svg")
    assert result.code == 0, result.err
    assert "wrote search.svg" in result.err
    svg = (tmp_path / "search.svg").read_text()
    assert BEST_GID in svg
    found = lrviz.search("step", step_size=[10, 20, 30, 50], gamma=0.5, steps=100, score="bound")
    figure = render_search(found)
    lr_axes = figure.axes[0]
    best_lines = [line for line in lr_axes.lines if line.get_gid() == BEST_GID]
    assert len(best_lines) == 1 and len(lr_axes.lines) == 4
    curve = lrviz.simulate(lrviz.spec_for("step", step_size=found.best.varied[0][1], gamma=0.5, steps=100))[0]
    assert np.array_equal(best_lines[0].get_ydata(), curve.lr)
    colors = {tuple(np.round(line.get_color(), 6)) for line in lr_axes.lines}
    assert len(colors) == 4  # one colour per score
    assert any(ax.get_ylabel().startswith("convex bound") for ax in figure.axes)  # the colour bar


def test_law_figure_has_a_loss_panel():
    found = lrviz.search("cosine", T_max=[100, 200, 400], steps=400, lr=3e-4, score="law", law="mpl-25m")
    figure = render_search(found)
    loss_axes = figure.axes[1]
    assert loss_axes.get_ylabel() == "predicted final loss"
    best = next(line for line in loss_axes.lines if line.get_gid() == BEST_GID)
    assert best.get_ydata()[-1] == pytest.approx(found.best.score)


def test_random_draws_are_reproducible_by_seed(cli):
    args = ("search", "cosine", "--t-max", "100..400", "--eta-min", "0,0.001", "--steps", "400")
    first = json.loads(cli(*args, "--random", "6", "--seed", "3", "--format", "json").out)
    again = json.loads(cli(*args, "--random", "6", "--seed", "3", "--format", "json").out)
    other = json.loads(cli(*args, "--random", "6", "--seed", "4", "--format", "json").out)
    assert first == again
    assert first["sampler"] == "random" and len(first["candidates"]) == 6
    drawn = [c["varied"] for c in first["candidates"]]
    assert all(100 <= d["T_max"] <= 400 and isinstance(d["T_max"], int) for d in drawn)
    assert {d["eta_min"] for d in drawn} <= {"0", "0.001"}
    assert drawn != [c["varied"] for c in other["candidates"]]


def test_log_range_of_the_lr_with_tpe(cli):
    result = cli(
        "search", "cosine", "--t-max", "200", "--steps", "200", "--lr", "log:1e-4..1e-1",
        "--random", "8", "--sampler", "tpe", "--score", "bound", "--fixed-lr", "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["sampler"] == "tpe"
    assert all(1e-4 <= c["base_lr"] <= 1e-1 for c in data["candidates"])


def test_a_yaml_file_is_a_list_of_candidates(cli):
    result = cli("search", str(ROOT / "configs" / "cosine_tmax.yaml"), "--format", "json")
    assert result.code == 0, result.err
    labels = {c["label"] for c in json.loads(result.out)["candidates"]}
    spec = lrviz.load_spec(str(ROOT / "configs" / "cosine_tmax.yaml"))
    assert labels == {curve.label for curve in spec.curves}


def test_python_api_is_callable_after_importing_a_submodule():
    import lrviz.search.bound  # noqa: F401 - makes lrviz.search the package object

    result = lrviz.search(lrviz.spec_for("cosine", T_max=50), score="bound")
    assert result.best is result.candidates[0] and result.to_dict()["best"]["rank"] == 1


BAD_INPUT = [
    (["step", "--step-size", "10", "--score", "foo"], "Error: --score: expected one of bound, law, train, got 'foo'"),
    (
        ["cosine", "--t-max", "100..x", "--random", "3"],
        "Error: --t-max: expected a range A..B of numbers (or log:A..B), got '100..x'",
    ),
    (
        ["cosine", "--t-max", "100", "--random", "3"],
        "Error: --random: nothing to draw from: give a list (--gamma 0.1,0.5) or a range (--t-max 100..400)",
    ),
    (
        ["cosine", "--t-max", "100..400"],
        "Error: --t-max: a range needs --random N (a grid takes lists: --t-max 100,200,400)",
    ),
    (
        ["cosine", "--t-max", "100,200", "--random", "3", "--sampler", "grid"],
        "Error: --sampler: --random draws candidates: use --sampler random or tpe with it",
    ),
    (["cosine", "--t-max", "100", "--law", "mpl-25m"], "Error: --law: only with --score law"),
    (["cosine", "--t-max", "100", "--prune"], "Error: --prune: only with --score train"),
    (["cosine", "--t-max", "100", "--resume"], "Error: --resume: needs --storage URL, the study to continue"),
    (
        ["cosine", "--t-max", "100", "--sampler", "tpe"],
        "Error: --sampler: the tpe sampler needs --random N, the number of candidates to draw",
    ),
    (["cosine", "--t-max", "100,200", "--random", "0"], "Error: --random: must be at least 1, got 0"),
    (["cosine", "--t-max", "100", "--format", "yaml"], "Error: --format: expected table or json, got 'yaml'"),
    (
        ["cosine", "--t-max", "400..100", "--random", "2"],
        "Error: --t-max: the range's low end must be below its high end, got '400..100'",
    ),
    (
        ["cosine", "--t-max", "100", "--score", "train", "--steps", "5000"],
        "Error: --steps: train runs one epoch per step: 5,000 steps is more than the 1,000 allowed",
    ),
    (["cosine", "--t-max", "100", "--score", "law", "--law", "mpl-1b"], "Error: --law: unknown law 'mpl-1b'"),
    (
        ["cosine", "--t-max", "100", "--score", "train", "--objective", "nofile.py:f"],
        "Error: --objective: no such file 'nofile.py'",
    ),
    (["cosine", "--t-mx", "100"], "Error: --t-mx: unknown option for CosineAnnealingLR; did you mean '--t-max'?"),
    (
        ["cosine", "--t-max", "1..100", "--steps", "200000", "--random", "200"],
        "Error: --random: 200 candidates of 200,000 steps make 40,000,000 steps in all; at most 20,000,000 per search",
    ),
    (
        ["step", "--step-size", "1..100", "--steps", "1000", "--random", "30", "--score", "train"],
        "Error: --random: train runs one epoch per step: 30,000 epochs in all is more than the 20,000 one search may train",
    ),
]


@pytest.mark.parametrize(("args", "line"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_is_one_error_line_and_exit_2(cli, tmp_path, args, line):
    result = cli("search", *args, "-o", "never.png")
    assert result.code == 2
    assert result.err.splitlines()[0].startswith(line) and len(result.err.splitlines()) == 1
    assert result.out == ""
    assert not (tmp_path / "never.png").exists()


def test_without_optuna_search_says_how_to_install_it(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # what `import optuna` sees when it is not installed
    result = cli("search", *ARTICLE_GRID)
    assert result.code == 2
    assert result.err == "Error: lrviz search needs optuna: pip install 'lrviz[search]'\n"


def test_search_help_imports_neither_optuna_nor_torch():
    code = (
        "import sys\n"
        "from lrviz.cli.app import main\n"
        "assert main(['search', '--help']) == 0\n"
        "print([m for m in ('optuna', 'torch', 'matplotlib', 'sklearn', 'scipy') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert "--score" in done.stdout and "--random" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_law_fit_from_the_command_line(cli, tmp_path):
    from lrviz.search.law import PUBLISHED_LAWS

    steps = np.arange(600)
    lines = ["run,lr,loss"]
    for run, lr in {
        "cosine": 3e-4 * (0.1 + 0.45 * (1 + np.cos(np.pi * steps / 600))),
        "flat": np.full(600, 3e-4),
    }.items():
        lines += [
            f"{run},{r!r},{v!r}"
            for r, v in zip(lr.tolist(), PUBLISHED_LAWS["mpl-100m"].predict(lr).tolist(), strict=True)
        ]
    (tmp_path / "losses.csv").write_text("\n".join(lines) + "\n")
    result = cli("search", "cosine", "--t-max", "300,600", "--lr", "3e-4", "--steps", "600", "--score", "law",
                 "--law-fit", "losses.csv", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["details"]["law"] == "losses.csv" and len(data["details"]["constants"]) == 7
    assert data["best"]["params"]["T_max"] == 600  # the law's own ordering: decaying to the end wins
    assert "fitted to 2 run(s)" in data["note"]


def test_progress_reports_every_trained_candidate():
    calls = []
    lrviz.search("step", step_size=[2, 3, 4], steps=4, score="train", workers=1, progress=lambda *a: calls.append(a))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_law_output_says_the_law_is_only_as_good_as_its_fit(cli):
    args = ("search", "cosine", "--t-max", "200,400", "--lr", "3e-4", "--steps", "400", "--score", "law")
    table = cli(*args)
    assert table.code == 0, table.err
    assert "the law is only as good as its fit" in " ".join(table.out.split())
    data = json.loads(cli(*args, "--format", "json").out)
    assert "the law is only as good as its fit" in data["note"] and data["details"]["law"] == "mpl-400m"


def test_quiet_prints_nothing_and_still_writes_the_figure(cli, tmp_path):
    result = cli("search", *ARTICLE_GRID, "--quiet", "-o", "q.png")
    assert (result.code, result.out, result.err) == (0, "", "")
    assert (tmp_path / "q.png").stat().st_size > 0


def test_train_figure_draws_the_validation_losses():
    found = lrviz.search("step", step_size=[2, 3], steps=5, score="train", workers=1)
    figure = render_search(found)
    loss_axes = figure.axes[1]
    assert loss_axes.get_ylabel() == "validation loss" and loss_axes.get_yscale() == "log"
    best = next(line for line in loss_axes.lines if line.get_gid() == BEST_GID)
    assert list(best.get_ydata()) == list(found.best.loss) and best.get_ydata()[-1] == found.best.score
