"""`--code`: the PyTorch code that builds exactly the schedule lrviz plotted, to paste into a training script.

The snippet builds the same torch scheduler (nested ones for SequentialLR and ChainedScheduler)
with the same parameters; an lr_lambda expression becomes a Python lambda; a detectron2-style
warmup becomes a ``warmup_factor(step)`` applied to the LR the optimizer uses, as lrviz applies
it; ReduceLROnPlateau is stepped with the metric lrviz used. Its loop records ``lrs``, the LR of
every optimizer step, which are the values lrviz plots (the tests run the snippet to check);
a curve's weight decay or momentum series is the LR of a second optimizer, recorded as
``weight_decays`` or ``momentums``.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import textwrap
from typing import Any

from lrviz import schedules
from lrviz.errors import SpecError
from lrviz.schedules import pytorch as registry
from lrviz.simulation.stepping import DUMMY_MOMENTUM  # the snippet's SGD is lrviz's dummy optimizer
from lrviz.spec.expressions import Expression
from lrviz.spec.model import CurveSpec, SchedulerSpec, Spec

# lrviz's expression names, as Python spells them
_MATH_FUNCTIONS = {
    "exp",
    "log",
    "log2",
    "log10",
    "sqrt",
    "cos",
    "sin",
    "tan",
    "acos",
    "asin",
    "atan",
    "cosh",
    "sinh",
    "tanh",
    "floor",
    "ceil",
    "pow",
}
_MATH_CONSTANTS = {"pi", "e", "tau", "inf"}
_STEP_NAMES = {"step", "x"}  # both name the epoch argument, as in lrviz's expressions


class _ToPython(ast.NodeTransformer):
    """Rewrites a checked lrviz expression as Python over `epoch` and the math module."""

    def __init__(self) -> None:
        self.uses_math = False

    def visit_Call(self, node: ast.Call) -> ast.AST:
        node.args = [self.visit(arg) for arg in node.args]
        if isinstance(node.func, ast.Name) and node.func.id in _MATH_FUNCTIONS:
            self.uses_math = True
            node.func = ast.Attribute(value=ast.Name("math", ast.Load()), attr=node.func.id, ctx=ast.Load())
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _STEP_NAMES:
            return ast.Name("epoch", ast.Load())
        if node.id in _MATH_CONSTANTS:
            self.uses_math = True
            return ast.Attribute(value=ast.Name("math", ast.Load()), attr=node.id, ctx=ast.Load())
        return node


def lambda_source(expression: Expression) -> tuple[str, bool]:
    """`lambda epoch: ...` for an lr_lambda expression, and whether it needs `import math`."""
    tree = ast.parse(expression.text.strip(), mode="eval")
    rewriter = _ToPython()
    body = rewriter.visit(tree.body)
    return f"lambda epoch: {ast.unparse(body)}", rewriter.uses_math


class _Writer:
    """Accumulates what a snippet needs to import while its parts are written."""

    def __init__(self) -> None:
        self.uses_math = False

    def value(self, value: Any) -> str:
        if isinstance(value, Expression):
            source, uses_math = lambda_source(value)
            self.uses_math |= uses_math
            return source
        if isinstance(value, (tuple, list)):
            return "[" + ", ".join(self.value(v) for v in value) + "]"
        if isinstance(value, float) and not math.isfinite(value):
            self.uses_math = True
            return "math.inf" if value > 0 else "-math.inf"
        return repr(value)

    def scheduler(self, spec: SchedulerSpec, indent: int = 0) -> str:
        """A torch scheduler constructor call over `optimizer`, children inlined."""
        pad = " " * indent
        args = [f"{key}={self.value(value)}" for key, value in spec.params]
        if spec.children:
            inner = "".join(f"{pad}        {self.scheduler(child, indent + 8)},\n" for child in spec.children)
            children = f"[\n{inner}{pad}    ]"
            if registry.resolve(spec.type).kind.chained:
                head = [children, "optimizer=optimizer"]
            else:
                head = ["optimizer", f"schedulers={children}"]
            body = "".join(f"{pad}    {arg},\n" for arg in head + args)
            return f"lr_scheduler.{spec.type}(\n{body}{pad})"
        return f"lr_scheduler.{spec.type}({', '.join(['optimizer', *args])})"


def _literal(text: str) -> str:
    """User text (a label, a group or metric name, a path) as the Python literal that spells it: in
    a comment, a newline in it would end the comment and start code; repr escapes it (and any
    control character, which would otherwise reach the terminal the snippet is printed on)."""
    return repr(str(text))


def _optimizer(curve: CurveSpec, suffix: str) -> list[str]:
    # lrviz's dummy optimizer: SGD with momentum, or Adam/AdamW with torch's default betas
    extra = [f"momentum={DUMMY_MOMENTUM}"] if curve.optimizer == "SGD" else []
    if not curve.param_groups:
        args = ", ".join(["model.parameters()", f"lr={curve.lr!r}", *extra])
        return [
            "model = torch.nn.Linear(1, 1)  # stands in for your model",
            f"optimizer{suffix} = torch.optim.{curve.optimizer}({args})",
        ]
    lines = [
        f"params = [torch.nn.Parameter(torch.zeros(1)) for _ in range({len(curve.param_groups)})]"
        "  # stand in for your parameter groups",
        f"optimizer{suffix} = torch.optim.{curve.optimizer}(",
        "    [",
    ]
    for index, group in enumerate(curve.param_groups):
        lines.append(f'        {{"params": [params[{index}]], "lr": {group.lr!r}}},  # {_literal(group.name)}')
    lines += ["    ],", f"    lr={curve.lr!r},", *(f"    {arg}," for arg in extra), ")"]
    return lines


def _metric(curve: CurveSpec, suffix: str) -> list[str]:
    metric = curve.metric
    assert metric is not None  # noqa: S101 - only called for ReduceLROnPlateau
    values = ", ".join(repr(float(v)) for v in metric.values[: curve.steps])
    wrapped = textwrap.fill(values, width=96, initial_indent="    ", subsequent_indent="    ")
    return [
        f"# ReduceLROnPlateau steps on a metric: lrviz used {_literal(metric.name)} ({_literal(metric.source)});",
        "# in training, pass your validation metric to scheduler.step() instead.",
        f"metric{suffix} = [",
        wrapped,
        "]",
    ]


_OFFSET_CODE = {
    "k/W": "step / {w}",
    "inclusive": "step / {w}",
    "(k+1)/W": "(step + 1) / {w}",
    "(k+1)/(W+1)": "(step + 1) / ({w} + 1)",
    "k/(W-1)": "step / ({w} - 1)",
}
_SHAPE_CODE = {
    "linear": "p",
    "cosine": "(1 - math.cos(math.pi * p)) / 2",
    "log": "min(1.0, math.log1p(p * {w}) / math.log({w}))",
    "1-sqrt": "1 - math.sqrt(max(0.0, 1 - p))",
}


def _floor(curve: CurveSpec, suffix: str) -> list[str]:
    """`floor_lr(scheduled, base)`: the schedule's LR lifted onto lrviz's floor."""
    floor = curve.floor
    assert floor is not None  # noqa: S101
    minimum = repr(floor.min_lr) if floor.min_lr is not None else f"{floor.ratio!r} * base"
    return [
        f"def floor_lr{suffix}(scheduled, base):",
        f'    """lrviz\'s {floor.describe()}: decay to it instead of to 0."""',
        f"    floor = {minimum}",
        "    return floor + scheduled * (1 - floor / base)",
        "",
    ]


