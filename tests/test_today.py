"""Today (issue 32, first part): the rest of the day re-forecast from the counts so far and each
remaining hour's chance with the team on duty, on the bundled sample's week published to a
book, with the real solver and the queueing model mapped onto the simulator."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.book import Book
from scheduler.cli import main
from scheduler.context import roster_problem
from scheduler.domain import Roster
from scheduler.pipeline import requirements_for
from scheduler.replan import open_plan
from scheduler.report import PlanResult
from scheduler.roster import validate
from scheduler.today import AT_RISK, Absence, known_counts, look_at_today

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
                                   "chance", "chance_after_actions"]
    actions = pd.read_csv(out / "actions.csv", encoding="utf-8-sig")
    assert list(actions.columns) == ["action", "agent_id", "start", "end", "cap", "paid_hours",
                                     "hours_helped", "what"]


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


def test_actions_keep_every_labour_rule_and_lift_the_hours_at_risk(week: Week) -> None:
    """A hot Wednesday with an agent gone sick at noon: under the sample's rules every call
    would break weekly hours or days off (the team is fully used), and the view says which
    rules turned them down; with those two rules loosened (no days off owed, 60 h a week), the
    actions are calls or extensions that keep every other rule on the changed roster, cover
    hours the absence opened, and lift the hours at risk."""
    p = week.plan
    at = week.now + timedelta(hours=1)
    sick = min(s.agent_id for s in week.published.shifts if s.start < at < s.end)
    absent = [Absence(sick, at)]
    strict = look_at_today(week.published, p.forecast, p.params, now=week.now,
                           counts=counts_at(week, 1.4), absent=absent, agents=p.agents)
    ahead = strict.hours["state"] != "over"
    assert (strict.hours.loc[ahead, "chance"] < AT_RISK).any()
    if not strict.actions:
        assert any("max_hours_week" in b or "days off" in b for b in strict.blocked)
        assert "No call or extension the labour rules allow lifts them." in strict.lines()
    loose_rules = replace(p.params.rules, min_days_off=0, min_days_off_full_time=0)
    params = replace(p.params, rules=loose_rules)
    agents = tuple(replace(a, max_hours_week=60.0) for a in p.agents)
    loose = look_at_today(week.published, p.forecast, params, now=week.now,
                          counts=counts_at(week, 1.4), absent=absent, agents=agents)
    assert loose.actions
    before = loose.hours.loc[ahead, "chance"]
    after = loose.hours.loc[ahead, "chance_after_actions"]
    assert (after >= before - 1e-9).all() and (after > before + 0.05).any()
    assert loose.day_chance_after is not None and loose.day_chance_after >= loose.day_chance
    # every action on the changed roster: no labour rule broken that the roster kept
    req = requirements_for(p.forecast, params.chat, params)
    problem = roster_problem(req, agents, params)
    shifts = [s.ended_at(at) if s.agent_id == sick and s.start < at < s.end else s
              for s in week.published.shifts
              if not (s.agent_id == sick and at <= s.start < at.replace(hour=0)
                      + timedelta(days=1))]
    for a in loose.actions:
        assert a.kind in ("call", "extend") and a.paid_hours > 0
        assert a.shift.start >= week.now + timedelta(minutes=params.rules.call_lead_minutes) \
            or a.kind == "extend"
        shifts = [s for s in shifts if not (a.kind == "extend" and s.agent_id == a.agent_id
                                            and s.start == a.shift.start)] + [a.shift]
    changed = replace(week.published, shifts=tuple(shifts))
    assert [v for v in validate(problem, changed) if v.kind == "hard"] == []
    # a call or an extension covers hours the sick agent's shift left
    gone = next(s for s in week.published.shifts if s.agent_id == sick and s.start < at < s.end)
    assert any(a.shift.start < gone.end and a.shift.end > at for a in loose.actions)
    assert len(loose.actions_frame()) == len(loose.actions)


def test_apply_publishes_the_absence_as_the_next_version(week: Week, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    db = f"sqlite:///{tmp_path / 'book.sqlite'}"
    assert main(["publish", "--plan", str(week.tmp / "plan"), "--db", db]) == 0
    counts = tmp_path / "counts.csv"
    counts_at(week, 1.0).to_csv(counts, index=False)
    at = week.now + timedelta(hours=1)
    sick = min(s.agent_id for s in week.published.shifts if s.start < at < s.end)
    assert main(["today", "--week", f"{week.plan.week_start}", "--now",
                 f"{week.now:%Y-%m-%d %H:%M}", "--counts", str(counts), "--db", db,
                 "--absent", f"{sick}@{at:%H:%M}", "--apply"]) == 0
    assert "as version 2" in capsys.readouterr().out
    book = Book(db)
    (v2,) = [v for v in book.versions(week.plan.week_start) if v.number == 2]
    assert v2.note.startswith(f"today {week.now:%a %m-%d %H:%M}: {sick}@{at:%H:%M} absent")
    after = book.roster(week.plan.week_start, 2)
    ran = [s for s in week.published.shifts if s.agent_id == sick and s.start < at < s.end]
    assert [s.end for s in after.shifts if s.agent_id == sick and s.start == ran[0].start] \
        == [at]
    assert len(after.shifts) == len(week.published.shifts)
