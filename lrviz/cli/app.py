"""The Typer app, its entry point, and the one place errors become exit codes."""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Sequence

import typer

from lrviz.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, LrvizError

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


def _register_commands() -> None:
    # Imported for their @app.command side effect; each module holds one family of commands.
    from lrviz.cli import plot, export, check, catalog, gallery, explore  # noqa: F401, I001 - registration order is help order


def error_line(message: str) -> None:
    """The one `Error:` line of DESIGN.md, on stderr, never rich markup."""
    text = " ".join(str(message).split())
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


def _run_command(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"] or ["--help"]
    _register_commands()
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
    except BrokenPipeError:
        return 0
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
    """Console-script entry point."""
    sys.exit(main())
