"""Data 数据: the history and agents to plan with (upload or the bundled sample), the editable
agents table, the rules and the platform profile."""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace

import pandas as pd
import streamlit as st

from scheduler import io, plotting
from scheduler.errors import InputError, SchedulerError
from scheduler.params import DEFAULT_CHANCE, ChatModel, Mode
from scheduler.pipeline import next_monday
from scheduler.report import promise_text
from scheduler.ui import state
from scheduler.ui.cached import (
    base_forecast,
    chat_fit,
    parse_agents,
    parse_history,
    price_estimate,
)
from scheduler.ui.common import page, sidebar_status
from scheduler.ui.planning import plan_panel
from scheduler.ui.settings import CAP_CHOICES, SHIFT_LENGTH_CHOICES, Settings, help_text
from scheduler.whatif import PROFILES, profile_by_key

EDITOR_LABEL = "agents table 客服表"

page("数据 Data", "上传历史会话量和客服名单，或使用示例数据 · Upload the shop's chat history and "
     "agents, or use the bundled sample.", sidebar=False)

next_step = st.container(border=True)  # filled at the end, once the settings below are read

if st.button("使用示例数据 Use the bundled sample", key=state.W_SAMPLE_BUTTON):
    state.load_sample()
    st.toast("Sample loaded 已加载示例数据")

st.caption(f"CSV or XLSX, UTF-8 or GBK, English or Chinese headers (时间/咨询量/接待上限…). "
           f"Up to {state.MAX_UPLOAD_MB} MB per file 每个文件最大 {state.MAX_UPLOAD_MB} MB. "
           "A file with an error is refused and the current data stays.")


def _upload(slot: str, label: str, key: str, help_text: str) -> None:
    f = st.file_uploader(label, type=["csv", "xlsx", "txt", "tsv"], key=key, help=help_text)
    if f is None:
        state.clear_error(slot)
        st.session_state[state.PROCESSED_UPLOADS].pop(slot, None)
        return
    data = f.getvalue()
    if state.upload_seen(slot, data, f.name):
        return
    try:
        if slot == state.ERR_HISTORY:
            h, log = parse_history(data, f.name)
            key = f"upload:{f.name}:{hashlib.sha1(data).hexdigest()}"
            base_forecast(key, h, next_monday(h.end))  # refuse what cannot be forecast
            state.set_history(h, source=f.name, key=key, log=log)
        else:
            agents, warnings = parse_agents(data, f.name)
            state.set_agents(agents, source=f.name, warnings=warnings, reset_editor=True)
    except InputError as exc:
        state.set_error(slot, str(exc))
    else:
        state.clear_error(slot)


left, right = st.columns(2)
with left:
    st.subheader("历史 History")
    _upload(state.ERR_HISTORY, "上传历史 Upload history (hourly sessions or per-session log)",
            state.W_HISTORY_UPLOAD,
            "Columns: timestamp 时间, sessions 咨询量 (optional avg_handle_seconds 平均接待时长); "
            "or per-session records with a start time 开始时间.")
    err = state.error(state.ERR_HISTORY)
    if err:
        st.error(f"文件有误，未使用 File refused: {err}")
    h = state.history()
    st.markdown(f"**In use 当前使用**: {state.history_source()}")
    st.caption(f"{h.hours:,} hours ({h.hours / 168:.1f} weeks), {h.start:%Y-%m-%d %H:%M} → "
               f"{h.end:%Y-%m-%d %H:%M}, {int(h.frame['sessions'].sum()):,} sessions")
    for w in h.warnings:
        st.warning(w)
    if h.frame["avg_handle_seconds"].isna().all() and state.sessions() is None:
        st.info(f"No handle times in this history: the plan uses the default "
                f"{ChatModel().handle_seconds:.0f} s per chat (set it on the command line with "
                "--handle-seconds, or upload a session log). 历史中无接待时长，使用默认值。")
    log = state.sessions()
    if log is not None:
        rows, notes = chat_fit(state.history_key(), log)
        st.markdown("**会话模型 Chat model fitted from this log** (used by the plan and the "
                    "simulation 排班和模拟均使用):")
        shown = pd.DataFrame(rows)
        for col in ("default", "fitted", "used"):
            shown[col] = shown[col].map(lambda v: "—" if v is None else (
                ", ".join(f"{x:g}" for x in v) if isinstance(v, list) else f"{v:g}"))
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
            "parameter": "参数 Figure", "default": "默认 Default", "fitted": "拟合 Fitted",
            "used": "采用 Used", "sessions": "会话数 Sessions", "source": "来源 Source"})
        st.caption(notes[0])
        with st.expander("How it was fitted 拟合细节"):
            for n in notes[1:]:
                st.caption(n)

