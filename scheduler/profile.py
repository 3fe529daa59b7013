"""A short profile of a history, for ``scheduler inspect``."""

from __future__ import annotations

import math

import pandas as pd

from scheduler.domain import DAYS, HOURS_PER_WEEK, HourlyHistory
from scheduler.params import ChatModel


def profile_lines(history: HourlyHistory, *, top_hours: int = 5) -> list[str]:
    """The history's span and weeks covered, sessions in total and per week, mean sessions per
    weekday, busiest clock hours, peak hour and mean handle time, one line each."""
    f = history.frame
    ts = pd.to_datetime(f["timestamp"])
    weeks, total = history.hours / HOURS_PER_WEEK, int(f["sessions"].sum())
    days = f.groupby(ts.dt.date)["sessions"].sum()
    by_weekday = days.groupby(pd.to_datetime(days.index).day_of_week).mean()
    by_hour = f.groupby(ts.dt.hour)["sessions"].mean().sort_values(ascending=False)
    peak = int(f["sessions"].to_numpy().argmax())
    weights = f["sessions"].where(f["avg_handle_seconds"].notna(), 0)
    handle = ((f["avg_handle_seconds"].fillna(0) * weights).sum() / weights.sum()
              if weights.sum() > 0 else math.nan)
    return [
        f"History {history.source}: {history.start:%Y-%m-%d %H:%M} to "
        f"{history.end:%Y-%m-%d %H:%M} ({history.hours} hours, {weeks:.1f} weeks)",
        f"Sessions: {total:,} in total, {total / max(weeks, 1 / HOURS_PER_WEEK):,.0f} per week",
        "Mean sessions per day: " + ", ".join(
            f"{d} {by_weekday.get(i, 0.0):,.0f}" for i, d in enumerate(DAYS)),
        "Busiest clock hours (mean sessions): " + ", ".join(
            f"{h:02d}:00 {v:.1f}" for h, v in by_hour.head(top_hours).items()),
        f"Peak hour: {ts.iloc[peak]:%Y-%m-%d %H:00} with {int(f['sessions'].iloc[peak])} sessions",
        f"Mean handle time: {handle:.0f} s ({handle / 60:.1f} min)" if not math.isnan(handle)
        else "Mean handle time: not in the file (the planner will use its default, "
        f"{ChatModel().handle_seconds:.0f} s)",
    ]
