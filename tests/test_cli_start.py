"""The command line starts at once: ``--help`` and a command's first line come before the heavy
libraries are imported (pandas, SciPy, OR-Tools, plotly, Streamlit and SQLAlchemy together took
about 1.5-3 s before anything was printed; issue 31). What is imported, and in which order with
the output, is asserted here; how long it takes is measured in benchmarks/cli_start.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
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


@pytest.mark.parametrize(("args", "first"), [
    (("plan", "--history", str(DATA / "sample_history.csv"), "--agents",
      str(DATA / "sample_agents.csv")), "Planning the week of 2026-11-23"),
    (("forecast", "--history", str(DATA / "sample_history.csv")), "Forecasting the week of"),
    (("backtest", "--history", str(DATA / "sample_history.csv"), "--agents",
      str(DATA / "sample_agents.csv"), "--weeks", "1"), "Backtest of the last 1 week(s)"),
], ids=["plan", "forecast", "backtest"])
def test_the_first_line_comes_before_the_solver_and_co_are_imported(
        tmp_path: Path, args: tuple[str, ...], first: str) -> None:
    """The command reads its files (pandas) and says what it does before it imports the
    forecast, the planner and their libraries; stopped right after that line."""
    proc = _scheduler(*args, "--out", str(tmp_path / "out"), merged=True)
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
    assert before & SOLVER_AND_CO == set()
