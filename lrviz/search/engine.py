"""The search engine over Optuna: samplers, storage shared by several processes, pruning.

This process owns the study and asks it for trials one at a time (Optuna's ask-and-tell
interface), so which candidate a trial is depends only on the sampler and its seed, never on
which worker finishes first: a grid or a seeded random search gives the same result every time.
The candidates are evaluated here or in worker processes (:mod:`lrviz.search.workers`).

A study in a storage (``--storage sqlite:///s.db``, or a database server) can be worked on by
several processes at once: each asks for the next trial, Optuna numbers trials across processes
and the grid sampler gives trial n the n-th grid point, so each candidate is evaluated once.
``--resume`` continues a search a stopped process left: the trials it left running are marked
failed and their candidates are evaluated again.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lrviz.errors import LrvizError, SpecError
from lrviz.search.candidates import CandidateSpace
from lrviz.search.result import CandidateResult, SearchResult, rank_candidates
from lrviz.search.scores import DIVERGED, FAILED, OK, PRUNED, Score
from lrviz.search.workers import Finished, InProcess, ProcessPool

SAMPLERS = ("grid", "random", "tpe")
DEFAULT_STUDY = "lrviz-search"
STATUS = "lrviz_status"  # a trial's user attribute: ok, pruned, diverged, failed (evaluated), surplus, interrupted
SEARCH_KEY = "lrviz_search"  # the study's user attribute naming what it searches
PRUNE_WARMUP_STEPS = 5  # intermediate losses a candidate reports before the pruner may stop it
STORAGE_ATTEMPTS = 3  # two processes creating one SQLite database at once may collide once

SearchProgress = Callable[[int, int], None]
"""progress(done, total): candidates evaluated so far, of how many."""


class MissingDependency(LrvizError):
    """An optional dependency of `lrviz search` is not installed."""


def import_optuna() -> Any:
    """Optuna, or the install hint as an error (exit 2)."""
    try:
        import optuna
    except ImportError:
        raise MissingDependency("lrviz search needs optuna: pip install 'lrviz[search]'") from None
    return optuna


@dataclass(frozen=True)
class SearchOptions:
    """How to search: sampler, number of draws, seed, storage, pruning, worker processes."""

    sampler: str | None = None  # grid | random | tpe; default grid, or random with `trials`
    trials: int | None = None  # --random N
    seed: int = 0
    storage: str | None = None
    study_name: str | None = None
    resume: bool = False
    prune: bool = False
    workers: int | None = None

    def sampler_name(self) -> str:
        """The sampler, checked against the other options."""
        name = (self.sampler or ("random" if self.trials else "grid")).strip().lower()
        if name not in SAMPLERS:
            from lrviz.schedules import pytorch as registry

            hint = registry.suggest(name, list(SAMPLERS))
            raise SpecError(f"expected one of {', '.join(SAMPLERS)}, got {self.sampler!r}{hint}", "--sampler")
        if name == "grid" and self.trials:
            raise SpecError("--random draws candidates: use --sampler random or tpe with it", "--sampler")
        if name != "grid" and not self.trials:
            raise SpecError(f"the {name} sampler needs --random N, the number of candidates to draw", "--sampler")
        if self.resume and not self.storage:
            raise SpecError("needs --storage URL, the study to continue", "--resume")
        return name


def run_search(
    space: CandidateSpace,
    scorer: Any,
    options: SearchOptions,
    progress: SearchProgress | None = None,
    title: str | None = None,
    details: dict[str, Any] | None = None,
) -> SearchResult:
    """Score the candidates of `space` with `scorer` under Optuna; the ranked result."""
    sampler_name = options.sampler_name()
    optuna = import_optuna()
    with _quiet(optuna):
        study = _open_study(optuna, space, scorer, options, sampler_name)
        grid = sampler_name == "grid"
        total = len(space.candidates) if grid else int(options.trials or 0)
        _run_trials(optuna, study, space, scorer, options, grid, total, progress)
        results = _collect(optuna, study, space, grid)
    return SearchResult(
        scorer.name, rank_candidates(results), sampler_name, options.seed, scorer.note, title, details or {}
    )


@contextlib.contextmanager
def _quiet(optuna: Any) -> Iterator[None]:
    """No Optuna log lines on stderr while lrviz searches (lrviz reports the results itself)."""
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(level)


def _make_sampler(optuna: Any, name: str, space: CandidateSpace, seed: int, trials: int) -> Any:
    if name == "grid":

        class Grid(optuna.samplers.GridSampler):  # type: ignore[misc,name-defined]
            def after_trial(self, *args: Any, **kwargs: Any) -> None:
                # GridSampler stops an optimize() loop here; this engine's own loop knows when the grid is done
                return None

        return Grid(space.grid(), seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    startup = max(1, min(10, trials // 3))  # TPE models the results once this many random draws are in
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)


def _open_study(optuna: Any, space: CandidateSpace, scorer: Any, options: SearchOptions, sampler_name: str) -> Any:
    pruner = (
        optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=PRUNE_WARMUP_STEPS)
        if options.prune
        else optuna.pruners.NopPruner()
    )
    name = options.study_name or DEFAULT_STUDY
    study = None
    for attempt in range(STORAGE_ATTEMPTS):
        try:
            study = optuna.create_study(
                storage=options.storage, study_name=name, direction="minimize", pruner=pruner, load_if_exists=True
            )
            break
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's and Optuna's errors for a bad URL or database
            if attempt == STORAGE_ATTEMPTS - 1 or options.storage is None:
                message = " ".join(str(exc).split())[:300]
                raise SpecError(
                    f"cannot open the study {name!r}: {type(exc).__name__}: {message}", "--storage"
                ) from None
            time.sleep(0.2 * (attempt + 1))
    key = f"{scorer!r} | {space.fingerprint()}"
    held = study.user_attrs.get(SEARCH_KEY)
    if held is None:
        study.set_user_attr(SEARCH_KEY, key)
    elif held != key:
        raise SpecError(
            f"the study {name!r} holds another search ({held[:120]}...); choose another --study-name", "--storage"
        )
    # A process that joins a study draws on from another seed than the one that started it; a grid keeps
    # the seed, since it shuffles the grid with it and every process must number the grid alike.
    existing = 0 if sampler_name == "grid" else len(study.get_trials(deepcopy=False))
    study.sampler = _make_sampler(optuna, sampler_name, space, options.seed + existing, int(options.trials or 0))
    if options.resume:
        _retry_interrupted(optuna, study, sampler_name == "grid", space)
    return study


def _retry_interrupted(optuna: Any, study: Any, grid: bool, space: CandidateSpace) -> None:
    """Mark the trials a stopped process left running as failed; queue their grid points again."""
    running = optuna.trial.TrialState.RUNNING
    for trial in study.get_trials(deepcopy=False, states=(running,)):
        study._storage.set_trial_user_attr(trial._trial_id, STATUS, "interrupted")
        study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
    if grid:
        claimed = {_grid_key(t, study.sampler) for t in study.get_trials(deepcopy=False) if _claimed(optuna, t)}
        for index in range(len(space.candidates)):
            if index not in claimed:
                study.enqueue_trial({"candidate": index})


def _evaluated(optuna: Any, trial: Any) -> bool:
    state = optuna.trial.TrialState
    if trial.state in (state.COMPLETE, state.PRUNED):
        return True
    return trial.state == state.FAIL and trial.user_attrs.get(STATUS) in (DIVERGED, FAILED)


def _claimed(optuna: Any, trial: Any) -> bool:
    """Evaluated, or being evaluated (by this process or another)."""
    state = optuna.trial.TrialState
    return _evaluated(optuna, trial) or trial.state in (state.RUNNING, state.WAITING)


def _grid_key(trial: Any, sampler: Any = None) -> int | None:
    """The grid point (candidate index) of a trial, also while another process is still setting it up
    (then from the grid id GridSampler gave it: an index into its shuffled grid)."""
    if "candidate" in trial.params:
        return int(trial.params["candidate"])
    fixed = trial.system_attrs.get("fixed_params") or {}
    if "candidate" in fixed:
        return int(fixed["candidate"])
    grid_id = trial.system_attrs.get("grid_id")
    grids = getattr(sampler, "_all_grids", None)
    if grid_id is None or grids is None or not 0 <= int(grid_id) < len(grids):
        return None
    return int(grids[int(grid_id)][0])


def _target_reached(optuna: Any, study: Any, grid: bool, total: int) -> bool:
    # queued (WAITING) trials are work still to do: the next ask takes them
    waiting = optuna.trial.TrialState.WAITING
    trials = [t for t in study.get_trials(deepcopy=False) if _claimed(optuna, t) and t.state != waiting]
    if grid:
        return len({_grid_key(t, study.sampler) for t in trials} - {None}) >= total
    return len(trials) >= total


def _claimed_elsewhere(optuna: Any, study: Any, trial: Any) -> bool:
    """Whether another trial already holds this trial's grid point (a race between processes)."""
    key = _grid_key(study._storage.get_trial(trial._trial_id), study.sampler)
    return any(
        t.number < trial.number and _grid_key(t, study.sampler) == key and _claimed(optuna, t)
        for t in study.get_trials(deepcopy=False)
    )


