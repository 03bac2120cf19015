"""detectron2: the schedules ``build_lr_scheduler`` makes from ``cfg.SOLVER``, and DeepLab's WarmupPolyLR.

WarmupMultiStepLR, WarmupCosineLR and WarmupStepWithFixedGammaLR are fvcore multipliers behind
detectron2's ``WarmupParamScheduler``, run by ``LRMultiplier`` over ``max_iter``; parameters are
the ``SOLVER`` keys they read, in lower case (``MAX_ITER`` -> ``max_iter``), with detectron2's
defaults. ``--lr`` is ``SOLVER.BASE_LR``. WarmupPolyLR (projects/DeepLab) takes its own class's
arguments. Formulas follow detectron2's ``solver/build.py`` and ``solver/lr_scheduler.py``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules.base import FrameworkSchedule, LrFunction, param
from lrviz.schedules.fvcore import lr_multiplier

FRAMEWORK = "detectron2"
TITLE = "detectron2 (cfg.SOLVER)"
PACKAGE = "detectron2"
STEPS_PAST_END = False  # fvcore's ParamSchedulers have no value at where=1.0, the run's end

_WARMUP = (
    param("warmup_factor", "float", 1.0 / 1000, "the factor w.r.t the initial value of ``scheduler``, e.g. 0.001"),
    param("warmup_iters", "int", 1000, "The number of warmup iterations."),
    param("warmup_method", "choice", "linear", 'one of "linear" or "constant"', choices=("linear", "constant")),
)
_RESCALE = param(
    "rescale_interval", "bool", False, "Whether to rescale the interval for the learning schedule after warmup"
)
_MAX_ITER = param("max_iter", "int", 40000, "The total number of training iterations.")
_GAMMA = param("gamma", "float", 0.1, "The factor each decay multiplies the LR by.")

_PARAMS = {
    "WarmupMultiStepLR": (
        _MAX_ITER,
        param("steps", "int_list", (30000,), "The iteration number to decrease learning rate by GAMMA."),
        _GAMMA,
        *_WARMUP,
        _RESCALE,
    ),
    "WarmupCosineLR": (
        _MAX_ITER,
        param("base_lr_end", "float", 0.0, "The end lr, only used by WarmupCosineLR"),
        *_WARMUP,
        _RESCALE,
    ),
    "WarmupStepWithFixedGammaLR": (
        _MAX_ITER,
        _GAMMA,
        param("num_decays", "int", 3, "Number of decays in WarmupStepWithFixedGammaLR schedule"),
        *_WARMUP,
        _RESCALE,
    ),
    "WarmupPolyLR": (
        param("max_iters", "int", help="The total number of training iterations."),
        *_WARMUP,
        param("power", "float", 0.9, "The power of the polynomial decay."),
        param("constant_ending", "float", 0.0, "The LR factor kept once the polynomial falls below it."),
    ),
}


def warmup_param_scheduler(scheduler, warmup_factor, warmup_length, warmup_method="linear", rescale_interval=False):
    """detectron2's ``WarmupParamScheduler``: an initial warmup stage added to `scheduler`."""
    from lrviz.schedules._fvcore_param_schedulers import composite, constant, linear

    end_value = scheduler(0.0) if rescale_interval else scheduler(warmup_length)
    start_value = warmup_factor * scheduler(0.0)
    if warmup_method == "constant":
        warmup = constant(start_value)
    elif warmup_method == "linear":
        warmup = linear(start_value, end_value)
    else:
        raise ValueError(f"Unknown warmup method: {warmup_method}")
    return composite(
        [warmup, scheduler],
        interval_scaling=["rescaled", "rescaled" if rescale_interval else "fixed"],
        lengths=[warmup_length, 1 - warmup_length],
    )


