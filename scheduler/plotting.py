"""Plotly figure builders for the app. Each returns a ``go.Figure``; none shows it.

Inputs are the library's tables and domain objects (coverage frames, forecasts, rosters, hourly
what-if frames), so the figures can be built and checked without Streamlit. Labels are bilingual
(Chinese first) where a manager reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scheduler.domain import BREAK_ZH, DAYS, DAYS_ZH, Agent, Forecast, HourlyHistory, Roster
from scheduler.frontier import Price

DAY_LABELS = tuple(f"{z} {e}" for z, e in zip(DAYS_ZH, DAYS, strict=True))
HOUR_LABELS = tuple(f"{h:02d}" for h in range(24))
SHORT = "#d62728"
"""Red: a shortfall / a missed target."""
OK = "#2ca02c"
CAP_COLOURS = ("#17becf", "#bcbd22", "#2ca02c", "#1f77b4", "#9467bd", "#8c564b", "#e377c2",
               "#393b79")
"""One distinct colour per reception cap 1..8 (the cap is also written on the bar)."""
BREAK = "#d9d9d9"


def _week_matrix(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """168 hourly values (Monday 00:00 first) as a 7 x 24 day x hour matrix."""
    arr = np.asarray(values, dtype=float)
    if arr.shape != (168,):
        raise ValueError(f"expected 168 hourly values, got shape {arr.shape}")
    return arr.reshape(7, 24)


def hourly_coverage(coverage: pd.DataFrame,
                    simulated_rate: Sequence[float] | np.ndarray | None = None
                    ) -> pd.DataFrame:
    """Per-interval coverage (``pipeline`` coverage table) rolled up to the 168 clock hours.

    Columns: ``hour_start``, ``sessions`` (sum), ``needed_with_margin`` (max over the hour's
    intervals), ``scheduled_agents`` (min: the thinnest moment), ``gap`` (min of scheduled -
    needed with margin: negative is below the margin), ``cap`` (max),
    ``predicted_three_min_rate`` (min: the model's worst interval), and
    ``simulated_three_min_rate`` when given (168 values).
    """
    c = coverage.copy()
    c["hour_start"] = pd.to_datetime(c["interval_start"]).dt.floor("h")
    c["gap"] = c["scheduled_agents"] - c["needed_with_margin"]
    g = c.groupby("hour_start", sort=True).agg(
        sessions=("sessions", "sum"), needed_with_margin=("needed_with_margin", "max"),
        scheduled_agents=("scheduled_agents", "min"), gap=("gap", "min"), cap=("cap", "max"),
        predicted_three_min_rate=("predicted_three_min_rate", "min"),
    ).reset_index()
    if simulated_rate is not None:
        g["simulated_three_min_rate"] = np.asarray(simulated_rate, dtype=float)[: len(g)]
    return g


def coverage_heatmaps(hourly: pd.DataFrame, *, target: float) -> go.Figure:
    """Three day x hour heatmaps: agents needed with the margin, scheduled agents, and the gap
    (scheduled - needed with margin), coloured red where the team is below the margin so a
    thin hour jumps out (short, below the forecast's own need, is ``coverage.csv``'s). Hover
    shows sessions, agents, cap and the predicted 3-minute rate. ``hourly`` comes from
    :func:`hourly_coverage` (168 rows)."""
    req = _week_matrix(hourly["needed_with_margin"])
    sch = _week_matrix(hourly["scheduled_agents"])
    gap = _week_matrix(hourly["gap"])
    rate_col = ("simulated_three_min_rate" if "simulated_three_min_rate" in hourly
                else "predicted_three_min_rate")
    custom = np.stack([
        _week_matrix(hourly["sessions"]), req, sch, _week_matrix(hourly["cap"]),
        _week_matrix(hourly[rate_col]) * 100.0, gap,
    ], axis=-1)
    hover = ("%{y} %{x}:00<br>sessions 会话 %{customdata[0]:.1f}"
             "<br>needed with margin 含余量所需 %{customdata[1]:.0f}"
             " · scheduled 已排 %{customdata[2]:.0f}"
             "<br>gap 缺口 %{customdata[5]:+.0f} · cap 接待上限 %{customdata[3]:.0f}"
             "<br>3-min rate 3分钟回复率 %{customdata[4]:.1f}%<extra></extra>")
    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
        subplot_titles=("含余量所需客服 Agents needed with margin", "已排的客服 Scheduled agents",
                        "缺口 Gap = scheduled − needed with margin (red = below the margin "
                        "低于余量)"),
    )
    top = float(max(req.max(), sch.max(), 1.0))
    for row, z, name in ((1, req, "needed with margin"), (2, sch, "scheduled")):
        fig.add_trace(go.Heatmap(
            z=z, x=list(HOUR_LABELS), y=list(DAY_LABELS), customdata=custom, name=name,
            colorscale="Blues", zmin=0, zmax=top, hovertemplate=hover, showscale=row == 1,
            colorbar={"title": "agents", "len": 0.3, "y": 0.85},
            text=z.astype(int).astype(str), texttemplate="%{text}", textfont={"size": 9},
        ), row=row, col=1)
    lim = float(max(abs(gap.min()), abs(gap.max()), 1.0))
    gap_scale = [[0.0, "#67000d"], [0.35, SHORT], [0.4999, "#fcbba1"], [0.5, "#f7f7f7"],
                 [0.5001, "#e5f5e0"], [1.0, "#74c476"]]
    gap_text = np.where(gap < 0, np.char.mod("%+d", gap.astype(int)), "")
    fig.add_trace(go.Heatmap(
        z=gap, x=list(HOUR_LABELS), y=list(DAY_LABELS), customdata=custom, name="gap",
        colorscale=gap_scale, zmin=-lim, zmax=lim, zmid=0, hovertemplate=hover,
        colorbar={"title": "gap", "len": 0.3, "y": 0.15}, xgap=1, ygap=1,
        text=gap_text, texttemplate="%{text}", textfont={"size": 10, "color": "white"},
    ), row=3, col=1)
    for r in (1, 2, 3):
        fig.update_yaxes(autorange="reversed", row=r, col=1)
    fig.update_xaxes(type="category", tickangle=0)
    fig.update_xaxes(title_text="hour 小时", row=3, col=1)
    fig.update_layout(height=760, margin={"l": 10, "r": 10, "t": 40, "b": 40},
                      meta={"target": target})
    return fig


def rate_figure(hourly: pd.DataFrame, *, target: float, rate: str = "three_min_rate",
                title: str = "预计3分钟回复率 Predicted 3-minute rate per hour") -> go.Figure:
    """Predicted 3-minute rate for each hour of the week as bars, red where below ``target``,
    with the target as a dashed line. ``hourly`` has ``hour_start``, ``sessions`` and ``rate``
    (0..1, NaN where no session); an optional ``three_min_rate_low/high`` adds error bars."""
    x = pd.to_datetime(hourly["hour_start"])
    y = hourly[rate].to_numpy(dtype=float)
    below = np.nan_to_num(y, nan=1.0) < target - 1e-12
    colours = np.where(below, SHORT, OK)
    labels = [f"{DAYS_ZH[t.weekday()]} {DAYS[t.weekday()]} {t:%H:00}" for t in x]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=x, y=y * 100.0, marker_color=colours, name="3-min rate 3分钟回复率",
        customdata=np.stack([hourly["sessions"].to_numpy(dtype=float), np.array(labels)],
                            axis=-1),
        hovertemplate="%{customdata[1]}<br>3-min rate %{y:.1f}%<br>"
                      "sessions 会话 %{customdata[0]:.1f}<extra></extra>",
    ))
    if below.any():
        fig.add_trace(go.Scatter(
            x=x[below], y=np.nan_to_num(y[below]) * 100.0, mode="markers",
            marker={"color": SHORT, "size": 6, "symbol": "x"}, name="below target 未达标",
            hoverinfo="skip"))
    fig.add_hline(y=target * 100.0, line_dash="dash", line_color="black",
                  annotation_text=f"target 目标 {target:.0%}", annotation_position="top right",
                  annotation_bgcolor="white")
    fig.update_layout(title=title, height=320, bargap=0.05, showlegend=False,
                      yaxis={"title": "%", "range": [0, 101]},
                      margin={"l": 10, "r": 10, "t": 50, "b": 30})
    _day_ticks(fig, x)
    return fig


def _day_ticks(fig: go.Figure, x: pd.Series) -> None:
    if len(x) == 0:
        return
    first = pd.Timestamp(x.iloc[0]).normalize()
    ticks = [first + pd.Timedelta(days=d) for d in range(8)]
    fig.update_xaxes(tickvals=ticks, ticktext=[
        f"{DAYS_ZH[t.weekday()]} {t:%m-%d}" for t in ticks], showgrid=True)


def forecast_figure(history: HourlyHistory, forecast: Forecast, *, weeks_shown: int = 3
                    ) -> go.Figure:
    """The last ``weeks_shown`` weeks of history, then next week's forecast with its band;
    hours the manager overrode are marked."""
    h = history.frame
    cut = pd.Timestamp(h["timestamp"].iloc[-1]) - pd.Timedelta(weeks=weeks_shown)
    h = h[h["timestamp"] > cut]
    f = forecast.frame
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=h["timestamp"], y=h["sessions"], mode="lines", name="history 历史",
        line={"color": "#7f7f7f", "width": 1}))
    fig.add_trace(go.Scatter(
        x=pd.concat([f["timestamp"], f["timestamp"][::-1]]),
        y=pd.concat([f["high"], f["low"][::-1]]), fill="toself",
        name=f"band 区间 {forecast.band:.0%}",
        fillcolor="rgba(31,119,180,0.2)", line={"width": 0}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=f["timestamp"], y=f["sessions"], mode="lines", name="forecast 预测",
        line={"color": "#1f77b4", "width": 2}))
    over = f[f["overridden"].astype(bool)]
    if len(over):
        fig.add_trace(go.Scatter(
            x=over["timestamp"], y=over["sessions"], mode="markers", name="edited 手动修改",
            marker={"color": "#ff7f0e", "size": 8, "symbol": "diamond"}))
    fig.update_layout(height=380, hovermode="x unified",
                      yaxis_title="sessions per hour 每小时会话",
                      legend={"orientation": "h", "y": 1.12},
                      margin={"l": 10, "r": 10, "t": 30, "b": 30})
    return fig


def forecast_grid(forecast: Forecast) -> pd.DataFrame:
    """Next week's expected sessions as a 24 x 7 grid (rows: hour ``00:00``..``23:00``; columns:
    ``周一 Mon``..``周日 Sun``), for the manager to edit."""
    m = _week_matrix(forecast.frame["sessions"]).T.round(1)
    return pd.DataFrame(m, index=[f"{h:02d}:00" for h in range(24)], columns=list(DAY_LABELS))


def grid_overrides(forecast: Forecast, grid: pd.DataFrame, *, tolerance: float = 0.05
                   ) -> dict[datetime, float]:
    """Hours where an edited :func:`forecast_grid` differs from ``forecast`` by more than
    ``tolerance`` sessions: ``{hour start: new value}`` (what ``apply_overrides`` takes).
    Empty cells keep the forecast."""
    base = _week_matrix(forecast.frame["sessions"]).T
    start = datetime.combine(forecast.week_start, datetime.min.time())
    out: dict[datetime, float] = {}
    values = grid.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    for hour in range(24):
        for day in range(7):
            v = values[hour, day]
            if np.isfinite(v) and abs(v - round(base[hour, day], 1)) > tolerance:
                out[start + timedelta(days=day, hours=hour)] = float(v)
    return out


def roster_gantt(roster: Roster, agents: Sequence[Agent] = ()) -> go.Figure:
    """Shifts per agent on the week's timeline: bars coloured by reception cap (label ``cap
    5``), breaks in grey. Agents with no shift are listed with an empty row."""
    names = {a.agent_id: a.name for a in agents}
    order = [a.agent_id for a in agents] or sorted({s.agent_id for s in roster.shifts})
    for s in roster.shifts:
        if s.agent_id not in order:
            order.append(s.agent_id)
    rows: list[dict[str, object]] = []
    for s in roster.shifts:
        who = f"{s.agent_id} {names.get(s.agent_id, '')}".strip()
        pieces = [(s.start, s.end)]
        if s.break_start is not None and s.break_end is not None:
            pieces = [(s.start, s.break_start), (s.break_end, s.end)]
            rows.append({"agent": who, "start": s.break_start, "end": s.break_end,
                         "what": f"break {BREAK_ZH}", "label": "",
                         "shift": f"{s.start:%a %H:%M}–{s.end:%H:%M}"})
        for a, b in pieces:
            if b > a:
                rows.append({"agent": who, "start": a, "end": b,
                             "what": f"cap {s.max_concurrent}", "label": f"{s.max_concurrent}",
                             "shift": f"{s.start:%a %H:%M}–{s.end:%H:%M}"})
    labels = [f"{a} {names.get(a, '')}".strip() for a in order]
    fig = go.Figure()
    kinds = sorted({str(r["what"]) for r in rows},
                   key=lambda k: (k.startswith("break"), int(k.split()[1]) if k[0] == "c" else 0))
    for kind in kinds:
        part = [r for r in rows if r["what"] == kind]
        colour = BREAK if kind.startswith("break") else CAP_COLOURS[int(kind.split()[1]) - 1]
        starts = pd.DatetimeIndex([pd.Timestamp(str(r["start"])) for r in part])
        ends = pd.DatetimeIndex([pd.Timestamp(str(r["end"])) for r in part])
        fig.add_trace(go.Bar(
            y=[r["agent"] for r in part], x=(ends - starts).total_seconds() * 1000.0,
            base=starts, orientation="h", name=kind if kind.startswith("break")
            else f"接待上限 {kind}", marker_color=colour,
            marker_line={"color": "white", "width": 0.5},
            text=[r["label"] for r in part], textposition="inside", insidetextanchor="middle",
            textfont={"color": "white" if not kind.startswith("break") else "black"},
            customdata=np.array([[r["shift"], r["what"]] for r in part], dtype=object),
            hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        ))
    week0 = pd.Timestamp(roster.week_start)
    idle = [lab for lab in labels if lab not in {r["agent"] for r in rows}]
    if idle:  # keep a row for agents with no shift this week
        fig.add_trace(go.Scatter(x=[week0] * len(idle), y=idle, mode="markers",
                                 marker={"opacity": 0}, showlegend=False, hoverinfo="skip",
                                 name="no shift 无班次"))
    fig.update_layout(
        barmode="overlay", height=max(260, 34 * len(order) + 120),
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "type": "category"},
        xaxis={"type": "date", "range": [week0, week0 + pd.Timedelta(days=7)]},
        legend={"orientation": "h", "y": 1.06}, margin={"l": 10, "r": 10, "t": 40, "b": 30},
    )
    _day_ticks(fig, pd.Series([week0]))
    for d in range(8):
        fig.add_vline(x=week0 + pd.Timedelta(days=d), line_width=1, line_color="#dddddd")
    return fig


def whatif_figure(base: pd.DataFrame, scenario: pd.DataFrame, *, target: float,
                  base_name: str = "current 当前", scenario_name: str = "scenario 情景"
                  ) -> go.Figure:
    """Per-hour 3-minute rate of the current roster and of a scenario on it; hours where the
    scenario misses the target are red markers. Frames from ``whatif.evaluate(...).hourly``."""
    fig = go.Figure()
    for frame, name, colour, dash in ((base, base_name, "#7f7f7f", "dot"),
                                      (scenario, scenario_name, "#1f77b4", "solid")):
        fig.add_trace(go.Scatter(
            x=frame["hour_start"], y=frame["three_min_rate"] * 100.0, mode="lines", name=name,
            line={"color": colour, "dash": dash, "width": 1.5}, connectgaps=False,
            customdata=np.stack([frame["sessions"].to_numpy(dtype=float),
                                 frame["agents_on_duty"].to_numpy(dtype=float)], axis=-1),
            hovertemplate="%{x|%a %H:00}: %{y:.1f}%<br>sessions %{customdata[0]:.1f}"
                          " · agents %{customdata[1]:.1f}<extra>" + name + "</extra>"))
    bad = scenario[scenario["below_target"].astype(bool)]
    fig.add_trace(go.Scatter(
        x=bad["hour_start"], y=bad["three_min_rate"] * 100.0, mode="markers",
        name=f"below target 未达标 ({len(bad)} h)", marker={"color": SHORT, "size": 7}))
    fig.add_hline(y=target * 100.0, line_dash="dash", line_color="black",
                  annotation_text=f"target 目标 {target:.0%}", annotation_position="bottom left")
    fig.update_layout(height=340, yaxis={"title": "3-min rate %", "range": [0, 101]},
                      legend={"orientation": "h", "y": 1.15},
                      margin={"l": 10, "r": 10, "t": 40, "b": 30})
    _day_ticks(fig, pd.to_datetime(scenario["hour_start"]))
    return fig


BACKTEST_COLOURS = {"margin": ("#9ecae1", "#08519c"), "point": ("#fdae6b", "#a63603")}
"""Per plan of a backtest: (its bars, its agent-hours dots): light bars, dark dots on them."""


def backtest_figure(weeks: pd.DataFrame, *, target: float) -> go.Figure:
    """Per judged week and plan: the share of busy hours that kept the target (bars) and the
    agent-hours (a labelled dot on the plan's own bar, right axis from 0, joined week to week),
    readable with a single judged week."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    names = {"margin": "with margin 含余量", "point": "point forecast 点预测"}
    for plan, g in weeks.groupby("plan", sort=False):
        label = names.get(str(plan), str(plan))
        bar, dot = BACKTEST_COLOURS.get(str(plan), ("#c7c7c7", "#404040"))
        x = [str(w) for w in g["week_start"]]
        fig.add_trace(go.Bar(x=x, y=g["share_at_target"], name=f"busy hours at target · {label}",
                             marker_color=bar, offsetgroup=str(plan),
                             hovertemplate="%{y:.1%}<extra></extra>"), secondary_y=False)
        fig.add_trace(go.Scatter(
            x=x, y=g["agent_hours"], mode="markers+lines+text", offsetgroup=str(plan),
            name=f"agent-hours 工时 · {label}", texttemplate="%{y:,.1f} h",
            textposition="top center", marker={"size": 12, "color": dot,
                                               "line": {"width": 2, "color": "white"}},
            line={"color": dot}, hovertemplate="%{y:,.1f} agent-hours<extra></extra>"),
            secondary_y=True)
    fig.add_hline(y=0.95, line_dash="dot", annotation_text="95%")
    fig.update_yaxes(title_text=f"busy hours at {target:.0%} 达标小时占比", tickformat=".0%",
                     range=[0.5, 1.0], secondary_y=False)
    top = float(weeks["agent_hours"].max()) if len(weeks) else 1.0
    fig.update_yaxes(title_text="agent-hours 工时", range=[0, top * 1.25], rangemode="tozero",
                     showgrid=False, secondary_y=True)
    fig.update_xaxes(type="category")  # one label per judged week, even for a single week
    fig.update_layout(barmode="group", scattermode="group",  # each dot on its plan's bar
                      title="How the plans did on the real weeks 回测", xaxis_title="week 周",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def price_figure(prices: Sequence[Price], *, chosen: float = 0.0, promise: str = "") -> go.Figure:
    """The price of each level (``frontier.Price`` rows): agent-hours against the chance the
    promise (``promise``, in words) holds, a line through the levels, hollow dots where they
    are estimates, the planned roster's own a filled dot, the point plan (no margin) apart;
    ``chosen``: the chance asked, a dashed line (0: none asked). Titled an estimate when every
    row is one."""
    levels = sorted((p for p in prices if not p.point or not p.estimated),
                    key=lambda p: p.chance)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[p.chance * 100 for p in levels], y=[p.agent_hours for p in levels],
        mode="lines+markers", name="price 代价", line={"color": "#1f77b4"},
        marker={"size": [9 if p.estimated else 15 for p in levels],
                "symbol": ["circle-open" if p.estimated else "circle" for p in levels]},
        hovertemplate="%{x:.0f}% · %{y:,.1f} agent-hours 工时<extra></extra>"))
    for p in prices:
        if not p.estimated:
            fig.add_annotation(x=p.chance * 100, y=p.agent_hours, showarrow=True, ay=-30,
                               text=f"this plan 本方案 {p.agent_hours:,.1f} h")
        elif p.point:
            fig.add_trace(go.Scatter(
                x=[p.chance * 100], y=[p.agent_hours], mode="markers+text",
                name="no margin 无余量", text=["no margin 无余量"], textposition="top right",
                marker={"size": 9, "symbol": "diamond-open", "color": "#7f7f7f"},
                hovertemplate="%{x:.0f}% · %{y:,.1f} agent-hours 工时<extra></extra>"))
    if chosen:
        fig.add_vline(x=chosen * 100, line_dash="dash", line_color="black",
                      annotation_text=f"chosen 所选 {chosen:.0%}",
                      annotation_position="top left", annotation_bgcolor="white")
    estimate = " (estimate 估算)" if all(p.estimated for p in prices) else ""
    kept = f"chance the promise holds 承诺达成机会 (%){': ' + promise if promise else ''}"
    fig.update_layout(
        title=f"各把握的代价 Price of each level{estimate}", height=320, showlegend=False,
        xaxis={"title": kept, "range": [-2, 102]},
        yaxis={"title": "agent-hours 工时", "rangemode": "tozero"},
        margin={"l": 10, "r": 10, "t": 50, "b": 30})
    return fig


