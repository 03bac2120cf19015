"""fvcore's ParamSchedulers, run as detectron2 runs them: through ``LRMultiplier`` over ``max_iter``.

Each schedule is a multiplier of progress ``where = k / max_iter``; ``LRMultiplier`` sets the LR of
update k to ``base_lr * multiplier(k / max_iter)``, so ``--lr`` is the base LR (detectron2's
``SOLVER.BASE_LR``). Values follow ``fvcore.common.param_scheduler`` line for line
(``_fvcore_param_schedulers``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules.base import FrameworkSchedule, LrFunction, param, typed_entries
from lrviz.schedules.pytorch import Param

FRAMEWORK = "fvcore"
TITLE = "fvcore ParamSchedulers (through detectron2's LRMultiplier)"
PACKAGE = "fvcore"
STEPS_PAST_END = False  # fvcore's ParamSchedulers have no value at where=1.0, the run's end

MAX_ITER = param("max_iter", "int", help="The total number of training iterations.")

_OWN_PARAMS: dict[str, tuple[Param, ...]] = {
    "ConstantParamScheduler": (param("value", "float", help="The constant value of the param."),),
    "CosineParamScheduler": (
        param("start_value", "float", help="The value at the start of training."),
        param("end_value", "float", help="The value at the end of training."),
    ),
    "ExponentialParamScheduler": (
        param("start_value", "float", help="The value at the start of training."),
        param("decay", "float", help="The decay: param_t = start_value * (decay ** where)."),
    ),
    "LinearParamScheduler": (
        param("start_value", "float", help="The value at the start of training."),
        param("end_value", "float", help="The value at the end of training."),
    ),
    "MultiStepParamScheduler": (
        param("values", "float_list", help="param value in each range"),
        param("num_updates", "int", None, "the end of the last range.", optional=True),
        param("milestones", "int_list", None, "the boundary of each range.", optional=True),
    ),
    "PolynomialDecayParamScheduler": (
        param("base_value", "float", help="The value at the start of training."),
        param("power", "float", help="The power of the polynomial."),
    ),
    "StepParamScheduler": (
        param("num_updates", "int", help="The number of updates the values are divided evenly among."),
        param("values", "float_list", help="The fixed schedule of param values."),
    ),
    "StepWithFixedGammaParamScheduler": (
        param("base_value", "float", help="The value at the start of training."),
        param("num_decays", "int", help="The total number of decays."),
        param("gamma", "float", help="The factor of each decay."),
        param("num_updates", "int", help="The number of updates the decays are spread evenly over."),
    ),
    "CompositeParamScheduler": (
        param("schedulers", "mapping_list", help="The intermediate schedulers (mappings with a `type`), run in order."),
        param("lengths", "float_list", help="The fraction of training each scheduler runs for; they sum to 1."),
        param(
            "interval_scaling",
            "str",
            help="Per scheduler, comma-separated: 'rescaled' (runs its whole shape in its interval) or 'fixed'.",
        ),
    ),
}

_SUMMARIES = {
    "ConstantParamScheduler": "Returns a constant value for a param.",
    "CosineParamScheduler": "Cosine decay or cosine warmup schedules based on start and end values.",
    "ExponentialParamScheduler": "Exponetial schedule parameterized by a start value and decay.",
    "LinearParamScheduler": "Linearly interpolates parameter between ``start_value`` and ``end_value``.",
    "MultiStepParamScheduler": "Takes a predefined schedule for a param value, and a list of epochs or steps "
    "which stand for the upper boundary (excluded) of each range.",
    "PolynomialDecayParamScheduler": "Decays the param value after every epoch according to a polynomial "
    "function with a fixed power.",
    "StepParamScheduler": "Takes a fixed schedule for a param value.",
    "StepWithFixedGammaParamScheduler": "Decays the param value by gamma at equal number of steps so as to have "
    "the specified total number of decays.",
    "CompositeParamScheduler": "Composite parameter scheduler composed of intermediate schedulers.",
}

_EXAMPLES = {
    "ConstantParamScheduler": "lrviz plot fvcore:ConstantParamScheduler --value 0.5 --max-iter 100",
    "CosineParamScheduler": "lrviz plot fvcore:CosineParamScheduler --start-value 1 --end-value 0.01 --max-iter 1000",
    "ExponentialParamScheduler": "lrviz plot fvcore:ExponentialParamScheduler --start-value 1 --decay 0.02 "
    "--max-iter 500",
    "LinearParamScheduler": "lrviz plot fvcore:LinearParamScheduler --start-value 1 --end-value 0 --max-iter 500",
    "MultiStepParamScheduler": "lrviz plot fvcore:MultiStepParamScheduler --values 1,0.1,0.01 --milestones 60,80 "
    "--num-updates 90 --max-iter 900",
    "PolynomialDecayParamScheduler": "lrviz plot fvcore:PolynomialDecayParamScheduler --base-value 1 --power 0.9 "
    "--max-iter 1000",
    "StepParamScheduler": "lrviz plot fvcore:StepParamScheduler --num-updates 120 --values 1,0.1,0.01,0.001 "
    "--max-iter 1200",
    "StepWithFixedGammaParamScheduler": "lrviz plot fvcore:StepWithFixedGammaParamScheduler --base-value 1 "
    "--num-decays 3 --gamma 0.1 --num-updates 120 --max-iter 1200",
    "CompositeParamScheduler": "lrviz plot configs/fvcore_composite.yaml",  # a list of mappings: YAML only
}
CHILD_TYPES = {name: params for name, params in _OWN_PARAMS.items() if name != "CompositeParamScheduler"}


def _kwargs(type_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """fvcore's constructor arguments from lrviz's parameter values (lists as lists)."""
    kwargs = {p.name: params[p.name] for p in _OWN_PARAMS[type_name]}
    if type_name == "CompositeParamScheduler":
        kwargs["schedulers"] = typed_entries(params["schedulers"], CHILD_TYPES)
        kwargs["interval_scaling"] = interval_scaling(params["interval_scaling"])
    return {key: list(value) if isinstance(value, tuple) else value for key, value in kwargs.items()}


def interval_scaling(value: Any) -> list[str]:
    """`rescaled,fixed` (or a list) as fvcore's list of interval scalings."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def lr_multiplier(where_to_multiplier: Callable[[float], float], max_iter: int, base_lr: float) -> LrFunction:
    """detectron2's ``LRMultiplier.get_lr``: ``base_lr * multiplier(last_epoch / max_iter)``.

    The step() after the last update computes the value of update ``max_iter``, which fvcore
    refuses (or divides by zero on) for some schedules; nobody uses it, so it is NaN there
    instead of an error."""

    def lr_at(k: int) -> float:
        try:
            return base_lr * where_to_multiplier(k / max_iter)
        except (ValueError, ArithmeticError):
            if k == max_iter:
                return math.nan
            raise ValueError(f"fvcore's schedule ends at max_iter ({max_iter}): no value at iteration {k}") from None

    return lr_at


