"""Four sample weeks planned and published in a row (issue 21): fairness across weeks.

Protocol: the bundled sample (``data/sample_history.csv``, ``data/sample_agents.csv``), its
next week forecast once and the same forecast used for four weeks in a row (moved by whole
weeks); each week planned after the one before it in a fresh roster book (``--seconds`` a
plan, seed 0, the default rules) and published, once with fairness counting the published
weeks before (the default, up to 4) and once counting each week alone. Per agent allowed
nights: night shifts over the four weeks per night-shift opportunity (days a week their
availability allows a night shift, times four); the same for weekends and late finishes.

Run:  .venv/bin/python benchmarks/book_weeks.py   (about 4 minutes)
writes ``benchmarks/results/book_weeks.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.context import chat_from_history, fair_counts, roster_problem  # noqa: E402
from scheduler.domain import Forecast, Roster, Shift, next_monday  # noqa: E402
from scheduler.io import read_agents, read_history  # noqa: E402
from scheduler.params import PlanParams  # noqa: E402
from scheduler.pipeline import make_forecast, plan_roster, requirements_for  # noqa: E402
from scheduler.report import in_week_shifts  # noqa: E402
from scheduler.roster.cost import opportunities  # noqa: E402
from scheduler.roster.problem import FAIR_KINDS  # noqa: E402

OUT = ROOT / "benchmarks" / "results"


def moved(forecast: Forecast, weeks: int) -> Forecast:
    frame = forecast.frame.copy()
    frame["timestamp"] = frame["timestamp"] + pd.Timedelta(weeks=weeks)
    return replace(forecast, week_start=forecast.week_start + timedelta(weeks=weeks),
                   frame=frame)


def four_weeks(seconds: float, fair: bool, weeks: int = 4
               ) -> tuple[list[Roster], dict[str, dict[str, float]], float]:
    """Plan ``weeks`` weeks in a row; returns the rosters, each agent's count per opportunity
    per kind, and the total agent-hours."""
    hist = read_history(ROOT / "data" / "sample_history.csv")
    agents, _ = read_agents(ROOT / "data" / "sample_agents.csv")
    params = PlanParams(time_limit_seconds=seconds)
    chat, _notes = chat_from_history(hist, params.chat, handle_given=False)
    params = replace(params, chat=chat)
    first = make_forecast(hist, next_monday(hist.end))
    published: list[list[Shift]] = []
    rosters: list[Roster] = []
    hours = 0.0
    per_agent_opp: dict[str, dict[str, int]] = {a.agent_id: dict.fromkeys(FAIR_KINDS, 0)
                                                for a in agents}
    for k in range(weeks):
        fc = moved(first, k)
        req = requirements_for(fc, chat, params)
        before = tuple(published[-1]) if published else ()
        past = tuple(s for w in published[-4:] for s in w) if fair else ()
        result = plan_roster(req, agents, params, before=before, past_shifts=past)
        shifts = in_week_shifts(result.roster)
        published.append(shifts)
        rosters.append(result.roster)
        hours += result.agent_hours
        problem = roster_problem(req, agents, params)
        for kind in FAIR_KINDS:
            o = opportunities(problem, kind)
            for i, a in enumerate(agents):
                per_agent_opp[a.agent_id][kind] += int(o[i])
    counts = fair_counts([s for w in published for s in w], agents)
    rates: dict[str, dict[str, float]] = {}
    for i, a in enumerate(agents):
        rates[a.agent_id] = {kind: (counts[i][j] / per_agent_opp[a.agent_id][kind]
                                    if per_agent_opp[a.agent_id][kind] else float("nan"))
                             for j, kind in enumerate(FAIR_KINDS)}
    return rosters, rates, hours


def spread(rates: dict[str, dict[str, float]], kind: str) -> tuple[float, float]:
    vals = [r[kind] for r in rates.values() if r[kind] == r[kind]]
    return min(vals), max(vals)


def markdown(frame: pd.DataFrame) -> str:
    """A plain markdown table (no extra dependency)."""
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = []
    table = {}
    for fair in (True, False):
        _rosters, rates, hours = four_weeks(args.seconds, fair)
        table[fair] = (rates, hours)
        for kind in FAIR_KINDS:
            lo, hi = spread(rates, kind)
            rows.append({"fairness": "across weeks" if fair else "each week alone",
                         "kind": kind, "lowest per opportunity": round(lo, 3),
                         "highest per opportunity": round(hi, 3),
                         "lowest / highest": round(lo / hi, 3) if hi else float("nan"),
                         "agent-hours (4 weeks)": round(hours, 1)})
    frame = pd.DataFrame(rows)
    fair, alone = table[True][0], table[False][0]
    nights = pd.DataFrame([{"agent": a, "across weeks": round(fair[a]["night"], 3),
                            "each week alone": round(alone[a]["night"], 3)}
                           for a in fair if fair[a]["night"] == fair[a]["night"]])
    lines = [
        "# Four sample weeks in a row: fairness across weeks",
        "",
        f"Command: `.venv/bin/python benchmarks/book_weeks.py --seconds {args.seconds:g}` "
        f"({time.perf_counter() - t0:.0f} s).",
        "",
        markdown(frame),
        "",
        f"Agent-hours: {table[True][1]:.1f} with fairness across weeks, {table[False][1]:.1f} "
        f"with each week alone ({100 * (table[True][1] / table[False][1] - 1):+.1f}%).",
        "",
        "Night shifts per night-shift opportunity, per agent allowed nights:",
        "",
        markdown(nights),
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "book_weeks.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
