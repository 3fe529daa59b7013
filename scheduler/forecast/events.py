"""Calendar effects: Chinese public holidays, 调休 make-up working days, and promotions.

Two kinds of event move demand away from the weekly pattern:

- **Public holidays and make-up working days** come from ``chinese_calendar`` (supported years
  2004-2026 for version 1.11). Each day gets a *day kind*: ``"spring_festival"`` (a statutory day
  off of the Spring Festival holiday), ``"holiday"`` (any other statutory day off, whatever its
  weekday), ``"makeup"`` (a Saturday or Sunday turned into a working day, 调休) or ``None``
  (an ordinary day). Days in years the library does not cover get ``None`` and a note.
- **Promotions** are user-editable windows ``[start, end)`` with a prior demand multiplier (618,
  双11, the shop's own live streams, ...). A promotion acts on exactly the clock hours it
  overlaps; an hour it covers only partly gets ``1 + (effect - 1) * overlap share``. Overlapping
  promotions multiply.

The multipliers here are priors: ``effects`` estimates each event's real effect from the shop's
history.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar

from scheduler.domain import WEEKEND_DAYS
from scheduler.errors import InputError

DAY_KINDS = ("spring_festival", "holiday", "makeup")
"""The day kinds that carry a multiplier (see the module docstring)."""

DEFAULT_DAY_MULTIPLIERS: Mapping[str, float] = {
    "spring_festival": 0.6,
    "holiday": 1.1,
    "makeup": 0.9,
}
"""Prior multipliers of the day kinds (our assumptions; the history's own days of a kind move
them, see ``effects``): Spring Festival days off x0.6 (couriers stop, buyers are with family),
other statutory days off x1.1 (leisure time, like a busy weekend day), make-up working days x0.9
(a weekend day on which buyers are at work)."""

HOLIDAY_NAMES: Mapping[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午",
    "Mid-autumn Festival": "中秋",
    "National Day": "国庆",
}
"""Chinese names of ``chinese_calendar``'s holidays, for display."""

MAX_PROMOTION_MULTIPLIER = 20.0
"""Largest multiplier a promotion row may carry (a typo guard)."""


@dataclass(frozen=True)
class Promotion:
    """A window ``[start, end)`` (shop-local naive datetimes) during which demand is
    ``multiplier`` times the usual level for those clock hours.

    ``kind`` is free text for display: ``"platform"`` for platform-wide events (618, 双11),
    ``"live"`` for the shop's own live streams, ``"custom"`` otherwise.
    """

    name: str
    start: datetime
    end: datetime
    multiplier: float
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"promotion {self.name!r}: end must be after start")
        if not (math.isfinite(self.multiplier) and self.multiplier > 0):
            raise ValueError(f"promotion {self.name!r}: multiplier must be a positive number")


# Lunar New Year's Day (正月初一); 年货节 is placed relative to it.
_LUNAR_NEW_YEAR: Mapping[int, date] = {
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}


def _at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour)


def default_promotions(year: int) -> tuple[Promotion, ...]:
    """The platform-wide promotions of ``year`` with typical windows and multipliers.

    Windows follow the usual Tmall/Taobao/Xiaohongshu timetable (exact times move a little each
    year: edit them). Multipliers are our assumptions for chat volume, not measurements:

    - 年货节 (New-Year goods festival): 25 to 10 days before Lunar New Year, x1.2 (only for years
      whose Lunar New Year date is in the built-in table, 2019-2030).
    - 38 女王节 (Women's Day): 3 March 20:00 to 9 March 00:00, x1.3.
    - 618 开门红: 31 May 20:00 to 2 June 00:00, x1.4.
    - 618 狂欢: 16 June 00:00 to 19 June 00:00, x1.6.
    - 双11 预售 (pre-sale deposits): 24 October 20:00 to 31 October 20:00, x1.3.
    - 双11 尾款 (first final-payment window): 31 October 20:00 to 4 November 00:00, x1.6.
    - 双11 正日 (the day itself and its eve): 10 November 20:00 to 12 November 00:00, x1.8.
    - 双12: 12 December 00:00 to 13 December 00:00, x1.4.
    """
    promos: list[Promotion] = []
    lny = _LUNAR_NEW_YEAR.get(year)
    if lny is not None:
        start = datetime.combine(lny - timedelta(days=25), datetime.min.time())
        end = datetime.combine(lny - timedelta(days=10), datetime.min.time())
        promos.append(Promotion("年货节", start, end, 1.2, "platform"))
    promos += [
        Promotion("38 女王节", _at(year, 3, 3, 20), _at(year, 3, 9), 1.3, "platform"),
        Promotion("618 开门红", _at(year, 5, 31, 20), _at(year, 6, 2), 1.4, "platform"),
        Promotion("618 狂欢", _at(year, 6, 16), _at(year, 6, 19), 1.6, "platform"),
        Promotion("双11 预售", _at(year, 10, 24, 20), _at(year, 10, 31, 20), 1.3, "platform"),
        Promotion("双11 尾款", _at(year, 10, 31, 20), _at(year, 11, 4), 1.6, "platform"),
        Promotion("双11 正日", _at(year, 11, 10, 20), _at(year, 11, 12), 1.8, "platform"),
        Promotion("双12", _at(year, 12, 12), _at(year, 12, 13), 1.4, "platform"),
    ]
    return tuple(promos)


