"""Arithmetic in a spec's numeric fields, over named values: ``vars: {N: 7330}`` and ``milestones: [8*N, 11*N]``.

A numeric field (a parameter of kind int, float or a list of them; lr, steps, warmup values) whose
text is arithmetic — numbers, the spec's ``vars``, ``pi``/``e``, the functions of
:mod:`lrviz.spec.expressions` and ``+ - * / // % **`` — is evaluated once, by the same safe evaluator
as ``lr_lambda`` (never Python's ``eval``), so the value then meets the same checks as a number
written out. Text fields (labels, choices such as ``1-sqrt``) are never evaluated. An ``lr_lambda``
may name vars too: they are written into its text as numbers. Never imports torch.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.expressions import CONSTANTS, FUNCTIONS, VARIABLES, Expression

MAX_VARS = 100


_ARITHMETIC_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Load, ast.operator, ast.unaryop
)  # fmt: skip


class _UnknownName(Exception):
    """Arithmetic text naming something that is not a var."""


def _is_arithmetic(text: str, names: Mapping[str, float]) -> bool:
    """Whether `text` is an arithmetic expression of numbers and `names` (not a plain number).

    Raises _UnknownName for arithmetic on a name that is not one of `names` (`8*M`)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if isinstance(tree.body, ast.Constant):
        return False
    if isinstance(tree.body, ast.Name):  # a lone name is a var, else a word ("abs", a choice) or "inf"
        return tree.body.id in names
    known = set(names) | set(CONSTANTS) | set(FUNCTIONS)
    nodes = list(ast.walk(tree))
    if not all(isinstance(n, _ARITHMETIC_NODES) for n in nodes):
        return False  # a list "30,60" (a tuple to Python), a comparison, text...
    if any(isinstance(n, ast.Constant) and not isinstance(n.value, (int, float)) for n in nodes):
        return False
    unknown = [n.id for n in nodes if isinstance(n, ast.Name) and n.id not in known]
    if any(name in VARIABLES for name in unknown):
        return False  # an expression of the step: lr_lambda's business
    if unknown and any(isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Call)) for n in nodes):
        defined = ", ".join(names) or "none; define them under vars:"
        raise _UnknownName(f"unknown name '{unknown[0]}' in {text.strip()!r} (vars: {defined})")
    return not unknown


def evaluate(text: str, names: Mapping[str, float], where: str) -> float:
    """The value of arithmetic `text` over `names`; SpecError naming `where` when it has none."""
    try:
        value = Expression(text, where, dict(names))(0)
    except SpecError as exc:  # the evaluator speaks of epochs; a var has none
        raise SpecError(exc.message.replace(" at epoch 0", ""), exc.where) from None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def read_vars(raw: Any, where: str, loc: Any) -> dict[str, float]:
    """`vars: {N: 7330, E: 12, T: E*N}`: each a number or arithmetic on the ones before it."""
    if not isinstance(raw, Mapping):
        raise SpecError("expected a mapping of names to numbers, e.g. {N: 7330}", where)
    if len(raw) > MAX_VARS:
        raise SpecError(f"at most {MAX_VARS} vars", where)
    names: dict[str, float] = {}
    for key, value in raw.items():
        key_where = loc.where(key)
        if not isinstance(key, str) or not key.isidentifier():
            raise SpecError("a var's name must be a plain name (letters, digits, _)", key_where)
        if key in VARIABLES or key in CONSTANTS or key in FUNCTIONS:
            raise SpecError(f"'{key}' is already a name in expressions; choose another", key_where)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise SpecError("expected a number or arithmetic on the vars above it", key_where)
        names[key] = evaluate(value, names, key_where) if isinstance(value, str) else value
    return names


def number(text: str, names: Mapping[str, float], where: str) -> float | None:
    """The value of `text` when it is arithmetic over `names` (`8*N`, `1/2001`), else None."""
    try:
        if not _is_arithmetic(text, names):
            return None
    except _UnknownName as exc:
        raise SpecError(str(exc), where) from None
    return evaluate(text, names, where)


class _InlineVars(ast.NodeTransformer):
    def __init__(self, names: Mapping[str, float]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Constant(self.names[node.id]) if node.id in self.names else node


def inline_vars(value: Any, names: Mapping[str, float]) -> Any:
    """An lr_lambda's text with the vars it names written in as numbers (`epoch // N` -> `epoch // 30`)."""
    if not names or not isinstance(value, str):
        return value
    try:
        tree = ast.parse(value.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return value  # the expression's own check reports it
    if not any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(tree)):
        return value
    return ast.unparse(_InlineVars(names).visit(tree))
