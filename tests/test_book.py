"""The roster book (issue 21, first part): publish, versions, diff; on SQLite and, where CI
provides it (``SCHEDULER_TEST_PG_URL``), on PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from scheduler.book import Book, ShiftChange
from scheduler.cli import main
from scheduler.domain import Forecast, Roster, Shift, week_hours
from scheduler.io import agents_from_raw, parse_raw_table, plan_inputs, write_plan_state
from scheduler.params import PlanParams
from scheduler.report import roster_frame

WEEK = date(2026, 11, 23)
PG = os.environ.get("SCHEDULER_TEST_PG_URL")


def _shift(agent: str, day: int, hour: int, hours: int = 8, cap: int = 4) -> Shift:
    start = datetime(2026, 11, 23 + day, hour)
    return Shift(agent, start, start.replace(hour=hour + hours), cap)


ROSTER_A = Roster(WEEK, (_shift("A01", 0, 9), _shift("A02", 0, 14), _shift("A01", 1, 9)))
ROSTER_B = Roster(WEEK, (_shift("A01", 0, 9), _shift("A02", 0, 12), _shift("A03", 2, 9)))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'book.sqlite'}"
        return
    if not PG:
        pytest.skip("no PostgreSQL here (CI sets SCHEDULER_TEST_PG_URL)")
    engine = create_engine(PG)
    with engine.begin() as conn:  # a fresh book for each test
        for table in ("requests", "inputs", "shifts", "versions", "weeks", "alembic_version"):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    yield PG


def test_publishing_adds_versions_and_never_overwrites(url: str) -> None:
    book = Book(url)
    v1 = book.publish(ROSTER_A, agent_hours=24.0, summary={"agent_hours": 24.0},
                      inputs={"rules": {"min_rest_hours": 11}}, note="first",
                      published_at=datetime(2026, 11, 20, 9))
    v2 = book.publish(ROSTER_B, agent_hours=24.0, summary={"agent_hours": 24.0}, inputs={},
                      note="A02 later, A03 in", published_at=datetime(2026, 11, 25, 12))
    assert (v1.number, v2.number) == (1, 2)
    again = Book(url)  # reopening migrates nothing and keeps everything
    assert [(v.number, v.note, v.shifts) for v in again.versions(WEEK)] == [
        (1, "first", 3), (2, "A02 later, A03 in", 3)]
    assert set(again.roster(WEEK, 1).shifts) == set(ROSTER_A.shifts)
    assert set(again.roster(WEEK).shifts) == set(ROSTER_B.shifts)  # the latest is the roster
    assert again.inputs(WEEK, 1) == {"rules": {"min_rest_hours": 11}}
    assert inspect(again.engine).has_table("requests")
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"


def test_diff_says_which_shifts_changed_for_whom(url: str) -> None:
    book = Book(url)
    book.publish(ROSTER_A, agent_hours=24.0, summary={}, inputs={})
    book.publish(ROSTER_B, agent_hours=24.0, summary={}, inputs={})
    changes = book.diff(WEEK, 1, 2)
    by_agent = {(c.agent_id, c.before is None, c.after is None) for c in changes}
    # A02 moved on Monday (one change), A01 lost Tuesday, A03 gained Wednesday
    assert by_agent == {("A02", False, False), ("A01", False, True), ("A03", True, False)}
    moved = next(c for c in changes if c.agent_id == "A02")
    assert moved.before is not None and moved.after is not None
    assert (moved.before.start.hour, moved.after.start.hour) == (14, 12)


def _plan_json(folder: Path) -> None:
    """A plan folder's plan.json for the three agents at 2 sessions an hour."""
    import pandas as pd

    hours = pd.to_datetime(week_hours(WEEK))
    forecast = Forecast(WEEK, pd.DataFrame({"timestamp": hours, "sessions": 2.0, "low": 2.0,
                                            "high": 2.0, "overridden": False}), "file")
    agents, _ = agents_from_raw(parse_raw_table(
        b"agent_id,max_concurrent,max_hours_week\nA01,4,40\nA02,4,40\nA03,4,40\n", "a.csv"))
    write_plan_state({"inputs": plan_inputs(forecast, agents, PlanParams())}, folder)


