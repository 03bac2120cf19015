"""OpenMMLab-style Python configs read with `ast`, never executed.

A config is a list of assignments whose values are literals, ``dict(...)``, names bound earlier in
the same file, and arithmetic on numbers (``+`` on text and lists too). Anything else — an
import, a call of anything but ``dict``, an attribute, a lambda, a comprehension, a statement
that is not an assignment — is refused with ``file:line``, and nothing in the file runs.
``_base_`` files are read the same way and merged as mmengine's ``Config.fromfile`` merges them:
bases first (no key in two bases), then the file's own keys on top, dicts merged key by key
unless they say ``_delete_=True``, everything else replaced.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.expressions import OPERATORS

MAX_BASE_DEPTH = 16
MAX_POWER = 1024  # `2 ** 10 ** 9` is refused, not computed
MAX_TEXT = 1 << 16  # text or lists grown by `+` beyond this are refused

# the arithmetic of lrviz's expressions (a power in floating point, so it cannot run away)
_BINARY = {op: OPERATORS[op] for op in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)}
_UNARY = {op: OPERATORS[op] for op in (ast.USub, ast.UAdd, ast.Not)}


class PyConfig:
    """A config's keys (merged with its bases) and the file:line where each top-level key was set."""

    def __init__(self, values: dict[str, Any], lines: dict[str, str]) -> None:
        self.values = values
        self.lines = lines


def parse_module(text: str, path: str) -> ast.Module:
    """The file's syntax tree; a syntax error is `file:line: ...`."""
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise SpecError(f"not a Python config: {exc.msg}", f"{path}:{exc.lineno or 1}") from None
    except (ValueError, RecursionError, MemoryError):
        raise SpecError("not a Python config lrviz can read", path) from None


def assigned_names(module: ast.Module) -> set[str]:
    """The names a module assigns at the top level (what `detect` looks at)."""
    return {
        target.id
        for statement in module.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }


def _what(node: ast.AST) -> str:
    """A node's kind in words, for the refusal."""
    if isinstance(node, ast.Call):
        callee = node.func.id if isinstance(node.func, ast.Name) else None
        return f"a call of {callee}()" if callee else "a call"
    names = {
        ast.Import: "an import",
        ast.ImportFrom: "an import",
        ast.Attribute: "an attribute",
        ast.Lambda: "a lambda",
        ast.ListComp: "a comprehension",
        ast.DictComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.GeneratorExp: "a comprehension",
        ast.IfExp: "a conditional expression",
        ast.Subscript: "a subscript",
        ast.FunctionDef: "a function definition",
        ast.ClassDef: "a class definition",
        ast.JoinedStr: "an f-string",
    }
    return names.get(type(node), f"`{type(node).__name__}`")


def _refuse(node: ast.AST, path: str) -> SpecError:
    return SpecError(
        f"{_what(node)} is code; lrviz reads configs without running them "
        "(literals, dict(...), names bound to them and arithmetic only)",
        f"{path}:{getattr(node, 'lineno', 1)}",
    )


