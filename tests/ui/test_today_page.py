"""Today page: the sample's plan published to a book, Wednesday 11:00 with a hot morning pasted
in; the day's metrics, the hours at risk, the chart and the table agree with
``scheduler.today``; an agent gone sick lowers the chances; bad counts are one readable line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.book import Book
from scheduler.domain import Roster
from scheduler.io import plan_inputs
from scheduler.report import PlanResult, in_week_shifts
from scheduler.today import look_at_today
from tests.ui.conftest import OpenPage, figures, texts


def pasted(plan: PlanResult, now: datetime, scale: float) -> str:
    fc = plan.forecast.frame
    rows = fc[pd.to_datetime(fc["timestamp"]) < pd.Timestamp(now)]
    return "timestamp,sessions\n" + "\n".join(
        f"{pd.Timestamp(t):%Y-%m-%d %H:%M},{int(np.rint(v * scale))}"
        for t, v in zip(rows["timestamp"], rows["sessions"], strict=True))


def hours_table(at: object) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe  # type: ignore[attr-defined]
                if "时段 hour" in d.value.columns]
    return table


def test_today_shows_the_rest_of_the_day_and_its_chances(
        open_page: OpenPage, sample_plan: PlanResult, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    monkeypatch.setenv("SCHEDULER_DB", url)
    week = sample_plan.week_start
    Book(url).publish(Roster(week, tuple(in_week_shifts(sample_plan.roster.roster))),
                      agent_hours=sample_plan.summary.agent_hours,
                      summary=sample_plan.summary.as_dict(),
                      inputs=plan_inputs(sample_plan.forecast, sample_plan.agents,
                                         sample_plan.params))
    at = open_page("today")
    now = datetime.combine(week, datetime.min.time()) + timedelta(days=2, hours=11)

    at.button(key="w_today_button").click().run()
    assert len(at.error) == 1 and "no counts yet" in at.error[0].value

    at.text_area(key="w_today_paste").set_value("timestamp,sessions\nyesterday,12")
    at.button(key="w_today_button").click().run()
    assert len(at.error) == 1 and "row 2" in at.error[0].value
    assert not at.exception, [e.value for e in at.exception]

    at.text_area(key="w_today_paste").set_value(pasted(sample_plan, now, 1.5))
    at.button(key="w_today_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    published = Book(url).roster(week)
    counts = pd.read_csv(pd.io.common.StringIO(pasted(sample_plan, now, 1.5)),
                         parse_dates=["timestamp"])
    view = look_at_today(published, sample_plan.forecast, sample_plan.params, now=now,
                         counts=counts, agents=sample_plan.agents)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["今天达标概率 Today keeps 80%"] == f"{view.day_chance:.0%}"
    ahead = view.hours[view.hours["state"] != "over"]
    assert metrics["今天余下 Rest of today"] == f"{ahead['expected'].sum():.0f} sessions"
    table = hours_table(at)
    assert len(table) == 24
    assert table["达标概率 chance"].tolist()[11:] == pytest.approx(
        view.hours["chance"].tolist()[11:])
    (fig,) = figures(at)
    assert {t["name"] for t in fig["data"]} >= {"so far 已到", "re-forecast 重新预测"}
    risky = ahead[(ahead["expected"] >= 5) & (ahead["chance"] < 0.8)]
    said = texts(at)
    if risky.empty:
        assert "every hour still to come keeps the target" in said
    else:
        assert f"{len(risky)} hour(s) at risk" in said
        assert ("What lifts them" in said) == bool(view.actions)
        assert ("No call or extension the labour rules allow" in said) == (not view.actions)

    # an agent on duty at noon goes home sick: fewer agents from noon, no higher chances
    noon = now + timedelta(hours=1)
    sick = min(s.agent_id for s in published.shifts if s.start < noon < s.end)
    at.text_input(key="w_today_absent").set_value(f"{sick}@12:00")
    at.button(key="w_today_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = hours_table(at)
    assert after["在岗 agents"][12] == table["在岗 agents"][12] - 1
    assert (after["达标概率 chance"][11:] <= table["达标概率 chance"][11:] + 1e-9).all()
    # apply: the absence is published as the week's next version
    at.button(key="w_today_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Published the week of {week} as version 2" in texts(at)
    v2 = Book(url).roster(week, 2)
    assert all(s.end <= noon for s in v2.shifts if s.agent_id == sick and s.start < noon)
