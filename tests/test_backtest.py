"""``scheduler backtest``: plans made from the weeks before each judged week only, replayed on
the real week (issue 19)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from scheduler.backtest import backtest_plans, judged_weeks, real_arrivals
from scheduler.cli import main
from scheduler.io import read_agents, read_history
from scheduler.params import PlanParams, SearchParams

REPO = Path(__file__).resolve().parents[1]
HISTORY = read_history(REPO / "data" / "sample_history.csv")
AGENTS, _ = read_agents(REPO / "data" / "sample_agents.csv")
# little deterministic work inside a roomy wall-clock cap: the same plan on a busy machine
PARAMS = PlanParams(time_limit_seconds=20, replications=2,
                    search=SearchParams(work_per_second=0.1))
PLAN_COLUMNS = ["week_start", "plan", "confidence", "agent_hours", "expected_below",
                "forecast_sessions"]


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
