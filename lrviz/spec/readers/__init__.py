"""Framework config files read as lrviz specs: an mmdetection `.py`, a detectron2 YAML, HF's JSON ...

Each reader is one module of this package (see lrviz.spec.readers.base for the contract); they are
found by listing the package, as lrviz.schedules finds its families. A file is a framework's
config when its content says so (or `--from FRAMEWORK` says so): a `.py` file always goes to the
mmengine reader, which parses it with `ast` and never runs it; a JSON or YAML file goes to the
first reader whose `detect` recognises its keys, unless it is an lrviz spec (`scheduler:` or
`curves:` at the top level). The reader's spec mapping is then validated like any YAML spec.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import json
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.model import Locator, Spec, build_spec
from lrviz.spec.readers.base import FACT_FLAGS, Reading, RunFacts


@functools.cache
def readers() -> tuple[ModuleType, ...]:
    """Every reader module, in the order `detect` is asked."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "FRAMEWORK"):
            found.append(module)
    return tuple(found)


def frameworks() -> list[str]:
    """The names `--from` takes."""
    return [module.FRAMEWORK for module in readers()]


def _load(text: str, path: str) -> Any:
    """The file's data: an `ast.Module` for a .py config, else its JSON or YAML."""
    if path.lower().endswith(".py"):
        from lrviz.spec.readers._pyconfig import parse_module

        return parse_module(text, path)
    if path.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"malformed JSON: {exc.msg}", f"{path}:{exc.lineno}") from None
        except RecursionError:
            raise SpecError("malformed JSON: nested too deeply", path) from None
    from lrviz.spec.yamlfile import load_yaml_text

    return load_yaml_text(text, path)


def _reader_for(data: Any, path: str, framework: str | None) -> ModuleType | None:
    if framework is not None:
        chosen = [module for module in readers() if framework.lower() == module.FRAMEWORK]
        if not chosen:
            raise SpecError(f"no reader for '{framework}' (lrviz reads {', '.join(frameworks())})", "--from")
        python = chosen[0].FRAMEWORK == "mmengine"  # the one reader of .py files, the others read mappings
        if python != isinstance(data, ast.Module) or not (python or isinstance(data, dict)):
            shape = "a .py file" if python else "a JSON or YAML mapping"
            raise SpecError(f"{path} is not {framework}'s kind of config: {shape}", "--from")
        return chosen[0]
    # a framework's keys first: DeepSpeed's `scheduler: {type, params}` is not an lrviz spec's
    return next((module for module in readers() if module.detect(data, path)), None)


class ConfigLocator(Locator):
    """Names a key of the spec a reader made by the config file it came from."""

    def __init__(self, path: str, keys: tuple[str | int, ...] = ()) -> None:
        self.path = path
        self.keys = keys

    def where(self, key: str | int | None = None) -> str:
        keys = self.keys if key is None else (*self.keys, key)
        text = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")
        return f"{self.path}: {text} (as lrviz reads the config)" if text else self.path

    def child(self, key: str | int) -> Locator:
        return ConfigLocator(self.path, (*self.keys, key))


def spec_of_reading(reading: Reading, path: str) -> Spec:
    """The Spec a reader's mapping describes, each curve carrying the run and the framework."""
    spec = build_spec(reading.raw, ConfigLocator(path), source=path)
    run = reading.run
    if not run.total_steps:  # a schedule the config does not give a length: its default run
        run = dataclasses.replace(run, total_steps=spec.curves[0].steps)
    curves = tuple(dataclasses.replace(c, run=run, framework=reading.framework) for c in spec.curves)
    return dataclasses.replace(spec, curves=curves)


def config_spec(text: str, path: str, facts: RunFacts | None = None, framework: str | None = None) -> Spec | None:
    """The Spec of a framework config, or None when the file is an lrviz spec (which takes no run facts)."""
    facts = facts or RunFacts()
    data = _load(text, path)
    reader = _reader_for(data, path, framework)
    if reader is None and isinstance(data, dict) and "config" in data:
        return _run_file(data, path, facts, framework)
    if reader is None:
        given = list(facts.given())
        if given:
            raise SpecError(
                "run facts are for a framework's config; an lrviz spec says steps_per_epoch itself",
                FACT_FLAGS[given[0]],
            )
        if isinstance(data, dict) or data is None or path.lower().endswith((".yaml", ".yml")):
            return None
        raise SpecError("not an lrviz spec, nor a config lrviz can read (give --from FRAMEWORK?)", path)
    return spec_of_reading(reader.read(data, path, facts), path)


RUN_FILE_KEYS = ("config", "run", "from", "title")


def _run_file(data: dict[str, Any], path: str, facts: RunFacts, framework: str | None) -> Spec:
    """A YAML file naming a framework config (`config:`, relative to it) with the run's facts
    (`run:`, the flags' names in snake case; a flag given too wins) and an optional `title:`."""
    from lrviz.spec.readers.base import facts_from_flags
    from lrviz.spec.yamlfile import YamlLocator, read_spec_text

    locator = YamlLocator(path, data)
    for key in data:
        if key not in RUN_FILE_KEYS:
            raise SpecError(f"unknown key '{key}' (a run file has {', '.join(RUN_FILE_KEYS)})", locator.where(key))
    config = data["config"]
    if not isinstance(config, str):
        raise SpecError("expected the config file's path", locator.where("config"))
    run = data.get("run") or {}
    if not isinstance(run, dict) or any(key not in FACT_FLAGS for key in run):
        unknown = next((key for key in run if key not in FACT_FLAGS), None) if isinstance(run, dict) else None
        message = f"unknown run fact '{unknown}'" if unknown else "expected a mapping"
        raise SpecError(f"{message} (facts: {', '.join(FACT_FLAGS)})", locator.where("run"))
    file_facts = facts_from_flags(run, {name: locator.child("run").where(name) for name in run})
    facts = dataclasses.replace(file_facts, **facts.given())
    config_path = str(Path(path).parent / config)
    if not Path(config_path).is_file():
        raise SpecError(f"no such file: {config_path}", locator.where("config"))
    spec = config_spec(read_spec_text(config_path), config_path, facts, framework or data.get("from"))
    if spec is None:
        raise SpecError("names an lrviz spec, not a framework's config", locator.where("config"))
    title = data.get("title")
    return spec if title is None else dataclasses.replace(spec, title=str(title), title_where=locator.where("title"))


def is_framework_config(path: str) -> bool:
    """Whether the file is a framework's config (or a run file naming one), not an lrviz spec; a file
    that cannot be read is not (loading it reports why)."""
    from lrviz.spec.yamlfile import read_spec_text

    try:
        data = _load(read_spec_text(path), path)
        return _reader_for(data, path, None) is not None or (isinstance(data, dict) and "config" in data)
    except SpecError:
        return False


def read_config(path: str, framework: str | None = None, **facts: Any) -> Spec:
    """The Spec of a framework's config file (or a run file), read with the run facts given as
    keywords (`dataset_size=117266, world_size=8`, the flags' names); `framework` is `--from`."""
    from lrviz.spec.readers.base import facts_from_flags
    from lrviz.spec.yamlfile import read_spec_text

    unknown = [name for name in facts if name not in FACT_FLAGS]
    if unknown:
        raise SpecError(f"not a run fact (facts: {', '.join(FACT_FLAGS)})", unknown[0])
    run = facts_from_flags(facts, {name: name for name in facts})
    spec = config_spec(read_spec_text(path), path, run, framework)
    if spec is None:
        raise SpecError("is an lrviz spec, not a framework's config: use lrviz.load_spec", path)
    return spec
