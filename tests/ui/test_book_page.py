"""Roster book page: publish the plan, re-plan a sick call from Wednesday noon, publish the
re-plan, see what changed and an agent's own weeks; a bad book is one readable line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scheduler.book import Book
from scheduler.report import PlanResult
from tests.ui.conftest import OpenPage, texts


def test_publish_replan_and_an_agents_view(open_page: OpenPage, sample_plan: PlanResult,
                                           tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    monkeypatch.setenv("SCHEDULER_DB", url)
    at = open_page("book", plan=sample_plan)
    assert "The book is empty" in texts(at)
    at.button(key="w_book_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    week = sample_plan.week_start
    assert f"Published the week of {week} as version 1" in texts(at)
    assert [v.number for v in Book(url).versions(week)] == [1]

    cutoff = datetime.combine(week, datetime.min.time()) + timedelta(days=2, hours=12)
    sick = min(s.agent_id for s in sample_plan.roster.roster.shifts
               if s.start < cutoff < s.end)
    at.session_state["w_book_requests"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"agent_id": "ZZ9", "start": "2026-11-27", "end": "", "kind": "leave"}]}
    at.button(key="w_book_replan").click().run()
    assert len(at.error) == 1 and "ZZ9" in at.error[0].value and "row 2" in at.error[0].value
    at.session_state["w_book_requests"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"agent_id": sick, "start": f"{cutoff:%Y-%m-%d %H:%M}",
                        "end": f"{week + timedelta(days=6)}", "kind": "sick"}]}
    at.number_input(key="w_book_limit").set_value(4.0)
    at.button(key="w_book_replan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = texts(at)
    assert f"Re-plan of the week of {week} from Wed" in said
    assert f"ended at the cut-off: {sick}" in said
    at.button(key="w_book_publish_replan").click().run()
    assert f"Published the week of {week} as version 2" in texts(at)
    v2 = Book(url).roster(week, 2)
    assert all(s.end <= cutoff for s in v2.shifts if s.agent_id == sick)

    # the versions table and the diff show both versions on the same run
    versions = at.dataframe[0].value
    assert list(versions["版本 version"]) == [1, 2]
    assert "shift(s) changed for" in texts(at)
    at.selectbox(key="w_book_agent").set_value(sick).run()
    assert f"{sick}: " in texts(at)


def test_after_a_publish_the_page_shows_it_and_holds_the_same_plan_back(
        open_page: OpenPage, sample_plan: PlanResult, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 27: right after Publish the page lists version 1 (not "The book is empty" above
    "Published ... version 1"), and the same plan cannot be published again: the button is
    greyed and the page says the plan is identical to version 1; a re-plan with the requests
    table left empty runs (no "no data rows" error)."""
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    monkeypatch.setenv("SCHEDULER_DB", url)
    at = open_page("book", plan=sample_plan)
    assert not at.button(key="w_book_publish").disabled
    at.button(key="w_book_publish").click().run()
    said = texts(at)
    week = sample_plan.week_start
    assert f"Published the week of {week} as version 1" in said
    assert "The book is empty" not in said
    assert list(at.dataframe[0].value["版本 version"]) == [1]
    assert at.button(key="w_book_publish").disabled
    assert f"The week of {week} is identical to version 1: nothing to publish" in said
    at.run()  # another run (any widget) keeps the button greyed
    assert at.button(key="w_book_publish").disabled
    assert [v.number for v in Book(url).versions(week)] == [1]

    at.number_input(key="w_book_limit").set_value(2.0)
    at.button(key="w_book_replan").click().run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    assert f"Re-plan of the week of {week} from Wed" in texts(at)


def test_a_foreign_database_is_one_readable_line(open_page: OpenPage, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shop.sqlite"
    path.write_bytes(b"this is not a database at all" * 40)
    monkeypatch.setenv("SCHEDULER_DB", f"sqlite:///{path}")
    at = open_page("book")
    assert len(at.error) == 1 and "cannot open the roster book" in at.error[0].value
    assert path.read_bytes() == b"this is not a database at all" * 40