def solver_multiplier(name, solver, base_lr):
    """``build_lr_scheduler``'s multiplier (before LRMultiplier) for `solver` (lower-case SOLVER keys)."""
    from lrviz.schedules._fvcore_param_schedulers import cosine, multi_step, step_with_fixed_gamma

    max_iter = solver["max_iter"]
    if name == "WarmupMultiStepLR":
        steps = [x for x in solver["steps"] if x <= max_iter]
        sched = multi_step(
            values=[solver["gamma"] ** k for k in range(len(steps) + 1)], milestones=steps, num_updates=max_iter
        )
    elif name == "WarmupCosineLR":
        end_value = solver["base_lr_end"] / base_lr
        if not (end_value >= 0.0 and end_value <= 1.0):
            raise ValueError(f"base_lr_end / base_lr must be in [0, 1], got {end_value}")
        sched = cosine(1, end_value)
    else:
        sched = step_with_fixed_gamma(
            base_value=1.0, gamma=solver["gamma"], num_decays=solver["num_decays"], num_updates=max_iter
        )
    return warmup_param_scheduler(
        sched,
        solver["warmup_factor"],
        min(solver["warmup_iters"] / max_iter, 1.0),
        solver["warmup_method"],
        solver["rescale_interval"],
    )


def warmup_factor_at_iter(method: str, iter: int, warmup_iters: int, warmup_factor: float) -> float:  # noqa: A002
    """detectron2's ``_get_warmup_factor_at_iter``."""
    if iter >= warmup_iters:
        return 1.0
    if method == "constant":
        return warmup_factor
    alpha = iter / warmup_iters
    return warmup_factor * (1 - alpha) + alpha


def _poly(params: Mapping[str, Any], base_lr: float) -> LrFunction:
    """DeepLab's ``WarmupPolyLR.get_lr`` (its own operation order: base_lr * warmup * poly)."""
    max_iters, power, ending = params["max_iters"], params["power"], params["constant_ending"]

    def lr_at(k: int) -> float:
        warmup = warmup_factor_at_iter(params["warmup_method"], k, params["warmup_iters"], params["warmup_factor"])
        if ending > 0 and warmup == 1.0 and math.pow((1.0 - k / max_iters), power) < ending:
            return base_lr * ending
        return base_lr * warmup * math.pow((1.0 - k / max_iters), power)

    return lr_at


def _solver_formula(name: str) -> Callable[[Mapping[str, Any], float], LrFunction]:
    def formula(params: Mapping[str, Any], base_lr: float) -> LrFunction:
        return lr_multiplier(solver_multiplier(name, params, base_lr), params["max_iter"], base_lr)

    return formula


def _solver_builder(name: str) -> Callable[[Any, Mapping[str, Any]], Any]:
    """SOLVER.BASE_LR is the optimizer's lr (every group shares its multiplier), as detectron2 builds it."""

    def builder(optimizer: Any, params: Mapping[str, Any]) -> Any:
        from lrviz.schedules.torch_adapter import FrameworkLR

        solver_base_lr = optimizer.defaults["lr"]
        multiplier_of_where = solver_multiplier(name, params, solver_base_lr)
        return FrameworkLR(
            optimizer,
            lambda base_lr: lr_multiplier(multiplier_of_where, params["max_iter"], base_lr),
            name=f"detectron2:{name}",
        )

    return builder


def _check(name: str) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    """What detectron2 (or fvcore under it) refuses when building the schedule, by parameter."""

    def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
        length = "max_iters" if name == "WarmupPolyLR" else "max_iter"
        problems = [
            (key, f"must be at least {low}, got {params[key]}")
            for key, low in ((length, 1), ("warmup_iters", 0))
            if params[key] < low
        ]
        if problems or name == "WarmupPolyLR":
            return problems
        if name == "WarmupMultiStepLR":
            problems = _steps_problems(params["steps"], params["max_iter"])
        elif name == "WarmupCosineLR" and params["base_lr_end"] < 0:
            problems = [("base_lr_end", f"must be at least 0 (an end LR), got {params['base_lr_end']:g}")]
        elif name == "WarmupStepWithFixedGammaLR":
            problems = [
                (key, f"must be greater than 0 (fvcore refuses it), got {params[key]:g}")
                for key in ("gamma", "num_decays")
                if params[key] <= 0
            ]
        if not problems and name != "WarmupCosineLR":  # cosine's end value needs --lr: checked when built
            try:
                solver_multiplier(name, params, 1.0)
            except ValueError as exc:
                problems = [("max_iter", f"detectron2 refuses it: {exc}")]
        return problems

    return check