def weekly_live_streams(
    week_start: date,
    *,
    weekdays: Iterable[int],
    start_hour: int,
    hours: int,
    multiplier: float,
    name: str = "直播",
) -> tuple[Promotion, ...]:
    """The shop's live streams of one week: on each of ``weekdays`` (Monday = 0), from
    ``start_hour``:00 for ``hours`` hours, demand x ``multiplier``."""
    base = datetime.combine(week_start, datetime.min.time())
    out = []
    for wd in sorted(set(weekdays)):
        if not 0 <= wd <= 6:
            raise ValueError(f"weekday must be 0..6, got {wd}")
        start = base + timedelta(days=wd, hours=start_hour)
        out.append(Promotion(name, start, start + timedelta(hours=hours), multiplier, "live"))
    return tuple(out)


_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
)

PROMOTION_COLUMNS = ("name", "start", "end", "multiplier")
"""Required columns of a promotion calendar; an optional ``kind`` column is also read."""


def _parse_datetime(text: str) -> datetime | None:
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def promotions_from_rows(
    rows: Sequence[Mapping[str, str]], *, source: str | None = None
) -> tuple[Promotion, ...]:
    """Validate a promotion calendar read from a file (one dict of strings per data row).

    Columns: ``name`` (non-empty), ``start`` and ``end`` (shop-local ``YYYY-MM-DD HH:MM``, also
    ``YYYY-MM-DD``, seconds, ``T`` or ``/`` separators; ``end`` after ``start``), ``multiplier``
    (a number, > 0 and <= ``MAX_PROMOTION_MULTIPLIER``), optional ``kind``. Row numbers in errors
    are spreadsheet rows (the header is row 1, so ``rows[0]`` is row 2).

    Raises:
        InputError: naming ``source``, the row, the column and the value.
    """
    out: list[Promotion] = []
    for i, row in enumerate(rows):
        line = i + 2
        for col in PROMOTION_COLUMNS:
            if col not in row or row[col] is None:
                raise InputError(
                    f"missing column '{col}'; a promotion calendar needs columns "
                    + ", ".join(PROMOTION_COLUMNS),
                    file=source,
                    row=line,
                    column=col,
                )
        name = str(row["name"]).strip()
        if not name:
            raise InputError("name must not be empty", file=source, row=line, column="name")
        times: dict[str, datetime] = {}
        for col in ("start", "end"):
            text = str(row[col]).strip()
            parsed = _parse_datetime(text)
            if parsed is None:
                raise InputError(
                    "expected a date-time like 2025-06-16 20:00",
                    file=source,
                    row=line,
                    column=col,
                    value=text,
                )
            times[col] = parsed
        if times["end"] <= times["start"]:
            raise InputError(
                f"end must be after start ({times['start']:%Y-%m-%d %H:%M})",
                file=source,
                row=line,
                column="end",
                value=str(row["end"]).strip(),
            )
        text = str(row["multiplier"]).strip()
        try:
            mult = float(text)
        except ValueError:
            mult = math.nan
        if not (math.isfinite(mult) and 0 < mult <= MAX_PROMOTION_MULTIPLIER):
            raise InputError(
                f"expected a number > 0 and <= {MAX_PROMOTION_MULTIPLIER:g} "
                "(demand multiplier, e.g. 1.5)",
                file=source,
                row=line,
                column="multiplier",
                value=text,
            )
        kind = str(row.get("kind") or "custom").strip() or "custom"
        out.append(Promotion(name, times["start"], times["end"], mult, kind))
    return tuple(out)


def day_events(days: Sequence[date]) -> tuple[list[tuple[str, str] | None], list[str]]:
    """(day kind, holiday name) of each date (see the module docstring; None for an ordinary
    day) and notes on years ``chinese_calendar`` does not cover (those days get None: no
    holiday effect)."""
    out: list[tuple[str, str] | None] = []
    missing: set[int] = set()
    for d in days:
        try:
            off, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            missing.add(d.year)
            out.append(None)
            continue
        label = HOLIDAY_NAMES.get(name or "", name or "")
        if off and name is not None:
            out.append(("spring_festival" if name == "Spring Festival" else "holiday", label))
        elif not off and d.weekday() in WEEKEND_DAYS:
            out.append(("makeup", f"调休 {label}".strip()))
        else:
            out.append(None)
    notes = [
        f"chinese_calendar has no holiday data for {y}: no public-holiday effect applied"
        for y in sorted(missing)
    ]
    return out, notes


def promotions_for_years(years: Iterable[int]) -> tuple[Promotion, ...]:
    """``default_promotions`` of each year, concatenated."""
    out: list[Promotion] = []
    for y in sorted(set(years)):
        out += default_promotions(y)
    return tuple(out)