with right:
    st.subheader("客服 Agents")
    _upload(state.ERR_AGENTS, "上传客服名单 Upload agents", state.W_AGENTS_UPLOAD,
            "Columns: agent_id 客服ID, max_concurrent 接待上限 (1-8), max_hours_week "
            "每周最多工时, optional name, available_days, available_hours, night_ok, weekend_ok.")
    err = state.error(state.ERR_AGENTS)
    if err:
        st.error(f"文件有误，未使用 File refused: {err}")
    agents_status = st.container()  # filled at the end: the editor below may change them


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Editor cells as the text a file would hold ('' for empty, 40.0 -> '40')."""
    def cell(v: object) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, bool):
            return "yes" if v else "no"
        return str(v).strip()
    return frame.astype(object).map(cell)


st.subheader("客服表 Agents table (editable 可编辑)")
st.caption("Edit a cell, add or delete rows; the table is checked like a file. "
           "available_days e.g. Mon-Fri or 周一-周五; "
           "available_hours e.g. 09:00-18:00; empty = any.")
edited = st.data_editor(
    state.editor_base(), key=state.editor_key(), num_rows="dynamic", width="stretch",
    hide_index=True,
    column_config={
        "agent_id": st.column_config.TextColumn("客服ID agent_id"),
        "name": st.column_config.TextColumn("姓名 name"),
        "max_concurrent": st.column_config.NumberColumn("接待上限 cap", step=1),
        "max_hours_week": st.column_config.NumberColumn("周工时上限 max h"),
        "min_hours_week": st.column_config.NumberColumn("周工时下限 min h"),
        "available_days": st.column_config.TextColumn("可排班日 days"),
        "available_hours": st.column_config.TextColumn("可排班时段 hours"),
        "night_ok": st.column_config.TextColumn("可上夜班 night"),
        "weekend_ok": st.column_config.TextColumn("可上周末 weekend"),
    },
)
try:
    edited_agents, _ = io.agents_from_raw(io.RawTable(frame=_as_text(edited), label=EDITOR_LABEL))
except InputError as exc:
    state.set_error(state.ERR_EDITOR, str(exc))
else:
    state.clear_error(state.ERR_EDITOR)
    if edited_agents != state.agents():
        src = state.agents_source()
        suffix = " + edits 已编辑"
        state.set_agents(edited_agents, source=src if src.endswith(suffix) else src + suffix,
                         warnings=state.agents_warnings())
err = state.error(state.ERR_EDITOR)
if err:
    st.error(f"表格有误，未使用修改 Edits not used: {err}")

# ---- rules ---------------------------------------------------------------------------------
st.subheader("规则 Rules and platform 平台")
cur = state.settings()
k = state.setting_key
for name, value in (
    ("profile", cur.profile), ("target", round(cur.target * 100)), ("mode", cur.mode),
    ("hourly_floor", round(cur.hourly_floor * 100)),
    ("shift_lengths_hours", list(cur.shift_lengths_hours)),
    ("min_rest_hours", cur.min_rest_hours), ("min_days_off", cur.min_days_off),
    ("min_days_off_full_time", cur.min_days_off_full_time),
    ("allowed_caps", list(cur.allowed_caps)), ("time_limit_seconds", cur.time_limit_seconds),
    ("replications", cur.replications),
):
    state.seed_widget(k(name), value)

c1, c2, c3 = st.columns(3)
with c1:
    profile_key = st.selectbox(
        "平台 Platform profile", [p.key for p in PROFILES], key=k("profile"),
        format_func=lambda key: profile_by_key(key).name)
    prof = profile_by_key(profile_key)
    if prof.reply_rate_min is not None:
        st.caption(f"回复率 reply rate ≥ {prof.reply_rate_min:.0%}, "
                   f"{prof.window_text(prof.reply_window)} · {prof.period}")
    st.caption(f"3分钟回复率 3-minute rate window {prof.window_text(prof.three_min_window)}. "
               + prof.note)
    if not prof.confirmed:
        st.warning("待确认 To confirm: these numbers come from third-party guides.")
    target = st.slider("3分钟回复率目标 3-minute rate target (%)", 50, 99, key=k("target"),
                       help=help_text("target"))
    mode = st.radio("目标方式 Target mode", list(Mode), key=k("mode"),
                    horizontal=True, help=help_text("mode"))
    floor = st.slider("每小时下限 Hourly floor at the forecast (%)", 0, 99,
                      key=k("hourly_floor"), help=help_text("hourly_floor"))
    # untouched, the slider shows the chosen mode's default chance and follows the mode
    mode_default = round(DEFAULT_CHANCE[Mode(mode or cur.mode)] * 100)
    if k("chance") not in st.session_state:
        st.session_state[k("chance")] = (mode_default if cur.chance is None
                                         else round(cur.chance * 100))
    elif cur.chance is None and st.session_state[k("chance")] == round(
            DEFAULT_CHANCE[Mode(cur.mode)] * 100):
        st.session_state[k("chance")] = mode_default
    chance = st.slider("承诺把握 Chance the promise holds (%; 0 = the point forecast)", 0, 99,
                       key=k("chance"), help=help_text("chance"))
with c2:
    lengths = st.multiselect("班次时长 Shift lengths (h)", list(SHIFT_LENGTH_CHOICES),
                             key=k("shift_lengths_hours"), help=help_text("shift_lengths_hours"))
    rest = st.number_input("两班最短间隔 Min rest between shifts (h)", 0.0, 24.0, step=1.0,
                           key=k("min_rest_hours"), help=help_text("min_rest_hours"))
    off = st.number_input("每周最少休息日 Min days off / week", 0, 6, step=1,
                          key=k("min_days_off"), help=help_text("min_days_off"))
    off_ft = st.number_input("全职每周休息日 Days off / week, full-timers (≥ 40 h)", 0, 6, step=1,
                             key=k("min_days_off_full_time"),
                             help=help_text("min_days_off_full_time"))
with c3:
    caps = st.multiselect("可用接待上限 Cap levels allowed", list(CAP_CHOICES),
                          key=k("allowed_caps"), help=help_text("allowed_caps"))
    limit = st.number_input("排班时限 Time limit of the plan (s)", 5.0, 600.0, step=5.0,
                            key=k("time_limit_seconds"), help=help_text("time_limit_seconds"))
    reps = st.number_input("模拟次数 Simulation runs (check)", 1, 50, step=1,
                           key=k("replications"), help=help_text("replications"))

new = replace(cur, profile=profile_key, target=target / 100.0, mode=mode or cur.mode,
              hourly_floor=min(floor, target) / 100.0,
              chance=None if cur.chance is None and chance == mode_default else chance / 100.0,
              shift_lengths_hours=tuple(float(x) for x in lengths),
              min_rest_hours=float(rest), min_days_off=int(off),
              min_days_off_full_time=int(off_ft), allowed_caps=tuple(int(c) for c in caps),
              time_limit_seconds=float(limit), replications=int(reps))
problem = None
if not lengths:
    problem = "choose at least one shift length 至少选择一种班次时长"
elif not caps:
    problem = "choose at least one cap level 至少选择一个接待上限"
else:
    try:
        new.params()
    except ValueError as exc:
        problem = str(exc)
if problem:
    st.error(f"规则有误，未使用 Rules not used: {problem}")
elif new != cur:
    state.set_settings(new)
if state.settings() == Settings():
    st.caption("Defaults 默认值: shifts of 4, 6, 8 or 10 h, at most 40 h a week for full-timers, "
               "≥ 1 rest day a week (2 for full-timers), ≥ 11 h between shifts.")

# ---- the price of each level, estimated before Plan ------------------------------------------
if not problem:
    chosen = state.settings()
    params = chosen.params()
    st.subheader("各把握的代价 Price of each level (estimate 估算)")
    st.caption(f"The agent-hours a plan would cost at each chance that "
               f"{promise_text(params.service)} holds (the promise of the mode above), "
               "estimated from the forecast's model before any roster is planned: agents on "
               "duty hour by hour, summed; a plan's shifts land within a few percent of it. "
               "After Plan, 覆盖 Coverage marks the plan's own point on the same chart. "
               "排班前的估算。")
    try:
        prices = price_estimate(
            state.history_key(), state.history(), state.sessions(),
            next_monday(state.history().end), state.overrides(),
            replace(params, service=replace(params.service, chance=0.0)),
            state.agents())
    except SchedulerError as exc:
        st.caption(f"No estimate 无法估算: {exc}")
    else:
        st.plotly_chart(plotting.price_figure(prices, chosen=params.service.level,
                                              promise=promise_text(params.service)),
                        width="stretch", key="price_estimate")

with agents_status:
    st.markdown(f"**In use 当前使用**: {state.agents_source()} · {len(state.agents())} agents")
    for w in state.agents_warnings():
        st.warning(w)
sidebar_status()

with next_step:
    st.markdown("**下一步 Next step**: check the history and agents below (the bundled sample is "
                "loaded), then plan the week here. 确认数据后在此排班。")
    plan_panel(here="data")
