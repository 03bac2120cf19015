"""The explorer's editable values (a *draft*): its fields, the Spec they make, the `lrviz plot` command.

A draft is immutable: ``draft.with_values(texts)`` is the draft the fields' texts describe, and
``draft.spec()`` builds its Spec with the builders ``lrviz plot`` uses (:func:`lrviz.spec.flags.spec_from_tokens`
for a scheduler and its flags, :func:`lrviz.spec.model.build_spec` over the YAML file's own tree), so
a value the command line refuses is refused here with the same message and key. Never imports
Textual or torch.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lrviz.errors import SpecError
from lrviz.schedules import pytorch as registry
from lrviz.schedules.pytorch import Param, SchedulerInfo
from lrviz.spec.flags import CurveFlags, spec_from_tokens, split_tokens
from lrviz.spec.model import DEFAULT_LR, Spec, build_spec

# The curve flags a form field edits (flag, label), after the scheduler's parameters.
RUN_FIELDS = (("--lr", "lr"), ("--steps", "steps"), ("--warmup-steps", "warmup"))
# CurveFlags attribute of each curve flag, in the order a command lists them.
CURVE_FLAG_ATTRS = (
    ("--lr", "lr"),
    ("--steps", "steps"),
    ("--warmup-steps", "warmup_steps"),
    ("--warmup-factor", "warmup_factor"),
    ("--warmup-method", "warmup_method"),
    ("--label", "label"),
    ("--title", "title"),
    ("--metric", "metric"),
    ("--optimizer", "optimizer"),
)


@dataclass(frozen=True)
class Field:
    """One input of the form."""

    key: str  # flags: the flag (--t-max); YAML: the key path (curves[0].scheduler.T_max)
    label: str  # what the form shows: T_max, lr, steps, warmup, sweep gamma
    kind: str  # int | float | bool | int_list | choice | expression | list
    text: str  # the text the input starts with
    placeholder: str = ""
    choices: tuple[str, ...] = ()
    help: str = ""
    also: tuple[str, ...] = ()  # other key paths whose errors are about this field
    path: tuple[Any, ...] = ()  # YAML: where in the file's tree the value goes


def value_text(value: Any) -> str:
    """A flag or YAML value as the form shows it: `30,60` for a list, `true` for a bool."""
    if value is None or value is registry.REQUIRED:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(value_text(item) for item in value)
    return str(value)


def _sweep_text(param: Param | None, values: Any) -> str:
    """A sweep's values as one flag value: `0.9,0.95`, or `50,75;30,60` for a list parameter."""
    if not isinstance(values, (list, tuple)):
        return value_text(values)
    separator = ";" if param is not None and param.kind == "int_list" else ","
    return separator.join(value_text(item) for item in values)


def param_field(param: Param, key: str, current: Any = registry.REQUIRED) -> Field:
    """The input for one scheduler parameter: its current value, else torch's default."""
    text = value_text(param.default if current is registry.REQUIRED else current)
    kind = "choice" if param.kind == "bool" else param.kind
    choices = ("true", "false") if param.kind == "bool" else param.choices
    placeholder = "required" if param.required else "default" if param.default is None else ""
    return Field(key, param.name, kind, text, placeholder, choices, param.help)


def _changed(field_: Field, text: str) -> bool:
    return text.strip() != field_.text.strip()


# --------------------------------------------------------------------------- a scheduler and its flags


