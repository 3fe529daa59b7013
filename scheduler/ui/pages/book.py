"""Roster book 排班簿: published weeks and their versions, publish the current plan, what
changed between two versions, re-plan a published week from a cut-off with requests, and an
agent's own view of their coming weeks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from scheduler.book import Book, book_url
from scheduler.domain import Request, Roster
from scheduler.errors import InputError
from scheduler.io import (
    REQUEST_KINDS,
    parse_raw_table,
    plan_inputs,
    planned_from,
    requests_from_raw,
)
from scheduler.params import default_for, plan_fields
from scheduler.replan import Replan, replan
from scheduler.report import PlanResult, in_week_shifts
from scheduler.ui import state
from scheduler.ui.common import page

page("排班簿 Roster book", "已发布的排班，按周保存，从不覆盖 · Published rosters week by week, "
     "never overwritten: publish, compare versions, re-plan from a cut-off (sick calls, "
     "requests), and each agent's coming weeks.")

url = st.text_input("排班簿位置 Book (SQLAlchemy URL)", value=book_url(),
                    help="A file in the working folder by default; postgresql+psycopg://... "
                         "for a team that shares one book.", key="w_book_url")
try:
    book = Book(url)
    versions = book.versions()
except InputError as exc:
    st.error(str(exc))
    st.stop()


def shift_rows(shifts: list, agents: dict[str, str]) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame([{
        "客服 agent": f"{s.agent_id} {agents.get(s.agent_id, '')}".strip(),
        "日期 day": f"{s.start:%a %m-%d}", "开始 start": f"{s.start:%H:%M}",
        "结束 end": f"{s.end:%H:%M}" + (" +1" if s.end.date() > s.start.date() else ""),
        "接待上限 cap": s.max_concurrent,
        "工时 hours": round(s.paid_hours, 2)} for s in shifts])


names = {a.agent_id: a.name for a in state.agents()}
done = state.pop_book_published()


def said(what: str) -> None:
    """What the last publish (of the plan, or of the re-plan) did, if it was this one."""
    if done is not None and done[0] == what:
        v = done[1]
        (st.success if v.stored else st.info)(
            f"{'已发布' if v.stored else '未保存'} {v.text}.")


def publish_plan(plan: PlanResult) -> None:
    """The Publish button's callback: it runs before the page is drawn again, so everything
    on it shows the new version."""
    v = book.publish(Roster(plan.week_start, tuple(in_week_shifts(plan.roster.roster))),
                     agent_hours=plan.summary.agent_hours, summary=plan.summary.as_dict(),
                     inputs=plan_inputs(plan.forecast, plan.agents, plan.params),
                     note=st.session_state.get("w_book_note", ""))
    state.set_book_published("plan", v)


def publish_replan(week: date, latest: int, at: datetime, asked: tuple[Request, ...],
                   result: Replan) -> None:
    """The re-plan's Publish button's callback (as ``publish_plan``)."""
    forecast, agents, params = planned_from(book.inputs(week, latest), label=url)
    v = book.publish(Roster(week, tuple(in_week_shifts(result.roster))),
                     agent_hours=result.agent_hours,
                     summary={"agent_hours": result.agent_hours,
                              "short_intervals_after_cutoff": result.short_after,
                              "below_margin_after_cutoff": result.below_margin_after,
                              "chance": result.chance},
                     inputs=plan_inputs(forecast, agents, params), requests=asked,
                     note=f"re-plan from {at:%a %m-%d %H:%M}")
    state.set_book_replan(None)
    state.set_book_published("replan", v)


# ---------------------------------------------------------------- weeks and versions
st.subheader("周与版本 Weeks and versions")
if versions:
    st.dataframe(pd.DataFrame([{
        "周 week": v.week_start.isoformat(), "版本 version": v.number,
        "发布 published": f"{v.published_at:%Y-%m-%d %H:%M}", "班次 shifts": v.shifts,
        "工时 agent-hours": round(v.agent_hours, 1), "说明 note": v.note} for v in versions]),
        hide_index=True, width="stretch")
else:
    st.info("排班簿是空的 The book is empty: publish a plan below.")

# ---------------------------------------------------------------- publish
st.subheader("发布 Publish")
current = state.plan()
if current is None:
    st.caption("还没有排班 No plan yet: plan the week on the Data page, then publish it "
               "here.")
else:
    same = book.same_as(Roster(current.week_start,
                               tuple(in_week_shifts(current.roster.roster))))
    if same is None:
        st.text_input("说明 Note", key="w_book_note", placeholder="e.g. 第一版 first roster")
    st.button(f"发布 Publish the week of {current.week_start}", key="w_book_publish",
              icon=":material/publish:", on_click=publish_plan, args=(current,),
              disabled=same is not None)
    said("plan")
    if same is not None:
        st.caption(f"已在排班簿中 The week of {current.week_start} is identical to version "
                   f"{same}: nothing to publish.")

weeks = sorted({v.week_start for v in versions})
if not weeks:
    st.stop()

# ---------------------------------------------------------------- diff
st.subheader("对比版本 What changed")
week = st.selectbox("周 Week", weeks, index=len(weeks) - 1, key="w_book_week",
                    format_func=lambda d: d.isoformat())
numbers = [v.number for v in versions if v.week_start == week]
if len(numbers) >= 2:
    c = st.columns(2)
    a = c[0].selectbox("从 From version", numbers, index=len(numbers) - 2, key="w_book_a")
    b = c[1].selectbox("到 To version", numbers, index=len(numbers) - 1, key="w_book_b")
    changes = book.diff(week, a, b)
    st.caption(f"{len(changes)} 个班次变化 shift(s) changed for "
               f"{len({x.agent_id for x in changes})} agent(s)")
    if changes:
        st.dataframe(pd.DataFrame([{"客服 agent": x.agent_id, "变化 change": x.text}
                                   for x in changes]), hide_index=True, width="stretch")
else:
    st.caption("这一周只有一个版本 One version of this week so far.")

# ---------------------------------------------------------------- re-plan
st.subheader("重新排班 Re-plan from a cut-off")
st.caption("截止时间前开始的班次全部保留；"
           "请假从截止时间起生效的客服，其正在进行的班次在截止时间结束；"
           "与保留班次重叠的请假不予批准 · "
           "Every shift starting before the cut-off is kept; an agent on leave from then has "
           "their running shift end there; a request over what is kept is not granted, with "
           "the reason. The re-plan starts from the published roster and changes as few shifts "
           "as it can.")
cut = st.columns(3)
cut_day = cut[0].date_input("截止日期 Cut-off day", value=week + timedelta(days=2),
                          min_value=week, max_value=week + timedelta(days=6), key="w_book_day")
cut_time = cut[1].time_input("截止时间 Cut-off time", value=time(12, 0), step=3600,
                           key="w_book_time")
limit = cut[2].number_input("时间上限 Time limit (s)", min_value=2.0, max_value=120.0, step=1.0,
                          value=float(default_for(plan_fields()["time_limit_seconds"][1],
                                                  "replan")), key="w_book_limit")
cutoff = datetime.combine(cut_day, cut_time)
blank = pd.DataFrame({"agent_id": pd.Series(dtype=str), "start": pd.Series(dtype=str),
                      "end": pd.Series(dtype=str), "kind": pd.Series(dtype=str)})
st.caption("请假 Requests: agent_id, start and end as YYYY-MM-DD HH:MM (or a date for the whole "
           f"day), kind: {', '.join(REQUEST_KINDS)}")
asked_table = st.data_editor(blank, num_rows="dynamic", key="w_book_requests",
                             width="stretch",
                             column_config={"kind": st.column_config.SelectboxColumn(
                                 options=list(REQUEST_KINDS), default="leave")})


if st.button("重新排班 Re-plan", key="w_book_replan", icon=":material/restart_alt:"):
    try:
        latest = max(numbers)
        forecast, agents, params = planned_from(book.inputs(week, latest),
                                                label=f"{url} week {week} v{latest}")
        table = asked_table.fillna("").astype(str)
        asked = requests_from_raw(parse_raw_table(
            table.to_csv(index=False).encode("utf-8"), "请假 requests table"), agents
        )[0] if (table.map(str.strip) != "").to_numpy().any() else ()
        prev = week - timedelta(days=7)
        before = book.roster(prev).shifts if book.versions(prev) else ()
        with st.spinner("重新排班中 Re-planning..."):
            result = replan(book.roster(week), forecast, agents, params, cutoff=cutoff,
                            requests=asked, time_limit=float(limit), before=before)
        state.set_book_replan((week, latest, cutoff, asked, result))
    except InputError as exc:
        st.error(str(exc))

shown = state.book_replan()
if shown is not None and shown[0] == week:
    _w, latest, at, asked, result = shown
    lines = result.lines(week, at)
    st.success(lines[0])
    for line in lines[1:]:
        if line.strip().startswith(("not granted", "ended", "granted")):
            st.caption(line.strip())
    if result.changes:
        st.dataframe(pd.DataFrame([{"客服 agent": x.agent_id, "变化 change": x.text}
                                   for x in result.changes]), hide_index=True, width="stretch")
    same = book.same_as(Roster(week, tuple(in_week_shifts(result.roster))))
    st.button(f"发布重新排班 Publish as version {latest + 1}", key="w_book_publish_replan",
              icon=":material/publish:", on_click=publish_replan,
              args=(week, latest, at, asked, result), disabled=same is not None)
    if same is not None:
        st.caption(f"与已发布版本相同 The re-plan is identical to version {same}: nothing to "
                   "publish.")
said("replan")

# ---------------------------------------------------------------- an agent's view
st.subheader("我的排班 An agent's coming weeks")
everyone = sorted({s.agent_id for w in weeks for s in book.roster(w).shifts})
who = st.selectbox("客服 Agent", everyone, key="w_book_agent",
                   format_func=lambda a: f"{a} {names.get(a, '')}".strip())
today = date.today()
first = today - timedelta(days=today.weekday())
coming = [w for w in weeks if w >= first] or weeks[-1:]
mine = [s for w in coming for s in book.roster(w).shifts if s.agent_id == who]
if mine:
    st.caption(f"{who}: {len(mine)} shift(s), {sum(s.paid_hours for s in mine):.1f} h over "
               f"{len(coming)} week(s) from {coming[0]} (latest version of each week)")
    st.dataframe(shift_rows(sorted(mine, key=lambda s: s.start), names), hide_index=True,
                 width="stretch")
else:
    st.caption(f"{who} has no shift in the weeks from {coming[0]}.")