def _formula(type_name: str) -> Callable[[Mapping[str, Any], float], LrFunction]:
    def formula(params: Mapping[str, Any], base_lr: float) -> LrFunction:
        from lrviz.schedules._fvcore_param_schedulers import param_scheduler

        return lr_multiplier(param_scheduler(type_name, _kwargs(type_name, params)), params["max_iter"], base_lr)

    return formula


def _check(type_name: str) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    """What fvcore refuses when building the scheduler (or could not compute), named by parameter."""

    def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
        if params["max_iter"] < 1:
            return [("max_iter", f"must be at least 1, got {params['max_iter']}")]
        if type_name == "ExponentialParamScheduler" and params["decay"] <= 0:
            return [("decay", f"must be greater than 0 (decay ** where is not a real number), got {params['decay']:g}")]
        from lrviz.schedules._fvcore_param_schedulers import param_scheduler

        try:
            kwargs = _kwargs(type_name, params)
        except ValueError as exc:  # a Composite's schedulers entry
            return [("schedulers", str(exc))]
        if type_name == "CompositeParamScheduler" and len(kwargs["interval_scaling"]) != len(kwargs["schedulers"]):
            count = len(kwargs["schedulers"])
            return [
                ("interval_scaling", f"expected {count} values (one per scheduler), got {params['interval_scaling']!r}")
            ]
        try:
            param_scheduler(type_name, kwargs)
        except (ValueError, TypeError) as exc:
            return [(_blamed_param(str(exc), params), f"fvcore refuses it: {exc}")]
        return []

    return check


