"""How much could acting live save? An optimistic floor under issue 32's perfect-information
bound, on the bank's judged weeks.

Each week's roster planned for the per-hour promise at a lower chance (the rosters
``promise_reliability.py --keep DIR`` stores: the same protocol, 10 s a plan) is topped up hour
by hour with exactly the agents the real hour's count needs to keep the target (each at the cap
most of that half-hour's team works at, one agent-hour each), the promise's 5% of busy hours
allowed to miss (the most expensive to top up). No lead time, no minimum length of a called
shift, no labour rule, no overtime premium: every real policy pays more than this floor, so it
can only show that the bound is worth computing, never that it is met.

Run: ``.venv/bin/python benchmarks/promise_reliability.py --fresh --keep DIR`` (12 minutes),
then ``.venv/bin/python benchmarks/live_headroom.py --rosters DIR`` (about 10 s); writes
``benchmarks/results/live_headroom.md``.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_calendar import bank_2026  # noqa: E402

from scheduler.backtest import judged_weeks  # noqa: E402
from scheduler.report import interval_teams  # noqa: E402
from scheduler.risk import BUSY_SESSIONS  # noqa: E402
from scheduler.staffing import build_requirements, team_service_level  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "live_headroom.md"
LEVELS = (0.0, 0.5, 0.75)
DEFAULT = 0.75
SHARE = 0.95


def topped_up(path: Path, counts: np.ndarray) -> tuple[float, float]:
    """(planned agent-hours, the agent-hours the top-up adds) of one stored roster."""
    with path.open("rb") as fh:
        kept = pickle.load(fh)
    roster, params = kept["roster"], kept["params"]
    chat, target = params.chat, params.service.target
    week0 = datetime.combine(kept["week"], datetime.min.time())
    starts = [week0 + timedelta(minutes=30 * i) for i in range(336)]
    req = build_requirements(starts, np.repeat(counts / 2, 2), 30, chat, target,
                             tuple(sorted(params.rules.allowed_caps)))
    teams = interval_teams(roster, req)
    extra = []
    for h in np.nonzero(counts >= BUSY_SESSIONS)[0]:
        add = 0
        for t in (2 * h, 2 * h + 1):
            team = list(teams[t])
            cap = Counter(team).most_common(1)[0][0] if team else max(params.rules.allowed_caps)
            n = 0
            while n < 60 and team_service_level(float(counts[h]), tuple(sorted(
                    team + [cap] * n)), chat).service_level < target:
                n += 1
            add = max(add, n)
        extra.append(add)
    extra.sort(reverse=True)
    allowed = int(np.floor((1 - SHARE) * len(extra) + 1e-9))
    planned = sum(s.paid_hours for s in roster.shifts if s.start >= week0)
    return planned, float(sum(extra[allowed:]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rosters", type=Path, required=True,
                    help="the folder promise_reliability.py --keep stored the rosters in")
    args = ap.parse_args(argv)
    hist = bank_2026()
    ts = pd.to_datetime(hist.frame["timestamp"])
    series = pd.Series(hist.frame["sessions"].to_numpy(dtype=float), index=ts)
    series = series.groupby(level=0).sum()
    weeks = judged_weeks(hist, 12)
    rows = []
    for level in LEVELS:
        for w in weeks:
            path = args.rosters / f"{w}_{level:g}.pkl"
            if not path.exists():
                raise SystemExit(f"{path}: no stored roster (run promise_reliability.py --keep)")
            counts = series.reindex(pd.date_range(pd.Timestamp(w), periods=168, freq="h"),
                                    fill_value=0.0).to_numpy(dtype=float)
            planned, extra = topped_up(path, counts)
            rows.append({"level": level, "week": str(w), "planned": planned, "topup": extra})
    t = pd.DataFrame(rows)
    t["paid"] = t["planned"] + t["topup"]
    mean = t.groupby("level")[["planned", "topup", "paid"]].mean()
    alone = float(mean.loc[DEFAULT, "planned"])
    lines = [
        "# How much could acting live save? An optimistic floor (issue 32)",
        "",
        f"`.venv/bin/python benchmarks/live_headroom.py --rosters DIR` — the bank's last "
        f"{len(weeks)} weeks ({weeks[0]} .. {weeks[-1]}), the rosters "
        "`promise_reliability.py --keep DIR` planned for the per-hour promise (10 s a plan), "
        "each topped up hour by hour with the agents the real count needs, 5% of busy hours "
        "allowed to miss. No lead time, no minimum call length, no labour rule, no overtime "
        "premium: a floor under any real policy's paid hours.",
        "",
        "| planned at chance | planned agent-hours a week | top-up | paid | against the "
        f"{DEFAULT:g} plan alone ({alone:.1f} h) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for level, r in mean.iterrows():
        lines.append(f"| {level:g} | {r['planned']:.1f} | {r['topup']:.1f} | {r['paid']:.1f} | "
                     f"{r['paid'] / alone - 1:+.1%} |")
    lines += ["", "The issue's bound (the live policy told the rest of each day, with its lead "
              "time, call lengths and rules) lies between this floor and the plan alone; it is "
              "still to be computed."]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
