"""Command line: ``scheduler <command>`` or ``python -m scheduler <command>``.

Thin: each command parses options, calls the library, writes files through ``scheduler.io`` and
prints a short human summary. Every user error is one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from scheduler import __version__
from scheduler.domain import DAYS
from scheduler.errors import SchedulerError
from scheduler.io import read_history
from scheduler.profile import profile_history

EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="scheduler",
    help=(
        "Plan next week's chat customer-service roster from your shop's history: forecast, "
        "staffing with reception caps (接待上限), CP-SAT shifts, simulated check."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scheduler {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Chat-team roster planner."""


HistoryOpt = Annotated[
    Path,
    typer.Option("--history", help="Hourly history (timestamp, sessions) or per-session records; "
                 "CSV or XLSX, English or Chinese headers."),
]


@app.command()
def inspect(history: HistoryOpt) -> None:
    """Validate a history file and print a short profile."""
    hist = read_history(history)
    p = profile_history(hist)
    for w in p.warnings:
        typer.echo(f"warning: {w}", err=True)
    typer.echo(f"History {p.source}: {p.first_hour:%Y-%m-%d %H:00} to "
               f"{p.last_hour:%Y-%m-%d %H:00} ({p.hours} hours, {p.weeks_covered:.1f} weeks)")
    typer.echo(f"Sessions: {p.total_sessions:,} in total, "
               f"{p.total_sessions / max(p.weeks_covered, 1 / 168):,.0f} per week")
    typer.echo("Mean sessions per day: " + ", ".join(
        f"{d} {v:,.0f}" for d, v in zip(DAYS, p.sessions_by_weekday, strict=True)))
    typer.echo("Busiest clock hours (mean sessions): " + ", ".join(
        f"{h:02d}:00 {v:.1f}" for h, v in p.busiest_hours))
    typer.echo(f"Peak hour: {p.peak_hour[0]:%Y-%m-%d %H:00} with {p.peak_hour[1]} sessions")
    if p.mean_handle_seconds is not None:
        typer.echo(f"Mean handle time: {p.mean_handle_seconds:.0f} s "
                   f"({p.mean_handle_seconds / 60:.1f} min)")
    else:
        typer.echo("Mean handle time: not in the file (the planner will use its default)")


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data"


@app.command()
def demo() -> None:
    """Run the main job on the bundled sample shop."""
    sample = SAMPLE_DIR / "sample_history.csv"
    if not sample.exists():
        raise SchedulerError(f"bundled sample not found at {sample}; run from a clone of the repo")
    typer.echo("== The bundled sample shop ==")
    inspect(sample)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 bad input or usage, 3 internal error)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="scheduler", standalone_mode=False)
    except SchedulerError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_INPUT
    except typer.Exit as exc:
        return int(exc.exit_code)
    except TyperException as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc.format_message()}", err=True)
        return EXIT_INPUT
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("interrupted; no output file was left half-written", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: never a traceback to the user
        typer.echo(f"internal error: {type(exc).__name__}: {exc} "
                   "(please report it with the command you ran)", err=True)
        return EXIT_INTERNAL
    return int(result) if isinstance(result, int) else 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))