def _run_trials(
    optuna: Any,
    study: Any,
    space: CandidateSpace,
    scorer: Any,
    options: SearchOptions,
    grid: bool,
    total: int,
    progress: SearchProgress | None,
) -> None:
    """Ask for trials and evaluate them (up to `workers` at once) until the search has its candidates."""
    distributions = space.search_space()
    open_trials: dict[int, Any] = {}  # slot -> trial

    def decide(slot: int, step: int, loss: float) -> bool:
        trial = open_trials[slot]
        trial.report(loss, step)
        return options.prune and trial.should_prune()

    workers = _worker_count(scorer, options, total)
    executor = ProcessPool(scorer, decide, workers) if workers > 1 else InProcess(scorer, decide)
    done = sum(1 for t in study.get_trials(deepcopy=False) if _evaluated(optuna, t))
    with executor:
        while True:
            while len(open_trials) < executor.capacity and not _target_reached(optuna, study, grid, total):
                trial = study.ask(distributions)
                if grid and _claimed_elsewhere(optuna, study, trial):
                    trial.set_user_attr(STATUS, "surplus")  # another process took this grid point first
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    break
                slot = min(set(range(executor.capacity)) - set(open_trials))
                open_trials[slot] = trial
                try:
                    curve = space.candidate(trial.params).curve
                except LrvizError as exc:  # a draw no schedule can be made of: failed, ranked last
                    failed = Finished(slot, Score(None, FAILED, message=str(exc)), 0.0)
                    _tell(optuna, study, open_trials.pop(slot), failed)
                    continue
                executor.start(slot, curve)
            if not open_trials:
                return
            for finished in executor.wait():
                _tell(optuna, study, open_trials.pop(finished.slot), finished)
                done += 1
                if progress is not None:
                    progress(min(done, total), total)


