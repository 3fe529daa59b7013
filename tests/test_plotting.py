"""Figure builders: shapes, colours where a target breaks, the forecast grid round trip."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from scheduler import plotting
from scheduler.domain import Agent, Forecast, HourlyHistory, Roster, Shift

W0 = datetime(2026, 11, 23)


def coverage_frame() -> pd.DataFrame:
    """336 half-hours; Friday 20:00-20:30 short by 2, Friday 20:30-21:00 short by 1."""
    starts = [W0 + timedelta(minutes=30 * i) for i in range(336)]
    req = np.full(336, 2)
    sch = np.full(336, 3)
    fri20 = (4 * 24 + 20) * 2
    sch[fri20] = 0
    sch[fri20 + 1] = 1
    return pd.DataFrame({
        "interval_start": starts, "sessions": np.full(336, 5.0), "needed_with_margin": req,
        "scheduled_agents": sch, "cap": np.full(336, 4),
        "predicted_three_min_rate": np.where(sch < req, 0.5, 0.95),
        "predicted_reply_rate": np.full(336, 0.99),
        "below_margin_agents": np.maximum(req - sch, 0),
    })


def test_hourly_coverage_rolls_half_hours_up() -> None:
    h = plotting.hourly_coverage(coverage_frame())
    assert len(h) == 168
    fri20 = h.iloc[4 * 24 + 20]
    assert fri20["sessions"] == 10.0
    assert fri20["scheduled_agents"] == 0 and fri20["gap"] == -2
    assert fri20["predicted_three_min_rate"] == 0.5
    assert (h.drop(index=4 * 24 + 20)["gap"] == 1).all()


def test_coverage_heatmaps_shape_and_shortfall_colour() -> None:
    h = plotting.hourly_coverage(coverage_frame(), simulated_rate=np.full(168, 0.9))
    fig = plotting.coverage_heatmaps(h, target=0.8)
    maps = [t for t in fig.data if t.type == "heatmap"]
    assert [t.name for t in maps] == ["needed with margin", "scheduled", "gap"]
    for t in maps:
        assert np.asarray(t.z).shape == (7, 24)
    gap = np.asarray(maps[2].z)
    assert gap[4, 20] == -2 and gap.max() == 1
    assert maps[2].zmid == 0
    low_colour = maps[2].colorscale[1][1]
    assert low_colour == plotting.SHORT  # negative side of the scale is red
    assert maps[2].text[4][20] == "-2" and maps[2].text[0][0] == ""
    assert np.asarray(maps[0].customdata).shape == (7, 24, 6)
    assert "sessions 会话" in maps[0].hovertemplate and "cap 接待上限" in maps[0].hovertemplate
    assert list(maps[0].y)[4] == "周五 Fri"


def test_rate_figure_marks_hours_below_target_red() -> None:
    hours = [W0 + timedelta(hours=h) for h in range(168)]
    rate = np.full(168, 0.9)
    rate[[10, 50]] = [0.5, 0.0]
    rate[100] = np.nan
    frame = pd.DataFrame({"hour_start": hours, "sessions": np.full(168, 4.0),
                          "three_min_rate": rate})
    fig = plotting.rate_figure(frame, target=0.8)
    colours = list(fig.data[0].marker.color)
    assert colours[10] == colours[50] == plotting.SHORT
    assert colours.count(plotting.SHORT) == 2  # NaN (no session) is not a miss
    markers = fig.data[1]
    assert len(markers.x) == 2 and list(markers.y) == [50.0, 0.0]  # 0% stays visible


def make_forecast() -> Forecast:
    hours = [W0 + timedelta(hours=h) for h in range(168)]
    s = np.arange(168, dtype=float) / 2
    frame = pd.DataFrame({"timestamp": pd.to_datetime(hours), "sessions": s, "low": s * 0.8,
                          "high": s * 1.2, "overridden": np.zeros(168, dtype=bool)})
    return Forecast(week_start=date(2026, 11, 23), frame=frame, method="test")


def test_forecast_grid_round_trip() -> None:
    fc = make_forecast()
    grid = plotting.forecast_grid(fc)
    assert grid.shape == (24, 7) and grid.loc["20:00", "周五 Fri"] == (4 * 24 + 20) / 2
    assert plotting.grid_overrides(fc, grid) == {}
    grid.loc["20:00", "周五 Fri"] = 250.0
    grid.loc["03:00", "周日 Sun"] = None  # an emptied cell keeps the forecast
    assert plotting.grid_overrides(fc, grid) == {datetime(2026, 11, 27, 20): 250.0}


def test_forecast_figure_marks_edited_hours() -> None:
    fc = make_forecast()
    frame = fc.frame.copy()
    frame.loc[5, "overridden"] = True
    fc = Forecast(week_start=fc.week_start, frame=frame, method="test")
    hist_hours = pd.date_range(W0 - timedelta(weeks=5), W0, freq="h", inclusive="left")
    history = HourlyHistory(frame=pd.DataFrame({"timestamp": hist_hours,
                                                "sessions": np.ones(len(hist_hours))}),
                            source="t")
    fig = plotting.forecast_figure(history, fc, weeks_shown=2)
    assert [t.name for t in fig.data] == ["history 历史", "band 区间 80%", "forecast 预测",
                                          "edited 手动修改"]
    assert len(fig.data[0].x) == 24 * 14  # exactly the last two weeks of history
    assert len(fig.data[3].x) == 1


def test_roster_gantt_bars_caps_and_breaks() -> None:
    d = W0 + timedelta(days=2)
    shifts = (
        Shift("A1", d + timedelta(hours=9), d + timedelta(hours=18), 5,
              d + timedelta(hours=13), d + timedelta(hours=13, minutes=30)),
        Shift("A2", d + timedelta(hours=20), d + timedelta(hours=26), 3),
    )
    agents = (Agent("A1", 5, 40, name="小雨"), Agent("A2", 3, 40), Agent("A3", 2, 20))
    fig = plotting.roster_gantt(Roster(week_start=date(2026, 11, 23), shifts=shifts), agents)
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"接待上限 cap 3", "接待上限 cap 5", "break 用餐", "no shift 无班次"}
    assert list(by_name["no shift 无班次"].y) == ["A3"]
    assert len(by_name["接待上限 cap 5"].y) == 2  # split around the break
    assert list(by_name["接待上限 cap 5"].text) == ["5", "5"]
    assert len(by_name["break 用餐"].y) == 1
    assert by_name["break 用餐"].x[0] == pytest.approx(30 * 60 * 1000)  # 30 min in ms
    assert by_name["接待上限 cap 3"].x[0] == pytest.approx(6 * 3600 * 1000)  # past midnight
    assert list(fig.layout.yaxis.categoryarray) == ["A3", "A2", "A1 小雨"]  # A3: no shift


def test_whatif_figure_red_markers_are_the_missed_hours() -> None:
    hours = pd.to_datetime([W0 + timedelta(hours=h) for h in range(168)])
    base = pd.DataFrame({"hour_start": hours, "sessions": 3.0, "agents_on_duty": 2.0,
                         "three_min_rate": 0.9, "below_target": False})
    sc = base.copy()
    sc.loc[[20, 21], "three_min_rate"] = 0.4
    sc.loc[[20, 21], "below_target"] = True
    fig = plotting.whatif_figure(base, sc, target=0.8)
    red = fig.data[2]
    assert red.name == "below target 未达标 (2 h)" and len(red.x) == 2


def test_backtest_figure_one_label_per_judged_week() -> None:
    # a single judged week was drawn on a time axis: ticks from 23:59:59.9996 to 00:00:00.0004
    weeks = pd.DataFrame({"week_start": [date(2026, 11, 16)] * 2, "plan": ["margin", "point"],
                          "share_at_target": [0.97, 0.92], "agent_hours": [583.5, 484.0]})
    fig = plotting.backtest_figure(weeks, target=0.8)
    assert fig.layout.xaxis.type == "category"
    assert {x for trace in fig.data for x in trace.x} == {"2026-11-16"}


def test_backtest_figure_shows_the_hours_of_a_single_week() -> None:
    # one judged week drew each plan's agent-hours as a line with one point: a 6-pixel dot at
    # the middle of the week, behind the other plan's bar, its axis cut to 467-592 h
    weeks = pd.DataFrame({"week_start": [date(2026, 11, 16)] * 2, "plan": ["margin", "point"],
                          "share_at_target": [0.97, 0.92], "agent_hours": [583.5, 475.5]})
    fig = plotting.backtest_figure(weeks, target=0.8)
    bars = [t for t in fig.data if t.type == "bar"]
    dots = [t for t in fig.data if t.type == "scatter"]
    assert fig.layout.scattermode == "group" and len(bars) == len(dots) == 2
    for bar, dot in zip(bars, dots, strict=True):
        assert dot.offsetgroup == bar.offsetgroup is not None  # the dot sits on its plan's bar
        assert "markers" in dot.mode and dot.marker.size >= 10 and dot.marker.color != \
            bar.marker.color
        assert "text" in dot.mode and dot.texttemplate == "%{y:,.1f} h"  # "583.5 h" beside it
    assert fig.layout.yaxis2.range[0] == 0 and fig.layout.yaxis2.range[1] > 583.5
