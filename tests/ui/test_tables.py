"""Roster tables: per-agent figures, the wide Excel schedule (bilingual headers, cell text,
past-midnight and cyclic Sunday-night shifts), the per-agent text summary and the rule costs."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from scheduler import io, plotting
from scheduler.domain import Agent, Roster, Shift
from scheduler.roster import RuleCost
from scheduler.ui.tables import (
    DAY_HEADERS,
    agent_summaries,
    agent_table,
    rule_cost_table,
    shift_text,
    wide_schedule,
)

W0 = datetime(2026, 11, 23)
AGENTS = (Agent("A1", 5, 40, name="小雨"), Agent("A2", 3, 40), Agent("A3", 2, 20))


def roster() -> Roster:
    mon, sat = W0, W0 + timedelta(days=5)
    return Roster(week_start=date(2026, 11, 23), shifts=(
        Shift("A1", mon + timedelta(hours=9), mon + timedelta(hours=18), 5,
              mon + timedelta(hours=13), mon + timedelta(hours=13, minutes=30)),
        Shift("A1", sat + timedelta(hours=20), sat + timedelta(hours=26), 4),
        Shift("A2", W0 - timedelta(hours=2), W0 + timedelta(hours=6), 3),  # Sunday before
    ))


def test_shift_text() -> None:
    r = roster()
    assert shift_text(r.shifts[0]) == "09:00–18:00 (5) 用餐 13:00–13:30"
    assert shift_text(r.shifts[1]) == "20:00–02:00+1 (4)"
    whole = Shift("A3", W0 + timedelta(hours=16), W0 + timedelta(hours=24), 2)
    assert shift_text(whole) == "16:00–24:00 (2)"


def test_wide_schedule() -> None:
    wide = wide_schedule(roster(), AGENTS)
    assert list(wide.columns) == ["客服 agent", "姓名 name", *DAY_HEADERS, "工时 hours"]
    assert DAY_HEADERS[0] == "周一 Mon"
    a1 = wide.iloc[0]
    assert a1["周一 Mon"] == "09:00–18:00 (5) 用餐 13:00–13:30"
    assert a1["周六 Sat"] == "20:00–02:00+1 (4)" and a1["周二 Tue"] == "休 off"
    assert a1["工时 hours"] == 14.5
    assert wide.iloc[1]["周日 Sun"].startswith("22:00–06:00+1 (3)")  # cyclic Sunday night
    assert (wide.iloc[2, 2:9] == "休 off").all()
    data = io.csv_bytes(wide)
    assert data.startswith(b"\xef\xbb\xbf") and "客服 agent".encode() in data


def test_agent_table_and_summary() -> None:
    t = agent_table(roster(), AGENTS).set_index("客服 agent")
    assert t.loc["A1", "班次 shifts"] == 2 and t.loc["A1", "工时 hours"] == 14.5
    assert t.loc["A1", "夜班 night shifts"] == 1 and t.loc["A1", "周末天数 weekend days"] == 1
    assert t.loc["A1", "接待上限 caps"] == "4, 5" and t.loc["A3", "休息日 days off"] == 7
    text = agent_summaries(roster(), AGENTS)
    assert "A1 小雨: 14.5 h, 2 shift(s)" in text
    assert "  周一 Mon: 09:00–18:00 (5) 用餐 13:00–13:30" in text
    assert "  周二 Tue: 休 day off" in text


def test_one_word_for_a_break_another_for_a_day_off() -> None:
    """The Gantt, the wide schedule and the per-agent text (its legend too) name a break with
    one Chinese word and a day off with another (issue 31: 休 meant both)."""
    r = roster()
    wide = wide_schedule(r, AGENTS).iloc[0]
    head, first, *_ = agent_summaries(r, AGENTS).split("\n\n")  # the legend, then A1
    lines = dict(line.strip().split(": ", 1) for line in first.splitlines()[1:])
    legend = head.splitlines()[1]
    han = re.compile(r"[\u4e00-\u9fff]+")
    gantt = [t.name for t in plotting.roster_gantt(r, AGENTS).data]
    breaks = {*han.findall(shift_text(r.shifts[0])), *han.findall(wide["周一 Mon"]),
              *han.findall(lines["周一 Mon"]), *re.findall(r"(\S+) = (?:meal )?break", legend),
              *(w for name in gantt if name.startswith("break") for w in han.findall(name))}
    days_off = {*han.findall(wide["周二 Tue"]), *han.findall(lines["周二 Tue"])}
    assert len(breaks) == 1 and len(days_off) == 1, (breaks, days_off)
    assert not set(breaks.pop()) & set(days_off.pop())
    assert re.search(r"= (?:meal )?break.*= day off", legend), legend


def test_rule_cost_table_dearest_first() -> None:
    costs = (RuleCost("rest", "rest between shifts >= 11 h", 9.5, 0),
             RuleCost("days_off", "days off per week >= 1", 14.0, 0))
    table = rule_cost_table(costs)
    assert list(table.iloc[:, 0]) == ["days off per week >= 1", "rest between shifts >= 11 h"]
    assert list(table.iloc[:, 1]) == [14.0, 9.5]

