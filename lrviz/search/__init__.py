"""`lrviz search`: score candidate schedules and rank them (`bound`, `law`, `train`), over Optuna.

Python API::

    import lrviz
    result = lrviz.search("step", step_size=[10, 20, 30, 50], gamma=0.5, steps=100, score="train")
    result.best.label, result.to_dict()
    lrviz.search("cosine", T_max="100..400", steps=400, random=20, seed=0, score="law", law="mpl-400m")

`lrviz.search` is both this package and the function: the package is callable (see the end of
this module), so ``lrviz.search(...)`` works whether or not a submodule was imported first.
Optuna is imported only when a search runs.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from lrviz.errors import SpecError

if TYPE_CHECKING:
    from lrviz.search.candidates import CandidateSpace
    from lrviz.search.engine import SearchProgress
    from lrviz.search.result import SearchResult

SCORES = ("bound", "law", "train")


def check_score(score: str, where: str = "--score") -> str:
    """`bound`, `law` or `train` (case-insensitive); SpecError otherwise."""
    name = str(score).strip().lower()
    if name not in SCORES:
        from lrviz.schedules import pytorch as registry

        raise SpecError(
            f"expected one of {', '.join(SCORES)}, got {score!r}{registry.suggest(name, list(SCORES))}", where
        )
    return name


def make_scorer(
    score: str,
    *,
    law: str | None = None,
    law_fit: str | None = None,
    bound_d: float = 1.0,
    bound_g: float = 1.0,
    fixed_lr: bool = False,
    objective: str | None = None,
    seed: int = 0,
) -> tuple[Any, dict[str, Any]]:
    """The scorer `score` names with its settings, and those settings for the result's `details`."""
    from lrviz.search.scores import BoundScorer, LawScorer

    name = check_score(score)
    if name == "bound":
        for value, where in ((bound_d, "--bound-d"), (bound_g, "--bound-g")):
            if not value > 0:
                raise SpecError(f"must be positive, got {value:g}", where)
        return BoundScorer(bound_d, bound_g, fixed_lr), {"D": bound_d, "G": bound_g, "fixed_lr": fixed_lr}
    if name == "law":
        from lrviz.search.law import fit_law, published_law, read_loss_runs

        if law is not None and law_fit is not None:
            raise SpecError("give --law or --law-fit, not both", "--law-fit")
        fitted = fit_law(read_loss_runs(law_fit)) if law_fit is not None else published_law(law or "mpl-400m")
        return LawScorer(fitted), {"law": law_fit or (law or "mpl-400m").lower(), "constants": list(fitted.constants)}
    if objective is not None:
        from lrviz.search.train import UserObjective

        return UserObjective.parse(objective), {"objective": objective}
    from lrviz.search.train import DigitsTraining

    training = DigitsTraining(seed=seed)
    return training, {"model": f"MLP 64-{training.hidden}-10", "data": "sklearn digits", "seed": seed}


def check_scorer_options(score: str, given: dict[str, bool]) -> None:
    """Refuse a score's option given with another score (`--law` with `--score bound`, ...)."""
    owners = {
        "--law": "law",
        "--law-fit": "law",
        "--bound-d": "bound",
        "--bound-g": "bound",
        "--fixed-lr": "bound",
        "--objective": "train",
        "--prune": "train",
    }
    for flag, owner in owners.items():
        if given.get(flag) and owner != score:
            raise SpecError(f"only with --score {owner}", flag)


def run(
    space: CandidateSpace,
    scorer: Any,
    options: Any,
    progress: SearchProgress | None = None,
    title: str | None = None,
    details: dict[str, Any] | None = None,
) -> SearchResult:
    """Score every candidate of `space`, after checking the work it asks for."""
    from lrviz.search.engine import run_search

    check_work(space, scorer, options.trials)
    return run_search(space, scorer, options, progress, title, details)


