"""``scheduler backtest``: plans made from the weeks before each judged week only, replayed on
the real week (issue 19)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.backtest import (
    backtest_plans,
    judged_weeks,
    kept_promises,
    real_arrivals,
    reliability,
)
from scheduler.cli import main
from scheduler.io import read_agents, read_history
from scheduler.params import PlanParams, SearchParams, ServiceTarget

REPO = Path(__file__).resolve().parents[1]
HISTORY = read_history(REPO / "data" / "sample_history.csv")
AGENTS, _ = read_agents(REPO / "data" / "sample_agents.csv")
# little deterministic work inside a roomy wall-clock cap: the same plan on a busy machine
PARAMS = PlanParams(time_limit_seconds=20, replications=2,
                    search=SearchParams(work_per_second=0.1))
PLAN_COLUMNS = ["week_start", "plan", "chance_asked", "agent_hours", "expected_below",
                "forecast_sessions", "chance_per_hour", "chance_daily", "chance_weekly"]


def test_judged_weeks_are_the_last_full_weeks() -> None:
    # the sample runs Mon 2026-08-31 .. Sun 2026-11-22: 12 full weeks
    assert [str(w) for w in judged_weeks(HISTORY, 2)] == ["2026-11-09", "2026-11-16"]


def test_the_plan_never_reads_the_week_it_is_judged_on() -> None:
    one = backtest_plans(HISTORY, AGENTS, weeks=1, params=PARAMS, point=False)
    frame = HISTORY.frame.copy()
    week = pd.to_datetime(frame["timestamp"]) >= pd.Timestamp("2026-11-16")
    frame.loc[week, "sessions"] = frame.loc[week, "sessions"] * 3
    corrupted = replace(HISTORY, frame=frame)
    two = backtest_plans(corrupted, AGENTS, weeks=1, params=PARAMS, point=False)
    pd.testing.assert_frame_equal(one.weeks[PLAN_COLUMNS], two.weeks[PLAN_COLUMNS])
    # the replay is of the real (here: tripled) week
    assert two.weeks["real_sessions"].iloc[0] == pytest.approx(
        3 * one.weeks["real_sessions"].iloc[0])
    assert two.weeks["share_at_target"].iloc[0] < one.weeks["share_at_target"].iloc[0]
    # and the same inputs and seed give the same numbers
    again = backtest_plans(HISTORY, AGENTS, weeks=1, params=PARAMS, point=False)
    pd.testing.assert_frame_equal(one.weeks, again.weeks)
    # each promise: the plan's predicted chance next to what the real week kept, by the rules
    # the plan's chance judges scenario weeks by
    for report in (one, two):
        row = report.weeks.iloc[0]
        target = report.target
        assert 0 <= row["chance_per_hour"] <= 1 and 0 <= row["chance_daily"] <= 1
        assert 0 <= row["chance_weekly"] <= 1
        assert row["kept_weekly"] == (row["weekly_three_min_rate"] >= target - 1e-12)
        assert row["kept_daily"] == (row["min_daily_three_min_rate"] >= target - 1e-12)
        assert row["kept_daily"] == (row["days_kept"] == 7)
        assert row["kept_per_hour"] == (row["seen_below"] <= 0.05 * row["busy_hours"])
    # the tripled week misses its promises: the per-hour one, the week's and days with it
    row = two.weeks.iloc[0]
    assert not row["kept_per_hour"] and not row["kept_weekly"] and row["days_kept"] < 7
    summary = two.summary().iloc[0]
    assert summary["chance_weekly"] == row["chance_weekly"] and summary["kept_weekly"] == 0.0


BUSY = [h for h in range(168) if 9 <= h % 24 < 17]  # 8 busy hours a day: 56, 2 may miss


def week(rate: float = 0.9, **hours: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """A hand-made week: 10 sessions in each busy hour, 2 in every other, all at ``rate``;
    ``hours`` sets ``h<hour of the week>=(sessions, rate)``."""
    x = np.full(168, 2.0)
    x[BUSY] = 10.0
    r = np.full(168, rate)
    for name, (n, at) in hours.items():
        x[int(name[1:])], r[int(name[1:])] = n, at
    return x, r


TUE = 24
CASES = {
    "every hour at 90%": (week(), (True, True, True, 7, 0)),
    # the per-hour promise forgives 2 of 56 busy hours (95%), not 3
    "two busy hours at 50%": (week(h10=(10, 0.5), h58=(10, 0.5)), (True, True, True, 7, 2)),
    "three busy hours at 50%": (week(h10=(10, 0.5), h58=(10, 0.5), h106=(10, 0.5)),
                                (False, True, True, 7, 3)),
    # a busy hour has 5 sessions or more
    "two busy hours and a 4-session hour at 0%": (
        week(h10=(10, 0.5), h58=(10, 0.5), h27=(4, 0.0)), (True, True, True, 7, 2)),
    "two busy hours and a 5-session hour at 0%": (
        week(h10=(10, 0.5), h58=(10, 0.5), h27=(5, 0.0)), (False, True, True, 7, 3)),
    # a day exactly at target keeps it; a quiet hour a little under sinks that day only
    "Tuesday at exactly 80%": (week(**{f"h{TUE + h}": (10.0 if 9 <= h < 17 else 2.0, 0.8)
                                       for h in range(24)}), (True, True, True, 7, 0)),
    "Tuesday at 80%, one quiet hour at 75%": (
        week(**{f"h{TUE + h}": (10.0 if 9 <= h < 17 else 2.0, 0.75 if h == 3 else 0.8)
                for h in range(24)}), (True, False, True, 6, 0)),
    # the week exactly at target keeps it; a quiet hour a little under sinks it (and its day)
    "the week at exactly 80%": (week(0.8), (True, True, True, 7, 0)),
    "the week at 80%, one quiet hour at 75%": (week(0.8, h99=(2, 0.75)),
                                              (True, False, False, 6, 0)),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hand_made_week_keeps_or_misses_each_promise(case: str) -> None:
    (sessions, rates), (per_hour, daily, weekly, days, below) = CASES[case]
    kept = kept_promises(sessions, rates, ServiceTarget(target=0.8, per_hour_share=0.95))
    assert (kept["kept_per_hour"], kept["kept_daily"], kept["kept_weekly"], kept["days_kept"],
            kept["seen_below"]) == (per_hour, daily, weekly, days, below)
    assert kept["busy_hours"] == 56 + (case.endswith("5-session hour at 0%"))


def test_the_reliability_table_bins_each_promise_by_predicted_chance() -> None:
    """Four judged weeks, hand-counted: per promise and bin of predicted chance, the pairs,
    their mean predicted chance and the share of real weeks that kept it."""
    weeks = pd.DataFrame({
        "chance_per_hour": [0.05, 0.08, 0.95, 0.91], "kept_per_hour": [False, True, True, True],
        "chance_daily": [0.55, 0.52, 0.58, np.nan], "kept_daily": [True, False, True, True],
        "chance_weekly": [1.0, 0.99, 0.9, 0.3], "kept_weekly": [True, True, False, False]})
    per = reliability(weeks)
    rows = {(r.promise, r.bin): (r.pairs, round(r.predicted, 4), round(r.kept, 4))
            for r in per.itertuples()}
    assert rows == {
        ("per-hour", "0%–10%"): (2, 0.065, 0.5), ("per-hour", "90%–100%"): (2, 0.93, 1.0),
        # a week without a prediction is no pair
        ("daily", "50%–60%"): (3, round((0.55 + 0.52 + 0.58) / 3, 4), round(2 / 3, 4)),
        # 100% is in the last bin, 90% opens it
        ("weekly", "90%–100%"): (3, round(2.89 / 3, 4), round(2 / 3, 4)),
        ("weekly", "30%–40%"): (1, 0.3, 0.0)}
    pooled = reliability(weeks, by_promise=False)
    assert dict(zip(pooled["bin"], pooled["pairs"], strict=True)) == {
        "0%–10%": 2, "30%–40%": 1, "50%–60%": 3, "90%–100%": 5}


def test_arrivals_inside_each_real_hour() -> None:
    week = judged_weeks(HISTORY, 1)[0]
    arr = real_arrivals(HISTORY, None, week, seed=3)
    frame = HISTORY.frame
    real = frame[pd.to_datetime(frame["timestamp"]) >= pd.Timestamp(week)]
    assert len(arr.start) == int(real["sessions"].sum())
    counts = pd.Series(pd.to_datetime(list(arr.start))).dt.floor("h").value_counts()
    for stamp, n in zip(pd.to_datetime(real["timestamp"]), real["sessions"], strict=True):
        assert counts.get(stamp, 0) == n
    assert arr == real_arrivals(HISTORY, None, week, seed=3)


def test_too_short_a_history_one_line(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backtest", "--history", str(REPO / "data" / "sample_history.csv"),
                 "--agents", str(REPO / "data" / "sample_agents.csv"), "--weeks", "10",
                 "--out", str(tmp_path / "bt")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "holds 12 full Monday-to-Sunday weeks" in err[0] and "needs 14" in err[0]
    assert not (tmp_path / "bt").exists()


def test_the_cli_prints_each_promise_and_writes_a_backtest_html_that_opens_offline(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backtest", "--history", str(REPO / "data" / "sample_history.csv"),
                 "--agents", str(REPO / "data" / "sample_agents.csv"), "--weeks", "1",
                 "--time-limit", "2", "--out", str(tmp_path / "bt")])
    out = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(tmp_path / "bt" / "backtest.csv")
    assert list(table["plan"]) == ["margin", "point"]
    head = out.index("the plan's chance of keeping it, and whether the real week did")
    lines = out[head:].splitlines()
    assert "95% of busy hours" in lines[1] and "every day" in lines[1] and "the week" in lines[1]
    for line, row in zip(lines[2:4], table.itertuples(index=False), strict=True):
        assert line.startswith(f"2026-11-16  {row.plan}")
        assert f"{row.chance_per_hour:.0%} · {'kept' if row.kept_per_hour else 'missed'}" in line
        assert f"({row.days_kept}/7 days)" in line
        assert f"{row.chance_weekly:.0%} · {'kept' if row.kept_weekly else 'missed'}" in line
    assert (f"the week {table['chance_weekly'].iloc[0]:.0%} predicted, kept in "
            f"{int(table['kept_weekly'].iloc[0])} of 1 week(s)") in out
    # the chart carries plotly.js itself: no script is fetched from a CDN
    html = (tmp_path / "bt" / "backtest.html").read_text(encoding="utf-8")
    assert re.search(r"<script[^>]*\ssrc=", html) is None
    assert "plotly.js v" in html