@dataclass(frozen=True)
class FlagDraft:
    """`lrviz explore NAME --param VALUE ...`: every value a flag of `lrviz plot NAME`."""

    name: str  # the scheduler as typed (it names the default figure: cosine.png)
    info: SchedulerInfo
    settings: tuple[tuple[str, str], ...]  # (flag, text) of the scheduler and run flags that are set
    fixed: CurveFlags = field(default_factory=CurveFlags)  # curve flags no field edits (label, metric, ...)
    figure_args: tuple[str, ...] = ()  # figure flags passed through to the command (-o, --log-y, ...)

    @classmethod
    def from_tokens(cls, tokens: Sequence[str], curve: CurveFlags, figure_args: Sequence[str] = ()) -> FlagDraft:
        """The draft of `NAME --param VALUE ...` and the curve flags given with it (validated as plot does)."""
        spec_from_tokens(tokens, curve, allow_files=False, allow_many=False)
        positionals, pairs = split_tokens(tokens)
        info = registry.resolve(positionals[0], "NAME")
        settings = [(param.flag, text) for param in info.params for flag, text in pairs if param.flag == flag.lower()]
        for flag, attr in CURVE_FLAG_ATTRS[:3]:
            if getattr(curve, attr) is not None:
                settings.append((flag, getattr(curve, attr)))
        fixed = replace(curve, lr=None, steps=None, warmup_steps=None, given={})
        return cls(positionals[0], info, tuple(settings), fixed, tuple(figure_args))

    @property
    def title(self) -> str:
        """What the form's heading names: the scheduler class."""
        return self.info.name

    @property
    def target(self) -> str:
        """NAME as typed: `lrviz plot NAME` names its figure after it."""
        return self.name

    @property
    def fields(self) -> tuple[Field, ...]:
        """The scheduler's parameters (torch's order), then lr, steps and warmup."""
        settings = dict(self.settings)
        fields = [
            param_field(param, param.flag, settings.get(param.flag, registry.REQUIRED))
            for param in self.info.params
            if param.kind != "schedulers"
        ]
        placeholders = {"--lr": "", "--steps": "auto", "--warmup-steps": "none"}
        for flag, label in RUN_FIELDS:
            default = str(DEFAULT_LR) if flag == "--lr" else ""
            kind = "list" if flag == "--lr" else "int"
            fields.append(Field(flag, label, kind, settings.get(flag, default), placeholders[flag]))
        return tuple(fields)

    def with_values(self, texts: Mapping[str, str]) -> FlagDraft:
        """The draft the form's texts describe: a flag is set when given before or changed from its default."""
        settings = dict(self.settings)
        for field_ in self.fields:
            text = texts.get(field_.key, field_.text).strip()
            if not text:
                settings.pop(field_.key, None)
            elif field_.key in settings or _changed(field_, text):
                settings[field_.key] = text
        order = [f.key for f in self.fields]
        return replace(self, settings=tuple(sorted(settings.items(), key=lambda item: order.index(item[0]))))

    def _arguments(self) -> tuple[list[str], CurveFlags]:
        settings = dict(self.settings)
        tokens = [self.name]
        for param in self.info.params:
            if param.flag in settings:
                tokens += [param.flag, settings[param.flag]]
        curve = replace(
            self.fixed,
            lr=settings.get("--lr"),
            steps=settings.get("--steps"),
            warmup_steps=settings.get("--warmup-steps"),
        )
        return tokens, curve

    def spec(self) -> Spec:
        """The Spec `lrviz plot` builds from these flags (SpecError naming the flag when one is bad)."""
        tokens, curve = self._arguments()
        return spec_from_tokens(tokens, curve, allow_files=False, allow_many=False)

    def command(self, spec: Spec | None = None) -> list[str] | None:
        """`lrviz plot NAME --param VALUE ...` (argv) that draws this draft's curves (flags say it all: no `spec`)."""
        tokens, curve = self._arguments()
        return ["lrviz", "plot", *tokens, *curve_flag_tokens(curve), *self.figure_args]

    def field_for(self, where: str | None) -> str | None:
        """The key of the field an error's location names, if a field edits it."""
        return where if where in {f.key for f in self.fields} else None


def curve_flag_tokens(curve: CurveFlags) -> list[str]:
    """The curve flags that are set, as command-line tokens."""
    tokens: list[str] = []
    for flag, attr in CURVE_FLAG_ATTRS:
        value = getattr(curve, attr)
        if value is not None:
            tokens += [flag, str(value)]
    return tokens


def example_draft(name: str) -> FlagDraft:
    """The draft of the `lrviz show NAME` example of a scheduler family (the picker's start)."""
    info = registry.resolve(name, "NAME")
    example = info.framework.example if info.framework is not None else registry.EXAMPLES[info.name]
    if info.kind.needs_yaml or example.endswith((".yaml", ".yml")):
        raise SpecError(f"{info.name} nests schedulers: describe it in a YAML file and run `lrviz explore FILE.yaml`")
    tokens = shlex.split(example)[2:]
    positionals, pairs = split_tokens(tokens)
    attrs = dict(CURVE_FLAG_ATTRS)
    curve = CurveFlags(**{attrs[flag]: text for flag, text in pairs if flag in attrs})
    scheduler_tokens = positionals + [token for flag, text in pairs if flag not in attrs for token in (flag, text)]
    return FlagDraft.from_tokens(scheduler_tokens, curve)


# --------------------------------------------------------------------------- a YAML spec file

KeyPath = tuple[Any, ...]