def check_work(space: CandidateSpace, scorer: Any, trials: int | None) -> None:
    """The work bounds of `plot` (steps in all), and of `train` (epochs per candidate and in all)."""
    from lrviz.search.candidates import end_values
    from lrviz.search.train import MAX_TRAIN_EPOCHS_TOTAL, check_train_steps
    from lrviz.spec.model import MAX_TOTAL_STEPS

    if space.draws and space.builder is not None:
        try:  # the longer of the two ends (a default length follows a drawn T_max, say)
            ends = [space.builder(end_values(space.dimensions, high)) for high in (False, True)]
        except SpecError:
            return  # a draw torch refuses fails its own candidate
        curves = [max(ends, key=lambda curve: curve.steps)] * int(trials or 1)
        where = "--random"
    else:
        curves = [candidate.curve for candidate in space.candidates]
        if trials:  # draws among the candidates: at most the longest, each time
            curves = [max(curves, key=lambda curve: curve.steps)] * trials
        where = "--random" if trials else "--steps"
    total = sum(curve.steps for curve in curves)
    if total > MAX_TOTAL_STEPS:
        raise SpecError(
            f"{len(curves)} candidates of {curves[0].steps:,} steps make {total:,} steps in all; "
            f"at most {MAX_TOTAL_STEPS:,} per search",
            where,
        )
    if scorer.name == "train":
        for curve in curves[:1] if space.draws else curves:
            check_train_steps(curve)
        if total > MAX_TRAIN_EPOCHS_TOTAL:
            raise SpecError(
                f"train runs one epoch per step: {total:,} epochs in all is more than the "
                f"{MAX_TRAIN_EPOCHS_TOTAL:,} one search may train",
                where,
            )


def search(
    target: Any,
    score: str = "bound",
    *,
    random: int | None = None,
    seed: int = 0,
    sampler: str | None = None,
    law: str | None = None,
    law_fit: str | None = None,
    bound_d: float = 1.0,
    bound_g: float = 1.0,
    fixed_lr: bool = False,
    objective: str | None = None,
    storage: str | None = None,
    study_name: str | None = None,
    resume: bool = False,
    prune: bool = False,
    workers: int | None = None,
    progress: SearchProgress | None = None,
    **keywords: Any,
) -> SearchResult:
    """Score candidate schedules and rank them, best first (a :class:`SearchResult`).

    `target` is a Spec or a YAML path (every curve is a candidate), or a scheduler name with
    keywords as :func:`lrviz.spec_for` takes them, where a list is a set of alternatives (a grid)
    and ``"A..B"`` / ``"log:A..B"`` is a range to draw from with ``random=N``.
    """
    from lrviz.search.candidates import check_draw_count, grid_space, space_from_keywords
    from lrviz.search.engine import SearchOptions
    from lrviz.spec.model import Spec

    name = check_score(score, "score")
    if random is not None:
        check_draw_count(random, "random")
    if isinstance(target, Spec) or (isinstance(target, str) and target.lower().endswith((".yaml", ".yml"))):
        if not isinstance(target, Spec):
            from lrviz.spec.yamlfile import load_spec_file

            target = load_spec_file(str(target))
        spec = target
        if keywords:
            raise SpecError("a Spec or YAML file takes no scheduler keywords", next(iter(keywords)))
        space, title = grid_space(spec.curves), spec.title
    else:
        space, title = space_from_keywords(str(target), keywords, random is not None), None
    scorer, details = make_scorer(
        name,
        law=law,
        law_fit=law_fit,
        bound_d=bound_d,
        bound_g=bound_g,
        fixed_lr=fixed_lr,
        objective=objective,
        seed=seed,
    )
    options = SearchOptions(sampler, random, seed, storage, study_name, resume, prune, workers)
    return run(space, scorer, options, progress, title, details)


class _CallableModule(types.ModuleType):
    """`lrviz.search(...)` calls :func:`search`, though `lrviz.search` is also this package."""

    def __call__(self, *args: Any, **kwargs: Any) -> SearchResult:
        return search(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
