"""YAML spec files: safe loading with line numbers, turned into a Spec.

Files are read with PyYAML's SafeLoader (tags that construct Python objects are refused); a
loader subclass records the line of every mapping key and sequence item so that errors name
``file:line: curves[0].scheduler.gamma``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lrviz.errors import SpecError
from lrviz.inputs import read_regular_file
from lrviz.spec.model import Locator, Spec, build_spec

if TYPE_CHECKING:
    from lrviz.spec.readers.base import RunFacts

MAX_FILE_BYTES = 5 * 1024 * 1024
# Values a file may hold once its aliases are expanded: aliases share nodes, so a small file can
# describe billions of values ("billion laughs") that any later walk over them would expand.
MAX_EXPANDED_NODES = 100_000


class _Mapping(dict):
    """A YAML mapping that remembers where it and its keys are."""

    line: int = 0
    key_lines: dict[Any, int]


class _Sequence(list):
    """A YAML sequence that remembers where it and its items are."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps 1-based line numbers on mappings and sequences, and bounds alias expansion."""

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        _expanded_size(node, {}, set())
        return node


class _Refused(Exception):
    """A document lrviz refuses while loading it: `message` about 1-based `line`."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many nodes `node` stands for with every alias expanded; _Refused past the limit."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:  # a recursive alias: the constructor reports it
        return 1
    open_nodes.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes, open_nodes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes, open_nodes) + _expanded_size(v, sizes, open_nodes) for k, v in node.value)
    open_nodes.discard(key)
    if size > MAX_EXPANDED_NODES:
        raise _Refused(
            f"the YAML expands (through its aliases) to more than {MAX_EXPANDED_NODES:,} values; "
            "lrviz reads spec files, not data",
            node.start_mark.line + 1,
        )
    sizes[key] = size
    return size


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise _Refused(
                "a mapping key must be a plain value, not a list or mapping", key_node.start_mark.line + 1
            ) from None
        if key in mapping.key_lines:
            raise _Refused(f"duplicate key '{key}'", key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    try:
        return loader.construct_yaml_int(node)
    except ValueError:  # Python refuses to convert integers of more than 4300 digits
        raise _Refused(f"number too large: {len(node.value):,} digits", node.start_mark.line + 1) from None


_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlLocator(Locator):
    """Names a value by file, line and key path: ``cfg.yaml:7: curves[0].scheduler.gamma``."""

    def __init__(self, path: str, node: Any, keys: tuple[str | int, ...] = ()) -> None:
        self.path = path
        self.node = node
        self.keys = keys

    def _path_text(self, keys: tuple[str | int, ...]) -> str:
        text = ""
        for key in keys:
            if isinstance(key, int):
                text += f"[{key}]"
            else:
                text += ("." if text else "") + str(key)
        return text

    def _line(self, key: str | int | None) -> int | None:
        node = self.node
        if key is not None:
            if isinstance(node, _Mapping) and key in node.key_lines:
                return node.key_lines[key]
            if isinstance(node, _Sequence) and isinstance(key, int) and 0 <= key < len(node.item_lines):
                return node.item_lines[key]
        return getattr(node, "line", None)

    def where(self, key: str | int | None = None) -> str:
        keys = self.keys if key is None else (*self.keys, key)
        line = self._line(key)
        location = f"{self.path}:{line}" if line else self.path
        path_text = self._path_text(keys)
        return f"{location}: {path_text}" if path_text else location

    def child(self, key: str | int) -> Locator:
        node = self.node
        value = None
        in_mapping = isinstance(node, dict) and key in node
        in_sequence = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if in_mapping or in_sequence:
            value = node[key]
        if not isinstance(value, (_Mapping, _Sequence)):
            # a scalar: keep the parent's line information for the key itself
            return _ScalarLocator(self, key)
        return YamlLocator(self.path, value, (*self.keys, key))


class _ScalarLocator(Locator):
    def __init__(self, parent: YamlLocator, key: str | int) -> None:
        self.parent = parent
        self.key = key

    def where(self, key: str | int | None = None) -> str:
        base = self.parent.where(self.key)
        return f"{base}.{key}" if key is not None else base

    def child(self, key: str | int) -> Locator:
        return self


def load_yaml_text(text: str, path: str) -> Any:
    """Parse YAML text safely; errors carry the file and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except _Refused as exc:
        raise SpecError(exc.message, f"{path}:{exc.line}") from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise SpecError(
            f"unsupported YAML ({' '.join(str(exc.problem).split())}): lrviz reads plain YAML only", f"{path}{line}"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "malformed YAML"
        raise SpecError(f"malformed YAML: {problem}", f"{path}{line}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"malformed YAML: {' '.join(str(exc).split())}", path) from None
    except RecursionError:
        raise SpecError("malformed YAML: nested too deeply", path) from None


def read_spec_text(path: str) -> str:
    """The text of a spec file: a regular file of UTF-8, at most MAX_FILE_BYTES."""
    file = Path(path)
    try:
        if file.is_dir():
            raise SpecError("is a directory, not a YAML file", path)
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecError(f"is {size:,} bytes; a spec file may be at most {MAX_FILE_BYTES:,}", path)
        return read_regular_file(file, MAX_FILE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise SpecError("no such file", path) from None
    except UnicodeDecodeError:
        raise SpecError("is not UTF-8 text", path) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror or exc}", path) from None


def spec_from_yaml_text(text: str, path: str) -> Spec:
    data = load_yaml_text(text, path)
    if data is None:
        raise SpecError("the file is empty: expected a mapping with 'scheduler' or 'curves'", path)
    return build_spec(data, YamlLocator(path, data), source=path)


def load_spec_file(path: str, facts: RunFacts | None = None, framework: str | None = None) -> Spec:
    """The Spec a YAML file describes, or a framework's config file (read with the run `facts`)."""
    from lrviz.spec.readers import config_spec

    text = read_spec_text(path)
    return config_spec(text, path, facts, framework) or spec_from_yaml_text(text, path)
