"""fastai (``fastai.callback.schedule``): fit_one_cycle, fit_flat_cos, fit_sgdr, and combine_scheds.

fastai's ``ParamScheduler`` sets the LR before every training batch to ``sched(pct_train)``, where
``TrainEvalCallback`` sets ``pct_train = epoch / n_epoch`` at each epoch's start and adds
``1 / (n_iter * n_epoch)`` after each batch (``n_iter`` = batches per epoch, ``len(dls.train)``).
``combine_scheds`` locates and rescales the position in float32 torch tensors (fastai's ``tensor``
turns the percentages into float32), so lrviz does the same with torch: the values agree with fastai's
exactly. The ``fit_*`` methods take the Learner's LR (``--lr``; fastai's default 1e-3) unless their
own ``lr_max`` / ``lr`` is given; ``combine_scheds`` gives LRs itself. Momentum schedules are not drawn.
"""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules._recipe_code import ABSOLUTE_GROUPS, Code, call, framework_source, literal
from lrviz.schedules.base import FrameworkSchedule, at_least, param

FRAMEWORK = "fastai"
TITLE = "fastai"
PACKAGE = "fastai"


def sched_lin(start, end, pos):
    """fastai's sched_lin: linear from start to end."""
    return start + pos * (end - start)


def sched_cos(start, end, pos):
    """fastai's sched_cos: half a cosine from start to end."""
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def sched_no(start, end, pos):
    """fastai's sched_no: start throughout."""
    return start


def sched_exp(start, end, pos):
    """fastai's sched_exp: exponential from start to end."""
    return start * (end / start) ** pos


def sched_poly(start, end, power, pos):
    """fastai's SchedPoly(start, end, power) at pos."""
    return start + (end - start) * pos**power


SCHED_NAMES = ("SchedLin", "SchedCos", "SchedNo", "SchedExp", "SchedPoly")


def combined(pcts, scheds, pos):
    """combine_scheds(pcts, scheds)(pos): `scheds` are (name, *arguments); positions in float32 as fastai's."""
    import torch

    cumulative = torch.cumsum(torch.tensor([0] + list(pcts)), 0)
    pct_lim = len(cumulative) - 2
    idx = min((pos >= cumulative).nonzero().max(), pct_lim)
    actual_pos = (pos - cumulative[idx]) / (cumulative[idx + 1] - cumulative[idx])
    name, *arguments = scheds[idx]
    function = {"SchedLin": sched_lin, "SchedCos": sched_cos, "SchedNo": sched_no, "SchedExp": sched_exp}.get(
        name, sched_poly
    )
    return function(*arguments, actual_pos.item())


class FitLrs:
    """k -> the LR of training batch k of Learner.fit with ParamScheduler({'lr': combine_scheds(pcts, scheds)})."""

    def __init__(self, n_epoch, n_iter, pcts, scheds):
        self.n_epoch, self.n_iter, self.pcts, self.scheds = n_epoch, n_iter, pcts, scheds
        self._positions = []

    def _pct_train(self, k):
        while len(self._positions) <= k:
            done = len(self._positions)
            if done % self.n_iter == 0:  # TrainEvalCallback.before_train
                self._positions.append(done // self.n_iter / self.n_epoch)
            else:  # TrainEvalCallback.after_batch
                self._positions.append(self._positions[-1] + 1.0 / (self.n_iter * self.n_epoch))
        return self._positions[k]

    def __call__(self, k):
        return combined(self.pcts, self.scheds, self._pct_train(k))


def one_cycle_plan(lr_max, div, div_final, pct_start):
    """fit_one_cycle's lr: combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final)."""
    return [pct_start, 1 - pct_start], [("SchedCos", lr_max / div, lr_max), ("SchedCos", lr_max, lr_max / div_final)]


def flat_cos_plan(lr, div_final, pct_start):
    """fit_flat_cos's lr: combined_cos(pct_start, lr, lr, lr/div_final)."""
    return [pct_start, 1 - pct_start], [("SchedCos", lr, lr), ("SchedCos", lr, lr / div_final)]


def sgdr_epochs(n_cycles, cycle_len, cycle_mult):
    """fit_sgdr's n_epoch."""
    return cycle_len * (cycle_mult**n_cycles - 1) // (cycle_mult - 1)


def sgdr_plan(lr_max, n_cycles, cycle_len, cycle_mult):
    """fit_sgdr's lr: one SchedCos(lr_max, 0) per cycle, each cycle_mult times longer."""
    n_epoch = sgdr_epochs(n_cycles, cycle_len, cycle_mult)
    return [cycle_len * cycle_mult**i / n_epoch for i in range(n_cycles)], [("SchedCos", lr_max, 0)] * n_cycles


_SHORT = {"lin": "SchedLin", "cos": "SchedCos", "no": "SchedNo", "exp": "SchedExp", "poly": "SchedPoly"}


def parse_scheds(text: str) -> list[tuple]:
    """fastai's own form ``"SchedLin(1e-4, 1e-3), SchedCos(1e-3, 1e-6)"`` (YAML; literals only), or the
    comma-free form for flags ``"lin:1e-4:1e-3 cos:1e-3:1e-6"`` (a comma in a flag value is a sweep)
    -> [("SchedLin", 1e-4, 1e-3), ...]."""
    if "(" not in text:
        words = [word.split(":") for word in text.split()]
        if not words or any(word[0] not in _SHORT for word in words):
            raise ValueError(
                f"expected schedules like 'lin:1e-4:1e-3 cos:1e-3:1e-6' ({'/'.join(_SHORT)}), got {text!r}"
            )
        text = ", ".join(f"{_SHORT[name]}({', '.join(numbers)})" for name, *numbers in words)
    try:
        tree = ast.parse(f"[{text}]", mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"not a list of fastai schedules: {exc.msg}") from None
    return [_sched_of(node) for node in tree.elts]  # type: ignore[attr-defined]


def _sched_of(node: ast.AST) -> tuple:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SCHED_NAMES):
        raise ValueError(f"expected SchedLin/SchedCos/SchedNo/SchedExp/SchedPoly(...), got {ast.unparse(node)!r}")
    name = node.func.id
    if node.keywords or len(node.args) != (3 if name == "SchedPoly" else 2):
        raise ValueError(f"{name} takes start, end{', power' if name == 'SchedPoly' else ''}")
    try:
        return (name, *(float(ast.literal_eval(argument)) for argument in node.args))
    except (ValueError, TypeError, SyntaxError):
        raise ValueError(f"{name}'s arguments must be numbers") from None


