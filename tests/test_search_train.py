"""`--score train`: real training, reproducible, diverging candidates last, pruning, user objectives,
and a study in SQLite shared by two processes at once or continued with --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lrviz

ARTICLE_GRID = ["step", "--step-size", "10,20,30,50", "--gamma", "0.5", "--steps", "100", "--score", "train"]


def test_the_article_grid_is_reproducible_with_the_same_seed(cli):
    first = cli("search", *ARTICLE_GRID, "--workers", "2", "--format", "json")
    assert first.code == 0, first.err
    again = cli("search", *ARTICLE_GRID, "--workers", "2", "--format", "json")
    assert first.out == again.out
    data = json.loads(first.out)
    assert [c["status"] for c in data["candidates"]] == ["ok"] * 4
    assert sorted(c["params"]["step_size"] for c in data["candidates"]) == [10, 20, 30, 50]
    assert all(0 < c["score"] < 2.31 for c in data["candidates"])  # below the untrained model's ln(10)


def test_workers_and_this_process_train_the_same_numbers():
    from lrviz.search.train import DigitsTraining

    spec = lrviz.spec_for("step", step_size=3, gamma=0.5, steps=8)
    here = DigitsTraining(seed=1).evaluate(spec.curves[0])
    pooled = lrviz.search(spec, score="train", seed=1, workers=2).candidates[0]
    assert pooled.score == here.value and pooled.loss == here.loss


def test_a_diverging_candidate_is_marked_and_ranked_last(cli):
    result = cli("search", "step", "--step-size", "5", "--steps", "15", "--lr", "60,0.1", "--score", "train")
    assert result.code == 0, result.err
    data = json.loads(cli("search", "step", "--step-size", "5", "--steps", "15", "--lr", "60,0.1",
                          "--score", "train", "--format", "json").out)  # fmt: skip
    last = data["candidates"][-1]
    assert (last["base_lr"], last["status"], last["score"], last["rank"]) == (60.0, "diverged", None, 2)
    assert data["best"]["base_lr"] == 0.1
    assert "diverged" in result.out


def test_pruning_stops_hopeless_candidates_from_their_losses():
    rates = [0.1, 0.0001, 0.05, 0.00005, 0.2, 0.00002]
    result = lrviz.search(
        "step", step_size=10, gamma=0.5, steps=30, lr=rates, score="train", prune=True, workers=1
    )  # the grid's order comes from the seed; with it, at least two good candidates finish before a bad one
    status = {c.curve.lr: c.status for c in result.candidates}
    assert {status[rate] for rate in (0.1, 0.05, 0.2)} == {"ok"}
    pruned = [c for c in result.candidates if c.status == "pruned"]
    assert pruned and all(c.curve.lr <= 0.0001 for c in pruned)
    assert all(len(c.loss) < 30 for c in pruned)  # stopped before the last epoch
    ranks = [c.status for c in result.candidates]
    assert ranks == sorted(ranks, key=["ok", "pruned"].index)  # pruned ones after every finished one


OBJECTIVE = '''
import torch

def objective(schedule):
    """Minimise p² with SGD under the candidate's schedule."""
    param = torch.nn.Parameter(torch.tensor([5.0]))
    optimizer = torch.optim.SGD([param], lr=1.0)
    driver = schedule.build(optimizer)
    curve = []
    for _ in range(schedule.steps):
        optimizer.zero_grad()
        (param ** 2).sum().backward()
        optimizer.step()
        driver.step()
        curve.append(float(param.detach() ** 2))
    return {"loss": curve[-1], "curve": curve}

def broken(schedule):
    raise RuntimeError("no GPU here")
