"""``forecast_week``: next week's sessions per clock hour with an interval; manager overrides."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from scheduler.domain import DAYS, Forecast, HourlyHistory, week_hours
from scheduler.errors import InputError
from scheduler.forecast.effects import EVENT_COLUMNS, event_table
from scheduler.forecast.engine import Engine, build_grid
from scheduler.forecast.events import Promotion
from scheduler.forecast.methods import HOURS, METHODS, outlier_days

MAX_GAP_DAYS = 14
"""The target week may start at most this many days after the history ends (older history says
too little about next week: a clear error rather than a silent stale forecast)."""

AUTO = "auto"


def check_week_start(week_start: date) -> datetime:
    """Monday 00:00 of ``week_start``; InputError when it is not a Monday (or not midnight)."""
    if isinstance(week_start, datetime):
        if week_start.time() != datetime.min.time():
            raise InputError(
                "the target week must start at 00:00 on a Monday",
                column="week-start",
                value=week_start.isoformat(sep=" "),
            )
        week_start = week_start.date()
    if week_start.weekday() != 0:
        raise InputError(
            f"the target week must start on a Monday; {week_start.isoformat()} is a "
            f"{DAYS[week_start.weekday()]} (the Monday of that week is "
            f"{(week_start - timedelta(days=week_start.weekday())).isoformat()})",
            column="week-start",
            value=week_start.isoformat(),
        )
    return datetime.combine(week_start, datetime.min.time())


def check_history(history: HourlyHistory, target_start: datetime | None = None) -> None:
    """InputError unless ``history`` holds at least one week (168 hours) and, when
    ``target_start`` is given, ends at or before it and at most ``MAX_GAP_DAYS`` days before."""
    if history.hours < HOURS:
        raise InputError(
            f"the history covers {history.hours} hours; at least one week (168 hours) is "
            "needed, 4-12 weeks work best",
            file=history.source,
        )
    if target_start is None:
        return
    end = history.end
    if end > target_start:
        raise InputError(
            f"the history runs to {end:%Y-%m-%d %H:%M}, past the start of the target week "
            f"{target_start:%Y-%m-%d}; forecast a week starting on or after the history's end "
            "(to judge past weeks, run scheduler backtest or open the app's Backtest page)",
            file=history.source,
        )
    if target_start - end > timedelta(days=MAX_GAP_DAYS):
        raise InputError(
            f"the history ends {end:%Y-%m-%d %H:%M}, {(target_start - end).days} days before "
            f"the target week {target_start:%Y-%m-%d}; it must end at most {MAX_GAP_DAYS} days "
            "before the week starts: export recent history",
            file=history.source,
        )


def check_band(band: float) -> None:
    """InputError unless ``0 < band < 1``."""
    if not (isinstance(band, float | int) and 0.0 < float(band) < 1.0):
        raise InputError("the band must be a share between 0 and 1 (e.g. 0.8)", value=band)


def check_method(method: str, *, allow_auto: bool = True) -> None:
    """InputError for an unknown method name."""
    names = ([AUTO] if allow_auto else []) + list(METHODS)
    if method not in names:
        raise InputError(f"unknown forecast method; choose one of {', '.join(names)}", value=method)


def forecast_week(
    history: HourlyHistory,
    week_start: date,
    *,
    method: str = AUTO,
    promotions: Iterable[Promotion] | None = None,
    holidays: bool = True,
    band: float = 0.8,
) -> Forecast:
    """Expected sessions for each clock hour of the week starting Monday ``week_start``.

    Args:
        history: sessions per clock hour; at least one week (168 hours), 4-12 weeks work best.
            It must end at or before ``week_start`` 00:00 and at most ``MAX_GAP_DAYS`` (14) days
            before it.
        week_start: the Monday the target week starts on (00:00 to Sunday 24:00, 168 hours).
        method: a name of ``METHODS`` or ``"auto"``: the method with the lowest WAPE over the
            last (up to 8) weeks of a rolling-origin backtest on this history, or
            ``DEFAULT_METHOD`` when fewer than 4 past weeks can be scored.
        promotions: events on exactly the hours they cover, their multipliers the priors of
            their effects; ``None`` uses ``default_promotions`` for every year touched; ``()``
            for none.
        holidays: Chinese public holidays and 调休 make-up days (``chinese_calendar``), priors
            ``DEFAULT_DAY_MULTIPLIERS``. Every event's effect is estimated from the history and
            shared by its kind (``effects``): divided out of the history before the pattern is
            learned, and applied to the target week's events.
        band: central probability of the ``low``/``high`` interval (0.8: 80%), calibrated on
            the rolling-origin residuals of this history.

    Returns:
        a ``Forecast`` (168 rows; ``sessions``, ``low``, ``high`` in sessions per clock hour;
        ``overridden`` all False) whose notes name the method, its backtest WAPE against
        seasonal naive, the band's calibration and the week's events; ``events`` lists every
        event and outlier day with prior, estimated and used effect.

    Raises:
        InputError: week_start not a Monday; history shorter than one week, ending after the
            week starts or more than 14 days before it; unknown method; band outside (0, 1).
    """
    target = check_week_start(week_start)
    check_history(history, target)
    check_method(method)
    check_band(band)
    promos = None if promotions is None else tuple(promotions)
    grid = build_grid(history, target, promotions=promos, holidays=holidays)
    t = grid.rows
    methods = list(METHODS) if method == AUTO else list(dict.fromkeys([method, "seasonal_naive"]))
    engine = Engine(grid, methods, range(1, t + 1))
    chosen, why = engine.choice(t, methods) if method == AUTO else (method, "as asked")
    fc = engine.predict(chosen, t)
    low, high, band_note = engine.band(chosen, t, fc, float(band))
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(week_hours(target.date())),
            "sessions": fc.astype(float),
            "low": low.astype(float),
            "high": high.astype(float),
            "overridden": np.zeros(HOURS, dtype=bool),
        }
    )
    errors, scored = engine.recent_wape(t, [chosen, "seasonal_naive"])
    rel, rel_weeks = engine.relative_error(chosen, t)
    notes = [f"forecast method: {chosen}, {why}", band_note, *grid.notes]
    notes.append(f"forecast error beyond Poisson noise: {float(np.median(rel)):.0%} of the "
                 f"hour's count (median over the week; {rel_weeks} backtest week(s))")
    if chosen in errors and "seasonal_naive" in errors:
        notes.append(f"backtest over the last {scored} week(s): WAPE {errors[chosen]:.1%}, "
                     f"seasonal naive {errors['seasonal_naive']:.1%}")
    effects = engine.effects[t]
    usual = grid.raw / effects.hour_mult[: t * HOURS].reshape(t, HOURS)
    bad, ratio = outlier_days(usual)
    outliers = [(grid.origin + timedelta(days=int(r) * 7 + int(d)), float(ratio[r, d]))
                for r, d in zip(*np.nonzero(bad), strict=True)]
    events = pd.DataFrame(event_table(grid.origin, effects, t, outliers),
                          columns=list(EVENT_COLUMNS))
    notes += [
        f"{row.start:%Y-%m-%d %H:%M} {row.name} ({row.kind}): x{row.used:.2f} used, "
        f"prior x{row.prior:.2f} ({row.evidence})"
        for row in events.itertuples() if row.where == "target week"
    ]
    past = events[events["where"] == "history"]
    if len(past):
        notes.append(f"calendar: {int((past['kind'] != 'outlier').sum())} event(s) and "
                     f"{int((past['kind'] == 'outlier').sum())} outlier day(s) in the history "
                     "(effects estimated from them: see the events table)")
    gap = target - history.end
    if gap > timedelta(0):
        notes.append(f"history ends {gap.days} day(s) {gap.seconds // 3600} h before the week")
    return Forecast(
        week_start=target.date(),
        frame=frame,
        method=chosen,
        band=float(band),
        notes=tuple(notes),
        events=events,
        wape=errors.get(chosen),
        naive_wape=errors.get("seasonal_naive"),
        backtest_weeks=scored,
        rel_error=tuple(float(x) for x in rel),
    )


def events_frame(forecast: Forecast) -> pd.DataFrame:
    """The ``events.csv`` contract: one row per calendar event and outlier day in the history
    and the target week (``EVENT_COLUMNS``), times as text, multipliers to 3 decimals."""
    ev = forecast.events
    if ev is None:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    out = ev.copy()
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d %H:%M")
    return out.round({"prior": 3, "estimated": 3, "used": 3})


def describe_events(forecast: Forecast) -> list[str]:
    """One line per event or outlier day, for a terminal."""
    ev = events_frame(forecast)
    lines = []
    for row in ev.itertuples(index=False):
        mult = (f"prior x{row.prior:.2f}, seen x{row.estimated:.2f}, used x{row.used:.2f}"
                if row.kind != "outlier" else f"x{row.estimated:.2f} its weekday's median")
        mult = mult.replace("seen xnan, ", "")
        lines.append(f"  {row.where:<11} {row.start}  {row.name} ({row.kind}): {mult}"
                     f" -- {row.evidence}")
    return lines


def apply_overrides(
    forecast: Forecast, overrides: Mapping[datetime, float], *, source: str | None = None
) -> Forecast:
    """The forecast with the manager's numbers for some hours.

    Args:
        overrides: clock-hour start (a naive datetime on the hour, inside the forecast's week)
            -> expected sessions in that hour (>= 0). The hour's ``low``/``high`` are scaled by
            the same factor (kept equal to the value where the forecast was 0) and
            ``overridden`` is set.
        source: a file name to quote in errors.

    Raises:
        InputError: an hour outside the week or not on the hour, or a negative/non-numeric value.
    """
    frame = forecast.frame.copy()
    index = {pd.Timestamp(ts): i for i, ts in enumerate(frame["timestamp"])}
    sessions = frame["sessions"].to_numpy(dtype=float).copy()
    low = frame["low"].to_numpy(dtype=float).copy()
    high = frame["high"].to_numpy(dtype=float).copy()
    flag = frame["overridden"].to_numpy(dtype=bool).copy()
    for when, value in overrides.items():
        ts = pd.Timestamp(when)
        if ts not in index:
            raise InputError(
                f"an override must name a clock hour (HH:00) of the week starting "
                f"{forecast.week_start.isoformat()}",
                file=source,
                column="timestamp",
                value=str(when),
            )
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = math.nan
        if not (math.isfinite(v) and v >= 0):
            raise InputError(
                "an override must be a number of sessions >= 0",
                file=source,
                column="sessions",
                value=value,
            )
        i = index[ts]
        old = sessions[i]
        if old > 0:
            low[i], high[i] = low[i] * v / old, high[i] * v / old
        else:
            low[i] = high[i] = v
        sessions[i] = v
        flag[i] = True
    frame["sessions"] = sessions
    frame["low"] = low
    frame["high"] = high
    frame["overridden"] = flag
    notes = forecast.notes
    if overrides:
        notes = (*notes, f"{len(overrides)} hour(s) overridden by the manager")
    return replace(forecast, frame=frame, notes=notes)