def scheduler_parameters(scheduler: Any, path: KeyPath, prefix: str = "") -> list[tuple[Param, KeyPath, Any, str]]:
    """(parameter, key path, current value or REQUIRED, label) of a YAML scheduler and, depth first, of the
    schedulers it nests (labelled `1.T_max`: child 1's T_max)."""
    params = scheduler if isinstance(scheduler, Mapping) else {"type": scheduler}
    info = registry.resolve(params.get("type"))
    rows = []
    for param in info.params:
        if param.kind == "schedulers":
            children = params.get(param.name)
            for index, child in enumerate(children if isinstance(children, list) else []):
                rows += scheduler_parameters(child, (*path, param.name, index), f"{prefix}{index}.")
        else:
            rows.append((param, (*path, param.name), params.get(param.name, registry.REQUIRED), prefix + param.name))
    return rows


def path_text(path: KeyPath) -> str:
    """`curves[0].scheduler.T_max`, as YAML errors name a key."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else ("." if text else "") + str(key)
    return text


def _set_in(tree: Any, path: KeyPath, value: Any) -> None:
    """Set (or, for None, remove) the value at `path`, making the mappings on the way."""
    node = tree
    for key in path[:-1]:
        child = node.get(key) if isinstance(node, Mapping) else node[key]
        if isinstance(child, str) and key == "scheduler":  # `scheduler: cosine`, short for {type: cosine}
            child = {"type": child}
            node[key] = child
        elif child is None:
            if value is None:
                return
            child = {}
            node[key] = child
        node = child
    if value is None:
        if isinstance(node, Mapping):
            node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def _yaml_value(field_: Field, text: str) -> Any:
    """The text of a field as the value a YAML key holds (the builders coerce text as they coerce flags)."""
    if not text:
        return None
    if field_.kind == "list":
        return [item.strip() for item in text.split(";" if ";" in text else ",") if item.strip()]
    return text


@dataclass(frozen=True)
class YamlDraft:
    """`lrviz explore FILE.yaml`: the file's own tree, with the fields' edits of one curve entry on top."""

    path: str
    text: str  # the file's text, read once
    overrides: tuple[tuple[KeyPath, Any], ...] = ()
    selected: int = 0  # the curve entry the form edits
    figure_args: tuple[str, ...] = ()

    @classmethod
    def from_file(cls, path: str, figure_args: Sequence[str] = ()) -> YamlDraft:
        """The draft of a YAML spec file, validated as `lrviz plot FILE` validates it."""
        from lrviz.spec.yamlfile import read_spec_text

        draft = cls(path, read_spec_text(path), figure_args=tuple(figure_args))
        draft.spec()
        return draft

    @property
    def title(self) -> str:
        """What the form's heading names: the file."""
        return self.path

    @property
    def target(self) -> str:
        """The file: `lrviz plot FILE` names its figure after it."""
        return self.path

    def tree(self) -> Any:
        """The file's data (with the line of every key), the edits applied."""
        from lrviz.spec.yamlfile import load_yaml_text

        tree = load_yaml_text(self.text, self.path)
        for path, value in self.overrides:
            _set_in(tree, path, value)
        return tree

    def _entries(self, tree: Any) -> list[tuple[KeyPath, Any]]:
        curves = tree.get("curves") if isinstance(tree, Mapping) else None
        if isinstance(curves, list):
            return [(("curves", index), entry) for index, entry in enumerate(curves)]
        return [((), tree)]

    def entry_labels(self) -> list[str]:
        """A name per curve entry of the file, for the curve selector."""
        labels = []
        for index, (_, entry) in enumerate(self._entries(self.tree())):
            scheduler = entry.get("scheduler") if isinstance(entry, Mapping) else None
            kind = scheduler.get("type") if isinstance(scheduler, Mapping) else scheduler
            labels.append(str(entry.get("label") or kind or f"curve {index}"))
        return labels

    def select(self, index: int) -> YamlDraft:
        """The same edits, the form on curve entry `index`."""
        return replace(self, selected=index)

    @property
    def fields(self) -> tuple[Field, ...]:
        """The selected entry's scheduler parameters (nested ones too), then lr, steps, warmup, its swept values."""
        tree = self.tree()
        base, entry = self._entries(tree)[self.selected]
        scheduler = entry.get("scheduler")
        fields = [
            replace(param_field(param, path_text(path), current), label=label, path=path)
            for param, path, current, label in scheduler_parameters(scheduler, (*base, "scheduler"))
        ]
        for key, placeholder in (("lr", ""), ("steps", "auto")):
            current = entry.get(key, tree.get(key))
            text = value_text(DEFAULT_LR if current is None and key == "lr" else current)
            kind = "float" if key == "lr" else "int"
            path = (*base, key)
            fields.append(Field(path_text(path), key, kind, text, placeholder, also=(key,), path=path))
        warmup = entry.get("warmup")
        steps = warmup.get("steps") if isinstance(warmup, Mapping) else None
        path = (*base, "warmup", "steps")
        fields.append(Field(path_text(path), "warmup", "int", value_text(steps), "none", path=path))
        sweep = entry.get("sweep")
        info = registry.resolve(scheduler.get("type") if isinstance(scheduler, Mapping) else scheduler)
        for key, values in sweep.items() if isinstance(sweep, Mapping) else ():
            path = (*base, "sweep", key)
            text = _sweep_text(info.param(key), values)
            fields.append(Field(path_text(path), f"sweep {key}", "list", text, help="swept values", path=path))
        return tuple(fields)

    def with_values(self, texts: Mapping[str, str]) -> YamlDraft:
        """The draft with each changed field's text written into the tree at its key."""
        overrides = dict(self.overrides)
        for field_ in self.fields:
            text = texts.get(field_.key, field_.text).strip()
            if _changed(field_, text):
                overrides[field_.path] = _yaml_value(field_, text)
        return replace(self, overrides=tuple(overrides.items()))

    def spec(self) -> Spec:
        """The Spec `lrviz plot FILE` would build from the edited file."""
        from lrviz.spec.yamlfile import YamlLocator

        tree = self.tree()
        if tree is None:
            raise SpecError("the file is empty: expected a mapping with 'scheduler' or 'curves'", self.path)
        return build_spec(tree, YamlLocator(self.path, tree), source=self.path)

    def command(self, spec: Spec | None = None) -> list[str] | None:
        """`lrviz plot FILE` while nothing is edited; after edits, the flags of the edited curve entry
        when flags can say exactly the same (else None)."""
        if not self.overrides:
            return ["lrviz", "plot", self.path, *self.figure_args]
        tokens = self._entry_tokens()
        if tokens is None:
            return None
        try:
            flag_spec = spec_from_tokens(tokens[0], tokens[1], allow_files=False, allow_many=False)
        except SpecError:
            return None
        spec = spec or self.spec()
        mine = [replace(c, source=None) for c in flag_spec.curves]
        theirs = [replace(c, source=None) for c in spec.curves]
        if not any(theirs[i : i + len(mine)] == mine for i in range(len(theirs) - len(mine) + 1)):
            return None
        return ["lrviz", "plot", *tokens[0], *curve_flag_tokens(tokens[1]), *self.figure_args]

    def _entry_tokens(self) -> tuple[list[str], CurveFlags] | None:
        """The selected entry as a scheduler's flags and curve flags; None where flags cannot describe it."""
        tree = self.tree()
        _, entry = self._entries(tree)[self.selected]
        if "style" in tree or any(key in entry for key in ("param_groups", "metric")):
            return None
        scheduler = entry.get("scheduler")
        params = scheduler if isinstance(scheduler, Mapping) else {"type": scheduler}
        info = registry.resolve(params.get("type"))
        if info.kind.needs_yaml:
            return None
        sweep = dict(entry.get("sweep") or {})
        tokens = [info.name]
        for param in info.params:
            if param.name in sweep:
                tokens += [param.flag, _sweep_text(param, sweep[param.name])]
            elif param.name in params:
                tokens += [param.flag, value_text(params[param.name])]
        warmup = entry.get("warmup") if isinstance(entry.get("warmup"), Mapping) else {}
        lr = sweep.get("lr", entry.get("lr", tree.get("lr")))
        curve = CurveFlags(
            lr=None if lr is None else _sweep_text(None, lr),
            steps=value_text(entry.get("steps", tree.get("steps"))) or None,
            label=None if entry.get("label") is None else str(entry["label"]),
            title=None if tree.get("title") is None else str(tree["title"]),
            warmup_steps=value_text(warmup.get("steps")) or None,
            warmup_factor=value_text(warmup.get("factor")) or None,
            warmup_method=value_text(warmup.get("method")) or None,
            optimizer=value_text(entry.get("optimizer")) or None,
        )
        return tokens, curve

    def field_for(self, where: str | None) -> str | None:
        """The key of the field an error's location (`file:line: key path`) names, if a field edits it."""
        if not where or not where.startswith(self.path):
            return None
        key = where[len(self.path) :].lstrip(":0123456789").strip()
        for field_ in self.fields:
            if key == field_.key or key in field_.also:
                return field_.key
        return None


Draft = FlagDraft | YamlDraft