def today_figure(hours: pd.DataFrame, *, target: float) -> go.Figure:
    """Today hour by hour (``today.TodayView.hours``): the counts so far and the re-forecast of
    the rest as bars, the week-ahead forecast as a line, and each remaining hour's chance of
    keeping ``target`` on a second axis (red under 80%)."""
    h = hours.copy()
    label = h["hour"].dt.strftime("%H:%M")
    seen = h["seen"].notna()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=label[seen], y=h.loc[seen, "seen"], name="so far 已到",
                         marker_color="#1f77b4"))
    fig.add_trace(go.Bar(x=label[~seen], y=h.loc[~seen, "expected"],
                         name="re-forecast 重新预测", marker_color="#9ecae1"))
    fig.add_trace(go.Scatter(x=label, y=h["forecast"], mode="lines",
                             name="week-ahead forecast 周前预测",
                             line={"color": "#7f7f7f", "width": 2, "dash": "dot"}))
    ahead = h["chance"].notna()
    chance = h.loc[ahead, "chance"] * 100
    fig.add_trace(go.Scatter(
        x=label[ahead], y=chance, mode="lines+markers", yaxis="y2",
        name=f"chance of {target:.0%} in 3 min 达标概率",
        line={"color": "#2ca02c"},
        marker={"color": [SHORT if c < 80 else OK for c in chance], "size": 8}))
    fig.update_xaxes(categoryorder="array", categoryarray=label.tolist())
    fig.update_layout(height=380, hovermode="x unified", barmode="overlay",
                      yaxis={"title": "sessions 会话"},
                      yaxis2={"title": "chance 概率 (%)", "overlaying": "y", "side": "right",
                              "range": [0, 105], "tickvals": [0, 20, 40, 60, 80, 100],
                              "showgrid": False},
                      legend={"orientation": "h", "y": 1.15},
                      margin={"l": 10, "r": 10, "t": 30, "b": 30})
    return fig