# fvcore's messages (start) -> the parameter they are about
_BLAMED = {
    "num_updates and milestones cannot both be None": "milestones",
    "MultiStep scheduler requires a list": "milestones",
    "Total num_updates must be greater": "num_updates",
    "Milestone must be smaller": "milestones",
    "Number of updates must be larger": "num_updates",
    "Step scheduler requires a list": "values",
    "Schedulers and lengths must be same length": "lengths",
    "There must be at least one scheduler": "schedulers",
    "The sum of all values in lengths": "lengths",
    "Unsupported interval_scaling": "interval_scaling",
}


def _blamed_param(message: str, params: Mapping[str, Any]) -> str:
    """The parameter an fvcore error message is about."""
    if message.startswith("base_value and gamma"):
        return "base_value" if params["base_value"] <= 0 else "gamma"
    if message.startswith("num_decays and num_updates"):
        return "num_decays" if params["num_decays"] <= 0 else "num_updates"
    return next((name for start, name in _BLAMED.items() if message.startswith(start)), "schedulers")


def _framework_code(type_name: str) -> Callable[[Mapping[str, Any]], str]:
    """fvcore's own scheduler in a LambdaLR: what detectron2's LRMultiplier computes."""

    def framework_code(params: Mapping[str, Any]) -> str:
        kwargs = _kwargs(type_name, params)
        lines = ["import fvcore.common.param_scheduler as fvcore_schedulers", "import torch", ""]
        if type_name == "CompositeParamScheduler":
            children = [
                f"fvcore_schedulers.{child['type']}(**{ {k: v for k, v in child.items() if k != 'type'}!r})"
                for child in kwargs.pop("schedulers")
            ]
            lines.append(f"CHILDREN = [{', '.join(children)}]")
            kwargs_text = f"schedulers=CHILDREN, **{kwargs!r}"
        else:
            kwargs_text = f"**{kwargs!r}"
        lines += [
            f"MULTIPLIER = fvcore_schedulers.{type_name}({kwargs_text})",
            f"MAX_ITER = {params['max_iter']!r}",
            "",
            "",
            "def make_scheduler(optimizer):",
            "    # detectron2's LRMultiplier: base_lr * multiplier(iteration / max_iter)",
            "    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: MULTIPLIER(k / MAX_ITER))",
        ]
        return "\n".join(lines) + "\n"

    return framework_code


def _torch_code(type_name: str) -> Callable[[Mapping[str, Any]], str]:
    """Plain torch: fvcore's formulas (lrviz's copy, bisect and math only) in a LambdaLR."""

    def torch_code(params: Mapping[str, Any]) -> str:
        from lrviz.schedules import _fvcore_param_schedulers

        source = inspect.getsource(_fvcore_param_schedulers)
        return (
            f"{source}\n\nimport torch\n\n"
            f"MULTIPLIER = param_scheduler({type_name!r}, {_kwargs(type_name, params)!r})\n"
            f"MAX_ITER = {params['max_iter']!r}\n\n\n"
            "def make_scheduler(optimizer):\n"
            "    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: MULTIPLIER(k / MAX_ITER))\n"
        )

    return torch_code


def _events_of(type_name: str) -> Callable[[Mapping[str, Any]], list[tuple[int, str]]]:
    def events_of(params: Mapping[str, Any]) -> list[tuple[int, str]]:
        if type_name != "CompositeParamScheduler":
            return []
        boundaries, running = [], 0.0
        for length in list(params["lengths"])[:-1]:
            running += length
            boundaries.append((round(running * params["max_iter"]), "next scheduler"))
        return boundaries

    return events_of


def _schedule(type_name: str) -> FrameworkSchedule:
    return FrameworkSchedule(
        name=type_name,
        params=(*_OWN_PARAMS[type_name], MAX_ITER),
        summary=_SUMMARIES[type_name],
        source=f"fvcore.common.param_scheduler.{type_name}",
        example=_EXAMPLES[type_name],
        formula=_formula(type_name),
        steps_of=lambda p: p["max_iter"],
        length_of=lambda p: ("max_iter", p["max_iter"]),
        events_of=_events_of(type_name),
        check=_check(type_name),
        framework_code=_framework_code(type_name),
        torch_code=_torch_code(type_name),
    )


SCHEDULES = tuple(_schedule(name) for name in _OWN_PARAMS)