def _warmup(curve: CurveSpec, suffix: str, writer: _Writer) -> list[str]:
    """`warmup_lr(step, scheduled, base)`: the LR lrviz's warmup gives the optimizer at `step`."""
    warmup = curve.warmup
    assert warmup is not None  # noqa: S101
    w = warmup.steps
    lines = [
        f"def warmup_lr{suffix}(step, scheduled, base):",
        f'    """lrviz\'s {warmup.describe()}: the LR the optimizer uses."""',
        f"    if step >= {warmup.length}:",
        "        return scheduled",
    ]
    if warmup.mode == "multiply":
        start, target = ("1.0", "scheduled") if warmup.start_lr is None else (repr(warmup.start_lr), "scheduled")
    elif warmup.start_lr is None:
        start, target = f"({warmup.factor!r} * base)", "base"
    else:
        start, target = repr(warmup.start_lr), "base"
    factor_form = warmup.mode == "multiply" and warmup.start_lr is None  # detectron2: scheduled x factor
    if factor_form:
        start = repr(warmup.factor)
    if warmup.method == "constant":
        lines.append(f"    return scheduled * {start}" if factor_form else f"    return {start}")
        return lines
    lines.append(f"    p = {_OFFSET_CODE[warmup.offset].format(w=w)}")
    if warmup.method == "exponential":
        value = f"{start} * (1.0 / {start}) ** p" if factor_form else f"{start} * ({target} / {start}) ** p"
    else:
        writer.uses_math |= warmup.method != "linear"
        lines.append(f"    s = {_SHAPE_CODE[warmup.method].format(w=w)}")
        value = f"{start} * (1 - s) + s" if factor_form else f"{start} * (1 - s) + {target} * s"
    lines.append(f"    return scheduled * ({value})" if factor_form else f"    return {value}")
    return lines