def _steps_problems(steps: Any, max_iter: int) -> list[tuple[str, str]]:
    """fvcore's MultiStep rules for the steps detectron2 keeps (those <= max_iter)."""
    kept = [x for x in steps if x <= max_iter]
    if any(later <= earlier for earlier, later in zip([0, *kept], kept, strict=False)):
        return [("steps", f"must be positive and increasing, got {list(steps)}")]
    if kept and kept[-1] == max_iter:
        return [("steps", f"must be below max_iter ({max_iter}): fvcore refuses a step at the end, got {list(steps)}")]
    return []


def _events_of(name: str) -> Callable[[Mapping[str, Any]], list[tuple[int, str]]]:
    def events_of(params: Mapping[str, Any]) -> list[tuple[int, str]]:
        length = params["max_iters" if name == "WarmupPolyLR" else "max_iter"]
        events = [(params["warmup_iters"], "warmup end")] if 0 < params["warmup_iters"] < length else []
        if name == "WarmupMultiStepLR":
            events += [(step, "step") for step in params["steps"] if step <= length]
        if name == "WarmupStepWithFixedGammaLR":
            parts = params["num_decays"] + 1
            events += [(round(j * length / parts), "decay") for j in range(1, parts)]
        return sorted(events)

    return events_of


_SOLVER_KEYS = ("max_iter", "steps", "gamma", "base_lr_end", "num_decays", "warmup_factor", "warmup_iters")
_SOLVER_KEYS += ("warmup_method", "rescale_interval")


def _framework_code(name: str) -> Callable[[Mapping[str, Any]], str]:
    """detectron2's own call: build_lr_scheduler over cfg.SOLVER, or DeepLab's WarmupPolyLR."""

    def framework_code(params: Mapping[str, Any]) -> str:
        if name == "WarmupPolyLR":
            arguments = ", ".join(f"{p.name}={params[p.name]!r}" for p in _PARAMS[name])
            return (
                "from detectron2.projects.deeplab.lr_scheduler import WarmupPolyLR\n\n\n"
                f"def make_scheduler(optimizer):\n    return WarmupPolyLR(optimizer, {arguments})\n"
            )
        settings = "".join(
            f"    cfg.SOLVER.{p.name.upper()} = {params[p.name]!r}\n" for p in _PARAMS[name] if p.name in _SOLVER_KEYS
        )
        return (
            "from detectron2.config import get_cfg\nfrom detectron2.solver import build_lr_scheduler\n\n\n"
            "def make_scheduler(optimizer):\n    cfg = get_cfg()\n"
            f"    cfg.SOLVER.LR_SCHEDULER_NAME = {name!r}\n"
            '    cfg.SOLVER.BASE_LR = optimizer.defaults["lr"]\n'
            f"{settings}    return build_lr_scheduler(cfg, optimizer)\n"
        )

    return framework_code


