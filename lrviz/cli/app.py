"""The Typer app, its entry point, and the one place errors become exit codes."""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

import typer

from lrviz.cli import coercion
from lrviz.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, LrvizError, printable

try:  # Typer >= 0.26 vendors click; its usage errors derive from TyperException
    from typer import TyperException as UsageProblem
except ImportError:  # older Typer on plain click (Python 3.10)
    from click import ClickException as UsageProblem  # type: ignore[assignment]

app = typer.Typer(
    name="lrviz",
    help="See exactly what a PyTorch learning-rate schedule does: real torch schedulers, "
    "stepped and plotted. Run `lrviz COMMAND --help` for a command's options.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if not value:
        return
    from importlib import metadata

    from lrviz import __version__

    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = "not installed"
    typer.echo(f"lrviz {__version__} (torch {torch_version})")
    raise typer.Exit(0)


@app.callback()
def _options(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        callback=_print_version,
        is_eager=True,
        help="Print lrviz's and torch's versions and exit.",
    ),
) -> None:
    """See exactly what a PyTorch learning-rate schedule does: real torch schedulers, stepped and plotted."""


# The order `lrviz --help` lists the commands in; a command not named here comes after them.
HELP_ORDER = ("plot", "compare", "export", "check", "search", "explore", "list", "show", "gallery")


def _register_commands() -> None:
    """Import every module of lrviz.cli, for their @app.command side effect: adding a command is adding
    a module. Then order the commands as `lrviz --help` lists them."""
    import importlib
    import pkgutil

    from lrviz import cli

    for info in pkgutil.iter_modules(cli.__path__):
        importlib.import_module(f"lrviz.cli.{info.name}")
    rank = {name: index for index, name in enumerate(HELP_ORDER)}
    app.registered_commands.sort(key=lambda c: rank.get(c.name or c.callback.__name__, len(rank)))


def error_line(message: str) -> None:
    """The one `Error:` line of DESIGN.md, on stderr, never rich markup nor raw control characters."""
    text = printable(" ".join(str(message).split()))
    sys.stderr.write(f"Error: {text}\n")
    sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run lrviz; return the exit code (0, 1 findings, 2 bad input, 70 internal error)."""
    # A command is mostly imports (typer, torch, matplotlib): millions of new objects, none of them
    # garbage, which the cyclic collector would scan again and again (~10% of the start-up). The
    # command itself makes no reference cycles worth collecting before it exits; refcounting frees
    # the rest. Back on afterwards for in-process callers (tests).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_command(argv)
    finally:
        if collecting:
            gc.enable()


def stdout_encodes(text: str) -> bool:
    """Whether stdout's encoding can write `text` (not with PYTHONIOENCODING=ascii or a C locale)."""
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _tolerate_narrow_stdout() -> None:
    # A label like 'α → β' on an ASCII-only stdout: printed as '\u03b1 \u2192 \u03b2', not a crash.
    if not stdout_encodes("\u03b1\u2192\u00d7") and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


def _run_command(argv: Sequence[str] | None) -> int:
    _tolerate_narrow_stdout()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"] or ["--help"]
    _register_commands()
    coercion.install()  # option values without importing pydantic (~0.1 s)
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="lrviz", standalone_mode=False)
    except LrvizError as exc:
        error_line(str(exc))
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except UsageProblem as exc:  # Typer's usage errors: unknown command or option, bad value
        error_line(exc.format_message())
        return EXIT_BAD_INPUT
    except typer.Abort:
        error_line("aborted")
        return 130
    except KeyboardInterrupt:
        error_line("interrupted")
        return 130
    except BrokenPipeError:  # the reader left (`lrviz export ... | head -1`): nothing went wrong here
        return 0
    except SystemExit as exc:  # Typer turns a broken pipe into sys.exit(1); the same case as above
        if isinstance(exc.__context__, BrokenPipeError):
            return 0
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, reported as one
        if debug:
            traceback.print_exc()
        error_line(
            f"internal error (a bug in lrviz, please report it): {type(exc).__name__}: {exc}"
            + ("" if debug else " (run again with --debug for the traceback)")
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point: run the command, then leave without the interpreter's teardown.

    A process that imported torch spends about half a second at exit destroying modules and
    running their exit hooks, none of which matter to a finished command. So once the command
    has returned its code (and every file it wrote is closed: they are written with `with`),
    stdout and stderr are flushed here and the process ends with ``os._exit``. Only here, never
    in :func:`main`, which the tests and other Python callers call in-process.
    """
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """Flush stdout and stderr, then end the process with `code` at once (``os._exit``)."""
    if "logging" in sys.modules:  # flushes any log handler a library left open
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader left (`| head -1`): nobody is missing anything
            pass
        except (OSError, ValueError) as exc:  # a full disk, say: the output is incomplete, say so
            if stream is sys.stdout and code == 0:
                code = EXIT_BAD_INPUT
                error_line(f"stdout: cannot write: {getattr(exc, 'strerror', None) or exc}")
    os._exit(code)
