"""Roster benchmark: a synthetic shop (default 200 agents x 28 days x 30-minute intervals).

Protocol: build the seeded instance (``roster_instance``) and the roster problem once, then
``solve`` it once per worker count with the same limits and seed, and record status, agent-
hours, the bound and the gap in hours, schedule efficiency, short intervals, the agent-hours per
cap, the deterministic work used, and when each stage first reported. ``--tuning FILE`` reads
``SearchParams`` from TOML (as ``scheduler plan --tuning``), to compare tunings back to back.
Timing lives here, never in tests. Results: ``benchmarks/results/roster_bench.md``.

    .venv/bin/python benchmarks/roster_bench.py                    # 200 x 28 days, 2 and 8 workers
    .venv/bin/python benchmarks/roster_bench.py --days 7 --workers 2 --time-limit 60
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roster_instance import agents, requirements

from scheduler.io import read_tuning
from scheduler.params import ChatModel, Rules, SearchParams, ServiceTarget
from scheduler.roster import Limits, Progress, RosterProblem, RosterResult, build_problem, solve

RESULTS = Path(__file__).resolve().parent / "results"


def problem(*, days: int, n_agents: int, seed: int, mode: str, lengths: tuple[float, ...],
            peak: float, search: SearchParams) -> RosterProblem:
    """The seeded synthetic instance as a roster problem."""
    return build_problem(requirements(days, peak_sessions_per_hour=peak),
                         tuple(agents(n_agents, seed=seed)), chat=ChatModel(),
                         service=ServiceTarget(mode=mode),
                         rules=Rules(shift_lengths_hours=lengths), search=search)


def run(p: RosterProblem, *, workers: int, time_limit: float, seed: int
        ) -> tuple[RosterResult, dict[str, float]]:
    """One solve; the seconds at which each stage first reported."""
    firsts: dict[str, float] = {}

    def progress(report: Progress) -> None:
        firsts.setdefault(report.stage, report.seconds)

    limits = Limits.for_seconds(time_limit, p.search, workers)
    return solve(p, limits=limits, seed=seed, progress=progress), firsts


def _hours(x: float | None) -> str:
    return "–" if x is None else f"{x:,.1f}"


def row(label: str, r: RosterResult, firsts: dict[str, float]) -> str:
    first = ", ".join(f"{k} {v:.1f}s" for k, v in firsts.items())
    if r.gap is None or r.bound_hours is None:
        gap = "–"
    else:
        gap = f"{r.agent_hours - r.bound_hours:,.1f} ({r.gap:.1%})"
    mix = ", ".join(f"{c}: {h:,.0f}" for c, h in sorted(r.cap_mix.items()))
    return (
        f"| {label} | {r.status} | {r.solve_seconds:.1f} | {r.work:.1f} | {first} | "
        f"{r.agent_hours:,.1f} | {_hours(r.bound_hours)} | {gap} | {r.efficiency:.1%} | "
        f"{len(r.short_intervals)} | {mix} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 8])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mode", default="per-hour", choices=["per-hour", "weekly"])
    ap.add_argument("--peak", type=float, default=600.0, help="peak sessions per hour")
    ap.add_argument("--lengths", type=float, nargs="+", default=[4.0, 6.0, 8.0, 10.0])
    ap.add_argument("--tuning", type=Path, default=None,
                    help="TOML file of SearchParams fields (default: the defaults)")
    ap.add_argument("--out", default=str(RESULTS / "roster_bench.md"))
    args = ap.parse_args(argv)
    search = read_tuning(args.tuning) if args.tuning is not None else SearchParams()
    built = time.perf_counter()
    p = problem(days=args.days, n_agents=args.agents, seed=args.seed, mode=args.mode,
                lengths=tuple(args.lengths), peak=args.peak, search=search)
    built = time.perf_counter() - built
    lines = [
        f"# Roster benchmark: {args.agents} agents x {args.days} days x 30 min, "
        f"mode {args.mode}, shifts {'/'.join(f'{x:g}' for x in args.lengths)} h, "
        f"peak {args.peak:g} sessions/h",
        "",
        f"- machine: {platform.platform()}, python {platform.python_version()}, "
        f"{_cores()} cores; time limit {args.time_limit:g} s per run; seed {args.seed}; "
        f"problem built in {built:.1f} s",
        f"- tuning: {search}",
        "- command: `.venv/bin/python benchmarks/roster_bench.py "
        f"{' '.join(argv or sys.argv[1:])}`",
        "- agent-h = paid agent-hours; bound-h = no roster that leaves no interval short needs "
        "fewer (LP of the aggregate model); gap = agent-h - bound-h (share of agent-h), – when "
        "intervals are short; work = CP-SAT deterministic seconds; efficiency = required "
        "agent-hours at the cheapest cap / agent-h; cap mix = agent-hours on duty per cap",
        "",
        "| workers | status | solve s | work | first report per stage | agent-h | bound-h | "
        "gap h | efficiency | short intervals | cap mix (agent-h) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for w in args.workers:
        started = time.perf_counter()
        result, firsts = run(p, workers=w, time_limit=args.time_limit, seed=args.seed)
        lines.append(row(str(w), result, firsts))
        notes.append(f"- {w} workers ({time.perf_counter() - started:.1f} s wall): "
                     + "; ".join(result.messages))
        notes += [f"  - {f.text}" for f in result.diagnosis[:6]]
        print(lines[-1], flush=True)
    lines += ["", "Search messages and diagnosis:", "", *notes, ""]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
