"""The command line starts at once: ``--help`` and a command's first line come before the heavy
libraries are imported (pandas, SciPy, OR-Tools, plotly, Streamlit and SQLAlchemy together took
1-3 s, with the machine's load, before anything was printed; issue 31). What is imported, and in
which order with the output, is asserted here; how long it takes is measured in
benchmarks/cli_start.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
HISTORY, AGENTS = str(DATA / "sample_history.csv"), str(DATA / "sample_agents.csv")
WEEK = date(2026, 11, 23)  # the week after the sample history
HEAVY = frozenset({"pandas", "numpy", "scipy", "ortools", "plotly", "streamlit", "sqlalchemy"})
"""Libraries each a tenth of a second to a second to import."""
SOLVER_AND_CO = HEAVY - {"pandas", "numpy"}
"""What reading the input files does not need (pandas does)."""


def _scheduler(*args: str, merged: bool = False) -> subprocess.Popen[str]:
    """``python -X importtime -m scheduler ARGS`` in this checkout; its import log goes to
    stderr, merged into stdout in output order with ``merged``."""
    return subprocess.Popen(
        [sys.executable, "-X", "importtime", "-u", "-m", "scheduler", *args], cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)}, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merged else subprocess.PIPE)


def _imported(line: str) -> str | None:
    """The top-level package an ``-X importtime`` line imports, None for another line."""
    if not line.startswith("import time:") or "|" not in line:
        return None
    return line.rsplit("|", 1)[1].strip().split(".")[0]


def test_help_imports_none_of_the_heavy_libraries() -> None:
    proc = _scheduler("--help")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Usage: scheduler" in out and "plan" in out
    assert {_imported(line) for line in err.splitlines()} & HEAVY == set()


def test_every_commands_help_imports_none_of_them() -> None:
    script = f"""
import contextlib, io, json, sys
import typer
from scheduler.cli import app, main
seen = {{}}
for name in sorted(typer.main.get_command(app).commands):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main([name, "--help"])
    seen[name] = [code, "Usage: scheduler " + name in out.getvalue()]
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({sorted(HEAVY)!r}))
print(json.dumps({{"commands": seen, "heavy": heavy}}))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert len(result["commands"]) >= 10
    assert all(v == [0, True] for v in result["commands"].values()), result["commands"]
    assert result["heavy"] == []


def _written_plan(folder: Path) -> Path:
    """A plan folder (plan.json, roster.csv, summary.json) of the sample's week at 2 sessions
    an hour with one shift, written without planning."""
    import pandas as pd

    from scheduler.domain import Forecast, week_hours
    from scheduler.io import agents_from_raw, parse_raw_table, plan_inputs, write_plan_state
    from scheduler.params import ChatModel, PlanParams

    forecast = Forecast(WEEK, pd.DataFrame({
        "timestamp": pd.to_datetime(week_hours(WEEK)), "sessions": 2.0, "low": 2.0,
        "high": 2.0, "overridden": False}), "file")
    agents, _ = agents_from_raw(parse_raw_table(b"agent_id,max_concurrent\nA01,3\n", "a.csv"))
    folder.mkdir()
    write_plan_state({"inputs": plan_inputs(forecast, agents, PlanParams())}, folder)
    (folder / "roster.csv").write_text("agent_id,start,end,max_concurrent\n"
                                       "A01,2026-11-23 09:00,2026-11-23 17:00,3\n")
    (folder / "summary.json").write_text(json.dumps(
        {"agent_hours": 8.0, "parameters": {"chat": asdict(ChatModel())}}))
    return folder


@pytest.mark.parametrize(("args", "first", "allowed"), [
    (("plan", "--history", HISTORY, "--agents", AGENTS, "--out", "{tmp}/out"),
     "Planning the week of 2026-11-23", set()),
    (("forecast", "--history", HISTORY, "--out", "{tmp}/out"), "Forecasting the week of", set()),
    (("backtest", "--history", HISTORY, "--agents", AGENTS, "--weeks", "1", "--out",
      "{tmp}/out"), "Backtest of the last 1 week(s)", set()),
    (("simulate", "--plan", "{tmp}/plan", "--out", "{tmp}/out"), "Chat model: ", set()),
    (("publish", "--plan", "{tmp}/plan", "--db", "sqlite:///{tmp}/new.sqlite"),
     "Published the week of 2026-11-23 as version 1", {"sqlalchemy"}),
    (("replan", "--week", "2026-11-23", "--keep-before", "2026-11-25 12:00", "--db",
      "sqlite:///{tmp}/book.sqlite", "--dry-run"), "Re-planning version 1", {"sqlalchemy"}),
], ids=["plan", "forecast", "backtest", "simulate", "publish", "replan"])
def test_the_first_line_comes_before_the_solver_and_co_are_imported(
        tmp_path: Path, args: tuple[str, ...], first: str, allowed: set[str]) -> None:
    """The command reads its files (pandas; the roster book's SQLAlchemy where the line is
    about the book) and says what it does before it imports the forecast, the planner and their
    libraries; stopped right after that line."""
    from scheduler.book import Book
    from scheduler.domain import Roster, Shift
    from scheduler.io import read_plan_state

    plan = _written_plan(tmp_path / "plan")  # and its week published in book.sqlite:
    shift = Shift("A01", datetime(2026, 11, 23, 9), datetime(2026, 11, 23, 17), 3)
    Book(f"sqlite:///{tmp_path}/book.sqlite").publish(
        Roster(WEEK, (shift,)), agent_hours=8.0, summary={},
        inputs=read_plan_state(plan)["inputs"])
    proc = _scheduler(*(a.format(tmp=tmp_path) for a in args), merged=True)
    before: set[str | None] = set()
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith(first):
                break
            before.add(_imported(line))
        else:
            raise AssertionError(f"no line starting {first!r}")
    finally:
        proc.kill()
        proc.communicate()
    assert "pandas" in before  # (the log is read: the files were read before the line)
    assert before & SOLVER_AND_CO == allowed
