"""Today (issue 32, first part): the rest of the day re-forecast from the counts so far and each
remaining hour's chance with the team on duty, on the bundled sample's week published to a
book, with the real solver and the queueing model mapped onto the simulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.book import Book
from scheduler.cli import main
from scheduler.domain import Roster
from scheduler.replan import open_plan
from scheduler.report import PlanResult
from scheduler.today import Absence, known_counts, look_at_today

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Week:
    tmp: Path
    db: str
    plan: PlanResult
    published: Roster
    now: datetime


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Week:
    """The sample's week planned (10 s) and published; now is Wednesday 11:00."""
    tmp = tmp_path_factory.mktemp("today")
    assert main(["plan", "--history", str(REPO / "data" / "sample_history.csv"), "--agents",
                 str(REPO / "data" / "sample_agents.csv"), "--out", str(tmp / "plan"),
                 "--time-limit", "10", "--replications", "2"]) == 0
    db = f"sqlite:///{tmp / 'book.sqlite'}"
    assert main(["publish", "--plan", str(tmp / "plan"), "--db", db]) == 0
    plan = open_plan(tmp / "plan")
    now = datetime.combine(plan.week_start, datetime.min.time()) + timedelta(days=2, hours=11)
    return Week(tmp, db, plan, Book(db).roster(plan.week_start), now)


def counts_at(week: Week, scale: float, *, until: datetime | None = None) -> pd.DataFrame:
    """Hourly counts of the week from Monday 00:00 up to ``until`` (default: now): the
    forecast times ``scale``, rounded."""
    fc = week.plan.forecast.frame
    end = until or week.now
    rows = fc[pd.to_datetime(fc["timestamp"]) < pd.Timestamp(end)]
    return pd.DataFrame({"timestamp": rows["timestamp"],
                         "sessions": np.rint(rows["sessions"] * scale).astype(int)})


def test_a_hot_day_raises_the_rest_of_it_and_lowers_its_chances(week: Week) -> None:
    p = week.plan
    plain = look_at_today(week.published, p.forecast, p.params, now=week.now,
                          counts=counts_at(week, 1.0))
    hot = look_at_today(week.published, p.forecast, p.params, now=week.now,
                        counts=counts_at(week, 1.5))
    assert 0.9 < plain.level < 1.1
    assert hot.level > 1.2
    assert hot.level_range[0] < hot.level < hot.level_range[1]
    ahead = hot.hours["state"] == "ahead"
    assert (hot.hours.loc[ahead, "expected"] >= hot.hours.loc[ahead, "forecast"]).all()
    assert hot.hours.loc[ahead, "chance"].mean() < plain.hours.loc[ahead, "chance"].mean()
    assert hot.day_chance < plain.day_chance
    # the hours that are over are their counts; nothing ahead is taken as seen
    over = hot.hours["state"] == "over"
    assert (hot.hours.loc[over, "expected"] == hot.hours.loc[over, "seen"]).all()
    assert hot.hours.loc[~over, "seen"].isna().all()
    assert len(hot.hours) == 24 and over.sum() == 11


def test_it_never_reads_past_now(week: Week) -> None:
    """Counts after now (and the hour now falls in, not over yet) are left out with a warning:
    a file whose later rows are corrupted gives the same view."""
    p = week.plan
    clean = counts_at(week, 1.2)
    later = counts_at(week, 1.2, until=week.now + timedelta(hours=6))
    later.loc[pd.to_datetime(later["timestamp"]) >= pd.Timestamp(week.now), "sessions"] = 9999
    a = look_at_today(week.published, p.forecast, p.params, now=week.now, counts=clean)
    b = look_at_today(week.published, p.forecast, p.params, now=week.now, counts=later)
    pd.testing.assert_frame_equal(a.hours, b.hours)
    assert a.day_chance == b.day_chance
    assert any("after --now" in n and "left out" in n for n in b.notes)
    # a partial hour: now at 11:20, the 11:00 row is not over yet
    mid = week.now + timedelta(minutes=20)
    c = look_at_today(week.published, p.forecast, p.params, now=mid, counts=later)
    assert any("not over at --now" in n for n in c.notes)
    assert c.hours["seen"].notna().sum() == 11