def framework_snippet(scheduler: SchedulerSpec, plain_torch: bool = False) -> str:
    """The `make_scheduler(optimizer)` source of a framework schedule: the framework's own call where
    the framework is installed here (and `plain_torch` is off), else a plain-torch equivalent."""
    from lrviz import schedules
    from lrviz.schedules import pytorch as registry

    schedule = registry.resolve(scheduler.type).framework
    family = schedules.family(schedule.framework)
    installed = family is not None and bool(family.package) and importlib.util.find_spec(family.package) is not None
    params = schedule.with_defaults(scheduler.kwargs)
    if schedule.framework_code is not None and installed and not plain_torch:
        return schedule.framework_code(params)
    if schedule.torch_code is None:
        raise SpecError(f"--code has no plain-torch form of {schedule.full_name} yet", "--code")
    return schedule.torch_code(params)


def _make_scheduler(curve: CurveSpec, writer: _Writer, suffix: str, plain_torch: bool) -> list[str]:
    if schedules.is_framework_name(curve.scheduler.type):
        source = framework_snippet(curve.scheduler, plain_torch).strip("\n")
        return [*source.replace("def make_scheduler(", f"def make_scheduler{suffix}(").splitlines(), ""]
    return [
        f"def make_scheduler{suffix}(optimizer):",
        f'    """{curve.scheduler.describe().replace(chr(92), chr(92) * 2).replace(chr(34) * 3, "")}"""',
        f"    return {writer.scheduler(curve.scheduler, 4)}",
        "",
    ]


def curve_code(curve: CurveSpec, writer: _Writer, suffix: str = "", plain_torch: bool = False) -> list[str]:
    """The lines that build and step one curve's scheduler (imports excluded)."""
    lines = _make_scheduler(curve, writer, suffix, plain_torch)
    adjusted = curve.warmup is not None or curve.floor is not None  # the optimizer's LR is not the scheduler's
    if curve.floor is not None:
        lines += ["", *_floor(curve, suffix)]
    if curve.warmup is not None:
        lines += ["", *_warmup(curve, suffix, writer), "", ""]
    else:
        lines.append("")
    if curve.metric is not None:
        lines += [*_metric(curve, suffix), ""]
    lines += _optimizer(curve, suffix)
    lines += [
        f"scheduler{suffix} = make_scheduler{suffix}(optimizer{suffix})",
        f"lrs{suffix} = []  # the LR of every optimizer step: what lrviz plots",
    ]
    if adjusted:
        lines.append(f"base_lrs{suffix} = {list(curve.group_lrs)!r}  # the base LRs the warmup and floor start from")
    lines.append(f"for step in range({curve.steps}):")
    if adjusted:
        value = "lr" if curve.floor is None else f"floor_lr{suffix}(lr, base)"
        if curve.warmup is not None:
            value = f"warmup_lr{suffix}(step, {value}, base)"
        lines += [
            f"    scheduled = scheduler{suffix}.get_last_lr()",
            f"    for group, lr, base in zip(optimizer{suffix}.param_groups, scheduled, base_lrs{suffix}):",
            f'        group["lr"] = {value}  # the LR the optimizer uses',
        ]
    lines += [
        f'    lrs{suffix}.append(optimizer{suffix}.param_groups[0]["lr"])',
        "    ...  # your forward pass and loss.backward()",
        f"    optimizer{suffix}.step()",
    ]
    if adjusted:
        lines += [
            f"    for group, lr in zip(optimizer{suffix}.param_groups, scheduled):",
            '        group["lr"] = lr  # the scheduler goes on from its own value',
        ]
    first = curve.warmup.shifts if curve.warmup is not None else 0
    conditions = _step_conditions(curve, first)
    indent = "        " if conditions else "    "
    if conditions:
        lines.append(
            f"    if {' and '.join(text for text, _ in conditions)}:  # {'; '.join(why for _, why in conditions)}"
        )
    if curve.metric is not None:
        lines.append(f"{indent}scheduler{suffix}.step(metric{suffix}[step])")
    else:
        lines.append(f"{indent}scheduler{suffix}.step()")
    return lines