class _Evaluator:
    """Values of the expressions lrviz accepts, with the names the file bound so far."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.names: dict[str, Any] = {}

    def value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and not isinstance(node.value, bytes):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.value(item) for item in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                raise _refuse(node, self.path)  # `{**other}`
            return {self._key(key): self.value(item) for key, item in zip(node.keys, node.values, strict=True)}
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                raise SpecError(f"'{node.id}' is not bound earlier in this file", f"{self.path}:{node.lineno}")
            return self.names[node.id]
        if isinstance(node, ast.Call):
            return self._dict_call(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self._binary(node)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            operand = self.value(node.operand)
            if not isinstance(operand, (int, float)):
                raise SpecError("arithmetic on something that is not a number", f"{self.path}:{node.lineno}")
            return _UNARY[type(node.op)](operand)
        raise _refuse(node, self.path)

    def _key(self, node: ast.AST) -> Any:
        key = self.value(node)
        if isinstance(key, (dict, list)):
            raise SpecError("a dict key must be a plain value", f"{self.path}:{node.lineno}")
        return key

    def _dict_call(self, node: ast.Call) -> dict[str, Any]:
        """`dict(a=1, b=2)` (or `dict({...})`): the only call a config may make."""
        if not (isinstance(node.func, ast.Name) and node.func.id == "dict") or len(node.args) > 1:
            raise _refuse(node, self.path)
        result: dict[Any, Any] = {}
        if node.args:
            first = self.value(node.args[0])
            if not isinstance(first, dict):
                raise _refuse(node, self.path)
            result.update(first)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise _refuse(node, self.path)  # `dict(**other)`
            result[keyword.arg] = self.value(keyword.value)
        return result

    def _binary(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        where = f"{self.path}:{node.lineno}"
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
        joins = isinstance(node.op, ast.Add) and type(left) is type(right) and isinstance(left, (str, list, tuple))
        if not (numbers or joins):
            raise SpecError("arithmetic lrviz does not do (numbers, or + on text and lists)", where)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_POWER:
            raise SpecError(f"a power above {MAX_POWER}", where)
        try:
            result = _BINARY[type(node.op)](left, right)
        except (ArithmeticError, ValueError) as exc:
            raise SpecError(f"arithmetic fails: {exc}", where) from None
        if joins and len(result) > MAX_TEXT:
            raise SpecError(f"a value longer than {MAX_TEXT:,}", where)
        return result


def _module_values(module: ast.Module, path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The file's own assignments, in order, and each name's file:line."""
    evaluator = _Evaluator(path)
    lines: dict[str, str] = {}
    for statement in module.body:
        docstring = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        if docstring and isinstance(statement.value.value, str):
            continue
        if not isinstance(statement, ast.Assign):
            raise _refuse(statement.value if isinstance(statement, ast.Expr) else statement, path)
        if not all(isinstance(target, ast.Name) for target in statement.targets):
            raise SpecError("only `name = value` assignments", f"{path}:{statement.lineno}")
        value = evaluator.value(statement.value)
        for target in statement.targets:
            evaluator.names[target.id] = value  # type: ignore[union-attr]
            lines[target.id] = f"{path}:{statement.lineno}"  # type: ignore[union-attr]
    return evaluator.names, lines


def merge_into(child: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """mmengine's `Config._merge_a_into_b`: dicts merge key by key (unless `_delete_`), the rest is replaced."""
    merged = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not value.get("_delete_", False):
            merged[key] = merge_into(value, merged[key])
        else:
            merged[key] = _without_delete(value)
    return merged


def _without_delete(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_delete(v) for k, v in value.items() if k != "_delete_"}
    return value


def read_pyconfig(module: ast.Module, path: str, seen: tuple[str, ...] = ()) -> PyConfig:
    """The config `module` (the file at `path`) describes, with its `_base_` files merged in."""
    values, lines = _module_values(module, path)
    bases = values.pop("_base_", [])
    base_line = lines.pop("_base_", path)
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, (list, tuple)) or not all(isinstance(b, str) for b in bases):
        raise SpecError("_base_ must be a file name or a list of them", base_line)
    merged: dict[str, Any] = {}
    merged_lines: dict[str, str] = {}
    for base in bases:
        config = _read_base(Path(path).parent / base, base_line, (*seen, path))
        for key in config.values:
            if key in merged:
                raise SpecError(f"'{key}' is set by two _base_ files (mmengine refuses that too)", base_line)
        merged.update(config.values)
        merged_lines.update(config.lines)
    merged_lines.update(lines)
    return PyConfig(merge_into(values, merged), merged_lines)


def _read_base(file: Path, where: str, seen: tuple[str, ...]) -> PyConfig:
    from lrviz.spec.yamlfile import read_spec_text

    if len(seen) > MAX_BASE_DEPTH:
        raise SpecError(f"_base_ files nested more than {MAX_BASE_DEPTH} deep", where)
    if str(file) in seen or str(file.resolve()) in {str(Path(s).resolve()) for s in seen}:
        raise SpecError(f"_base_ file {file} includes itself", where)
    if file.suffix != ".py":
        raise SpecError(f"_base_ file {file}: lrviz reads .py bases only", where)
    if not file.is_file():
        raise SpecError(f"no such _base_ file: {file}", where)
    text = read_spec_text(str(file))
    return read_pyconfig(parse_module(text, str(file)), str(file), seen)
