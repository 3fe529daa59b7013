"""Backtest 回测: how would my plans have done? Each of the uploaded history's last weeks is
planned from the weeks before it only and the real week is replayed (``scheduler.backtest``)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scheduler.backtest import (
    MIN_TRAIN_WEEKS,
    BacktestReport,
    backtest_plans,
    column,
    expected_seconds,
    full_weeks,
    reliability,
)
from scheduler.errors import SchedulerError
from scheduler.params import Mode
from scheduler.plotting import backtest_figure
from scheduler.report import promise_words
from scheduler.ui import state
from scheduler.ui.common import duration_words, page
from scheduler.ui.planning import run_with_progress
from scheduler.ui.tables import PERCENT, in_percent

REPORT = "backtest_report"

page("回测 Backtest", "我的排班在真实周会怎样？ · How would my plans have done? Each of your "
     "history's last weeks is planned from the weeks before it only, then the real week is "
     "played against the roster in the simulator.")

history, agents, log = state.history(), state.agents(), state.sessions()
s = state.settings()
available = full_weeks(history) - MIN_TRAIN_WEEKS
if available < 1:
    st.info(f"The history holds {full_weeks(history)} full weeks; a backtest needs at least "
            f"{MIN_TRAIN_WEEKS + 1} (the forecast needs {MIN_TRAIN_WEEKS} before the first "
            "judged week). 历史数据不足，无法回测。")
    st.stop()
weeks = int(st.number_input("回测周数 Weeks to judge", 1, min(available, 12),
                            value=min(2, available), key="w_backtest_weeks"))
params = s.params()
seconds = expected_seconds(weeks, params)
st.caption(f"Each week is planned twice: for a {params.service.level:.0%} chance of the "
           "promise (the Data page's setting) and at the point forecast (the price of the margin), "
           f"a time limit of {s.time_limit_seconds:g} s each, then replayed: about "
           f"{duration_words(seconds)} in all. "
           + ("Real arrivals come from your session log. " if log is not None else
              "Arrivals are drawn inside each real hour's count. "))
if st.button("▶ 回测 Run the backtest", type="primary", key="w_backtest_run"):
    def work(progress: Any) -> BacktestReport:
        return backtest_plans(history, agents, weeks=weeks, params=params, sessions=log,
                              progress=lambda d, n, what: progress(f"{d}/{n} · {what}"))

    try:
        report, _lines = run_with_progress(work, time_limit_seconds=seconds,
                                           label="回测中 Backtesting…")
    except SchedulerError as exc:
        st.error(f"Cannot backtest 无法回测: {exc}")
    else:
        st.session_state[REPORT] = report

report = st.session_state.get(REPORT)
if isinstance(report, BacktestReport):
    st.plotly_chart(backtest_figure(report.weeks, target=report.target), width="stretch",
                    key="backtest_chart")
    words = promise_words(report.per_hour_share)
    for r in report.summary().itertuples(index=False):
        label = "with margin 含余量" if r.plan == "margin" else "point forecast 点预测"
        kept = " · ".join(f"{words[m]} {getattr(r, column('chance', m)):.0%} predicted, kept "
                          f"in {round(getattr(r, column('kept', m)) * r.weeks)} of {r.weeks} "
                          "week(s)" for m in Mode)
        st.markdown(f"**{label}**: {r.agent_hours:,.1f} agent-hours a week 每周工时 · worst "
                    f"week {r.worst_share_at_target:.0%} of busy hours at target · "
                    f"{r.weeks_under_95} week(s) under 95% · hours below target: expected vs "
                    f"seen differ by {r.mean_abs_expected_minus_seen:.1f} on average  \n"
                    f"承诺 Each promise at {report.target:.0%}: {kept}")
    st.markdown("**预测与实际 Were the predicted chances honest?** Each judged week and plan "
                "is one pair per promise: the chance the plan predicted, and whether the real "
                "week kept the promise. Over many weeks, the share kept in each band should "
                "be close to the chance predicted (`benchmarks/promise_reliability.py` does "
                "this on 30 real weeks).")
    bins = reliability(report.weeks).assign(
        promise=lambda f: f["promise"].map({m.value: words[m] for m in Mode}))
    st.dataframe(in_percent(bins, ["predicted", "kept"]), hide_index=True,
                 key="backtest_reliability", column_config={
        "promise": "承诺 Promise", "bin": "预测区间 Predicted chance",
        "pairs": "周数 Weeks", "predicted": st.column_config.NumberColumn(
            "平均预测 Mean predicted", format=PERCENT),
        "kept": st.column_config.NumberColumn("实际守住 Kept", format=PERCENT)})
    promises = [c for m in Mode for c in (column("chance", m), column("kept", m))
                + (("days_kept",) if m == Mode.DAILY else ())]
    first = ["week_start", "plan", "chance_asked", "agent_hours", *promises]
    shares = ["chance_asked", "weekly_three_min_rate", "min_daily_three_min_rate",
              "share_at_target", *(column("chance", m) for m in Mode)]
    st.dataframe(in_percent(report.weeks, shares), hide_index=True, width="stretch",
                 column_order=[
        *first, *(c for c in report.weeks.columns if c not in first)], column_config={
        "week_start": "周 Week", "plan": "方案 Plan",
        "chance_asked": st.column_config.NumberColumn("承诺把握 Chance asked", format=PERCENT),
        "agent_hours": st.column_config.NumberColumn("工时 Agent-hours", format="%.1f"),
        "weekly_three_min_rate": st.column_config.NumberColumn("周3分钟率 Week rate",
                                                               format=PERCENT),
        "min_daily_three_min_rate": st.column_config.NumberColumn("最差日 Worst day",
                                                                  format=PERCENT),
        "busy_hours": "忙时 Busy hours", "busy_hours_at_target": "达标忙时 At target",
        "share_at_target": st.column_config.NumberColumn("达标占比 Share", format=PERCENT),
        "expected_below": st.column_config.NumberColumn("预计不达标 Expected below",
                                                        format="%.1f"),
        "seen_below": "实际不达标 Seen below", "real_sessions": "真实会话 Real sessions",
        "forecast_sessions": st.column_config.NumberColumn("预测会话 Forecast", format="%.0f"),
        **{column("chance", m): st.column_config.NumberColumn(
            f"预测 Chance · {words[m]}", format=PERCENT) for m in Mode},
        **{column("kept", m): st.column_config.CheckboxColumn(f"守住 Kept · {words[m]}")
           for m in Mode},
        "days_kept": st.column_config.NumberColumn("达标天数 Days kept (of 7)")})
