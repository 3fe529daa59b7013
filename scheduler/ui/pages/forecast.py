"""Forecast 预测: the recent history and next week's forecast with its band; the manager edits
any hour in a day x hour grid (applied through ``scheduler.forecast.apply_overrides``)."""

from __future__ import annotations

import streamlit as st

from scheduler import plotting
from scheduler.errors import InputError
from scheduler.forecast import apply_overrides, events_frame
from scheduler.pipeline import next_monday
from scheduler.ui import state
from scheduler.ui.cached import base_forecast
from scheduler.ui.common import page

page("预测 Forecast", "下周每小时的预计会话量 · Next week's expected sessions per hour. "
     "Edit any hour you know better (a live stream, a promotion).")

history = state.history()
week = next_monday(history.end)
try:
    base = base_forecast(state.history_key(), history, week)
except InputError as exc:
    st.error(f"无法预测 Cannot forecast: {exc}")
    st.stop()
try:
    current = apply_overrides(base, state.overrides(), source="forecast editor")
except InputError as exc:  # overrides of an older week: drop them
    state.set_overrides({})
    current = base
    st.warning(f"Earlier edits were dropped: {exc}")

st.markdown(f"**Week 周** {week:%Y-%m-%d} (Mon 周一) · "
            f"{current.frame['sessions'].sum():,.0f} sessions expected 预计会话 · "
            f"band 区间 {base.band:.0%}")
chart = st.container()

st.subheader("按小时修改 Edit hours (day x hour)")
st.caption("Type a new number of sessions in any cell; edited hours are marked on the chart. "
           "Cells are expected sessions in that clock hour.")
grid = st.data_editor(plotting.forecast_grid(current), key=state.forecast_editor_key(),
                      width="stretch", height=36 * 25,
                      column_config={c: st.column_config.NumberColumn(c, format="%.1f")
                                     for c in plotting.DAY_LABELS})
wanted = plotting.grid_overrides(base, grid)
try:
    edited = apply_overrides(base, wanted, source="forecast editor") if wanted else base
except InputError as exc:
    state.set_error(state.ERR_FORECAST, str(exc))
    edited = current
else:
    state.clear_error(state.ERR_FORECAST)
    if wanted != state.overrides():
        state.set_overrides(wanted)
err = state.error(state.ERR_FORECAST)
if err:
    st.error(f"修改有误，未使用 Edit not used: {err}")

c1, c2 = st.columns([1, 3])
c1.metric("edited hours 已修改小时", len(state.overrides()))
if c2.button("清除修改 Clear all edits", disabled=not state.overrides()):
    state.clear_overrides()
    st.rerun()

with chart:
    st.plotly_chart(plotting.forecast_figure(history, edited), width="stretch",
                    key="forecast_chart")
    weeks = base.backtest_weeks
    if base.wape is not None and base.naive_wape is not None:
        st.markdown(f"**典型误差 Typical error** {base.wape:.0%} of the sessions on the last "
                    f"{weeks} weeks 最近{weeks}周 · repeating the week before 照搬上周: "
                    f"{base.naive_wape:.0%}")
    events = events_frame(base)
    if len(events):
        st.subheader("日历事件 Calendar events")
        st.caption("Every holiday, promotion and outlier day in the history and next week. "
                   "Each event's effect is estimated from your own history (seen), shared by "
                   "events of its kind, and used in the forecast; an event kind your history "
                   "has never seen keeps the calendar's prior. 每个事件的影响由店铺自身历史估计。")
        st.dataframe(events, hide_index=True, width="stretch", column_config={
            "where": "位置 Where", "name": "事件 Event", "kind": "类别 Kind",
            "start": "开始 Start", "end": "结束 End",
            "prior": st.column_config.NumberColumn("先验 Prior", format="x%.2f"),
            "estimated": st.column_config.NumberColumn("实测 Seen", format="x%.2f"),
            "used": st.column_config.NumberColumn("采用 Used", format="x%.2f"),
            "evidence": "依据 Evidence"})
    with st.expander("How the forecast was made 预测方法"):
        if base.wape is not None:
            st.caption(f"Each of the last {weeks} weeks was forecast from the weeks before it "
                       "only; the typical error adds up the hours' misses (too many or too few "
                       "sessions) as a share of the weeks' sessions (WAPE). 每周只用之前的数据"
                       "预测，误差为各小时偏差之和占会话量的比例。")
        for note in edited.notes:
            st.caption(note)