_N_ITER = param("n_iter", "int", help="batches per epoch: len(dls.train), the n_iter of Learner.fit")
_SOURCES = (sched_lin, sched_cos, sched_no, sched_exp, sched_poly, combined, FitLrs)


def _plan_of(member: str, params: Mapping[str, Any], base_lr: float) -> tuple[int, list, list]:
    """(n_epoch, pcts, scheds) of a member, as its fastai method builds them."""
    if member == "fit_one_cycle":
        peak = params["lr_max"] if params["lr_max"] is not None else base_lr
        return (params["n_epoch"], *one_cycle_plan(peak, params["div"], params["div_final"], params["pct_start"]))
    if member == "fit_flat_cos":
        flat = params["lr"] if params["lr"] is not None else base_lr
        return (params["n_epoch"], *flat_cos_plan(flat, params["div_final"], params["pct_start"]))
    if member == "fit_sgdr":
        peak = params["lr_max"] if params["lr_max"] is not None else base_lr
        cycles = (params["n_cycles"], params["cycle_len"], params["cycle_mult"])
        return (sgdr_epochs(*cycles), *sgdr_plan(peak, *cycles))
    return params["n_epoch"], list(params["pcts"]), parse_scheds(params["scheds"])


def _fit_arguments(member: str, params: Mapping[str, Any], base_lr: Any) -> dict[str, Any]:
    n_epoch, pcts, scheds = _plan_of(member, params, base_lr)
    return {"n_epoch": n_epoch, "n_iter": params["n_iter"], "pcts": pcts, "scheds": scheds}


def _check(member: str) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems = at_least(1, "n_iter", "n_epoch", "n_cycles", "cycle_len")(params)
        if member == "fit_sgdr" and params["cycle_mult"] == 1:
            problems.append(("cycle_mult", "must not be 1: fit_sgdr divides by cycle_mult - 1"))
        if member == "combine_scheds":
            try:
                scheds = parse_scheds(params["scheds"])
            except ValueError as exc:
                return [("scheds", str(exc))]
            if len(scheds) != len(params["pcts"]):
                problems.append(("scheds", f"needs one schedule per pct ({len(params['pcts'])}), got {len(scheds)}"))
        if problems:
            return problems
        pcts = _plan_of(member, params, 1.0)[1]
        if sum(pcts) != 1.0 or min(pcts) < 0:
            culprit = {"combine_scheds": "pcts", "fit_sgdr": "n_cycles"}.get(member, "pct_start")
            problems.append((culprit, f"gives pcts {pcts} whose float sum is not exactly 1 (fastai asserts it)"))
        return problems

    return check


def _plan_call(member: str, params: Mapping[str, Any]) -> tuple[tuple[Callable[..., Any], ...], str]:
    """(functions the call needs, the call that builds (pcts, scheds)) in a snippet; the peak LR is the
    optimizer's unless the member's own lr_max / lr is given, as in fastai."""
    own = params.get("lr_max", params.get("lr"))
    peak = Code('optimizer.defaults["lr"]') if own is None else own
    if member == "fit_one_cycle":
        keys = ("div", "div_final", "pct_start")
        return (one_cycle_plan,), call("one_cycle_plan", {"lr_max": peak, **{k: params[k] for k in keys}})
    if member == "fit_flat_cos":
        keys = ("div_final", "pct_start")
        return (flat_cos_plan,), call("flat_cos_plan", {"lr": peak, **{k: params[k] for k in keys}})
    if member == "fit_sgdr":
        keys = ("n_cycles", "cycle_len", "cycle_mult")
        return (sgdr_epochs, sgdr_plan), call("sgdr_plan", {"lr_max": peak, **{k: params[k] for k in keys}})
    return (), f"{literal(list(params['pcts']))}, {literal(parse_scheds(params['scheds']))}"