def test_publishing_the_latest_versions_shifts_again_stores_nothing(url: str) -> None:
    """Issue 27: the same shifts (agent, start, end, cap, break) as the week's latest version
    store nothing and say which version they are; a moved break or another cap is a change."""
    book = Book(url)
    assert book.same_as(ROSTER_A) is None
    assert book.publish(ROSTER_A, agent_hours=24.0, summary={}, inputs={}).stored
    again = book.publish(Roster(WEEK, ROSTER_A.shifts[::-1]), agent_hours=24.0, summary={},
                         inputs={}, note="again")
    assert (again.stored, again.number) == (False, 1)
    assert again.text == "The week of 2026-11-23 is identical to version 1: nothing stored"
    assert [v.number for v in book.versions(WEEK)] == [1]
    first = ROSTER_A.shifts[0]
    moved = replace(first, break_start=first.start.replace(hour=12),
                    break_end=first.start.replace(hour=12, minute=30))
    for other in (moved, replace(first, max_concurrent=first.max_concurrent + 1)):
        roster = Roster(WEEK, (other, *ROSTER_A.shifts[1:]))
        assert book.same_as(roster) is None
        assert book.publish(roster, agent_hours=24.0, summary={}, inputs={}).stored
        assert book.same_as(roster) == len(book.versions(WEEK))
    # the same shifts as an older version (not the latest) are a new version
    assert book.publish(ROSTER_A, agent_hours=24.0, summary={}, inputs={}).number == 4


def test_a_change_names_what_changed_of_hours_break_and_cap() -> None:
    """Issue 27: a moved break or a new cap is shown (not "17:00–01:00 → 17:00–01:00"), and
    only what changed is named."""
    start = datetime(2026, 11, 25, 17)
    a = Shift("A01", start, start.replace(day=26, hour=1), 4, start.replace(hour=20),
              start.replace(hour=20, minute=30))
    b = replace(a, break_start=start.replace(hour=21), break_end=start.replace(hour=21,
                                                                              minute=30))
    assert ShiftChange("A01", a, b).text == ("A01: Wed 11-25 17:00–01:00, break 20:00–20:30 → "
                                             "21:00–21:30")
    assert ShiftChange("A01", a, replace(a, max_concurrent=6)).text == (
        "A01: Wed 11-25 17:00–01:00, cap 4 → 6")
    cut = replace(a, end=start.replace(hour=20, minute=30))
    assert ShiftChange("A01", a, cut).text == "A01: Wed 11-25 17:00–01:00 → 17:00–20:30"
    assert ShiftChange("A01", a, None).text == ("A01: Wed 11-25 17:00–01:00 (break 20:00–20:30, "
                                                "cap 4) → —")
    assert ShiftChange("A01", None, replace(b, break_start=None, break_end=None)).text == (
        "A01: — → Wed 11-25 17:00–01:00 (no break, cap 4)")