def series_code(curve: CurveSpec, writer: _Writer, suffix: str = "", plain_torch: bool = False) -> list[str]:
    """The lines that build and step each of `curve`'s series (`series:`, lrviz.spec.series) on an optimizer
    of its own whose lr is the series' value, recording ``weight_decays`` (or ``momentums``)."""
    from lrviz.spec.series import series_curve

    lines: list[str] = []
    for series in curve.series:
        own = f"{suffix}_{series.param}"
        lines += [
            "",
            "",
            f"# {series.param}: scheduled as the LR of an optimizer of its own whose lr is {series.value!r};",
            f'# in training, set each step\'s group["{series.param}"] of your optimizer to this value.',
            *curve_code(series_curve(curve, series), writer, own, plain_torch),
            f"{series.param}s{suffix} = lrs{own}  # the {series.param} of every optimizer step",
        ]
    return lines


def _steps_past_end(name: str) -> bool:
    """Whether the schedule `name` can be stepped once past the run (torch's can; see FrameworkSchedule)."""
    framework = registry.resolve(name).framework
    return framework is None or framework.steps_past_end


def _step_conditions(curve: CurveSpec, first: int) -> list[tuple[str, str]]:
    """When the loop calls scheduler.step(): (condition, why) pairs, all of which must hold."""
    conditions = []
    if first:
        conditions.append((f"step >= {first}", "shift: the schedule starts after the warmup"))
    elif not _steps_past_end(curve.scheduler.type):
        # the framework has no value at the end of the run, where the last scheduler.step() of a
        # loop lands (fvcore's schedulers); no optimizer step uses it
        conditions.append((f"step < {curve.steps - 1}", "no optimizer step uses the value past the run"))
    if curve.by_epoch and curve.steps_per_epoch:
        since = f"step + 1 - {first}" if first else "step + 1"
        conditions.append((f"({since}) % {curve.steps_per_epoch} == 0", "by epoch: once at the end of each epoch"))
    return conditions


def pytorch_code(spec: Spec, plain_torch: bool = False) -> str:
    """A runnable Python file that builds and steps every curve of `spec` with torch.

    A framework schedule is built with the framework's own call where it is installed, unless
    `plain_torch`; then (or where it is not installed) with a plain-torch equivalent."""
    from lrviz import __version__

    writer = _Writer()
    several = len(spec.curves) > 1
    body: list[str] = []
    for index, curve in enumerate(spec.curves, start=1):
        suffix = f"_{index}" if several else ""
        if several:
            body += ["", "", f"# {index}: {_literal(curve.label)}"]
        body += curve_code(curve, writer, suffix, plain_torch)
        body += series_code(curve, writer, suffix, plain_torch)
    names = "lrs" if not several else ", ".join(f"lrs_{i}" for i in range(1, len(spec.curves) + 1))
    header = [
        f'"""The learning-rate schedule{"s" if several else ""} lrviz {__version__} plotted, built with torch.',
        "",
        "Copy make_scheduler() into your training script; the loop shows where each call goes",
        f"and records {names}, the LR of every optimizer step (the values lrviz plots).",
        '"""',
        "",
    ]
    futures = sorted({line for line in body if line.startswith("from __future__ import")})
    if futures:  # a framework snippet's: they must open the file (right after its docstring)
        body = [line for line in body if line not in futures]
        header += [*futures, ""]
    if writer.uses_math:
        header.append("import math")
        header.append("")
    header += ["import torch", "from torch.optim import lr_scheduler"]
    if not several:
        header += ["", ""]
    return "\n".join(header + body) + "\n"