def _torch_code(name: str) -> Callable[[Mapping[str, Any]], str]:
    """Plain torch: detectron2's formulas (fvcore's schedulers copied, bisect and math) in a LambdaLR."""

    def torch_code(params: Mapping[str, Any]) -> str:
        from lrviz.schedules import _fvcore_param_schedulers

        if name == "WarmupPolyLR":
            functions = inspect.getsource(warmup_factor_at_iter)
            ending, power, length = params["constant_ending"], params["power"], params["max_iters"]
            body = (
                f"def multiplier(k):\n    warmup = warmup_factor_at_iter({params['warmup_method']!r}, k, "
                f"{params['warmup_iters']!r}, {params['warmup_factor']!r})\n"
                f"    poly = math.pow(1.0 - k / {length!r}, {power!r})\n"
                f"    if {ending!r} > 0 and warmup == 1.0 and poly < {ending!r}:\n        return {ending!r}\n"
                "    return warmup * poly\n"
            )
            return f"import math\n\nimport torch\n\n\n{functions}\n\n{body}\n\n{_MAKE.format('multiplier')}"
        solver = {key: params[key] for key in _SOLVER_KEYS if key in params}
        source = "\n\n".join(inspect.getsource(f) for f in (warmup_param_scheduler, solver_multiplier)).replace(
            "    from lrviz.schedules._fvcore_param_schedulers import", "    # fvcore (above):"
        )
        return (
            f"{inspect.getsource(_fvcore_param_schedulers)}\n\nimport torch\n\n\n{source}\n\n"
            "def make_scheduler(optimizer):\n"
            f"    where_to_multiplier = solver_multiplier({name!r}, {solver!r}, optimizer.defaults['lr'])\n"
            f"    max_iter = {params['max_iter']!r}\n"
            "    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: where_to_multiplier(k / max_iter))\n"
        )

    return torch_code


_MAKE = "def make_scheduler(optimizer):\n    return torch.optim.lr_scheduler.LambdaLR(optimizer, {})\n"

_SUMMARIES = {
    "WarmupMultiStepLR": "build_lr_scheduler's WarmupMultiStepLR: MultiStepParamScheduler with a warmup, "
    "through LRMultiplier.",
    "WarmupCosineLR": "build_lr_scheduler's WarmupCosineLR: CosineParamScheduler(1, BASE_LR_END / BASE_LR) with "
    "a warmup, through LRMultiplier.",
    "WarmupStepWithFixedGammaLR": "build_lr_scheduler's WarmupStepWithFixedGammaLR: StepWithFixedGammaParamScheduler "
    "with a warmup, through LRMultiplier.",
    "WarmupPolyLR": "Poly learning rate schedule used to train DeepLab.",
}
_SOURCES = {
    "WarmupMultiStepLR": "detectron2.solver.build_lr_scheduler",
    "WarmupCosineLR": "detectron2.solver.build_lr_scheduler",
    "WarmupStepWithFixedGammaLR": "detectron2.solver.build_lr_scheduler",
    "WarmupPolyLR": "detectron2.projects.deeplab.lr_scheduler.WarmupPolyLR",
}
_EXAMPLES = {
    "WarmupMultiStepLR": "lrviz plot detectron2:WarmupMultiStepLR --max-iter 40000 --warmup-iters 2000 --lr 0.02",
    "WarmupCosineLR": "lrviz plot detectron2:WarmupCosineLR --max-iter 10000 --base-lr-end 0.0001 --lr 0.01",
    "WarmupStepWithFixedGammaLR": "lrviz plot detectron2:WarmupStepWithFixedGammaLR --max-iter 12000 --num-decays 3 "
    "--warmup-iters 500",
    "WarmupPolyLR": "lrviz plot detectron2:WarmupPolyLR --max-iters 90000 --power 0.9 --lr 0.01",
}


def _schedule(name: str) -> FrameworkSchedule:
    length = "max_iters" if name == "WarmupPolyLR" else "max_iter"
    return FrameworkSchedule(
        name=name,
        params=_PARAMS[name],
        summary=_SUMMARIES[name],
        source=_SOURCES[name],
        example=_EXAMPLES[name],
        formula=_poly if name == "WarmupPolyLR" else _solver_formula(name),
        builder=None if name == "WarmupPolyLR" else _solver_builder(name),
        steps_of=lambda p: p[length],
        length_of=lambda p: (length, p[length]),
        events_of=_events_of(name),
        check=_check(name),
        framework_code=_framework_code(name),
        torch_code=_torch_code(name),
    )


SCHEDULES = tuple(_schedule(name) for name in _PARAMS)
