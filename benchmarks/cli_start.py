"""Time the command line's start: ``scheduler --help``, ``scheduler plan --help`` and the first
line each command prints (issue 31: within 1.5 s on 2 cores).

Each is run as ``python -m scheduler ...`` in its own process, ``--runs`` times; a run is timed
from the start of the process to its first line on stdout or stderr, and then ended (the solve
after the first line is not waited for). The sample's week is planned once first (5 s limit) and
published to a fresh roster book, for the commands that read a plan folder or the book.

With ``--before DIR`` (another checkout, e.g. ``git worktree add /tmp/before COMMIT``) both trees
are timed, one run of each in turn, and the table puts them side by side.

Run from the repository root:
    .venv/bin/python benchmarks/cli_start.py [--runs 5] [--before DIR]
Writes benchmarks/results/cli_start.md. Timings are never asserted in tests; what is imported
before the first line is (tests/test_cli_start.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "cli_start.md"
TARGET_SECONDS = 1.5


def commands(tmp: Path) -> dict[str, list[str]]:
    """Each timed command line (after ``scheduler``), on the bundled sample."""
    history, agents = "data/sample_history.csv", "data/sample_agents.csv"  # (run in the tree)
    plan, book = str(tmp / "plan"), f"sqlite:///{tmp / 'book.sqlite'}"
    return {
        "--help": ["--help"],
        "plan --help": ["plan", "--help"],
        "inspect": ["inspect", "--history", history],
        "forecast": ["forecast", "--history", history, "--out", str(tmp / "forecast")],
        "staffing": ["staffing", "--sessions-per-hour", "120", "--cap", "3"],
        "plan": ["plan", "--history", history, "--agents", agents, "--out", str(tmp / "p")],
        "simulate --plan": ["simulate", "--plan", plan, "--out", str(tmp / "sim")],
        "backtest": ["backtest", "--history", history, "--agents", agents, "--weeks", "1",
                     "--out", str(tmp / "backtest")],
        "publish": ["publish", "--plan", plan, "--db", f"sqlite:///{tmp / 'other.sqlite'}"],
        "book": ["book", "--db", book],
        "replan": ["replan", "--week", "2026-11-23", "--keep-before", "2026-11-25 12:00",
                   "--db", book, "--dry-run"],
        "demo": ["demo", "--no-app", "--out", str(tmp / "demo")],
        "fit": ["fit", "--sessions", "data/sample_sessions.csv"],
    }


def first_line(tree: Path, args: list[str]) -> tuple[float, str]:
    """Seconds from starting ``python -m scheduler ARGS`` (``tree`` first on the path) to its
    first line on either stream, and that line; the process is ended there."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scheduler", *args], cwd=tree, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = ""
    with selectors.DefaultSelector() as sel:
        for stream in (proc.stdout, proc.stderr):
            assert stream is not None
            sel.register(stream, selectors.EVENT_READ)
        while not line and sel.get_map():
            for key, _ in sel.select(timeout=300):
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if line.strip():
                    break
                if not line:  # that stream ended
                    sel.unregister(key.fileobj)
                line = ""
    seconds = time.perf_counter() - start
    proc.kill()
    proc.communicate()
    return seconds, line.strip()


def prepare(tmp: Path) -> None:
    """The sample's week planned (5 s limit) into ``tmp/plan`` and published to
    ``tmp/book.sqlite``, with this checkout."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for args in (["plan", "--history", str(REPO / "data" / "sample_history.csv"), "--agents",
                  str(REPO / "data" / "sample_agents.csv"), "--time-limit", "5",
                  "--replications", "2", "--out", str(tmp / "plan")],
                 ["publish", "--plan", str(tmp / "plan"), "--db",
                  f"sqlite:///{tmp / 'book.sqlite'}"]):
        subprocess.run([sys.executable, "-m", "scheduler", *args], cwd=REPO, env=env,
                       check=True, capture_output=True)


def _commit(tree: Path) -> str:
    """The tree's commit, or its folder's name when it is not a git checkout."""
    done = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], text=True,
                          capture_output=True)
    return done.stdout.strip() if done.returncode == 0 else tree.name


def cell(times: list[float]) -> str:
    return (f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"
            + ("" if statistics.median(times) <= TARGET_SECONDS else " ✗"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", type=Path, help="Another checkout to time beside this one.")
    args = ap.parse_args(argv)
    trees = {"before": args.before, "now": REPO} if args.before else {"now": REPO}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        prepare(tmp)
        load0 = os.getloadavg()
        times: dict[tuple[str, str], list[float]] = {}
        said: dict[str, str] = {}
        labels = list(commands(tmp))
        for label, line in commands(tmp).items():
            for _ in range(args.runs):
                for tree_name, tree in trees.items():
                    seconds, text = first_line(tree, line)
                    times.setdefault((label, tree_name), []).append(seconds)
                    said[label] = text
            print(f"{label:<16}" + "  ".join(
                f"{t}: {statistics.median(times[label, t]):.2f} s" for t in trees), flush=True)
        load1 = os.getloadavg()
    commit, before = _commit(REPO), _commit(args.before) if args.before else ""
    lines = [
        "# Command line start: seconds to the first line",
        "",
        f"Command (repository root): `.venv/bin/python benchmarks/cli_start.py --runs "
        f"{args.runs}" + (f" --before {args.before}`" if args.before else "`"),
        f"Measured {datetime.now():%Y-%m-%d %H:%M} at commit {commit}"
        + (f" (before: {before})" if args.before else "")
        + f", {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average (1/5/15 min) {load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f} before, "
        f"{load1[0]:.1f}/{load1[1]:.1f}/{load1[2]:.1f} after (the machine is shared, so the "
        "numbers vary with it).",
        "",
        f"Each cell: median of {args.runs} runs (min–max), from starting the process to its "
        f"first line on stdout or stderr; ✗ over the {TARGET_SECONDS:g} s target. "
        + ("Runs of the two trees alternate." if args.before else ""),
        "",
        "| command | " + " | ".join(trees) + " | first line |",
        "|---|" + "---|" * len(trees) + "---|",
    ]
    for label in labels:
        text = said[label] if len(said[label]) <= 70 else said[label][:67] + "..."
        lines.append(f"| `scheduler {label}` | "
                     + " | ".join(cell(times[label, t]) for t in trees)
                     + f" | {text.replace('|', '/') or '(blank: the help starts so)'} |")
    lines += [
        "",
        "- `--help`: typer only; every command imports the library inside itself "
        "(`scheduler/cli.py`).",
        "- A command imports what reading its files and its first line need (pandas, the "
        "readers; the roster book's SQLAlchemy for `publish`, `book`, `replan`), and the forecast "
        "(SciPy), the planner (OR-Tools) and plotly after that line.",
        "- `fit`'s first line reports the fitted chat model, so the fit (and the chat model's "
        "modules) come before it; `staffing`'s is its answer.",
        "- `publish` prints one line, after storing the version.",
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
