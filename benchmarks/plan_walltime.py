"""The whole ``scheduler plan`` command's wall time against its ``--time-limit`` (issue 31: within
the limit + 5 s on the bundled sample, 2 cores), and where the time went.

Each run is ``python -m scheduler plan`` on the sample (default parameters, seed 0) in its own
process, timed from the start of the process to its exit. The process is this script in
``--child`` mode: it wraps the pipeline's phases (forecast, staffing table, the roster solves
and their greedy ``fill``, the exact mixed-team check, what the rules cost, the report's
simulation, chances and diagnosis, writing the files) in timers, then runs the command as the
CLI does; "start-up and the rest" is the wall time outside them (the interpreter, imports,
reading the inputs, printing). Phases are nested: a row's time includes its indented rows.

With ``--before DIR`` (another checkout, e.g. ``git worktree add /tmp/before COMMIT``) both trees
are timed, one run of each in turn, and their rosters compared byte for byte.

Run from the repository root:
    .venv/bin/python benchmarks/plan_walltime.py [--limits 10 20] [--runs 1] [--before DIR]
Writes benchmarks/results/plan_walltime.md. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "plan_walltime.md"
SLACK_SECONDS = 5.0
"""The target: the whole command within its time limit plus this."""

PHASES: tuple[tuple[str, str, str], ...] = (
    ("forecast", "scheduler.pipeline", "make_forecast"),
    ("staffing table", "scheduler.pipeline", "requirements_for"),
    ("roster", "scheduler.pipeline", "plan_roster"),
    ("exact mixed-team check", "scheduler.pipeline", "recheck"),
    ("chance check", "scheduler.pipeline", "keep_the_chance"),
    ("rule costs", "scheduler.pipeline", "rule_costs"),
    ("solve", "scheduler.pipeline", "solve"),
    ("solve", "scheduler.roster.solve", "solve"),
    ("LP bound", "scheduler.roster.search", "relaxation"),
    ("fill", "scheduler.roster.search", "fill"),
    ("report", "scheduler.pipeline", "plan_result"),
    ("coverage and hourly risk", "scheduler.report", "_coverage_table"),
    ("simulation", "scheduler.report", "simulate_replications"),
    ("promise chances", "scheduler.report", "promise_chance"),
    ("diagnosis", "scheduler.roster.result", "diagnose"),
    ("writing the files", "scheduler.replan", "save_plan"),
)
"""(row, module, function): the timed phases, each wrapped where its callers look it up."""


def child(out: Path, argv: list[str]) -> int:
    """Run ``scheduler ARGV`` in this process with the phases timed; write them to ``out``
    (JSON: path of nested phase names -> [seconds, calls])."""
    stack: list[str] = []
    spent: dict[str, list[float]] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            stack.append(name)
            row = spent.setdefault(" > ".join(stack), [0.0, 0])  # (in the order first entered)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                row[0] += time.perf_counter() - t0
                row[1] += 1
                stack.pop()
        return wrapper

    for name, module, attr in PHASES:
        mod = importlib.import_module(module)
        if hasattr(mod, attr):
            setattr(mod, attr, timed(name, getattr(mod, attr)))
    from scheduler.cli import main
    from scheduler.roster import search

    search.REPAIR = (search.fill, *search.REPAIR[1:])  # the start's moves hold fill itself

    code = main(argv)
    out.write_text(json.dumps(spent), encoding="utf-8")
    return code


def plan_once(tree: Path, limit: float, tmp: Path, tuning: Path | None = None
              ) -> tuple[float, float, dict[str, list[float]], bytes, dict[str, Any]]:
    """Wall and CPU seconds of one ``plan --time-limit LIMIT`` of the sample with ``tree`` first
    on the path, its phases, its roster.csv and its summary.json."""
    out, phases = tmp / "plan", tmp / "phases.json"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    args = ["plan", "--history", str(tree / "data" / "sample_history.csv"), "--agents",
            str(tree / "data" / "sample_agents.csv"), "--time-limit", f"{limit:g}",
            "--seed", "0", "--db", f"sqlite:///{tmp / 'book.sqlite'}", "--out", str(out),
            *(["--tuning", str(tuning)] if tuning else [])]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(phases), "--", *args],
                          cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"plan failed in {tree}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return (seconds, cpu, json.loads(phases.read_text()), (out / "roster.csv").read_bytes(),
            json.loads((out / "summary.json").read_text()))


def _commit(tree: Path) -> str:
    """The tree's commit, or its folder's name when it is not a git checkout."""
    done = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], text=True,
                          capture_output=True)
    return done.stdout.strip() if done.returncode == 0 else tree.name


def phase_rows(phases: dict[str, list[float]], wall: float) -> dict[str, tuple[float, int]]:
    """Each phase's path (``roster > solve > fill``) -> (seconds, calls), in the order first
    entered (so each under its parent), and the wall time outside the top-level phases."""
    top = sum(s for k, (s, _n) in phases.items() if " > " not in k)
    return {**{k: (s, int(n)) for k, (s, n) in phases.items()},
            "start-up and the rest": (wall - top, 1)}


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--child"]:
        return child(Path(args_in[1]), args_in[3:])
    # (here, not at the top: a --child process must import the tree it times, from PYTHONPATH)
    sys.path.insert(0, str(REPO))
    from scheduler.backtest import PLAN_EXTRA_SECONDS, PLAN_SECONDS_PER_LIMIT_SECOND

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limits", type=float, nargs="+", default=[10.0, 20.0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--before", type=Path, help="Another checkout to time beside this one.")
    ap.add_argument("--tuning", type=Path, help="The plans' --tuning file (e.g. a low "
                    "work_per_second, so that no solve meets its wall-clock cap).")
    args = ap.parse_args(args_in)
    trees = {"before": args.before.resolve(), "now": REPO} if args.before else {"now": REPO}
    load0 = os.getloadavg()
    walls: dict[tuple[float, str], list[float]] = {}
    cpus: dict[tuple[float, str], list[float]] = {}
    phases: dict[tuple[float, str], dict[str, list[float]]] = {}
    rosters: dict[tuple[float, str], bytes] = {}
    summaries: dict[tuple[float, str], dict[str, Any]] = {}
    for limit in args.limits:
        for _ in range(args.runs):
            for name, tree in trees.items():
                with tempfile.TemporaryDirectory() as tmp:
                    wall, cpu, spent, roster, summary = plan_once(tree, limit, Path(tmp),
                                                                  args.tuning)
                walls.setdefault((limit, name), []).append(wall)
                cpus.setdefault((limit, name), []).append(cpu)
                phases.setdefault((limit, name), spent)
                rosters[limit, name] = roster
                summaries[limit, name] = summary
                print(f"--time-limit {limit:g} {name}: {wall:.1f} s ({cpu:.1f} s CPU)",
                      flush=True)
    load1 = os.getloadavg()
    lines = [
        "# The plan command's wall time against its time limit",
        "",
        "Command (repository root): `.venv/bin/python benchmarks/plan_walltime.py --limits "
        + " ".join(f"{x:g}" for x in args.limits) + f" --runs {args.runs}"
        + (f" --before {args.before}" if args.before else "")
        + (f" --tuning {args.tuning}" if args.tuning else "") + "`",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} at commit {_commit(REPO)}"
        + (f" (before: {_commit(args.before)})" if args.before else "")
        + f", {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average (1/5/15 min) {load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f} before, "
        f"{load1[0]:.1f}/{load1[1]:.1f}/{load1[2]:.1f} after (the machine is shared, so the "
        "numbers vary with it).",
        "",
        "`scheduler plan` on the bundled sample (default parameters"
        + (f", the tuning of `{args.tuning}`" if args.tuning else "")
        + ", seed 0), the whole process from start to exit; "
        f"target: the limit + {SLACK_SECONDS:g} s"
        + (f"; median of {args.runs} runs" if args.runs > 1 else "") + ". Each cell: wall "
        "time (CPU time of the process, all its threads: less bent by the machine's load).",
        "",
        "| --time-limit | target | " + " | ".join(trees) + " |",
        "|---|---|" + "---|" * len(trees),
    ]
    for limit in args.limits:
        cells = []
        for name in trees:
            wall = statistics.median(walls[limit, name])
            cells.append(f"{wall:.1f} s" + ("" if wall <= limit + SLACK_SECONDS else " ✗")
                         + f" ({statistics.median(cpus[limit, name]):.1f} s CPU)")
        lines.append(f"| {limit:g} s | {limit + SLACK_SECONDS:g} s | " + " | ".join(cells) + " |")
    lines += ["", "The plans (agent-hours; the labour rules priced of those in force):", "",
              "| --time-limit | " + " | ".join(trees) + " |", "|---|" + "---|" * len(trees)]
    for limit in args.limits:
        cells = []
        for name in trees:
            s = summaries[limit, name]
            priced = len(s["rule_costs"])
            cells.append(f"{s['agent_hours']:.1f} h; rules priced {priced} of "
                         f"{priced + len(s.get('unpriced_rules', []))}")
        lines.append(f"| {limit:g} s | " + " | ".join(cells) + " |")
    if len(args.limits) > 1:
        lo, hi = min(args.limits), max(args.limits)
        for name in trees:
            a = (statistics.median(walls[hi, name]) - statistics.median(walls[lo, name])) / (
                hi - lo)
            b = statistics.median(walls[lo, name]) - a * lo
            lines.append(f"\n{name}: a plan takes about {a:.1f} s per second of its limit "
                         f"{'+' if b >= 0 else '-'} {abs(b):.0f} s here (fitted on {lo:g} "
                         f"and {hi:g} s; the Backtest page's estimate of a backtest's plan, "
                         "in a warm process and without rule costs, uses "
                         f"{PLAN_SECONDS_PER_LIMIT_SECOND:g} s and "
                         f"{PLAN_EXTRA_SECONDS:g} s, `scheduler/backtest.py`).")
    if args.before:
        same = all(rosters[limit, "before"] == rosters[limit, "now"] for limit in args.limits)
        lines += ["", "roster.csv of the two trees: "
                  + ("byte-identical at every limit." if same else "DIFFERENT at some limit "
                     "(the wall-clock cap decides where a solve stops when the machine is "
                     "slow; see the solver's work budget).")]
    for limit in args.limits:
        lines += ["", f"Where the time went at --time-limit {limit:g} (first run; seconds, calls):",
                  "", "| phase | " + " | ".join(trees) + " |",
                  "|---|" + "---|" * len(trees)]
        table = {name: phase_rows(phases[limit, name], walls[limit, name][0])
                 for name in trees}
        for key in dict.fromkeys(k for t in table.values() for k in t):
            cells = [f"{table[t][key][0]:.1f}" + (f" ({table[t][key][1]})"
                                                   if table[t][key][1] > 1 else "")
                     if key in table[t] else "" for t in trees]
            indent = "&nbsp;&nbsp;" * key.count(" > ")
            lines.append(f"| {indent}{key.split(' > ')[-1]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "- roster: the main solve, then the exact mixed-team check's re-plans (and with "
        "`--chance`, the chance check's). Each solve: the LP bound (the start), the greedy "
        "`fill` of short intervals, the neighbourhood re-solves (CP-SAT, two side by side).",
        "- rule costs: one control re-plan and one per rule priced, sharing what the limit "
        "leaves them (`Budget`); the report: the coverage table with each hour's risk, the "
        "simulated check, the chance of keeping each promise, the diagnosis of the intervals "
        "below the margin.",
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