def test_known_counts_by_hand() -> None:
    monday = datetime(2026, 12, 7)
    rows = pd.DataFrame({"timestamp": pd.to_datetime(["2026-12-06 23:00", "2026-12-07 00:00",
                                                       "2026-12-07 01:00", "2026-12-07 03:00",
                                                       "2026-12-07 04:00"]),
                         "sessions": [7, 3, 4, 5, 6]})
    known, warnings = known_counts(rows, monday, datetime(2026, 12, 7, 4, 30))
    assert known[:4].tolist()[:2] == [3.0, 4.0] and np.isnan(known[2]) and known[3] == 5.0
    assert np.isnan(known[4:]).all()
    assert len(warnings) == 3  # outside the week, not over yet, a finished hour without a row
    assert "outside the week" in warnings[0] and "2026-12-06 23:00" in warnings[0]
    assert "not over at --now" in warnings[1]
    assert "taken as unknown, not as zero" in warnings[2] and "02:00" in warnings[2]


def test_an_absent_agent_leaves_the_hours_they_would_have_worked(week: Week) -> None:
    p = week.plan
    on = [s for s in week.published.shifts if s.start < week.now + timedelta(hours=1) < s.end]
    gone = min(s.agent_id for s in on)
    at = week.now + timedelta(hours=1)
    base = look_at_today(week.published, p.forecast, p.params, now=week.now,
                         counts=counts_at(week, 1.0))
    sick = look_at_today(week.published, p.forecast, p.params, now=week.now,
                         counts=counts_at(week, 1.0),
                         absent=[Absence.parse(f"{gone}@{at:%H:%M}", at.date())])
    shift = next(s for s in on if s.agent_id == gone)
    left = (sick.hours["hour"] >= at) & (sick.hours["hour"] < shift.end)
    assert (sick.hours.loc[left, "agents"] == base.hours.loc[left, "agents"] - 1).all()
    assert (sick.hours.loc[~left, "agents"] == base.hours.loc[~left, "agents"]).all()
    assert (sick.hours.loc[left, "chance"] <= base.hours.loc[left, "chance"] + 1e-9).all()
    assert (sick.hours.loc[left, "chance"] < base.hours.loc[left, "chance"]).any()
    # judged with the published roster's map, the hours the absence leaves alone are as they were
    alone = ~left & (sick.hours["state"] != "over")
    assert sick.hours.loc[alone, "chance"].tolist() == base.hours.loc[alone, "chance"].tolist()
    assert sick.day_chance <= base.day_chance


def test_the_cli_prints_the_day_and_writes_today_csv(week: Week, capsys: pytest.CaptureFixture
                                                      ) -> None:
    counts = week.tmp / "counts.csv"
    counts_at(week, 1.4).to_csv(counts, index=False)
    out = week.tmp / "today"
    assert main(["today", "--week", f"{week.plan.week_start}", "--now",
                 f"{week.now:%Y-%m-%d %H:%M}", "--counts", str(counts), "--db", week.db,
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "sessions so far against" in said and "re-forecast at" in said
    assert "Chance today (00:00-24:00)" in said
    raw = (out / "today.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "today.csv", encoding="utf-8-sig")
    assert len(table) == 24
    assert list(table.columns) == ["hour", "state", "forecast", "expected", "seen", "agents",
                                   "chance"]


@pytest.mark.parametrize(("args", "says"), [
    (["--now", "2020-01-01 10:00"], "is not in the week of"),
    (["--absent", "A03"], "--absent: expected AGENT@HH:MM"),
    (["--absent", "NOBODY@12:00"], "no agent NOBODY"),
])
def test_bad_options_are_one_line_and_exit_2(week: Week, args: list[str], says: str,
                                             capsys: pytest.CaptureFixture) -> None:
    counts = week.tmp / "counts_bad.csv"
    counts_at(week, 1.0).to_csv(counts, index=False)
    base = {"--week": f"{week.plan.week_start}", "--now": f"{week.now:%Y-%m-%d %H:%M}",
            "--counts": str(counts), "--db": week.db}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = ["today"] + [x for k, v in {**base, **given}.items() for x in (k, v)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0]
