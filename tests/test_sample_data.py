"""Checks on the bundled sample in data/ (plain pandas, independent of the project reader)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "data"
SAMPLES = ("sample_history.csv", "sample_agents.csv", "sample_sessions.csv")
SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "sample_history.csv", dtype={"timestamp": str})
    frame["ts"] = pd.to_datetime(frame["timestamp"], format="%Y-%m-%d %H:%M")
    frame["hour"] = frame["ts"].dt.hour
    return frame


@pytest.fixture(scope="module")
def agents() -> pd.DataFrame:
    return pd.read_csv(DATA / "sample_agents.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def sessions() -> pd.DataFrame:
    return pd.read_csv(DATA / "sample_sessions.csv", dtype=str, keep_default_na=False)


def test_history_columns_and_span(history: pd.DataFrame) -> None:
    assert list(history.columns[:3]) == ["timestamp", "sessions", "avg_handle_seconds"]
    assert len(history) == 12 * 168 == 2016
    assert history["ts"].iloc[0] == pd.Timestamp("2026-08-31 00:00")
    last = history["ts"].iloc[-1]
    assert last == pd.Timestamp("2026-11-22 23:00") and last.day_name() == "Sunday"
    steps = history["ts"].diff().dropna()
    assert (steps == pd.Timedelta(hours=1)).all(), "hours must be contiguous, no duplicates"


def test_history_values(history: pd.DataFrame) -> None:
    assert history["sessions"].dtype.kind == "i" and (history["sessions"] >= 0).all()
    handle = history["avg_handle_seconds"]
    assert handle.notna().all() and (handle > 0).all()
    weighted = (history["sessions"] * handle).sum() / history["sessions"].sum()
    assert 500 < weighted < 750, "real 177 s x3.5 should give ~620 s"
    night = history.loc[history["hour"].isin(range(2, 7)), "sessions"]
    assert night.sum() > 0 and night.median() <= 6


def test_history_shape(history: pd.DataFrame) -> None:
    by_hour = history.groupby("hour")["sessions"].mean()
    assert by_hour[[20, 21, 22]].mean() > 8 * by_hour[[3, 4, 5]].mean()
    assert by_hour[[20, 21, 22]].mean() > by_hour[[10, 11]].mean() > by_hour[[7]].mean()
    weekend = history["ts"].dt.day_of_week >= 5
    assert history.loc[weekend, "sessions"].mean() > 1.05 * history.loc[~weekend, "sessions"].mean()
    weekly = history["sessions"].groupby(history.index // 168).sum()
    assert weekly.between(4000, 8000).all()


def _hours(history: pd.DataFrame, day: str, hours: range) -> int:
    mask = (history["ts"].dt.date == date.fromisoformat(day)) & history["hour"].isin(hours)
    return int(history.loc[mask, "sessions"].sum())


@pytest.mark.parametrize(
    ("day", "week_before", "hours"),
    [
        ("2026-11-11", "2026-11-04", range(24)),
        ("2026-11-11", "2026-11-04", range(20, 24)),
        ("2026-10-20", "2026-10-13", range(20, 24)),
        ("2026-10-31", "2026-10-24", range(20, 24)),
    ],
)
def test_double_eleven_higher(
    history: pd.DataFrame, day: str, week_before: str, hours: range
) -> None:
    assert _hours(history, day, hours) > 1.4 * _hours(history, week_before, hours)


def test_agents(agents: pd.DataFrame) -> None:
    assert list(agents.columns) == [
        "agent_id", "name", "max_concurrent", "max_hours_week", "min_hours_week",
        "available_days", "available_hours", "night_ok", "weekend_ok",
    ]  # fmt: skip
    assert 8 <= len(agents) <= 20
    assert agents["agent_id"].is_unique
    assert agents["agent_id"].map(lambda s: bool(SAFE_ID.match(s))).all()
    caps = agents["max_concurrent"].astype(int)
    assert caps.between(1, 8).all()
    max_h = agents["max_hours_week"].astype(float)
    min_h = agents["min_hours_week"].astype(float)
    assert (min_h <= max_h).all() and 450 <= max_h.sum() <= 700
    assert set(agents["night_ok"]) <= {"yes", "no"} and set(agents["weekend_ok"]) <= {"yes", "no"}
    all_day_night = agents[
        (agents["night_ok"] == "yes")
        & agents["available_hours"].isin(["", "00:00-24:00"])
        & (agents["available_days"] == "")
    ]
    assert len(all_day_night) >= 3, "24/7 cover needs night agents available every day"
    hours_re = re.compile(r"^(\d\d:\d\d-\d\d:\d\d)(;\d\d:\d\d-\d\d:\d\d)*$")
    assert agents["available_hours"].map(lambda s: s == "" or bool(hours_re.match(s))).all()


def test_sessions(sessions: pd.DataFrame) -> None:
    assert list(sessions.columns) == [
        "session_id", "start", "first_reply", "end", "abandoned", "handle_seconds", "agent_id",
    ]  # fmt: skip
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    match = re.search(r"Rows written: (\d+)", readme)
    assert match, "data/README.md must state 'Rows written: N' for sample_sessions.csv"
    assert len(sessions) == int(match.group(1))
    assert sessions["session_id"].is_unique
    assert set(sessions["abandoned"]) == {"true", "false"}
    abandoned = sessions["abandoned"] == "true"
    assert (sessions.loc[abandoned, "first_reply"] == "").all()
    assert (sessions.loc[abandoned, "handle_seconds"] == "").all()
    assert (sessions.loc[~abandoned, "first_reply"] != "").all()
    fmt = "%Y-%m-%d %H:%M:%S"
    start = pd.to_datetime(sessions["start"], format=fmt)
    end = pd.to_datetime(sessions["end"], format=fmt)
    reply = pd.to_datetime(sessions.loc[~abandoned, "first_reply"], format=fmt)
    assert start.is_monotonic_increasing
    assert (end >= start).all() and (reply >= start[~abandoned]).all()
    assert (end[~abandoned] >= reply).all()


def test_make_sample_reproduces_shipped_files(tmp_path: Path) -> None:
    if not (SHARED / "anonymous_bank_1999-02_calls.csv.gz").exists():
        pytest.skip(f"real data not available at {SHARED}")
    result = subprocess.run(
        [sys.executable, str(DATA / "make_sample.py"), "--src", str(SHARED),
         "--out", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for name in SAMPLES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_hard_coded_2026_calendar_matches_chinese_calendar() -> None:
    cc = pytest.importorskip("chinese_calendar")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample", DATA / "make_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_sample", module)  # dataclasses need the module registered
    spec.loader.exec_module(module)
    days = pd.date_range("2026-08-31", "2026-11-22", freq="D").date
    holidays = {d for d in days if d.weekday() < 5 and not cc.is_workday(d)}
    makeup = {d for d in days if d.weekday() >= 5 and cc.is_workday(d)}
    assert holidays == {d for d in module.CN_HOLIDAYS_2026 if d.weekday() < 5}
    assert not any(cc.is_workday(d) for d in module.CN_HOLIDAYS_2026)
    assert makeup == set(module.CN_MAKEUP_WORKDAYS_2026)
