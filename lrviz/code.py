"""`--code`: the PyTorch code that builds exactly the schedule lrviz plotted, to paste into a training script.

The snippet builds the same torch scheduler (nested ones for SequentialLR and ChainedScheduler)
with the same parameters; an lr_lambda expression becomes a Python lambda; a detectron2-style
warmup becomes a ``warmup_factor(step)`` applied to the LR the optimizer uses, as lrviz applies
it; ReduceLROnPlateau is stepped with the metric lrviz used. Its loop records ``lrs``, the LR of
every optimizer step, which are the values lrviz plots (the tests run the snippet to check).
"""

from __future__ import annotations

import ast
import math
import textwrap
from typing import Any

from lrviz.expressions import Expression
from lrviz.simulation import DUMMY_MOMENTUM  # the snippet's SGD is lrviz's dummy optimizer
from lrviz.spec import CurveSpec, SchedulerSpec, Spec

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
            if spec.type == "ChainedScheduler":
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


def _warmup(curve: CurveSpec, suffix: str) -> list[str]:
    warmup = curve.warmup
    assert warmup is not None  # noqa: S101
    lines = [
        f"def warmup_factor{suffix}(step):",
        f'    """detectron2\'s warmup ({warmup.method}, {warmup.steps} steps): scales the scheduled LR."""',
        f"    if step >= {warmup.steps}:",
        "        return 1.0",
    ]
    if warmup.method == "constant":
        lines.append(f"    return {warmup.factor!r}")
    else:
        lines += [f"    alpha = step / {warmup.steps}", f"    return {warmup.factor!r} * (1 - alpha) + alpha"]
    return lines


def curve_code(curve: CurveSpec, writer: _Writer, suffix: str = "") -> list[str]:
    """The lines that build and step one curve's scheduler (imports excluded)."""
    lines = [
        f"def make_scheduler{suffix}(optimizer):",
        f'    """{curve.scheduler.describe().replace(chr(92), chr(92) * 2).replace(chr(34) * 3, "")}"""',
        f"    return {writer.scheduler(curve.scheduler, 4)}",
        "",
    ]
    if curve.warmup is not None:
        lines += ["", *_warmup(curve, suffix), "", ""]
    else:
        lines.append("")
    if curve.metric is not None:
        lines += [*_metric(curve, suffix), ""]
    lines += _optimizer(curve, suffix)
    lines += [
        f"scheduler{suffix} = make_scheduler{suffix}(optimizer{suffix})",
        f"lrs{suffix} = []  # the LR of every optimizer step: what lrviz plots",
        f"for step in range({curve.steps}):",
    ]
    if curve.warmup is not None:
        lines += [
            f"    scheduled = scheduler{suffix}.get_last_lr()",
            f"    for group, lr in zip(optimizer{suffix}.param_groups, scheduled):",
            f'        group["lr"] = lr * warmup_factor{suffix}(step)  # warmup scales the LR the optimizer uses',
        ]
    lines += [
        f'    lrs{suffix}.append(optimizer{suffix}.param_groups[0]["lr"])',
        "    ...  # your forward pass and loss.backward()",
        f"    optimizer{suffix}.step()",
    ]
    if curve.warmup is not None:
        lines += [
            f"    for group, lr in zip(optimizer{suffix}.param_groups, scheduled):",
            '        group["lr"] = lr  # the scheduler goes on from its own value',
        ]
    if curve.metric is not None:
        lines.append(f"    scheduler{suffix}.step(metric{suffix}[step])")
    else:
        lines.append(f"    scheduler{suffix}.step()")
    return lines


def pytorch_code(spec: Spec) -> str:
    """A runnable Python file that builds and steps every curve of `spec` with torch."""
    from lrviz import __version__

    writer = _Writer()
    several = len(spec.curves) > 1
    body: list[str] = []
    for index, curve in enumerate(spec.curves, start=1):
        suffix = f"_{index}" if several else ""
        if several:
            body += ["", "", f"# {index}: {_literal(curve.label)}"]
        body += curve_code(curve, writer, suffix)
    names = "lrs" if not several else ", ".join(f"lrs_{i}" for i in range(1, len(spec.curves) + 1))
    header = [
        f'"""The learning-rate schedule{"s" if several else ""} lrviz {__version__} plotted, built with torch.',
        "",
        "Copy make_scheduler() into your training script; the loop shows where each call goes",
        f"and records {names}, the LR of every optimizer step (the values lrviz plots).",
        '"""',
        "",
    ]
    if writer.uses_math:
        header.append("import math")
        header.append("")
    header += ["import torch", "from torch.optim import lr_scheduler"]
    if not several:
        header += ["", ""]
    return "\n".join(header + body) + "\n"
