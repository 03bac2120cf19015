"""timm (PyTorch Image Models): the schedulers of ``timm.scheduler``, stepped as timm's ``train.py`` steps them.

cosine, tanh, poly, step, multistep, wsd and plateau, with every parameter of their classes but
``initialize`` (and ``decay_fn`` as a callable: wsd's named functions only).

``--lr`` is the optimizer's LR, which timm takes as each group's peak (its ``base_values``);
``lr_min`` and ``warmup_lr_init`` are absolute LRs, not fractions of ``--lr`` (timm's formula is
``lr_min + 0.5 * (base - lr_min) * (1 + cos(...))``, neither a multiplier nor free of the base).

Stepping: timm's ``train.py`` calls ``step_update(num_updates)`` after every optimizer update and
``step(epoch + 1, metric)`` after every epoch; a scheduler with ``t_in_epochs=True`` (timm's default)
moves only on the second, so its LR changes once per ``steps_per_epoch`` updates (``t_initial``,
``warmup_t``, ``decay_t`` are then epochs), with ``t_in_epochs=False`` on every update (they are
updates). Update 0 runs at the LR the constructor leaves: ``warmup_lr_init`` with a warmup, else
the base LR. Noise is timm's: a normal draw from ``torch.Generator`` seeded ``noise_seed + t``,
redrawn until it is within ``noise_pct``, applied as ``lr + lr * noise``, so it is reproducible.
The functions below follow timm 1.0.31's ``_get_lr`` methods line for line.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lrviz.schedules.base import FrameworkSchedule, LrFunction, at_least, param

if TYPE_CHECKING:
    import torch

FRAMEWORK = "timm"
TITLE = "timm (PyTorch Image Models)"
PACKAGE = "timm"

Value = Callable[[float, float, Mapping[str, Any]], float]  # (t, base value, params) -> lr


def _warmup_params(prefix: bool) -> tuple[Any, ...]:
    return (
        param("warmup_t", "int", 0, "epochs of linear warmup (updates with t_in_epochs false)"),
        param("warmup_lr_init", "float", 0.0, "lr at the start of warmup"),
        param(
            "warmup_prefix",
            "bool",
            prefix,
            "exclude the warmup period from t_initial (the schedule starts after it), else warmup overlaps it",
        ),
    )


_STEPPING = (
    param(
        "t_in_epochs",
        "bool",
        True,
        "step the schedule per epoch (timm's step(epoch)), otherwise per update (step_update(num_updates))",
    ),
    param(
        "steps_per_epoch",
        "int",
        1,
        "optimizer updates per epoch (lrviz's: timm's updates_per_epoch, for t_in_epochs true)",
    ),
)
_NOISE = (
    param(
        "noise_range_t",
        "float_list",
        None,
        "lr noise on / off points in t: one value (noise from it on) or two (noise in [on, off))",
        optional=True,
    ),
    param("noise_pct", "float", 0.67, "lr noise limit percent"),
    param("noise_std", "float", 1.0, "lr noise std-dev"),
    param("noise_seed", "int", 42, "lr noise seed"),
)
_CYCLES = (
    param("lr_min", "float", 0.0, "lr lower bound for schedulers that decay to it"),
    param("cycle_mul", "float", 1.0, "cycle length multiplier"),
    param("cycle_decay", "float", 1.0, "lr decay per cycle"),
    param("cycle_limit", "int", 1, "number of cycles"),
)
_T_INITIAL = param("t_initial", "int", help="number of epochs in the schedule (updates with t_in_epochs false)")
_K_DECAY = param("k_decay", "float", 1.0, "k-decay")


# ---------------------------------------------------------------------- timm's formulas, per base value


def cycle_position(t, t_initial, cycle_mul):
    """timm's cycle arithmetic: (cycle index i, cycle length t_i, position in the cycle t_curr)."""
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul**i * t_initial
        t_curr = t - (1 - cycle_mul**i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    return i, t_i, t_curr


def cosine_value(t, v, p):
    """CosineLRScheduler._get_lr after warmup, for base value v."""
    i, t_i, t_curr = cycle_position(t, p["t_initial"], p["cycle_mul"])
    lr_max = v * p["cycle_decay"] ** i
    k = p["k_decay"]
    if i < p["cycle_limit"]:
        return p["lr_min"] + 0.5 * (lr_max - p["lr_min"]) * (1 + math.cos(math.pi * t_curr**k / t_i**k))
    return p["lr_min"]


def tanh_value(t, v, p):
    """TanhLRScheduler._get_lr after warmup, for base value v."""
    i, t_i, t_curr = cycle_position(t, p["t_initial"], p["cycle_mul"])
    if i < p["cycle_limit"]:
        lr_max = v * p["cycle_decay"] ** i
        tr = t_curr / t_i
        return p["lr_min"] + 0.5 * (lr_max - p["lr_min"]) * (1 - math.tanh(p["lb"] * (1.0 - tr) + p["ub"] * tr))
    return p["lr_min"]


def poly_value(t, v, p):
    """PolyLRScheduler._get_lr after warmup, for base value v."""
    i, t_i, t_curr = cycle_position(t, p["t_initial"], p["cycle_mul"])
    lr_max = v * p["cycle_decay"] ** i
    k = p["k_decay"]
    if i < p["cycle_limit"]:
        return p["lr_min"] + (lr_max - p["lr_min"]) * (1 - t_curr**k / t_i**k) ** p["power"]
    return p["lr_min"]


def step_value(t, v, p):
    """StepLRScheduler._get_lr after warmup: decay_t may be fractional (2.4 epochs)."""
    return v * (p["decay_rate"] ** (t // p["decay_t"]))


def multistep_value(t, v, p):
    """MultiStepLRScheduler._get_lr after warmup: milestone m applies from t == m - 1 (timm's convention)."""
    return v * (p["decay_rate"] ** bisect.bisect_right(p["decay_t"], t + 1))


def wsd_value(t_s, v, p):
    """WSDLRScheduler._get_lr after the warmup (t_s: time since its end), for base value v."""
    stable = 1.0
    if p["stable_fn"] != "constant":
        power = 0.5 if p["stable_fn"] == "rsqrt" else p["stable_power"]
        timescale = p["stable_timescale"] if p["stable_timescale"] is not None else p["warmup_t"]
        stable = (1.0 + t_s / timescale) ** -power
    # a decaying stable fn is kept at or above lr_min, the decay then has nothing left to do
    stable_lr = max(v * stable, p["lr_min"])
    t_decay = t_s - (p["t_initial"] - p["decay_t"])
    if t_decay <= 0:
        return stable_lr
    frac = min(t_decay / p["decay_t"], 1.0)
    decay_fn = p["decay_fn"]
    if decay_fn == "linear":
        decay = 1.0 - frac
    elif decay_fn == "1-sqrt":
        decay = 1.0 - math.sqrt(frac)
    elif decay_fn == "cosine":
        decay = 0.5 * (1.0 + math.cos(math.pi * frac))
    elif decay_fn == "power":
        decay = 1.0 - frac ** p["decay_power"]
    else:  # exp: r ** frac decays to r at frac == 1, normalized to reach 0
        r = p["decay_ratio"]
        decay = (r**frac - r) / (1.0 - r)
    return p["lr_min"] + (stable_lr - p["lr_min"]) * decay


def timm_get_lr(t, v, p, value):
    """timm's _get_lr(t) for base value v: the warmup, the warmup prefix, then the schedule's value."""
    if t < p["warmup_t"]:
        # tanh without a prefix warms up to its own value at warmup_t, the others to the base value
        target = value(p["warmup_t"], v, p) if p.get("lb") is not None and not p["warmup_prefix"] else v
        return p["warmup_lr_init"] + t * ((target - p["warmup_lr_init"]) / p["warmup_t"])
    if p.get("warmup_prefix", True):  # wsd has no warmup_prefix: its warmup is always a prefix
        t = t - p["warmup_t"]
    return value(t, v, p)


def timm_noise(t, p):
    """Scheduler._calculate_noise: None outside noise_range_t, else timm's seeded draw for t."""
    import torch

    noise_range = p["noise_range_t"]
    if noise_range is None or not (
        noise_range[0] <= t < noise_range[1] if len(noise_range) > 1 else t >= noise_range[0]
    ):
        return None
    g = torch.Generator()
    g.manual_seed(p["noise_seed"] + t)
    if p.get("noise_type", "normal") == "normal":
        while True:
            # resample if noise out of percent limit, brute force but shouldn't spin much
            noise = torch.randn(1, generator=g).item() * p["noise_std"]
            if abs(noise) < p["noise_pct"]:
                return noise
    return 2 * (torch.rand(1, generator=g).item() - 0.5) * p["noise_pct"]


def timm_lr_of_update(k, v, p, value):
    """The LR of update k under train.py's stepping: the constructor's LR until the first step moves it."""
    t = k // p["steps_per_epoch"] if p["t_in_epochs"] else k
    if t == 0:
        return p["warmup_lr_init"] if p["warmup_t"] else v
    lr = timm_get_lr(t, v, p, value)
    noise = timm_noise(t, p)
    return lr if noise is None else lr + lr * noise


class TrainPyLoop:
    """A timm scheduler stepped as timm's train.py steps it: ``step_update(num_updates)`` after every
    optimizer update, ``step(epoch, metric)`` after every ``steps_per_epoch`` updates."""

    def __init__(self, scheduler, steps_per_epoch):
        self.scheduler = scheduler
        self.optimizer = scheduler.optimizer
        self.steps_per_epoch = steps_per_epoch
        self.num_updates = 0

    def step(self, metric=None):
        self.num_updates += 1
        self.scheduler.step_update(num_updates=self.num_updates, metric=metric)
        if self.num_updates % self.steps_per_epoch == 0:
            self.scheduler.step(self.num_updates // self.steps_per_epoch, metric)

    def get_last_lr(self):
        return [group["lr"] for group in self.optimizer.param_groups]


class TimmPlateau:
    """timm's PlateauLRScheduler: torch's ReduceLROnPlateau after a linear warmup, with noise that is
    undone before the next plateau step."""

    def __init__(self, optimizer, p):
        import torch

        self.optimizer = optimizer
        self.p = p
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_values = [group["initial_lr"] for group in optimizer.param_groups]
        self.lr_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer,
            patience=p["patience_t"],
            factor=p["decay_rate"],
            threshold=p["threshold"],
            cooldown=p["cooldown_t"],
            mode=p["mode"],
            min_lr=p["lr_min"],
        )
        self.warmup_steps = (
            [(v - p["warmup_lr_init"]) / p["warmup_t"] for v in self.base_values] if p["warmup_t"] else []
        )
        if p["warmup_t"]:
            self.update_groups([p["warmup_lr_init"]] * len(self.base_values))
        self.restore_lr = None

    def update_groups(self, values):
        for group, value in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = value

    def step_update(self, num_updates, metric=None):
        return None

    def step(self, epoch, metric=None):
        if epoch <= self.p["warmup_t"]:
            self.update_groups([self.p["warmup_lr_init"] + epoch * s for s in self.warmup_steps])
            return
        if self.restore_lr is not None:
            # restore actual LR from before our last noise perturbation before stepping base
            self.update_groups(self.restore_lr)
            self.restore_lr = None
        if metric is not None:
            self.lr_scheduler.step(metric)
        noise = timm_noise(epoch, self.p)
        if noise is not None:
            self.restore_lr = [float(group["lr"]) for group in self.optimizer.param_groups]
            self.update_groups([lr + lr * noise for lr in self.restore_lr])


# ------------------------------------------------------------------------------------ the members


_ENDLESS = 10**15  # a cycle length no run reaches (lrviz runs at most 10 million steps)
_MOST_RESTART_MARKS = 100  # a figure shows no more restarts than this


def _t_units(p: Mapping[str, Any]) -> int:
    """Updates per unit of t: steps_per_epoch when timm steps per epoch, else 1."""
    return p["steps_per_epoch"] if p["t_in_epochs"] else 1


def _cycle_length(p: Mapping[str, Any]) -> int:
    """timm's get_cycle_length(): t of the last cycle's end (plus the warmup when it is a prefix)."""
    cycles = max(1, p["cycle_limit"])
    if p["cycle_mul"] == 1.0:
        t = p["t_initial"] * cycles
    else:
        try:
            t = int(math.floor(-p["t_initial"] * (p["cycle_mul"] ** cycles - 1) / (1 - p["cycle_mul"])))
        except OverflowError:  # cycles that grow past any float: longer than any run lrviz allows
            return _ENDLESS
    return t + p["warmup_t"] if p["warmup_prefix"] else t


def _cycle_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    marks = [(p["warmup_t"] * _t_units(p), "warmup end")] if p["warmup_t"] else []
    shift = p["warmup_t"] if p["warmup_prefix"] else 0
    start, length = 0.0, float(p["t_initial"])
    for _ in range(min(max(1, p["cycle_limit"]) - 1, _MOST_RESTART_MARKS)):
        start += length
        length *= p["cycle_mul"]
        if start + shift >= _ENDLESS:
            break
        marks.append((math.ceil(start + shift) * _t_units(p), "restart"))
    return marks


def _milestones(p: Mapping[str, Any]) -> list[float]:
    if "decay_t" not in p or isinstance(p["decay_t"], (int, float)):
        period = p.get("decay_t")
        return [period * n for n in range(1, 4)] if period else []
    return [m - 1 for m in p["decay_t"]]  # timm's milestone m applies from t = m - 1


def _step_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    marks = [(p["warmup_t"] * _t_units(p), "warmup end")] if p["warmup_t"] else []
    shift = p["warmup_t"] if p["warmup_prefix"] else 0
    return marks + [(math.ceil(t + shift) * _t_units(p), "decay") for t in _milestones(p) if t + shift > 0]


def _noise_problems(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    noise_range = p["noise_range_t"]
    if noise_range is not None and len(noise_range) not in (1, 2):
        return [("noise_range_t", f"expected one value (on) or two (on, off), got {len(noise_range)}")]
    if p["noise_pct"] <= 0 and p.get("noise_type", "normal") == "normal":
        return [
            ("noise_pct", f"must be greater than 0 (timm redraws until |noise| < noise_pct), got {p['noise_pct']:g}")
        ]
    if p["noise_std"] > 0 and p["noise_pct"] / p["noise_std"] < 0.01:
        return [("noise_pct", "is under 1% of noise_std: timm would redraw hundreds of times per step")]
    return []


def _common_problems(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    bounds = at_least(0, "warmup_t", "warmup_lr_init", "lr_min", "noise_std", "cycle_limit")(p)
    return bounds + at_least(1, "steps_per_epoch", "t_initial")(p) + _noise_problems(p)


def _cycle_problems(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    if p["cycle_mul"] <= 0:
        return [
            ("cycle_mul", f"must be greater than 0 (timm takes a logarithm in base cycle_mul), got {p['cycle_mul']:g}")
        ]
    if p.get("lb") is not None and not p["lb"] < p["ub"]:
        return [("ub", f"must be greater than lb ({p['lb']:g}), got {p['ub']:g}")]
    return []


def _step_problems(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    if isinstance(p["decay_t"], (int, float)):
        return [] if p["decay_t"] > 0 else [("decay_t", f"must be greater than 0, got {p['decay_t']:g}")]
    if list(p["decay_t"]) != sorted(p["decay_t"]):
        return [("decay_t", "milestones must be in increasing order (timm bisects them)")]
    return []


def _timm_formula(value: Value) -> Callable[[Mapping[str, Any], float], LrFunction]:
    def formula(p: Mapping[str, Any], base_lr: float) -> LrFunction:
        return lambda k: timm_lr_of_update(k, base_lr, p, value)

    return formula


def _sources(*objects: Any) -> str:
    import inspect  # only to print the functions: not on `lrviz list`'s path

    return "\n\n".join(inspect.getsource(o) for o in objects)


_PLAIN_TORCH_LR = '''
class TimmScheduleLR(torch.optim.lr_scheduler.LRScheduler):
    """Update k's LR from timm's formula for each group's base LR (timm's base_values)."""

    def __init__(self, optimizer, params, value):
        self.params, self.value = params, value
        super().__init__(optimizer)

    def get_lr(self):
        return [timm_lr_of_update(self.last_epoch, v, self.params, self.value) for v in self.base_lrs]
'''


def _torch_code(value: Value | None) -> Callable[[Mapping[str, Any]], str]:
    def code(p: Mapping[str, Any]) -> str:
        head = "import bisect\nimport math\n\nimport torch\n\n\n"
        params = {name: (list(v) if isinstance(v, tuple) else v) for name, v in p.items()}
        if value is None:
            body = _sources(timm_noise, TrainPyLoop, TimmPlateau)
            make = f"TrainPyLoop(TimmPlateau(optimizer, {params!r}), {p['steps_per_epoch']!r})"
        else:
            body = _sources(cycle_position, value, timm_get_lr, timm_noise, timm_lr_of_update) + "\n" + _PLAIN_TORCH_LR
            make = f"TimmScheduleLR(optimizer, {params!r}, {value.__name__})"
        return f"{head}{body}\n\ndef make_scheduler(optimizer):\n    return {make}\n"

    return code


def _framework_code(cls: str) -> Callable[[Mapping[str, Any]], str]:
    def code(p: Mapping[str, Any]) -> str:
        arguments = "".join(
            f", {name}={_timm_literal(name, v)!r}" for name, v in p.items() if name != "steps_per_epoch"
        )
        return (
            f"from timm.scheduler import {cls}\n\n\n{_sources(TrainPyLoop)}\n\n"
            "def make_scheduler(optimizer):\n"
            f"    scheduler = {cls}(optimizer{arguments})\n"
            f"    return TrainPyLoop(scheduler, steps_per_epoch={p['steps_per_epoch']!r})\n"
        )

    return code


def _timm_literal(name: str, value: Any) -> Any:
    """A parameter as timm takes it: noise_range_t one number (noise from it on) or an [on, off) pair."""
    if name == "noise_range_t" and value is not None:
        return value[0] if len(value) == 1 else list(value)
    return list(value) if isinstance(value, tuple) else value


def _member(
    name: str,
    cls: str,
    params: tuple[Any, ...],
    value: Value | None,
    summary: str,
    example: str,
    problems: Callable[[Mapping[str, Any]], list[tuple[str, str]]],
    steps: Callable[[Mapping[str, Any]], int | None],
    length: Callable[[Mapping[str, Any]], tuple[str, int] | None],
    events: Callable[[Mapping[str, Any]], list[tuple[int, str]]],
) -> FrameworkSchedule:
    return FrameworkSchedule(
        name=name,
        params=params,
        summary=summary,
        source=f"timm.scheduler.{cls}",
        formula=_timm_formula(value) if value is not None else None,
        metric_driven=value is None,
        example=example,
        steps_of=steps,
        length_of=length,
        events_of=events,
        check=lambda p: _common_problems(p) + problems(p),
        framework_code=_framework_code(cls),
        torch_code=_torch_code(value),
        builder=_plateau_builder if value is None else None,
    )


def _plateau_builder(optimizer: torch.optim.Optimizer, p: Mapping[str, Any]) -> TrainPyLoop:
    return TrainPyLoop(TimmPlateau(optimizer, dict(p)), p["steps_per_epoch"])


def _cycle_member(
    name: str, cls: str, extra: tuple[Any, ...], value: Value, summary: str, example: str
) -> FrameworkSchedule:
    return _member(
        name,
        cls,
        (_T_INITIAL, *extra, *_CYCLES, *_warmup_params(False), *_STEPPING, *_NOISE),
        value,
        summary,
        example,
        problems=_cycle_problems,
        steps=lambda p: _cycle_length(p) * _t_units(p),
        length=lambda p: ("t_initial", _cycle_length(p) * _t_units(p)),
        events=_cycle_events,
    )


def _step_length(p: Mapping[str, Any]) -> int:
    last = max(_milestones(p), default=10)
    return (math.ceil(last * 4 / 3) + (p["warmup_t"] if p["warmup_prefix"] else 0)) * _t_units(p)


_DECAY_RATE = param("decay_rate", "float", 1.0, "lr decay rate")

_WSD_PARAMS = (
    param("t_initial", "int", help="length of the stable + decay phases (epochs or updates, see `t_in_epochs`)"),
    param("decay_t", "float", help="length of the decay phase, the final `decay_t` steps of `t_initial`"),
    param("lr_min", "float", 0.0, "lr at the end of the decay phase"),
    param("stable_fn", "choice", "constant", "stable phase function", choices=("constant", "rsqrt", "power")),
    param(
        "stable_timescale",
        "float",
        None,
        "timescale of the 'rsqrt' / 'power' stable functions, defaults to `warmup_t`",
        optional=True,
    ),
    param("stable_power", "float", 0.5, "exponent of the 'power' stable function"),
    param(
        "decay_fn",
        "choice",
        "1-sqrt",
        "decay phase function",
        choices=("linear", "1-sqrt", "cosine", "power", "exp"),
    ),
    param("decay_power", "float", 0.5, "exponent of the 'power' decay function"),
    param("decay_ratio", "float", 0.1, "final fraction (before normalization) of the 'exp' decay function"),
    *_warmup_params(True)[:2],
    *_STEPPING,
    *_NOISE,
)


def _wsd_problems(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    """WSDLRScheduler's own ValueErrors, as parameter problems."""
    if not 0 < p["decay_t"] <= p["t_initial"]:
        return [("decay_t", f"must be in (0, t_initial] w/ t_initial={p['t_initial']}, got {p['decay_t']:g}")]
    if not 0.0 < p["decay_ratio"] < 1.0:
        return [("decay_ratio", f"must be in (0, 1), got {p['decay_ratio']:g}")]
    for name in ("decay_power", "stable_power"):
        if p[name] <= 0:
            return [(name, f"must be > 0, got {p[name]:g}")]
    timescale = p["stable_timescale"] if p["stable_timescale"] is not None else p["warmup_t"]
    if p["stable_fn"] != "constant" and timescale <= 0:
        return [("stable_timescale", f"stable_fn={p['stable_fn']} requires a positive stable_timescale, it defaults to "
                 f"warmup_t ({p['warmup_t']}), set it explicitly when there is no warmup")]  # fmt: skip
    return []


def _wsd_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    units, warmup = _t_units(p), p["warmup_t"]
    marks = [(warmup * units, "warmup end")] if warmup else []
    decay_start = warmup + p["t_initial"] - p["decay_t"]
    return [*marks, (math.ceil(decay_start * units), "decay start"), ((warmup + p["t_initial"]) * units, "decay end")]


SCHEDULES = (
    _cycle_member(
        "cosine",
        "CosineLRScheduler",
        (_K_DECAY,),
        cosine_value,
        "Cosine decay with restarts",
        "lrviz plot timm:cosine --t-initial 100 --warmup-t 5 --warmup-lr-init 1e-6 --lr-min 1e-5 "
        "--steps-per-epoch 50 --lr 1e-3",
    ),
    _cycle_member(
        "tanh",
        "TanhLRScheduler",
        (param("lb", "float", -7.0, "tanh lower bound"), param("ub", "float", 3.0, "tanh upper bound")),
        tanh_value,
        "Hyberbolic-Tangent decay with restarts",
        "lrviz plot timm:tanh --t-initial 100 --warmup-t 3 --warmup-lr-init 1e-5 --lr 0.01",
    ),
    _cycle_member(
        "poly",
        "PolyLRScheduler",
        (param("power", "float", 0.5, "the polynomial power"), _K_DECAY),
        poly_value,
        "Polynomial LR Scheduler w/ warmup, noise, and k-decay",
        "lrviz plot timm:poly --t-initial 100 --power 2 --cycle-limit 2 --cycle-decay 0.5 --lr 0.01",
    ),
    _member(
        "step",
        "StepLRScheduler",
        (
            param("decay_t", "float", help="lr decay interval (a fraction such as 2.4 is allowed)"),
            _DECAY_RATE,
            *_warmup_params(True),
            *_STEPPING,
            *_NOISE,
        ),
        step_value,
        "Step LR schedule with warmup, noise",
        "lrviz plot timm:step --decay-t 2.4 --decay-rate 0.97 --warmup-t 3 --warmup-lr-init 1e-6 "
        "--steps-per-epoch 20 --steps 600 --lr 0.016",
        problems=_step_problems,
        steps=_step_length,
        length=lambda p: None,
        events=_step_events,
    ),
    _member(
        "multistep",
        "MultiStepLRScheduler",
        (
            param("decay_t", "int_list", help="epochs to decay the lr at"),
            _DECAY_RATE,
            *_warmup_params(True),
            *_STEPPING,
            *_NOISE,
        ),
        multistep_value,
        "Multi-step learning rate schedule with warmup and noise",
        "lrviz plot timm:multistep --decay-t 30,60,90 --decay-rate 0.1 --steps 100 --lr 0.1",
        problems=_step_problems,
        steps=_step_length,
        length=lambda p: None,
        events=_step_events,
    ),
    _member(
        "wsd",
        "WSDLRScheduler",
        _WSD_PARAMS,
        wsd_value,
        "Warmup-Stable-Decay (WSD) LR schedule w/ selectable stable and decay functions",
        "lrviz plot timm:wsd --t-initial 90 --decay-t 18 --warmup-t 5 --lr-min 1e-5 --steps-per-epoch 20 --lr 1e-3",
        problems=_wsd_problems,
        steps=lambda p: (p["warmup_t"] + p["t_initial"]) * _t_units(p),
        length=lambda p: ("t_initial", (p["warmup_t"] + p["t_initial"]) * _t_units(p)),
        events=_wsd_events,
    ),
    _member(
        "plateau",
        "PlateauLRScheduler",
        (
            param("decay_rate", "float", 0.1, "lr decay rate"),
            param("patience_t", "int", 10, "epochs w/o improvement before decaying the lr"),
            param("threshold", "float", 1e-4, "Threshold for measuring the new optimum (torch's ReduceLROnPlateau)"),
            param("cooldown_t", "int", 0, "epochs to wait after a decay before resuming normal operation"),
            *_warmup_params(False)[:2],
            param("lr_min", "float", 0.0, "lr lower bound for schedulers that decay to it"),
            param("mode", "choice", "max", "'max' or 'min', the metric direction", choices=("max", "min")),
            _STEPPING[1],
            _NOISE[0],
            param("noise_type", "choice", "normal", "'normal' or 'uniform' lr noise", choices=("normal", "uniform")),
            *_NOISE[1:],
        ),
        None,
        "Decay the LR by a factor every time the validation loss plateaus",
        "lrviz plot timm:plateau --mode min --patience-t 5 --decay-rate 0.5 --steps 300 --lr 0.01",
        problems=lambda p: [("decay_rate", "Factor should be < 1.0")] if p["decay_rate"] >= 1.0 else [],
        steps=lambda p: None,
        length=lambda p: None,
        events=lambda p: [(p["warmup_t"] * p["steps_per_epoch"], "warmup end")] if p["warmup_t"] else [],
    ),
)