def _torch_code(member: str) -> Callable[[Mapping[str, Any]], str]:
    def code(params: Mapping[str, Any]) -> str:
        helpers, plan = _plan_call(member, params)
        definitions = "\n\n".join(inspect.getsource(f).rstrip() + "\n" for f in (*_SOURCES, *helpers))
        n_epoch = _plan_of(member, params, 1.0)[0]
        return framework_source(
            f"import math\n\nimport torch\n\n\n{definitions}",
            f"    pcts, scheds = {plan}\n"
            + ABSOLUTE_GROUPS
            + f"    lrs = FitLrs(n_epoch={n_epoch!r}, n_iter={params['n_iter']!r}, pcts=pcts, scheds=scheds)\n"
            "    return torch.optim.lr_scheduler.LambdaLR(optimizer, lrs)\n",
        )

    return code


def _schedule(member: str, params: tuple, summary: str, source: str, example: str) -> FrameworkSchedule:
    def steps(p: Mapping[str, Any]) -> int:
        return _plan_of(member, p, 1.0)[0] * p["n_iter"]

    def events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
        n_epoch, pcts, _ = _plan_of(member, p, 1.0)
        edges = [math.ceil(sum(pcts[: i + 1]) * n_epoch * p["n_iter"]) for i in range(len(pcts) - 1)]
        return [(edge, "phase") for edge in edges]

    return FrameworkSchedule(
        name=member,
        params=params,
        summary=summary,
        source=source,
        example=example,
        formula=lambda p, base_lr: FitLrs(**_fit_arguments(member, p, base_lr)),
        absolute=member == "combine_scheds",
        float32=True,
        steps_of=steps,
        length_of=lambda p: ("n_epoch" if member != "fit_sgdr" else "n_cycles", steps(p)),
        events_of=events,
        check=_check(member),
        torch_code=_torch_code(member),
    )


SCHEDULES = (
    _schedule(
        "fit_one_cycle",
        (
            param("n_epoch", "int", help="number of epochs"),
            _N_ITER,
            param("lr_max", "float", None, optional=True, help="maximum learning rate (default: the Learner's lr)"),
            param("div", "float", 25.0, help="initial learning rate is lr_max/div"),
            param("div_final", "float", 1e5, help="final learning rate is lr_max/div_final"),
            param("pct_start", "float", 0.25, help="percentage of training steps spent increasing the learning rate"),
        ),
        "Fit `self.model` for `n_epoch` using the 1cycle policy.",
        "fastai.callback.schedule.Learner.fit_one_cycle",
        "lrviz plot fastai:fit_one_cycle --n-epoch 5 --n-iter 200 --lr 1e-3",
    ),
    _schedule(
        "fit_flat_cos",
        (
            param("n_epoch", "int", help="number of epochs"),
            _N_ITER,
            param("lr", "float", None, optional=True, help="flat learning rate (default: the Learner's lr)"),
            param("div_final", "float", 1e5, help="final learning rate is lr/div_final"),
            param("pct_start", "float", 0.75, help="percentage of training steps at the flat learning rate"),
        ),
        "Fit `self.model` for `n_epoch` at flat `lr` before a cosine annealing.",
        "fastai.callback.schedule.Learner.fit_flat_cos",
        "lrviz plot fastai:fit_flat_cos --n-epoch 5 --n-iter 200 --lr 1e-3",
    ),
    _schedule(
        "fit_sgdr",
        (
            param("n_cycles", "int", help="number of cycles"),
            param("cycle_len", "int", help="epochs in the first cycle"),
            _N_ITER,
            param("lr_max", "float", None, optional=True, help="maximum learning rate (default: the Learner's lr)"),
            param("cycle_mult", "int", 2, help="each cycle is cycle_mult times longer than the one before"),
        ),
        "Fit `self.model` for `n_cycles` of `cycle_len` using SGDR.",
        "fastai.callback.schedule.Learner.fit_sgdr",
        "lrviz plot fastai:fit_sgdr --n-cycles 3 --cycle-len 1 --n-iter 100 --lr 1e-3",
    ),
    _schedule(
        "combine_scheds",
        (
            param("pcts", "float_list", help="fraction of training each schedule covers (they add up to 1)"),
            param(
                "scheds",
                "str",
                help="the schedules, as fastai writes them: 'SchedLin(1e-5, 1e-3), SchedCos(1e-3, 1e-6)'",
            ),
            param("n_epoch", "int", help="number of epochs"),
            _N_ITER,
        ),
        "Combine `scheds` according to `pcts` in one function",
        "fastai.callback.schedule.combine_scheds",
        "lrviz plot fastai:combine_scheds --pcts 0.3,0.7 --scheds 'lin:1e-5:1e-3 cos:1e-3:1e-6' "
        "--n-epoch 3 --n-iter 100",
    ),
)
