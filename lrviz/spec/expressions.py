"""Safe arithmetic expressions of the step number, for LambdaLR's and MultiplicativeLR's lr_lambda.

User text is never handed to Python's ``eval``: it is parsed to an AST, checked against a
whitelist of node types, names and functions, and evaluated by :mod:`simpleeval` with the
operators below. Powers are computed in floating point, so ``9 ** 9 ** 9`` overflows to an error
instead of building a huge integer; there is no attribute access, subscript, string, import,
comprehension or lambda.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

import simpleeval

from lrviz.errors import SpecError

MAX_LENGTH = 1000  # characters in one expression
MAX_DEPTH = 50  # nesting of its syntax tree: evaluation recurses once per level
MAX_ROUND_DIGITS = 400

VARIABLES = ("epoch", "step", "x")  # all three name the step number passed by the scheduler
CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}


def _power(base: float, exponent: float) -> float:
    return math.pow(float(base), float(exponent))


def _round(number: float, digits: int | None = None) -> float:
    """``round`` with its digits bounded (a float has at most ~340 significant decimal places):
    Python rounds an integer to -10**9 digits by computing 10**10**9, which never returns."""
    if digits is None:
        return round(number)
    if not isinstance(digits, int) or abs(digits) > MAX_ROUND_DIGITS:
        raise ValueError(f"round's digits must be an integer from {-MAX_ROUND_DIGITS} to {MAX_ROUND_DIGITS}")
    return round(float(number), digits)


FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": _round,
    "exp": math.exp,
    "log": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "sqrt": math.sqrt,
    "pow": _power,
    "cos": math.cos,
    "sin": math.sin,
    "tan": math.tan,
    "acos": math.acos,
    "asin": math.asin,
    "atan": math.atan,
    "cosh": math.cosh,
    "sinh": math.sinh,
    "tanh": math.tanh,
    "floor": math.floor,
    "ceil": math.ceil,
    "int": int,
    "float": float,
}

OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _power,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}

_ALLOWED_NODES = (
    ast.Expression,
    ast.Expr,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    *OPERATORS,
)


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Subscript: "subscripts",
        ast.Lambda: "lambda",
        ast.ListComp: "comprehensions",
        ast.GeneratorExp: "comprehensions",
        ast.NamedExpr: "assignment",
        ast.BitXor: "the ^ operator (use ** for powers)",
        ast.LShift: "the << operator",
        ast.RShift: "the >> operator",
    }
    return names.get(type(node), type(node).__name__)


def _depth(tree: ast.AST) -> int:
    """How deeply `tree` nests, counted without recursion (the point is to refuse deep ones)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


class Expression:
    """A validated expression of the step number; calling it evaluates it."""

    def __init__(self, text: str, where: str | None = None, names: dict[str, float] | None = None) -> None:
        self.text = text
        self.where = where
        self.names = dict(names or {})  # named constants (a spec's vars) besides epoch and pi
        self._tree = self._check(text)
        self._evaluator = simpleeval.SimpleEval(operators=OPERATORS, functions=FUNCTIONS)

    def _fail(self, message: str) -> SpecError:
        return SpecError(f"{message} in expression {self.text!r}", self.where)

    def _check(self, text: str) -> ast.AST:
        if not isinstance(text, str) or not text.strip():
            raise SpecError("expected an expression of epoch, e.g. '0.95 ** epoch'", self.where)
        if len(text) > MAX_LENGTH:
            raise SpecError(f"expression longer than {MAX_LENGTH} characters", self.where)
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise self._fail(f"syntax error ({exc.msg})") from None
        except (RecursionError, MemoryError):
            raise self._fail(f"nested more than {MAX_DEPTH} levels deep") from None
        if _depth(tree) > MAX_DEPTH:
            raise self._fail(f"nested more than {MAX_DEPTH} levels deep")
        allowed = set(VARIABLES) | set(CONSTANTS) | set(self.names)
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED_NODES):
                raise self._fail(f"{_describe(node)} is not allowed")
            if isinstance(node, ast.Constant) and (
                isinstance(node.value, bool) or not isinstance(node.value, (int, float))
            ):
                raise self._fail(f"only numbers are allowed, not {node.value!r}")
            if isinstance(node, ast.Call):
                if not isinstance(node.func, ast.Name):
                    raise self._fail(f"{_describe(node.func)} is not allowed")
                if node.func.id not in FUNCTIONS:
                    raise self._fail(f"unknown function '{node.func.id}' (allowed: {', '.join(sorted(FUNCTIONS))})")
                if node.keywords:
                    raise self._fail("keyword arguments are not allowed")
            elif isinstance(node, ast.Name) and node.id not in allowed and not self._is_call_target(tree, node):
                raise self._fail(f"unknown name '{node.id}' (use epoch, step, or one of {', '.join(CONSTANTS)})")
        return tree.body

    @staticmethod
    def _is_call_target(tree: ast.AST, name: ast.Name) -> bool:
        return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))

    def __call__(self, epoch: int) -> float:
        names = {variable: epoch for variable in VARIABLES}
        names.update(CONSTANTS)
        names.update(self.names)
        self._evaluator.names = names
        try:
            value = self._evaluator.eval(self.text, previously_parsed=self._tree)
            if isinstance(value, int) and not isinstance(value, bool):
                value = float(value)  # an integer too large for a float is an OverflowError here
        except ZeroDivisionError:
            raise self._fail(f"division by zero at epoch {epoch}") from None
        except OverflowError:
            raise self._fail(f"number too large at epoch {epoch}") from None
        except (ValueError, TypeError, ArithmeticError, simpleeval.InvalidExpression) as exc:
            raise self._fail(f"cannot evaluate at epoch {epoch} ({exc})") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail(f"gives {value!r} at epoch {epoch}, not a number")
        if not math.isfinite(value):
            raise self._fail(f"gives {value} at epoch {epoch}, not a finite number")
        return float(value)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)
