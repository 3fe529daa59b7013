"""Today 今天: how the day is going. The counts so far (uploaded or pasted as the platform
exports them), the rest of the day re-forecast from them, and each remaining hour's chance of
keeping the target with the published week's team on duty (``scheduler.today``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from scheduler.book import Book, book_url
from scheduler.errors import InputError
from scheduler.io import history_from_raw, parse_raw_table, planned_from
from scheduler.plotting import today_figure
from scheduler.today import Absence, TodayView, look_at_today, publish_today
from scheduler.ui import state
from scheduler.ui.common import page

page("今天 Today", "今天到目前为止的会话量，重新预测今天余下的时段，"
     "以及在岗团队每个时段达标的概率 · The day so far: the rest of today re-forecast from "
     "the counts in, and each hour's chance of keeping the target with the team on duty in "
     "the published week.")

url = st.text_input("排班簿位置 Book (SQLAlchemy URL)", value=book_url(), key="w_today_url",
                    help="The roster book the week was published to (the Roster book page).")
try:
    book = Book(url)
    weeks = sorted({v.week_start for v in book.versions()})
except InputError as exc:
    st.error(str(exc))
    st.stop()
if not weeks:
    st.info("排班簿里还没有发布的周 The book holds no published week yet: plan the week and "
            "publish it on the Roster book page first.")
    st.stop()
week = st.selectbox("周 Week", weeks, index=len(weeks) - 1, key="w_today_week",
                    format_func=lambda d: d.isoformat())

st.caption("今天的会话量 The counts so far: hourly counts (timestamp, sessions) or per-session "
           "records, as the platform exports them; earlier days of the week may be in too.")
upload = st.file_uploader("上传 Upload", type=["csv", "xlsx", "xls"], key="w_today_file")
pasted = st.text_area("或粘贴 Or paste", key="w_today_paste", height=120,
                      placeholder="timestamp,sessions\n2026-11-25 09:00,44\n2026-11-25 10:00,63")
c = st.columns(3)
now_day = c[0].date_input("今天 Day", value=week + timedelta(days=2), min_value=week,
                          max_value=week + timedelta(days=6), key="w_today_day")
now_time = c[1].time_input("现在 Now", value=time(11, 0), step=600, key="w_today_time")
gone = c[2].text_input("缺勤 Absent", key="w_today_absent", placeholder="A03@10:00, A05@14:00",
                       help="Agents gone for the rest of the day from a time.")
now = datetime.combine(now_day, now_time)

if st.button("看今天 Look at today", key="w_today_button", icon=":material/today:",
             type="primary"):
    try:
        if upload is not None:
            raw = parse_raw_table(upload.getvalue(), upload.name)
        elif pasted.strip():
            raw = parse_raw_table(pasted.strip().encode("utf-8"), "粘贴的计数 pasted counts")
        else:
            raise InputError("no counts yet: upload the platform's export or paste "
                             "timestamp,sessions rows")
        counts = history_from_raw(raw)
        latest = max(v.number for v in book.versions(week))
        forecast, agents, params = planned_from(book.inputs(week, latest),
                                                 label=f"{url} week {week} v{latest}")
        absent = [Absence.parse(a.strip(), now.date()) for a in gone.split(",") if a.strip()]
        with st.spinner("重新预测中 Re-forecasting..."):
            view = look_at_today(book.roster(week), forecast, params, now=now,
                                 counts=counts.frame[["timestamp", "sessions"]], absent=absent,
                                 agents=agents)
        state.set_today((url, week, latest, view, counts.warnings,
                         [a.strip() for a in gone.split(",") if a.strip()]))
    except InputError as exc:
        st.error(str(exc))

def apply_today(week: date, latest: int, view: TodayView, gone_list: list[str]) -> None:
    """The Apply button's callback: the absences and actions as the week's next version."""
    planned = planned_from(book.inputs(week, latest), label=f"{url} week {week} v{latest}")
    v = publish_today(book, week, latest, view, planned, gone_list)
    st.session_state.pop(state.TODAY, None)
    st.session_state["today_applied"] = v.text


applied = st.session_state.pop("today_applied", None)
if applied:
    st.success(f"已发布 {applied}.")
shown = state.today()
if shown is not None and shown[0] == url and shown[1] == week:
    _url, _week, latest, view, warnings, gone_list = shown
    for w in (*warnings, *view.notes):
        st.warning(w)
    hours = view.hours
    seen = hours[hours["seen"].notna()]
    ahead = hours[hours["state"] != "over"]
    m = st.columns(3)
    m[0].metric("到目前 So far", f"{seen['seen'].sum():.0f} sessions",
                f"{seen['seen'].sum() - seen['forecast'].sum():+.0f} vs forecast",
                delta_color="off")
    m[1].metric("今天余下 Rest of today", f"{ahead['expected'].sum():.0f} sessions",
                f"{view.level:.0%} of the forecast (80%: {view.level_range[0]:.0%}-"
                f"{view.level_range[1]:.0%})", delta_color="off")
    m[2].metric(f"今天达标概率 Today keeps {view.target:.0%}", f"{view.day_chance:.0%}",
                help="The chance today's 00:00-24:00 share of chats answered in 3 minutes "
                     "keeps the target with the team on duty, given the day so far.")
    risky = ahead[(ahead["expected"] >= 5) & (ahead["chance"] < 0.8)]
    if risky.empty:
        st.success(f"第 {latest} 版排班 With version {latest}'s team, every hour still to "
                   "come keeps the target in at least 8 cases of 10.")
    else:
        st.warning(f"第 {latest} 版排班 With version {latest}'s team, {len(risky)} hour(s) "
                   "at risk (chance under 80%): "
                   + ", ".join(f"{r.hour:%H:%M} ({r.chance:.0%}, {r.agents} on duty)"
                               for r in risky.itertuples()))
        if view.actions:
            st.markdown(f"**建议 What lifts them**, cheapest first: "
                        f"{sum(a.paid_hours for a in view.actions):g} paid hours; today's "
                        f"chance then {view.day_chance_after:.0%}.")
            st.dataframe(pd.DataFrame({
                "动作 action": [a.kind for a in view.actions],
                "客服 agent": [a.agent_id for a in view.actions],
                "时间 hours": [f"{a.shift.start:%H:%M}-{a.shift.end:%H:%M}"
                              for a in view.actions],
                "付薪工时 paid h": [a.paid_hours for a in view.actions],
                "说明 what": [a.text for a in view.actions]}), hide_index=True, width="stretch")
        else:
            st.caption("没有劳动规则允许的加班或呼叫 No call or extension the labour rules allow "
                       "lifts them.")
        if view.blocked:
            st.caption("被规则拒绝 Turned down by: " + "; ".join(view.blocked))
    if view.actions or gone_list:
        st.button(f"采用 Apply: publish as version {latest + 1}", key="w_today_apply",
                  icon=":material/publish:", on_click=apply_today,
                  args=(week, latest, view, gone_list),
                  help="The week's roster with the absences and the actions above, as its "
                       "next version in the roster book (the Roster book page shows what "
                       "changed).")

    st.plotly_chart(today_figure(hours, target=view.target), width="stretch")
    st.dataframe(pd.DataFrame({
        "时段 hour": hours["hour"].dt.strftime("%H:%M"), "状态 state": hours["state"],
        "周前预测 forecast": hours["forecast"], "重新预测 expected": hours["expected"],
        "已到 seen": hours["seen"], "在岗 agents": hours["agents"],
        "达标概率 chance": hours["chance"],
        "动作后 after actions": hours["chance_after_actions"]}), hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="percent")
                       for c in ("达标概率 chance", "动作后 after actions")})
