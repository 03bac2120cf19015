"""Option values without pydantic: Typer 0.29 coerces every value through a pydantic TypeAdapter.

Importing pydantic and building an adapter per option costs about 0.1 s on every command
(measured, see README's Performance section), for values lrviz's options never need converted:
click hands a ``str`` option a ``str``, a flag a ``bool`` and the NAME/FILE argument a tuple of
``str``, and for exactly those the adapters return the value itself (a list for the argument).
So those values pass here as they are; anything else (a value from an environment variable, a
type lrviz does not use) goes to Typer's own adapter, built when first needed. Help, completion
and error messages do not involve the adapters: they stay Typer's, byte for byte (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PLAIN_TYPES = (str, bool, list[str])


def install() -> None:
    """Route Typer's coercion of str, bool and list[str] values through :class:`PlainValues`."""
    try:
        from typer import _coercion, core
    except ImportError:  # a Typer without adapters (< 0.29): nothing to avoid
        return
    build = getattr(core, "build_runtime_param", None)
    if build is None or getattr(build, "lrviz_plain", False) or not hasattr(_coercion, "RuntimeParam"):
        return
    core.build_runtime_param = _plain_or_typers(build)


def _plain_or_typers(typers_build: Any) -> Any:
    from typer._coercion import RuntimeParam

    @dataclass(frozen=True)
    class PlainValues(RuntimeParam):  # type: ignore[misc, valid-type]
        """Values that are already what Typer's adapter would return; others go to that adapter."""

        descriptor: Any = None
        typers: list = field(default_factory=list)  # Typer's RuntimeParam, once needed

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation == list[str]:
                if isinstance(value, (list, tuple)) and all(type(item) is str for item in value):
                    return list(value)
            elif type(value) is self.annotation:
                return value
            if not self.typers:
                self.typers.append(typers_build(self.descriptor))
            return self.typers[0]._coerce_value(value, param=param, ctx=ctx)

    def build(descriptor: Any) -> Any:
        plain = (
            descriptor.annotation in PLAIN_TYPES
            and descriptor.file_annotation is None
            and getattr(descriptor.parameter_info, "parser", None) is None
        )
        if not plain:
            return typers_build(descriptor)
        return PlainValues(
            annotation=descriptor.annotation, parameter_info=descriptor.parameter_info, descriptor=descriptor
        )

    build.lrviz_plain = True  # type: ignore[attr-defined]
    return build