def test_publish_and_book_commands(url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    for k, roster in enumerate((ROSTER_A, ROSTER_B)):
        folder = tmp_path / f"plan{k}"
        folder.mkdir()
        roster_frame(roster).to_csv(folder / "roster.csv", index=False)
        (folder / "summary.json").write_text(json.dumps(
            {"agent_hours": 24.0, "parameters": {"seed": 0}}), encoding="utf-8")
        _plan_json(folder)
        assert main(["publish", "--plan", str(folder), "--db", url, "--note", f"n{k}"]) == 0
    out = capsys.readouterr().out
    assert "as version 1: 3 shifts, 24.0 agent-hours" in out and "as version 2" in out
    assert main(["book", "--db", url]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listing] == [["2026-11-23", "v1"], ["2026-11-23", "v2"]]
    assert main(["book", "--db", url, "--week", "2026-11-23", "--diff", "1", "2"]) == 0
    said = capsys.readouterr().out
    assert "3 shift(s) changed for 3 agent(s)" in said and "A02: Mon 11-23 14:00" in said
    # the same plan folder again: nothing stored, said so, not an error
    assert main(["publish", "--plan", str(tmp_path / "plan1"), "--db", url]) == 0
    assert "identical to version 2: nothing stored" in capsys.readouterr().out
    assert [v.number for v in Book(url).versions(WEEK)] == [1, 2]


def test_a_bad_book_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["book", "--db", "nosuchdb://x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot open the roster book" in err[0]
    assert main(["book", "--db", f"sqlite:///{tmp_path / 'b.sqlite'}", "--week",
                 "2026-11-23", "--diff", "1", "2"]) == 2
    assert "has no version 1 of week 2026-11-23" in capsys.readouterr().err


def test_an_interrupted_publish_leaves_the_previous_version_whole(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies after the version row and its shifts are written but before the
    inputs are: the transaction rolls back and the book still holds version 1, whole."""
    import scheduler.book.store as store

    book = Book(url)
    book.publish(ROSTER_A, agent_hours=24.0, summary={}, inputs={"a": 1})

    class Crash(Exception):
        pass

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash("power cut")

    monkeypatch.setattr(store, "InputRow", crash)
    with pytest.raises(Crash):
        book.publish(ROSTER_B, agent_hours=24.0, summary={}, inputs={"b": 2})
    monkeypatch.undo()
    again = Book(url)
    assert [v.number for v in again.versions(WEEK)] == [1]
    assert set(again.roster(WEEK).shifts) == set(ROSTER_A.shifts)
    assert again.inputs(WEEK, 1) == {"a": 1}
    assert again.publish(ROSTER_B, agent_hours=24.0, summary={}, inputs={}).number == 2


def _publish_from_another_process(url: str, k: int) -> int:
    roster = Roster(WEEK, (*ROSTER_B.shifts, _shift("A09", 6, 1 + k, hours=4)))
    return Book(url).publish(roster, agent_hours=24.0, summary={}, inputs={},
                             note=f"p{k}").number


def test_two_processes_publishing_the_same_week_both_land(url: str) -> None:
    """Eight publications (each a different roster) from four processes at once: eight
    versions, numbered 1..8, each with its four shifts."""
    from concurrent.futures import ProcessPoolExecutor

    Book(url)  # create the schema first, as the first publish on a machine would
    with ProcessPoolExecutor(4) as pool:
        numbers = list(pool.map(_publish_from_another_process, [url] * 8, range(8)))
    assert sorted(numbers) == list(range(1, 9))
    book = Book(url)
    assert sorted(v.note for v in book.versions(WEEK)) == [f"p{k}" for k in range(8)]
    assert all(v.shifts == 4 for v in book.versions(WEEK))


def test_a_damaged_or_foreign_book_is_one_line(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "book.sqlite"
    Book(f"sqlite:///{path}").publish(ROSTER_A, agent_hours=24.0, summary={}, inputs={})
    data = path.read_bytes()
    path.write_bytes(data[:100])  # truncated mid-header
    assert main(["book", "--db", f"sqlite:///{path}"]) == 2
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(err) == 1 and "cannot open the roster book" in err[0] and str(path) in err[0]
    foreign = tmp_path / "shop.sqlite"
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)"))
    before = foreign.read_bytes()
    assert main(["book", "--db", f"sqlite:///{foreign}"]) == 2
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(err) == 1 and "not a roster book" in err[0] and "orders" in err[0]
    assert foreign.read_bytes() == before  # nothing written into someone else's database


def test_export_writes_every_table(url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    book = Book(url)
    book.publish(ROSTER_A, agent_hours=24.0, summary={}, inputs={"x": 1}, note="one")
    book.publish(ROSTER_B, agent_hours=24.0, summary={}, inputs={}, note="two")
    assert main(["book", "--db", url, "--export", str(tmp_path / "out")]) == 0
    import pandas as pd

    shifts = pd.read_csv(tmp_path / "out" / "book_shifts.csv", encoding="utf-8-sig")
    assert len(shifts) == 6 and sorted(shifts["version"].unique()) == [1, 2]
    assert set(shifts.loc[shifts["version"] == 1, "start"]) == {
        f"{s.start:%Y-%m-%d %H:%M}" for s in ROSTER_A.shifts}
    versions = pd.read_csv(tmp_path / "out" / "book_versions.csv", encoding="utf-8-sig")
    assert list(versions.sort_values("version")["note"]) == ["one", "two"]
    assert (tmp_path / "out" / "book_shifts.csv").read_bytes().startswith(b"\xef\xbb\xbf")
