"""Tables the pages show and export, built from a roster (pure pandas, no streamlit).

- :func:`agent_table`: per-agent hours, shifts, nights, weekend days, caps (Roster page).
- :func:`wide_schedule`: agent x day, cells like ``09:00–18:00 (5)``, bilingual headers
  (the Excel-friendly export).
- :func:`agent_summaries`: a plain-text summary per agent (to paste into a group chat).
- :func:`rule_cost_table`: what each labour rule costs this week (Roster page).
- :func:`in_percent`: shares (0..1) as percentages for a table shown with ``PERCENT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd

from scheduler.domain import BREAK_ZH, DAY_OFF_ZH, DAYS, DAYS_ZH, NIGHT_HOURS, Agent, Roster, Shift
from scheduler.roster import RuleCost

AGENT_HEADER = "客服 agent"
NAME_HEADER = "姓名 name"
DAY_HEADERS = tuple(f"{z} {e}" for z, e in zip(DAYS_ZH, DAYS, strict=True))


def _week0(roster: Roster) -> datetime:
    return datetime.combine(roster.week_start, datetime.min.time())


def shift_day(roster: Roster, shift: Shift) -> int:
    """Day of the week (Monday = 0) a shift belongs to: the day it starts; a shift listed as
    starting the Sunday before the week (a cyclic roster) is this week's Sunday night."""
    return (shift.start - _week0(roster)).days % 7


def shift_text(shift: Shift) -> str:
    """``09:00–18:00 (5)``; a break adds `` 用餐 13:00–13:30``; past midnight ends ``+1``."""
    end = shift.end.strftime("%H:%M")
    if shift.end.date() > shift.start.date() and shift.end.time() != datetime.min.time():
        end += "+1"
    elif shift.end.date() > shift.start.date():
        end = "24:00"
    text = f"{shift.start:%H:%M}–{end} ({shift.max_concurrent})"
    if shift.break_start is not None and shift.break_end is not None:
        text += f" {BREAK_ZH} {shift.break_start:%H:%M}–{shift.break_end:%H:%M}"
    return text


def _night_hours(shift: Shift) -> float:
    t = shift.start
    total = 0.0
    while t < shift.end:
        nxt = min(shift.end, t.replace(minute=0, second=0) + timedelta(hours=1))
        if t.hour in NIGHT_HOURS and shift.on_duty(t):
            total += (nxt - t).total_seconds() / 3600.0
        t = nxt
    return total


def _ordered_ids(roster: Roster, agents: Sequence[Agent]) -> list[str]:
    ids = [a.agent_id for a in agents]
    ids += sorted({s.agent_id for s in roster.shifts} - set(ids))
    return ids


def agent_table(roster: Roster, agents: Sequence[Agent]) -> pd.DataFrame:
    """One row per agent: ``客服 agent``, ``姓名 name``, shifts, paid hours (and the agent's
    max), night shifts (any hour 23:00–07:00), weekend days worked, caps used."""
    by_id = {a.agent_id: a for a in agents}
    rows = []
    for aid in _ordered_ids(roster, agents):
        shifts = roster.for_agent(aid)
        a = by_id.get(aid)
        days = {shift_day(roster, s) for s in shifts}
        caps = sorted({s.max_concurrent for s in shifts})
        rows.append({
            AGENT_HEADER: aid,
            NAME_HEADER: a.name if a else "",
            "班次 shifts": len(shifts),
            "工时 hours": round(sum(s.paid_hours for s in shifts), 1),
            "上限工时 max hours": a.max_hours_week if a else float("nan"),
            "夜班 night shifts": sum(1 for s in shifts if _night_hours(s) > 0),
            "周末天数 weekend days": len(days & {5, 6}),
            "休息日 days off": 7 - len(days),
            "接待上限 caps": ", ".join(str(c) for c in caps),
        })
    return pd.DataFrame(rows)


def wide_schedule(roster: Roster, agents: Sequence[Agent]) -> pd.DataFrame:
    """Agent x day: ``客服 agent``, ``姓名 name``, ``周一 Mon`` .. ``周日 Sun`` (cells like
    ``09:00–18:00 (5)``, several shifts joined by `` / ``, empty = day off), ``工时 hours``."""
    by_id = {a.agent_id: a for a in agents}
    rows = []
    for aid in _ordered_ids(roster, agents):
        cells: list[list[str]] = [[] for _ in range(7)]
        shifts = sorted(roster.for_agent(aid), key=lambda s: s.start)
        for s in shifts:
            cells[shift_day(roster, s)].append(shift_text(s))
        row: dict[str, object] = {AGENT_HEADER: aid,
                                  NAME_HEADER: by_id[aid].name if aid in by_id else ""}
        for d in range(7):
            row[DAY_HEADERS[d]] = " / ".join(cells[d]) if cells[d] else f"{DAY_OFF_ZH} off"
        row["工时 hours"] = round(sum(s.paid_hours for s in shifts), 1)
        rows.append(row)
    return pd.DataFrame(rows, columns=[AGENT_HEADER, NAME_HEADER, *DAY_HEADERS, "工时 hours"])


def agent_summaries(roster: Roster, agents: Sequence[Agent]) -> str:
    """A plain-text block per agent: who, hours, then one line per working day."""
    by_id = {a.agent_id: a for a in agents}
    blocks = [f"排班 Roster, week of {roster.week_start:%Y-%m-%d} (Mon)",
              f"(n) = 接待上限 reception cap; {BREAK_ZH} = meal break; {DAY_OFF_ZH} = day off", ""]
    for aid in _ordered_ids(roster, agents):
        shifts = sorted(roster.for_agent(aid), key=lambda s: s.start)
        a = by_id.get(aid)
        name = f" {a.name}" if a and a.name else ""
        hours = sum(s.paid_hours for s in shifts)
        blocks.append(f"{aid}{name}: {hours:.1f} h, {len(shifts)} shift(s)")
        by_day: dict[int, list[str]] = {}
        for s in shifts:
            by_day.setdefault(shift_day(roster, s), []).append(shift_text(s))
        for d in range(7):
            blocks.append(f"  {DAY_HEADERS[d]}: " + (" / ".join(by_day[d]) if d in by_day
                                                     else f"{DAY_OFF_ZH} day off"))
        blocks.append("")
    return "\n".join(blocks)


def rule_cost_table(costs: Sequence[RuleCost]) -> pd.DataFrame:
    """One row per relaxable labour rule, the dearest first: what it says, the agent-hours a
    re-plan without it saves this week, and the half-hours that re-plan leaves below the
    staffing with margin."""
    rows = sorted(costs, key=lambda c: -c.hours)
    return pd.DataFrame({
        "rule 规则": [c.statement for c in rows],
        "costs 成本 (agent-hours 工时)": [c.hours for c in rows],
        "below the margin without it 无此规则时低于余量时段": [c.short_intervals_without
                                                      for c in rows],
    })


PERCENT = "%.1f%%"
"""How a table column of percentages reads: one decimal and the sign (``97.1%``), in every row
(Streamlit's own ``"percent"`` format shows up to two decimals, so rows of one column differ)."""


def in_percent(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy of ``frame`` with the shares (0..1) in ``columns`` as percentages (0..100), for a
    table that shows them with ``PERCENT``."""
    out = frame.copy()
    for c in columns:
        out[c] = out[c].astype(float) * 100.0
    return out