def _worker_count(scorer: Any, options: SearchOptions, total: int) -> int:
    from lrviz.simulation.parallel import available_cores

    if not getattr(scorer, "parallel", False):
        return 1
    wanted = options.workers if options.workers is not None else available_cores()
    return max(1, min(wanted, total))


def _tell(optuna: Any, study: Any, trial: Any, finished: Finished) -> None:
    score = finished.score
    attrs = {
        STATUS: score.status,
        "lrviz_score": score.value,
        "lrviz_best_lr": score.best_lr,
        "lrviz_seconds": round(finished.seconds, 3),
        "lrviz_loss_steps": list(score.loss_steps),
        "lrviz_loss": list(score.loss),
        "lrviz_message": score.message,
    }
    for key, value in attrs.items():
        trial.set_user_attr(key, value)
    state = optuna.trial.TrialState
    if score.status == OK:
        study.tell(trial, score.value)
    else:
        study.tell(trial, state=state.PRUNED if score.status == PRUNED else state.FAIL)


def _collect(optuna: Any, study: Any, space: CandidateSpace, grid: bool) -> list[CandidateResult]:
    """Every evaluated candidate of the study (this process's and others'), once each."""
    results: list[CandidateResult] = []
    seen: set[int] = set()
    for trial in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number):
        if not _evaluated(optuna, trial):
            continue
        if grid:
            key = _grid_key(trial)
            if key is None or key in seen or key >= len(space.candidates):
                continue
            seen.add(key)
        try:
            candidate = space.candidate(trial.params)
        except LrvizError:
            continue  # a draw that made no schedule: nothing to show
        attrs = trial.user_attrs
        results.append(
            CandidateResult(
                curve=candidate.curve,
                score=attrs.get("lrviz_score"),
                status=attrs.get(STATUS, OK),
                best_lr=attrs.get("lrviz_best_lr"),
                varied=candidate.varied,
                seconds=float(attrs.get("lrviz_seconds", 0.0)),
                loss_steps=tuple(attrs.get("lrviz_loss_steps", ())),
                loss=tuple(attrs.get("lrviz_loss", ())),
                message=attrs.get("lrviz_message"),
            )
        )
    return results