'''


def _objective_by_hand(gamma: float, steps: int) -> float:
    value, lr = 5.0, 0.1
    for _ in range(steps):
        value -= lr * 2 * value
        lr *= gamma
    return value**2


def test_user_objective_receives_a_schedule_and_returns_a_loss(cli, tmp_path):
    (tmp_path / "train.py").write_text(OBJECTIVE)
    args = ["search", "exponential", "--gamma", "0.5,0.9", "--steps", "12", "--score", "train"]
    data = json.loads(cli(*args, "--objective", "train.py:objective", "--format", "json").out)
    scores = {c["params"]["gamma"]: c["score"] for c in data["candidates"]}
    assert scores[0.5] == pytest.approx(_objective_by_hand(0.5, 12), rel=1e-5)
    assert scores[0.9] == pytest.approx(_objective_by_hand(0.9, 12), rel=1e-5)
    assert data["best"]["params"]["gamma"] == 0.9
    broken = json.loads(cli(*args, "--objective", "train.py:broken", "--format", "json").out)
    assert {c["status"] for c in broken["candidates"]} == {"failed"}
    assert broken["candidates"][0]["message"] == "RuntimeError: no GPU here"
    missing = cli(*args, "--objective", "train.py:nothing")
    assert missing.err == "Error: --objective: train.py defines no function 'nothing'\n"


GRID = ["step", "--step-size", "2,3,4,5,6,7", "--gamma", "0.5", "--steps", "60", "--score", "train", "--workers", "1"]


def _lrviz(*args: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "lrviz", "search", *args], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _trials(db: Path):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    return optuna.load_study(study_name="lrviz-search", storage=f"sqlite:///{db}").get_trials(deepcopy=False)


def _completed_candidates(db: Path) -> list[int]:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        trials = _trials(db)
    except (KeyError, SQLAlchemyError):  # the other process has not created the study (or its tables) yet,
        return []  # is creating them this instant (both write the schema version), or holds the write lock
    return sorted(t.params["candidate"] for t in trials if t.state.name == "COMPLETE")


def test_two_processes_sharing_a_sqlite_study_finish_the_grid_once(tmp_path):
    storage = f"sqlite:///{tmp_path / 's.db'}"
    processes = [_lrviz(*GRID, "--storage", storage, "--format", "json", cwd=tmp_path) for _ in range(2)]
    outputs = [process.communicate(timeout=600) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    assert _completed_candidates(tmp_path / "s.db") == [0, 1, 2, 3, 4, 5]
    seen = [json.loads(out)["candidates"] for out, _ in outputs]
    assert max(len(candidates) for candidates in seen) == 6
    step_sizes = sorted(c["params"]["step_size"] for c in max(seen, key=len))
    assert step_sizes == [2, 3, 4, 5, 6, 7]


def test_resume_finishes_what_a_killed_search_left(tmp_path):
    db = tmp_path / "s.db"
    storage = f"sqlite:///{db}"
    process = _lrviz(*GRID, "--storage", storage, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and (not db.exists() or not _completed_candidates(db)):
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    assert 1 <= len(_completed_candidates(db)) < 6
    resumed = _lrviz(*GRID, "--storage", storage, "--resume", "--format", "json", cwd=tmp_path)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    assert _completed_candidates(db) == [0, 1, 2, 3, 4, 5]  # each grid point trained once to the end
    interrupted = [t for t in _trials(db) if t.user_attrs.get("lrviz_status") == "interrupted"]
    assert all(t.state.name == "FAIL" for t in interrupted)
    assert len(json.loads(out)["candidates"]) == 6


def test_another_search_in_the_same_study_is_refused(cli, tmp_path):
    storage = f"sqlite:///{tmp_path / 's.db'}"
    assert cli("search", "cosine", "--t-max", "10,20", "--storage", storage).code == 0
    other = cli("search", "cosine", "--t-max", "30,40", "--storage", storage)
    assert other.code == 2
    assert other.err.startswith("Error: --storage: the study 'lrviz-search' holds another search")


def test_workers_start_after_torch_ran_on_many_threads_here():
    # A process whose torch already ran an OpenMP team (a notebook that trained before) must not fork
    # workers that wait on those threads: a hang would end in the timeout below.
    code = (
        "import torch, lrviz\n"
        "torch.set_num_threads(2)\n"
        "a = torch.randn(600, 600)\n"
        "(a @ a).sum()\n"
        "r = lrviz.search('step', step_size=[3, 4], gamma=0.5, steps=4, score='train', workers=2)\n"
        "print([c.status for c in r.candidates])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ok', 'ok']"
