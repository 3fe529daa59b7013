"""A short profile of a history, for ``scheduler inspect`` and the app."""

from __future__ import annotations

import math

import pandas as pd

from scheduler.domain import HourlyHistory, Profile


def profile_history(history: HourlyHistory, *, top_hours: int = 5) -> Profile:
    """Weeks covered, mean sessions per weekday, busiest clock hours, peak hour, handle time."""
    f = history.frame
    ts = pd.to_datetime(f["timestamp"])
    days = f.groupby(ts.dt.date)["sessions"].sum()
    weekday = pd.Series(pd.to_datetime(pd.Series(days.index)).dt.day_of_week.to_numpy(),
                        index=days.index)
    by_weekday = tuple(float(days[weekday == d].mean()) if (weekday == d).any() else 0.0
                       for d in range(7))
    by_hour = f.groupby(ts.dt.hour)["sessions"].mean().sort_values(ascending=False)
    busiest = tuple((int(str(h)), float(v)) for h, v in by_hour.head(top_hours).items())
    i = int(f["sessions"].to_numpy().argmax())
    handle = f["avg_handle_seconds"]
    weights = f["sessions"].where(handle.notna(), 0)
    mean_handle: float | None = None
    if handle.notna().any() and weights.sum() > 0:
        mean_handle = float((handle.fillna(0) * weights).sum() / weights.sum())
        if math.isnan(mean_handle):
            mean_handle = None
    return Profile(
        source=history.source,
        hours=history.hours,
        weeks_covered=history.hours / 168.0,
        total_sessions=int(f["sessions"].sum()),
        sessions_by_weekday=by_weekday,
        busiest_hours=busiest,
        peak_hour=(pd.Timestamp(ts.iloc[i]).to_pydatetime(), int(f["sessions"].iloc[i])),
        mean_handle_seconds=mean_handle,
        warnings=history.warnings,
    )
