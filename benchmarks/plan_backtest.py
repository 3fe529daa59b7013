"""Plans judged on real weeks they did not see (issue 19): the bank's hours laid onto 2026.

Protocol: the anonymous bank's hourly calls (Jan-Aug 1999) moved forward by 1426 whole weeks
(weekdays kept; 2026-05-01 .. 2026-12-29), read as chat sessions with the default chat model
(handle 600 s; the hourly file has no handle times) and the default calendar (holidays and
platform promotions, effects learned from the history); one team for every week: 45 seeded
agents (``roster_instance.agents(45, seed=1)``, the ``bank`` instance's team); default rules;
time limit ``--time-limit`` s a plan, seed 0. The last ``--weeks`` (12) full weeks are judged:
each is planned from the weeks before it only and its real hourly counts are replayed (arrivals
drawn inside each hour, 5 replays). The confidence is chosen on the first half of the weeks (the
smallest of ``--grid`` whose plans keep >= 95% of busy hours at target in every week but one,
>= 90% in every week and the weekly rate >= target in every week) and judged on the second half,
against the point-forecast plan. Daily mode's hourly floor is chosen the same way, at that p:
the smallest of ``--floors`` whose daily plans keep every day at the target in each first-half
week in which the per-hour plans do; judged on the second half against per-hour mode, with
weekly mode at the same floor beside it (what each mode costs).

Run:  .venv/bin/python benchmarks/plan_backtest.py   (about 25 minutes on 2 cores)
writes ``benchmarks/results/plan_backtest.md`` and ``.csv``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import roster_instance  # noqa: E402
from forecast_calendar import bank_2026  # noqa: E402

from scheduler.backtest import BacktestReport, backtest_plans, judged_weeks  # noqa: E402
from scheduler.params import PlanParams, ServiceTarget  # noqa: E402

OUT = ROOT / "benchmarks" / "results"


def meets(report: BacktestReport, target: float) -> bool:
    w = report.weeks
    return (int((w["share_at_target"] < 0.95).sum()) <= 1 and bool((w["share_at_target"]
            >= 0.90).all()) and bool((w["weekly_three_min_rate"] >= target).all()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--grid", type=float, nargs="+", default=[0.8, 0.85, 0.9, 0.95])
    ap.add_argument("--floors", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6])
    ap.add_argument("--also", type=float, nargs="*", default=[0.8],
                    help="confidences also judged on the second half, for information only "
                         "(what a smaller margin would have kept)")
    args = ap.parse_args(argv)
    hist = bank_2026()
    team = tuple(roster_instance.agents(45, seed=1))
    weeks = judged_weeks(hist, args.weeks)
    half = len(weeks) // 2
    choose, judge = weeks[:half], weeks[half:]
    t0 = time.perf_counter()

    def run(p: float, only: list, point: bool,  # type: ignore[type-arg]
            mode: str = "per-hour", floor: float = 0.6) -> BacktestReport:
        params = PlanParams(time_limit_seconds=args.time_limit, replications=3,
                            service=ServiceTarget(confidence=p, mode=mode, hourly_floor=floor))
        return backtest_plans(hist, team, weeks=args.weeks, params=params, only=only,
                              point=point, progress=lambda d, n, what: print(
                                  f"  p={p} {d}/{n} {what} {time.perf_counter() - t0:.0f} s",
                                  flush=True))

    frames, chosen = [], None
    OUT.mkdir(parents=True, exist_ok=True)
    hourly_days: dict[str, bool] = {}
    for p in sorted(args.grid):
        rep = run(p, choose, point=False)
        frames.append(rep.weeks.assign(half="choose"))
        ok = meets(rep, 0.8)
        table_so_far = pd.concat(frames, ignore_index=True)
        table_so_far.to_csv(OUT / "plan_backtest.csv", index=False)
        print(f"p={p}: meets the criteria on the first half: {ok}", flush=True)
        hourly_days = dict(zip(rep.weeks["week_start"].astype(str),
                               rep.weeks["min_daily_three_min_rate"] >= 0.8, strict=True))
        if ok and chosen is None:
            chosen = p
            break
    if chosen is None:
        chosen = max(args.grid)
    floor = max(args.floors)
    for f in sorted(args.floors):
        rep = run(chosen, choose, point=False, mode="daily", floor=f)
        frames.append(rep.weeks.assign(half="choose", plan=f"daily floor {f:g}"))
        days = dict(zip(rep.weeks["week_start"].astype(str),
                        rep.weeks["min_daily_three_min_rate"] >= 0.8, strict=True))
        ok = all(days[w] for w, kept in hourly_days.items() if kept)
        print(f"floor={f}: daily plans keep the days per-hour plans keep: {ok}", flush=True)
        if ok:
            floor = f
            break
    judged = run(chosen, judge, point=True)
    frames.append(judged.weeks.assign(half="judge"))
    daily = run(chosen, judge, point=False, mode="daily", floor=floor)
    frames.append(daily.weeks.assign(half="judge", plan=f"daily floor {floor:g}"))
    weekly = run(chosen, judge, point=False, mode="weekly", floor=floor)
    frames.append(weekly.weeks.assign(half="judge", plan=f"weekly floor {floor:g}"))
    also = {p: run(p, judge, point=False) for p in args.also if p != chosen}
    frames += [rep.weeks.assign(half="judge (information)") for rep in also.values()]
    table = pd.concat(frames, ignore_index=True)
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "plan_backtest.csv", index=False)
    s = judged.summary()
    daily_worst = float(daily.weeks["min_daily_three_min_rate"].min())
    daily_hours = float(daily.weeks["agent_hours"].mean())
    mine = judged.weeks[judged.weeks["plan"] == "confidence"]
    hourly_worst = float(mine["min_daily_three_min_rate"].min())
    conf, point = s.iloc[0], s.iloc[1]
    lines = [
        "# Plans judged on real weeks (bank hours laid onto 2026)",
        "",
        f"Command: `.venv/bin/python benchmarks/plan_backtest.py` ({args.time_limit:g} s a plan, "
        f"{time.perf_counter() - t0:.0f} s in all). Confidence chosen on the weeks "
        f"{choose[0]}..{choose[-1]}: **p = {chosen}**; judged on {judge[0]}..{judge[-1]}.",
        "",
        "| week | plan | agent-hours | weekly 3-min rate | worst day | busy hours at target | "
        "below: expected | seen |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.week_start} ({r.half}) | {r.plan} p={r.confidence:g} | "
                     f"{r.agent_hours:.1f} | {r.weekly_three_min_rate:.1%} | "
                     f"{r.min_daily_three_min_rate:.1%} | {r.busy_hours_at_target}/"
                     f"{r.busy_hours} ({r.share_at_target:.1%}) | {r.expected_below:.1f} | "
                     f"{r.seen_below} |")
    lines += [
        "",
        f"Judged weeks, p = {chosen}: worst week {conf.worst_share_at_target:.1%} of busy hours "
        f"at target, {conf.weeks_under_95} week(s) under 95%, weekly rate under target in "
        f"{conf.weeks_weekly_below_target}; mean |expected - seen| hours below target "
        f"{conf.mean_abs_expected_minus_seen:.2f}; {conf.agent_hours:.1f} agent-hours a week, "
        f"{conf.agent_hours / point.agent_hours - 1:+.1%} against the point-forecast plan "
        f"({point.agent_hours:.1f} h; worst week {point.worst_share_at_target:.1%}, "
        f"{point.weeks_under_95} week(s) under 95%).",
        "",
        f"Daily mode (each day's rate >= 80%, every half-hour >= {floor:.0%} at its hour's "
        f"spike count), p = {chosen}, floor chosen on the first half: worst day "
        f"{daily_worst:.1%}, {daily_hours:.1f} agent-hours a week against per-hour mode's "
        f"{conf.agent_hours:.1f} ({daily_hours / conf.agent_hours - 1:+.1%}); per-hour mode's "
        f"worst day {hourly_worst:.1%}.",
    ]
    ww = weekly.weeks
    lines += ["", f"Weekly mode (the week's rate >= 80%, the same floor), p = {chosen}: "
              f"{ww['agent_hours'].mean():.1f} agent-hours a week "
              f"({ww['agent_hours'].mean() / conf.agent_hours - 1:+.1%} against per-hour mode), "
              f"worst week's rate {ww['weekly_three_min_rate'].min():.1%}, worst day "
              f"{ww['min_daily_three_min_rate'].min():.1%}."]
    for p, rep in also.items():
        w = rep.weeks
        lines += ["", f"For information (not chosen on), p = {p:g} on the judged weeks: "
                  f"{w['agent_hours'].mean():.1f} agent-hours a week "
                  f"({w['agent_hours'].mean() / point.agent_hours - 1:+.1%} against the point "
                  f"plan), worst week {w['share_at_target'].min():.1%} of busy hours at "
                  f"target, worst day {w['min_daily_three_min_rate'].min():.1%}."]
    text = "\n".join(lines) + "\n"
    (OUT / "plan_backtest.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
