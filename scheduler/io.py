"""The only module that reads or writes files. Validation happens here, at the boundary.

Every reader returns domain objects or raises :class:`InputError` naming the file, the row (as a
spreadsheet shows it: the header is row 1, the first data row is row 2), the column, the value and
what was expected. Writers write to a temporary file and rename it, so a crash never leaves a
half-written file, and they refuse to overwrite a file the run read as input.

Repair policy (what is fixed with a warning, what is refused)
-------------------------------------------------------------
Repaired, with a warning in the result's ``warnings``:
- rows out of order in an hourly history are sorted;
- missing hours inside the history, in runs of at most ``MAX_REPAIRED_GAP_HOURS`` consecutive
  hours (exports often omit hours with no sessions), are read as 0 sessions;
- a missing ``max_hours_week`` column in an agents file: every agent gets 40 h;
- a column no alias names is ignored, with a warning naming it (see ``resolve_columns``);
- timestamps with a UTC offset (``+08:00``, ``Z``) are converted to shop-local time (UTC+8);
- thousands separators (``1,234``) and whole numbers written as ``12.0``;
- per-session records whose first reply is at most ``MAX_CLOCK_SKEW_SECONDS`` before the start
  (clock skew between systems; the real call-centre file has 1-second cases) count as replied at
  the start.
Refused (one-line error):
- an empty file, a header with no rows, no recognisable timestamp/sessions (or agent) columns;
- a column one slip away from a column the file lacks (``max_hour_week``; ``resolve_columns``);
- a timestamp that does not parse or is not on the hour (hourly form);
- a duplicate hour; a longer gap than ``MAX_REPAIRED_GAP_HOURS``;
- an empty, negative, fractional or non-numeric session count;
- agents: a duplicate or unsafe id, a cap outside 1..8, hours outside (0, 168], min > max hours,
  an unreadable availability.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io as _io
import json
import math
import os
import re
import tempfile
import tomllib
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from scheduler import __version__
from scheduler.domain import (
    DAYS,
    Agent,
    ErrorLayers,
    Forecast,
    HourlyHistory,
    Request,
    Roster,
    SessionLog,
    Shift,
    week_hours,
    week_start_of,
)
from scheduler.errors import InputError, ctrl_c_deferred
from scheduler.params import (
    MAX_CAP,
    RETIRED,
    SECTIONS,
    ParamError,
    PlanParams,
    Rules,
    SearchParams,
    plan_fields,
    with_values,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from scheduler.forecast import Promotion

ParamsT = TypeVar("ParamsT", bound="DataclassInstance")
"""A frozen dataclass of parameters (``Rules``, ``SearchParams``)."""
T = TypeVar("T")

MAX_REPAIRED_GAP_HOURS = 12
MAX_CLOCK_SKEW_SECONDS = 60
MAX_FILE_BYTES = 200 * 1024 * 1024
SHOP_UTC_OFFSET_HOURS = 8
AGENT_ID_PATTERN = re.compile(r"^[^\W_][\w.\-]{0,63}$")
"""Agent ids: letters (any script), digits, ``_ . -``; first a letter or digit; <= 64 chars.
This keeps ids safe in spreadsheets (no leading ``= + - @``) and in file names."""

# --------------------------------------------------------------------------------------------
# Column aliases (documented in data/README.md). Keys are canonical names; matching ignores case,
# spaces, underscores, a BOM and a unit in brackets, e.g. "平均接待时长(秒)".
# --------------------------------------------------------------------------------------------
HISTORY_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "datetime", "time", "时间", "日期时间", "时段", "hour_start"),
    "date": ("date", "日期", "day"),
    "hour": ("hour", "小时", "clock_hour"),
    "sessions": (
        "sessions", "chats", "count", "会话量", "咨询量", "进线量", "接待量", "会话数", "咨询人数",
        "咨询数", "进线数",
    ),
    "avg_handle_seconds": (
        "avg_handle_seconds", "handle_seconds", "aht", "平均接待时长", "平均会话时长", "接待时长",
    ),
    "first_reply_seconds": (
        "first_reply_seconds", "avg_first_reply_seconds", "平均首次响应时长", "首响时长",
        "平均首响时长", "首次响应时长",
    ),
    "replied_share": ("replied_share", "reply_rate", "回复率"),
}
SESSION_ALIASES: dict[str, tuple[str, ...]] = {
    "session_id": ("session_id", "id", "会话id", "会话编号"),
    "start": ("start", "start_time", "started_at", "开始时间", "进线时间", "会话开始时间"),
    "first_reply": (
        "first_reply", "first_reply_time", "首次回复时间", "首次人工回复时间", "首响时间",
    ),
    "end": ("end", "end_time", "ended_at", "结束时间", "会话结束时间"),
    "abandoned": ("abandoned", "是否流失", "未回复", "流失"),
    "handle_seconds": ("handle_seconds", "接待时长", "会话时长"),
    "agent_id": ("agent_id", "agent", "客服id", "客服", "客服账号"),
}
AGENT_ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": ("agent_id", "agent", "id", "客服id", "客服", "客服账号", "工号"),
    "name": ("name", "display_name", "客服昵称", "昵称", "姓名"),
    "max_concurrent": ("max_concurrent", "cap", "max_chats", "接待上限", "最大接待量"),
    "max_hours_week": ("max_hours_week", "max_hours", "每周最多工时", "周工时上限"),
    "min_hours_week": ("min_hours_week", "min_hours", "每周最少工时", "周工时下限"),
    "available_days": ("available_days", "days", "可排班日", "可上班日"),
    "available_hours": ("available_hours", "hours", "可排班时段", "可上班时段"),
    "night_ok": ("night_ok", "night", "可上夜班", "夜班"),
    "weekend_ok": ("weekend_ok", "weekend", "可上周末", "周末"),
}
ROSTER_ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": AGENT_ALIASES["agent_id"],
    "start": ("start", "开始", "上班时间", "开始时间"),
    "end": ("end", "结束", "下班时间", "结束时间"),
    "max_concurrent": AGENT_ALIASES["max_concurrent"],
    "break_start": ("break_start", "休息开始"),
    "break_end": ("break_end", "休息结束"),
    "carried_over": ("carried_over", "上周延续"),
}

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NAMES: dict[str, int] = {"周天": 6, "星期天": 6} | {
    name: i
    for i, (short, long, zh) in enumerate(zip(DAYS, _WEEKDAYS, "一二三四五六日", strict=True))
    for name in (short.lower(), long, f"周{zh}", f"星期{zh}")}

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "是", "可以", "可", "√", "✓"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "否", "不可以", "不可", "不", "×", "✗"})


# --------------------------------------------------------------------------------------------
# Raw tables
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RawTable:
    """A file read as text cells, before validation. ``frame`` holds strings ('' for empty)."""

    frame: pd.DataFrame
    label: str
    """How errors name the file (its name as the user gave it)."""


def _decode(data: bytes, label: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(encoding)
    raise InputError("cannot decode the file; expected UTF-8 (with or without BOM) or GBK text",
                     file=label)


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    best = max((",", "\t", ";", "|"), key=first.count)
    return best if first.count(best) else ","


def read_raw_table(path: str | Path, *, label: str | None = None) -> RawTable:
    """Read a CSV (UTF-8/BOM/GBK; comma, tab, semicolon or pipe) or XLSX file as text cells."""
    p = Path(path)
    name = label or str(path)
    if not p.exists():
        raise InputError("file not found", file=str(path))
    if p.is_dir():
        raise InputError("expected a file, found a folder", file=str(path))
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"file is {size / 1e6:.0f} MB; the limit is "
                         f"{MAX_FILE_BYTES / 1e6:.0f} MB", file=name)
    return parse_raw_table(p.read_bytes(), name)


def parse_raw_table(data: bytes, label: str) -> RawTable:
    """Parse file bytes (CSV or XLSX, detected from content) into a RawTable."""
    if data[:4] == b"PK\x03\x04":
        frame = _read_xlsx(data, label)
    else:
        text = _decode(data, label)
        delimiter = _sniff_delimiter(text)
        try:
            rows = list(csv.reader(_io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise InputError(f"not a readable CSV file ({exc})", file=label) from None
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            raise InputError("the file is empty; expected a header row and data rows", file=label)
        header = [h.strip() for h in rows[0]]
        width = len(header)
        body: list[list[str]] = []
        for i, r in enumerate(rows[1:], start=2):
            if len(r) > width and any(c.strip() for c in r[width:]):
                raise InputError(f"row has {len(r)} cells but the header has {width}",
                                 file=label, row=i)
            body.append([c.strip() for c in (r + [""] * width)[:width]])
        frame = pd.DataFrame(body, columns=header, dtype=object)
    if frame.shape[0] == 0:
        raise InputError("the file has a header but no data rows", file=label, row=2)
    return RawTable(frame=frame.map(_unescaped), label=label)


def _unescaped(cell: object) -> object:
    """A cell as it was before ``excel_safe`` escaped it (``'=x`` -> ``=x``), so a file this
    tool wrote reads back as it was."""
    if isinstance(cell, str) and cell[:1] == "'" and cell[1:].startswith(FORMULA_PREFIXES):
        return cell[1:]
    return cell


def _read_xlsx(data: bytes, label: str) -> pd.DataFrame:
    try:
        frame = pd.read_excel(_io.BytesIO(data), dtype=str, header=0, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds; all mean "not a readable workbook"
        raise InputError(f"not a readable XLSX workbook ({type(exc).__name__})", file=label) \
            from None
    frame = frame.dropna(how="all")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.fillna("").astype(str).map(str.strip).astype(object)


def _norm_header(name: str) -> str:
    text = name.replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\(（\[【].*?[\)）\]】]", "", text)  # drop a unit in brackets
    return re.sub(r"[\s_\-]+", "", text)


def _match_columns(raw: RawTable, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Canonical names -> the file's header names, for the headers that are aliases. Raises on
    two columns for one meaning."""
    lookup = {_norm_header(a): canon for canon, names in aliases.items() for a in names}
    found: dict[str, str] = {}
    for col in raw.frame.columns:
        canon = lookup.get(_norm_header(str(col)))
        if canon is None:
            continue
        if canon in found:
            raise InputError(f"two columns mean '{canon}' ('{found[canon]}' and '{col}'); keep one",
                             file=raw.label, row=1, column=str(col))
        found[canon] = str(col)
    return found


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest one-character insertions, deletions or substitutions
    that turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_CJK = re.compile(r"[\u3400-\u9fff]")


def _slip(header: str, alias: str) -> int | None:
    """The edit distance between two normalised names when ``header`` reads as a slip of the
    pen for ``alias``, else None: at most 2 edits between names of 5 or more characters, or
    one character off a Chinese name of 3 or more (shorter names are too close to each other
    to guess from: 'team' and 'name', '周一' and '周末')."""
    limit, shortest = (1, 3) if _CJK.search(alias) else (2, 5)
    if min(len(header), len(alias)) < shortest:
        return None
    d = edit_distance(header, alias)
    return d if 0 < d <= limit else None


def _is_blank_header(header: str) -> bool:
    """A normalised header a spreadsheet gives a column the user did not name."""
    return not header or re.fullmatch(r"unnamed:\d+(\.\d+)?", header) is not None


OTHER_COLUMNS = ("等待时长", "平均等待时长", "未回复数", "store")
"""Columns platform exports carry that are a slip away from one of ours but mean something else
(wait time is not handle time 接待时长; a count of unanswered chats is not the flag 未回复):
never taken for a misspelling, only said to be ignored."""
_OTHER_MEANINGS = frozenset(_norm_header(c) for c in OTHER_COLUMNS)


def resolve_columns(
    raw: RawTable, aliases: dict[str, tuple[str, ...]]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Map canonical names to the file's header names, and say what the other columns are.

    Returns the map and one warning per column no alias names (it is not read). A column that
    is a slip of the pen for an alias of a column the file lacks (``max_hour_week``,
    ``每周最多公时``) is an ``InputError`` naming the column it looks like: reading on would
    take a default where the file meant to give a value. Two columns for one meaning are an
    ``InputError`` too."""
    found = _match_columns(raw, aliases)
    used = set(found.values())
    warnings: list[str] = []
    for i, col in enumerate(str(c) for c in raw.frame.columns):
        header = _norm_header(col)
        if col in used or (_is_blank_header(header) and (raw.frame.iloc[:, i] == "").all()):
            continue  # an empty column after the table (a trailing comma) says nothing
        near = [] if header in _OTHER_MEANINGS else [
            (d, alias, canon) for canon, names in aliases.items() for alias in names
            if (d := _slip(header, _norm_header(alias))) is not None]
        missing = [n for n in near if n[2] not in found]
        if missing:
            best = min(d for d, _, _ in missing)
            meant = {canon: alias for d, alias, canon in reversed(missing) if d == best}
            looks = " or ".join(  # the closest names, the first alias of each, in table order
                f"'{canon}'" if meant[canon] == canon else f"'{meant[canon]}' ({canon})"
                for canon in aliases if canon in meant)
            raise InputError(f"looks like {looks} (misspelt?); rename it or remove it",
                             file=raw.label, row=1, column=col)
        also = f" (it looks like '{found[near[0][2]]}', which the file has)" if near else ""
        warnings.append(f"{raw.label}: column '{col}' is not one this file uses{also}; "
                        "it is ignored")
    return found, tuple(warnings)


def _lacks(raw: RawTable, needs: str) -> InputError:
    """The error for a header without a column the file needs (``needs`` says which)."""
    return InputError(f"{needs}; found {list(raw.frame.columns)}", file=raw.label, row=1)


def _expected_headers(aliases: dict[str, tuple[str, ...]], names: Iterable[str]) -> str:
    return "; ".join(f"{n} (or {'/'.join(aliases[n][1:4])})" for n in names)


# --------------------------------------------------------------------------------------------
# Cell parsers (each raises InputError naming the cell)
# --------------------------------------------------------------------------------------------
_DT_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(text: str, *, file: str, row: int, column: str) -> datetime:
    """Parse ``YYYY-MM-DD HH:MM[:SS]`` (also ``/``, ``T``, 年月日, an optional UTC offset) to a
    naive shop-local datetime."""
    where: dict[str, Any] = {"file": file, "row": row, "column": column, "value": text}
    m = _DT_RE.match(text.strip())
    if not m:
        raise InputError("not a date-time; expected YYYY-MM-DD HH:MM", **where)
    y, mo, d, hh, mm, ss, tz = m.groups()
    try:
        value = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        raise InputError("not a real date or time; expected YYYY-MM-DD HH:MM", **where) from None
    if tz:  # Z or +HH:MM: to shop-local time
        digits = tz[1:].replace(":", "") or "0000"
        offset = (-1 if tz[0] == "-" else 1) * (int(digits[:2]) * 60 + int(digits[2:]))
        value += timedelta(minutes=SHOP_UTC_OFFSET_HOURS * 60 - offset)
    return value


def parse_number(
    text: str, *, file: str, row: int, column: str, expected: str, integer: bool = False,
    minimum: float | None = None, maximum: float | None = None, empty: str = "",
) -> float:
    """Parse a number (thousands separators allowed). Refuses NaN/inf and out-of-range values,
    and an empty cell as "empty ``empty``" when ``empty`` names what is missing."""
    if empty and not text.strip():
        raise InputError(f"empty {empty}; expected {expected}", file=file, row=row, column=column)
    where: dict[str, Any] = {"file": file, "row": row, "column": column, "value": text}
    try:
        value = float(text.strip().replace(",", "").replace("，", ""))
    except ValueError:
        raise InputError(f"not a number; expected {expected}", **where) from None
    if not math.isfinite(value):
        raise InputError(f"expected {expected}", **where)
    if integer and value != int(value):
        raise InputError(f"not a whole number; expected {expected}", **where)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InputError(f"out of range; expected {expected}", **where)
    return value


_DURATION_RE = re.compile(r"^(?:(\d+)\s*[时h小时]+)?\s*(?:(\d+)\s*[分m]+)?\s*(?:(\d+)\s*[秒s]?)?$")


def parse_seconds(text: str, *, file: str, row: int, column: str) -> float:
    """A duration in seconds: ``420``, ``420.5``, ``07:00`` (mm:ss), ``00:07:00``, ``7分0秒``."""
    t = text.strip()
    if ":" in t:
        parts = t.split(":")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            nums = []
        if len(nums) in (2, 3) and all(0 <= n < math.inf for n in nums):
            return functools.reduce(lambda total, n: total * 60 + n, nums, 0.0)
    else:
        try:
            value = float(t.replace(",", ""))
            if value >= 0 and math.isfinite(value):
                return value
        except ValueError:
            m = _DURATION_RE.match(t)
            if m and any(m.groups()):
                h, mi, s = (int(g) if g else 0 for g in m.groups())
                return float(h * 3600 + mi * 60 + s)
    raise InputError("expected a duration in seconds (e.g. 420 or 07:00)", file=file, row=row,
                     column=column, value=text)


def parse_bool(text: str, *, file: str, row: int, column: str) -> bool:
    t = text.strip().lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    raise InputError("expected yes or no", file=file, row=row, column=column, value=text)


def parse_days(text: str, *, file: str, row: int, column: str) -> frozenset[int]:
    """``Mon-Fri``, ``Mon,Wed,Sat``, ``周一-周五``, empty = every day."""
    t = text.strip()
    if not t or t.lower() in ("all", "every day", "每天", "全部"):
        return frozenset(range(7))
    where: dict[str, Any] = {"file": file, "row": row, "column": column, "value": text}
    days: set[int] = set()
    for part in re.split(r"[,，、;/ ]+", t):
        if not part:
            continue
        ends = re.split(r"\s*(?:-|–|~|至|到)\s*", part)
        try:
            idx = [DAY_NAMES[e.lower()] for e in ends]
        except KeyError:
            raise InputError("expected days like Mon-Fri or Mon,Wed,Sat (or 周一-周五)",
                             **where) from None
        if len(idx) > 2:
            raise InputError("expected a day range like Mon-Fri", **where)
        days.update((idx[0] + k) % 7 for k in range((idx[-1] - idx[0]) % 7 + 1))
    return frozenset(days)


def parse_hours(text: str, *, file: str, row: int, column: str) -> frozenset[int]:
    """Clock hours covered by ``HH:MM-HH:MM`` ranges (``;``-separated, may wrap midnight,
    ``00:00-24:00`` = all day). Ranges are whole hours. Empty = all day."""
    t = text.strip()
    if not t:
        return frozenset(range(24))
    where: dict[str, Any] = {"file": file, "row": row, "column": column, "value": text}
    hours: set[int] = set()
    for part in re.split(r"[;；,，]+", t):
        m = re.match(r"^\s*(\d{1,2})(?::00)?\s*(?:-|–|~|至|到)\s*(\d{1,2})(?::00)?\s*$", part)
        if not m:
            raise InputError("expected whole-hour ranges like 09:00-18:00 or 20:00-02:00",
                             **where)
        a, b = int(m.group(1)), int(m.group(2))
        if a > 23 or b > 24:
            raise InputError("hours must be within 00:00-24:00", **where)
        if a == b % 24 and not (a == 0 and b == 24):
            raise InputError("a range must not start and end at the same hour", **where)
        hours.update((a + k) % 24 for k in range((b - a) % 24 or 24))
    return frozenset(hours)


# --------------------------------------------------------------------------------------------
# History: hourly form
# --------------------------------------------------------------------------------------------
def _column(raw: RawTable, cols: Mapping[str, str], name: str, parse: Callable[..., T], *,
            default: T | None = None, **options: Any) -> list[T]:
    """``parse(text, file=, row=, column=, **options)`` of each cell of column ``name``:
    ``default`` for an empty cell, or for every row when the file has no such column; with no
    ``default``, an empty cell is parsed too (and refused)."""
    if name not in cols:
        assert default is not None
        return [default] * len(raw.frame)
    texts = ("" if v is None else str(v).strip() for v in raw.frame[cols[name]].tolist())
    return [default if default is not None and not text
            else parse(text, file=raw.label, row=i + 2, column=cols[name], **options)
            for i, text in enumerate(texts)]


@dataclass(frozen=True)
class _Row:
    """Row ``i`` of a table whose columns ``cols`` names (canonical name -> header)."""

    raw: RawTable
    cols: Mapping[str, str]
    i: int

    def text(self, name: str) -> str:
        """The cell's text ('' when the file has no such column)."""
        if name not in self.cols:
            return ""
        return str(self.raw.frame[self.cols[name]].iloc[self.i]).strip()

    def at(self, name: str) -> dict[str, Any]:
        """Where the cell is, as an ``InputError`` names it."""
        return {"file": self.raw.label, "row": self.i + 2, "column": self.cols.get(name, name)}

    def parse(self, name: str, parse: Callable[..., T], **options: Any) -> T:
        """``parse`` of the cell's text, naming the cell in its errors."""
        return parse(self.text(name), **self.at(name), **options)


def _first(mask: pd.Series | np.ndarray) -> int:
    """The position of the first True in ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0])


def _hour_timestamps(raw: RawTable, cols: dict[str, str]) -> list[datetime]:
    if "timestamp" in cols:
        return _column(raw, cols, "timestamp", _parse_hour_start)
    out: list[datetime] = []
    for i in range(len(raw.frame)):
        cell = _Row(raw, cols, i)
        day, hour = cell.parse("date", parse_datetime), cell.text("hour")
        m = re.match(r"^(\d{1,2})(?::(\d{2}))?(?:\s*[-–~].*)?(?:点|时)?$", hour)
        if not m or int(m.group(1)) > 23:
            raise InputError("expected an hour 0-23 (or HH:00)", **cell.at("hour"), value=hour)
        if m.group(2) and m.group(2) != "00":
            raise InputError("hour is not on the hour; expected HH:00", **cell.at("hour"),
                             value=hour)
        out.append(day.replace(hour=int(m.group(1)), minute=0, second=0))
    return out


def _parse_hour_start(text: str, *, file: str, row: int, column: str) -> datetime:
    """An hour's start: ``2026-11-16 10:00``, or a span ``2026-11-16 10:00-11:00``."""
    where: dict[str, Any] = {"file": file, "row": row, "column": column}
    if not text:
        raise InputError("empty timestamp; expected YYYY-MM-DD HH:00", **where)
    span = re.match(r"^(.*?\d{1,2}:\d{2})\s*[-–~]\s*\d{1,2}:\d{2}$", text)
    ts = parse_datetime(span.group(1) if span else text, **where)
    if ts.minute or ts.second:
        raise InputError("timestamp is not on the hour; expected YYYY-MM-DD HH:00", **where,
                         value=text)
    return ts


def _is_hourly(cols: dict[str, str]) -> bool:
    """True when a history's columns give the hour and its sessions."""
    return ("timestamp" in cols or {"date", "hour"} <= cols.keys()) and "sessions" in cols


def _is_session_table(raw: RawTable) -> bool:
    """True when the table is per-session records rather than an hourly history."""
    return (not _is_hourly(_match_columns(raw, HISTORY_ALIASES))
            and "start" in _match_columns(raw, SESSION_ALIASES))


def history_from_raw(raw: RawTable) -> HourlyHistory:
    """Validate an hourly history table, or per-session records aggregated to hours (see the
    module docstring for the repair policy)."""
    return history_and_sessions_from_raw(raw)[0]


def history_and_sessions_from_raw(raw: RawTable) -> tuple[HourlyHistory, SessionLog | None]:
    """``read_history_and_sessions`` of a table already read."""
    if _is_session_table(raw):
        log = sessions_from_raw(raw)
        return history_from_sessions(log), log
    if not _is_hourly(_match_columns(raw, HISTORY_ALIASES)):
        resolve_columns(raw, HISTORY_ALIASES | SESSION_ALIASES)  # a misspelt name, if any
        raise _lacks(raw, "unknown column set: expected an hourly history with "
                     + _expected_headers(HISTORY_ALIASES, ["timestamp", "sessions"])
                     + ", or per-session records with a start column")
    cols, warnings = resolve_columns(raw, HISTORY_ALIASES)
    frame = pd.DataFrame({
        "timestamp": pd.to_datetime(pd.Series(_hour_timestamps(raw, cols))),
        "sessions": np.asarray(_column(raw, cols, "sessions", parse_number, integer=True,
                                       expected="a whole number >= 0", minimum=0,
                                       maximum=10_000_000, empty="session count"),
                               dtype=np.int64),
        **{name: _column(raw, cols, name, parse_seconds, default=math.nan)
           for name in ("avg_handle_seconds", "first_reply_seconds")},
        "replied_share": _column(raw, cols, "replied_share", _parse_share, default=math.nan),
        "_row": np.arange(2, len(raw.frame) + 2),
    })
    return _finish_hourly(frame, raw.label, warnings), None


def _parse_share(text: str, *, file: str, row: int, column: str) -> float:
    """A share written 0-1 or 0%-100%, as 0-1."""
    pct = text.endswith("%")
    v = parse_number(text.rstrip("%"), file=file, row=row, column=column,
                     expected="a share 0-1 or 0%-100%", minimum=0, maximum=100 if pct else 1)
    return v / 100 if pct else v


def _finish_hourly(frame: pd.DataFrame, label: str, column_warnings: Sequence[str]
                   ) -> HourlyHistory:
    warnings = list(column_warnings)
    dup = frame["timestamp"].duplicated(keep=False)
    if dup.any():
        ts = frame.loc[dup, "timestamp"].iloc[0]
        rows = frame.loc[frame["timestamp"] == ts, "_row"].tolist()[:2]
        raise InputError(f"duplicate hour {ts:%Y-%m-%d %H:00} (rows {rows[0]} and {rows[1]}); "
                         "expected one row per hour", file=label, row=int(rows[1]),
                         column="timestamp")
    if not frame["timestamp"].is_monotonic_increasing:
        warnings.append(f"{label}: rows were not in time order; sorted them")
        frame = frame.sort_values("timestamp", kind="stable")
    full = pd.date_range(frame["timestamp"].iloc[0], frame["timestamp"].iloc[-1], freq="h")
    if len(full) != len(frame):
        present = pd.Index(frame["timestamp"])
        missing = full.difference(present)
        # the longest run of consecutive missing hours (the first of the longest)
        run = (missing.to_series().diff() != pd.Timedelta(hours=1)).cumsum().to_numpy()
        longest = int(np.bincount(run).argmax())
        gap, since = int((run == longest).sum()), missing[run == longest][0]
        if gap > MAX_REPAIRED_GAP_HOURS:
            after = present[present < since].max()
            row = int(frame.loc[frame["timestamp"] == after, "_row"].iloc[0]) + 1
            raise InputError(f"history has a gap of {gap} hours from {since:%Y-%m-%d %H:00}; "
                             f"at most {MAX_REPAIRED_GAP_HOURS} missing hours in a row are read "
                             "as 0 sessions: fill the gap or cut the file", file=label, row=row,
                             column="timestamp")
        warnings.append(
            f"{label}: {len(missing)} missing hour(s) read as 0 sessions "
            f"(first {missing[0]:%Y-%m-%d %H:00})"
        )
        frame = frame.set_index("timestamp").reindex(full)
        frame["sessions"] = frame["sessions"].fillna(0).astype(np.int64)
        frame = frame.rename_axis("timestamp").reset_index()
    frame = frame.drop(columns="_row").reset_index(drop=True)
    return HourlyHistory(frame=frame, source=label, warnings=tuple(warnings))


# --------------------------------------------------------------------------------------------
# History: per-session form
# --------------------------------------------------------------------------------------------
def _datetime_column(raw: RawTable, cols: Mapping[str, str], name: str) -> pd.Series:
    """Column ``name`` as date-times, NaT where empty (in every row when the file has no such
    column): a vectorised parse with a precise error on the first bad cell or empty start."""
    if name not in cols:
        return pd.Series(pd.NaT, index=range(len(raw.frame)), dtype="M8[ns]")
    column = cols[name]
    text = raw.frame[column].astype(str).str.strip()
    fast = pd.to_datetime(text.str.replace("/", "-").str.replace("T", " "),
                          format="%Y-%m-%d %H:%M:%S", errors="coerce")
    bad = fast.isna() & (text != "")
    for i in map(int, np.flatnonzero(bad.to_numpy())):  # other forms, or the culprit named
        fast.iloc[i] = pd.Timestamp(parse_datetime(text.iloc[i], file=raw.label, row=i + 2,
                                                   column=column))
    if name == "start" and fast.isna().any():
        raise InputError("empty start time; expected YYYY-MM-DD HH:MM:SS", file=raw.label,
                         row=_first(fast.isna()) + 2, column=column)
    return pd.to_datetime(fast)


def _clock_skew(raw: RawTable, column: str, times: pd.Series, floor: pd.Series,
                warnings: list[str], refusal: str, repaired: str) -> pd.Series:
    """``times`` with each one at most ``MAX_CLOCK_SKEW_SECONDS`` before ``floor`` read as
    ``floor`` (counted in a warning, ``repaired`` after the count), or ``refusal`` naming the
    first one further before."""
    early = times.notna() & (times < floor)
    if not early.any():
        return times
    too_early = (floor - times).dt.total_seconds().where(early, 0) > MAX_CLOCK_SKEW_SECONDS
    if too_early.any():
        i = _first(too_early)
        raise InputError(refusal, file=raw.label, row=i + 2, column=column,
                         value=raw.frame[column].iloc[i])
    warnings.append(f"{raw.label}: {int(early.sum())} {repaired}")
    return times.where(~early, floor)


def sessions_from_raw(raw: RawTable) -> SessionLog:
    """Validate per-session records: start (required), first_reply, end, abandoned,
    handle_seconds, agent_id."""
    cols, column_warnings = resolve_columns(raw, SESSION_ALIASES)
    if "start" not in cols:
        raise _lacks(raw, "unknown column set: per-session records need a start column ("
                     + "/".join(SESSION_ALIASES["start"][:5]) + ")")
    start, first, end = (_datetime_column(raw, cols, c) for c in ("start", "first_reply", "end"))
    warnings = list(column_warnings)
    first = _clock_skew(
        raw, cols.get("first_reply", ""), first, start, warnings,
        "first reply is before the session start; expected a time at or after it",
        f"first reply time(s) up to {MAX_CLOCK_SKEW_SECONDS} s before the start (clock skew) "
        "read as replies at the start")
    abandoned = np.asarray(_column(raw, cols, "abandoned", parse_bool, default=False), dtype=bool)
    if "abandoned" not in cols and "first_reply" in cols:
        abandoned = first.isna().to_numpy()
    anchor = first.where(first.notna(), start)
    end = _clock_skew(
        raw, cols.get("end", ""), end, anchor, warnings,
        "the session ends before it starts or before its first reply; expected an end at or "
        "after both", f"end time(s) up to {MAX_CLOCK_SKEW_SECONDS} s before the start or first "
        "reply (clock skew) read as ending then")
    if (abandoned & first.notna().to_numpy()).any():
        raise InputError("marked abandoned but has a first reply time; expected one or the "
                         "other", file=raw.label, row=_first(abandoned & first.notna()) + 2,
                         column=cols["abandoned"])
    wait = np.where(first.notna(), (first - start).dt.total_seconds(),
                    np.where(abandoned & end.notna(), (end - start).dt.total_seconds(), np.nan))
    frame = pd.DataFrame({
        "start": start.to_numpy(), "first_reply": first.to_numpy(), "end": end.to_numpy(),
        "abandoned": abandoned,
        "handle_seconds": _column(raw, cols, "handle_seconds", parse_seconds, default=math.nan),
        "wait_seconds": wait,
        "agent_id": _column(raw, cols, "agent_id", lambda text, **_: text, default=""),
    })
    if not frame["start"].is_monotonic_increasing:
        frame = frame.sort_values("start", kind="stable").reset_index(drop=True)
    return SessionLog(frame=frame, source=raw.label, warnings=tuple(warnings))


def history_from_sessions(log: SessionLog) -> HourlyHistory:
    """Aggregate per-session records to the hourly form (hours with no session read as 0)."""
    f = log.frame
    hour = f["start"].dt.floor("h")
    replied = f["first_reply"].notna()
    agg = pd.DataFrame({
        "timestamp": hour,
        "sessions": 1,
        "handle": f["handle_seconds"],
        "first": (f["first_reply"] - f["start"]).dt.total_seconds().where(replied),
        "replied": replied.astype(float),
    }).groupby("timestamp").agg(
        sessions=("sessions", "sum"), avg_handle_seconds=("handle", "mean"),
        first_reply_seconds=("first", "mean"), replied_share=("replied", "mean"))
    full = pd.date_range(agg.index.min(), agg.index.max(), freq="h")
    agg = agg.reindex(full)
    agg["sessions"] = agg["sessions"].fillna(0).astype(np.int64)
    frame = agg.rename_axis("timestamp").reset_index()
    return HourlyHistory(frame=frame, source=log.source, warnings=log.warnings)


def read_history(path: str | Path) -> HourlyHistory:
    """Read an hourly history, or per-session records aggregated to hours (detected from the
    header)."""
    return history_from_raw(read_raw_table(path))


def read_sessions(path: str | Path) -> SessionLog:
    """Read per-session records."""
    return sessions_from_raw(read_raw_table(path))


def read_history_and_sessions(path: str | Path) -> tuple[HourlyHistory, SessionLog | None]:
    """Read a history; when the file is per-session records, also the log itself (the chat
    model is fitted from it)."""
    return history_and_sessions_from_raw(read_raw_table(path))


# --------------------------------------------------------------------------------------------
# Agents
# --------------------------------------------------------------------------------------------
def agents_from_raw(raw: RawTable) -> tuple[tuple[Agent, ...], tuple[str, ...]]:
    """Validate an agents table. Returns the agents and warnings."""
    label = raw.label
    cols, column_warnings = resolve_columns(raw, AGENT_ALIASES)
    missing = [c for c in ("agent_id", "max_concurrent") if c not in cols]
    if missing:
        raise _lacks(raw, "unknown column set: an agents file needs "
                     + _expected_headers(AGENT_ALIASES, missing))
    warnings = list(column_warnings)
    if "max_hours_week" not in cols:
        warnings.append(f"{label}: no max_hours_week column; every agent may work up to 40 h")
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    for i in range(len(raw.frame)):
        cell = _Row(raw, cols, i)
        aid = cell.text("agent_id")
        if not AGENT_ID_PATTERN.match(aid):
            raise InputError(
                "expected an agent id of letters, digits, '_', '.', '-' (starting with a letter "
                "or digit, at most 64)", **cell.at("agent_id"), value=aid)
        if aid in seen:
            raise InputError(f"duplicate agent id (also on row {seen[aid]})",
                             **cell.at("agent_id"), value=aid)
        seen[aid] = i + 2
        cap = int(cell.parse("max_concurrent", parse_number, empty="reception cap",
                             expected=f"a whole number 1-{MAX_CAP}", integer=True, minimum=1,
                             maximum=MAX_CAP))
        max_h = (cell.parse("max_hours_week", parse_number, empty="max hours", minimum=1,
                            maximum=84, expected="hours per week, 1-84")
                 if "max_hours_week" in cols else 40.0)
        min_h = (cell.parse("min_hours_week", parse_number, expected="hours per week >= 0",
                            minimum=0, maximum=84) if cell.text("min_hours_week") else 0.0)
        if min_h > max_h:
            raise InputError(f"min hours {min_h:g} exceed max hours {max_h:g}",
                             **cell.at("min_hours_week"))
        days = cell.parse("available_days", parse_days)
        hours = cell.parse("available_hours", parse_hours)
        night, weekend = (cell.parse(name, parse_bool) if cell.text(name) else True
                          for name in ("night_ok", "weekend_ok"))
        agents.append(Agent(agent_id=aid, max_concurrent=cap, max_hours_week=max_h,
                            name=cell.text("name"), min_hours_week=min_h,
                            available=tuple(tuple(d in days and h in hours for h in range(24))
                                            for d in range(7)),
                            night_ok=night, weekend_ok=weekend))
    return tuple(agents), tuple(warnings)


def read_agents(path: str | Path) -> tuple[tuple[Agent, ...], tuple[str, ...]]:
    """Read an agents file: (agents, warnings)."""
    return agents_from_raw(read_raw_table(path))


def agents_frame(agents: Sequence[Agent]) -> pd.DataFrame:
    """Agents as an editable table in the agents-file format (inverse of ``agents_from_raw``)."""
    rows = []
    for a in agents:
        days = [d for d in range(7) if any(a.available[d])]
        hours = sorted({h for d in range(7) for h in range(24) if a.available[d][h]})
        rows.append({
            "agent_id": a.agent_id, "name": a.name, "max_concurrent": a.max_concurrent,
            "max_hours_week": a.max_hours_week, "min_hours_week": a.min_hours_week,
            "available_days": "" if len(days) == 7 else ",".join(DAYS[d] for d in days),
            "available_hours": "" if len(hours) == 24 else _hours_text(hours),
            "night_ok": "yes" if a.night_ok else "no",
            "weekend_ok": "yes" if a.weekend_ok else "no",
        })
    return pd.DataFrame(rows)


def _hours_text(hours: list[int]) -> str:
    """Sorted clock hours, fewer than 24, as ``HH:00-HH:00`` ranges (``;``-separated)."""
    ends = {h: next(e for e in range(h + 1, h + 25) if e % 24 not in hours)
            for h in hours if (h - 1) % 24 not in hours}
    return ";".join(f"{h:02d}:00-{e % 24 or 24:02d}:00" for h, e in ends.items())


# --------------------------------------------------------------------------------------------
# Roster (the CLI contract) and forecasts
# --------------------------------------------------------------------------------------------
def roster_from_raw(raw: RawTable, *, week_start: date | None = None
                    ) -> tuple[Roster, tuple[str, ...]]:
    """Validate a roster table: the roster and warnings. Rows marked ``carried_over`` (the copy
    of the week's Sunday-night shift listed from the Sunday before) are left out: the week's
    own row is the same shift, and a standing week wraps it into Monday."""
    label = raw.label
    cols, warnings = resolve_columns(raw, ROSTER_ALIASES)
    missing = [c for c in ("agent_id", "start", "end", "max_concurrent") if c not in cols]
    if missing:
        raise _lacks(raw, f"a roster needs columns {missing}")
    shifts: list[Shift] = []
    carried = 0
    for i in range(len(raw.frame)):
        cell = _Row(raw, cols, i)
        s, e = (cell.parse(name, parse_datetime) if cell.text(name) else None
                for name in ("start", "end"))
        if s is None or e is None:
            raise InputError("empty shift time; expected YYYY-MM-DD HH:MM",
                             **cell.at("start" if s is None else "end"))
        if e <= s:
            raise InputError("shift ends before it starts", **cell.at("end"),
                             value=cell.text("end"))
        cap = int(cell.parse("max_concurrent", parse_number, integer=True, minimum=1,
                             expected=f"a whole number 1-{MAX_CAP}", maximum=MAX_CAP))
        aid = cell.text("agent_id")
        if not AGENT_ID_PATTERN.match(aid):
            raise InputError("expected an agent id", **cell.at("agent_id"), value=aid)
        carried_over = cell.text("carried_over")  # the copy of the week's Sunday-night shift
        if carried_over.lower() not in ("", "nan") and cell.parse("carried_over", parse_bool):
            carried += 1
            continue
        bs, be = (cell.parse(name, parse_datetime) if cell.text(name) else None
                  for name in ("break_start", "break_end"))
        if (bs is None) != (be is None) or (bs is not None and be is not None
                                            and not (s <= bs < be <= e)):
            raise InputError("break must lie inside the shift with both start and end given",
                             **cell.at("break_start"))
        shifts.append(Shift(aid, s, e, cap, bs, be))
    if not shifts:
        raise InputError("no shift in the roster" + (" (only carried-over rows)" if carried
                                                     else ""), file=label)
    if week_start is None:
        week_start = week_start_of((min(x.start for x in shifts) + timedelta(hours=12)).date())
    return Roster(week_start=week_start, shifts=tuple(shifts)), warnings


def read_roster(path: str | Path, *, week_start: date | None = None
                ) -> tuple[Roster, tuple[str, ...]]:
    """Read a roster file: (roster, warnings)."""
    return roster_from_raw(read_raw_table(path), week_start=week_start)


FORECAST_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": HISTORY_ALIASES["timestamp"],
    "sessions": HISTORY_ALIASES["sessions"],
    "low": ("low",),  # the band a plan's forecast.csv gives too (not read)
    "high": ("high",),
}


def read_hourly_sessions(path: str | Path) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A forecast-like file (timestamp, sessions; sessions may be fractional expectations):
    (the table, warnings)."""
    raw = read_raw_table(path)
    cols, warnings = resolve_columns(raw, FORECAST_ALIASES)
    if "timestamp" not in cols or "sessions" not in cols:
        raise InputError("expected columns timestamp and sessions", file=raw.label, row=1)
    stamps = _hour_timestamps(raw, cols)
    values = _column(raw, cols, "sessions", parse_number, expected="sessions >= 0",
                     minimum=0, maximum=1e7)
    return (pd.DataFrame({"timestamp": pd.to_datetime(pd.Series(stamps)), "sessions": values}),
            warnings)


# --------------------------------------------------------------------------------------------
# Writers: atomic, BOM for Excel, never over an input, formula-safe
# --------------------------------------------------------------------------------------------
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> object:
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        with contextlib.suppress(ValueError):
            float(value)  # a negative number is data, not a formula
            return value
        return "'" + value
    return value


_pending: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("_pending", default=None)
"""The (temporary file, target) pairs of the ``written_together`` block being written."""


@contextlib.contextmanager
def written_together() -> Iterator[None]:
    """The files written inside land together: each is written to a temporary file beside it,
    and all are renamed into place on leaving, with Ctrl-C held off for the renames; an error
    or a Ctrl-C before then removes the temporary files and changes nothing, so a folder never
    holds some new files beside old ones (a plan's roster.csv with another plan's summary).
    Inside another such block it joins that one."""
    if _pending.get() is not None:
        yield
        return
    pending: list[tuple[Path, Path]] = []
    token = _pending.set(pending)
    try:
        yield
        with ctrl_c_deferred():
            for tmp, target in pending:
                os.replace(tmp, target)
    finally:
        _pending.reset(token)
        for tmp, _target in pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _atomic_write(path: str | Path, data: bytes, protected: Iterable[str | Path]) -> Path:
    """Write ``data`` to ``path`` inside ``written_together``, refusing a ``protected`` path
    (a file the run read as input)."""
    p = Path(path)
    target = p.resolve()
    if any(Path(q).resolve() == target for q in protected):
        raise InputError("refusing to overwrite an input file; choose another output folder",
                         file=str(p))
    target.parent.mkdir(parents=True, exist_ok=True)
    with written_together():
        pending = _pending.get()
        assert pending is not None
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        pending.append((Path(tmp), target))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # mkstemp makes the file private (0600); give it the mode a plain open() would (the
        # umask is read by setting it and putting it back)
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    return p


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8-with-BOM CSV bytes (Excel opens it with Chinese intact), every text
    cell that looks like a formula escaped (``excel_safe``; our readers take the escape off)."""
    return frame.map(excel_safe).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: str | Path, *,
              protected: Iterable[str | Path] = ()) -> Path:
    return _atomic_write(path, csv_bytes(frame), protected)


def write_json(obj: object, path: str | Path, *, protected: Iterable[str | Path] = ()) -> Path:
    text = json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n"
    return _atomic_write(path, text.encode("utf-8"), protected)


def read_plan_summary(folder: str | Path) -> dict[str, Any]:
    """A plan folder's ``summary.json`` (InputError when the folder has none or it is not a
    plan's summary)."""
    path = Path(folder) / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("not a plan's folder: no summary.json", file=str(folder)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"summary.json is not readable ({exc})", file=str(path)) from None
    if not isinstance(data, dict) or "agent_hours" not in data:
        raise InputError("not a plan's summary (no agent_hours)", file=str(path))
    return data


PLAN_STATE = "plan.json"
"""The file in a plan's folder, beside ``roster.csv`` and ``summary.json``, that the plan is
re-derived from (``replan.open_plan``): what it was planned from and what its search said."""
PLAN_SCHEMA = 1
"""The layout of ``plan.json``; a change to it bumps this number, and a folder with another
number is refused (run plan again)."""
PLAN_FILES = (PLAN_STATE, "roster.csv", "summary.json")
PLAN_OLDER = "made by an older version (or not a plan folder): run plan again"


def write_plan_state(state: Mapping[str, Any], folder: str | Path, *,
                     protected: Iterable[str | Path] = ()) -> Path:
    """A plan folder's ``plan.json``: ``state`` (JSON values, ``replan.plan_record``) under
    the schema number and the version that made it."""
    record = {"schema": PLAN_SCHEMA, "made_by": f"chat-roster-scheduler {__version__}", **state}
    return write_json(record, Path(folder) / PLAN_STATE, protected=protected)


def read_plan_state(folder: str | Path) -> dict[str, Any]:
    """A plan folder's ``plan.json`` as ``write_plan_state`` wrote it, once the folder holds
    every file of a plan (``PLAN_FILES``). Anything else (a folder an older version wrote, with
    no ``plan.json`` or another schema, or not a plan's folder) is one InputError: run plan
    again."""
    p = Path(folder) / PLAN_STATE
    if not all((Path(folder) / name).is_file() for name in PLAN_FILES):
        raise InputError(PLAN_OLDER, file=str(folder))
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(PLAN_OLDER, file=str(folder)) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if isinstance(schema, int) and schema > PLAN_SCHEMA:
        raise InputError(f"made by a newer version (plan.json schema {schema}; this one reads "
                         f"{PLAN_SCHEMA}): upgrade, or run plan again", file=str(folder))
    if schema != PLAN_SCHEMA:
        raise InputError(PLAN_OLDER, file=str(folder))
    return data


# --------------------------------------------------------------------------------------------
# What a plan was planned from (a version in the book, a plan folder's plan.json)
# --------------------------------------------------------------------------------------------
BOOK_MISSING = ("the book does not hold what this version was planned from (publish it "
                "again from its plan folder)")


def plan_inputs(forecast: Forecast, agents: tuple[Agent, ...], params: PlanParams
                ) -> dict[str, Any]:
    """What a version is planned from, as JSON-ready values (``planned_from`` reads it)."""
    return {
        "forecast": {
            "week_start": forecast.week_start.isoformat(),
            "method": forecast.method,
            "sessions": [float(x) for x in forecast.frame["sessions"]],
            "rel_error": list(forecast.rel_error) if forecast.rel_error is not None else None,
            "low": [float(x) for x in forecast.frame["low"]],
            "high": [float(x) for x in forecast.frame["high"]],
            "overridden": [bool(x) for x in forecast.frame["overridden"]],
            "band": forecast.band,
            "notes": list(forecast.notes),
            "wape": forecast.wape,
            "naive_wape": forecast.naive_wape,
            "backtest_weeks": forecast.backtest_weeks,
            "layers": None if forecast.layers is None else asdict(forecast.layers),
        },
        "agents": agents_frame(agents).to_dict(orient="records"),
        "params": asdict(params),
    }


def _stored_params(values: dict[str, Any]) -> PlanParams:
    """The parameters ``plan_inputs`` wrote (JSON lists back to tuples; a field this version
    does not know is left out). Stored before the chance was the default, a plan sized at a
    confidence (its ``chance`` 0) is re-planned at the mode's default chance, a point plan
    (confidence 0) at chance 0."""
    flat = {**values, **{k: v for section in SECTIONS for k, v in values[section].items()}}
    if "confidence" in flat and not flat.get("chance"):
        flat["chance"] = None if flat["confidence"] else 0.0
    known = plan_fields()
    return with_values(PlanParams(), {k: tuple(v) if isinstance(v, list) else v
                                      for k, v in flat.items() if k in known})


def planned_from(inputs: dict[str, Any], *, label: str, missing: str = BOOK_MISSING
                 ) -> tuple[Forecast, tuple[Agent, ...], PlanParams]:
    """The forecast, agents and parameters stored with a version or in a plan folder
    (``plan_inputs``; a version published before the band, the overrides and the backtest's
    scores were stored gets the point forecast as its band). ``missing``: what the one line
    says when ``inputs`` is not that."""
    try:
        fc, raw, prm = inputs["forecast"], inputs["agents"], inputs["params"]
        week = date.fromisoformat(fc["week_start"])
        sessions = np.asarray(fc["sessions"], dtype=float)
        frame = pd.DataFrame({"timestamp": pd.to_datetime(week_hours(week)),
                              "sessions": sessions,
                              "low": np.asarray(fc.get("low", sessions), dtype=float),
                              "high": np.asarray(fc.get("high", sessions), dtype=float),
                              "overridden": np.asarray(fc.get("overridden", [False] * len(
                                  sessions)), dtype=bool)})
        rel, layers = fc.get("rel_error"), fc.get("layers")
        forecast = Forecast(week_start=week, frame=frame, method=str(fc.get("method", "")),
                            band=float(fc.get("band", 0.8)),
                            notes=tuple(str(n) for n in fc.get("notes", ())),
                            wape=fc.get("wape"), naive_wape=fc.get("naive_wape"),
                            backtest_weeks=int(fc.get("backtest_weeks", 0)),
                            rel_error=tuple(rel) if rel is not None else None,
                            layers=None if layers is None else ErrorLayers(
                                **{**layers, "spike_multipliers": tuple(
                                    layers["spike_multipliers"]), "notes": tuple(
                                    layers["notes"])}))
        table = pd.DataFrame(raw).astype(str).replace({"nan": ""}).to_csv(index=False)
        agents, _warnings = agents_from_raw(parse_raw_table(table.encode("utf-8"), label))
        params = _stored_params(prm)
    except (KeyError, TypeError, ValueError, InputError) as exc:
        raise InputError(f"{missing}: {exc}", file=label) from None
    return forecast, agents, params


# --------------------------------------------------------------------------------------------
# Leave and day-off requests
# --------------------------------------------------------------------------------------------
REQUEST_KINDS = ("leave", "day_off", "sick")
REQUEST_ALIASES = {
    "agent_id": ("agent_id", "agent", "工号", "客服"),
    "start": ("start", "from", "开始"),
    "end": ("end", "to", "结束"),
    "kind": ("kind", "type", "类型"),
}


def read_requests(path: str, agents: tuple[Agent, ...]
                  ) -> tuple[tuple[Request, ...], tuple[str, ...]]:
    """A requests file (``requests_from_raw``)."""
    return requests_from_raw(read_raw_table(path), agents)


def requests_from_raw(raw: RawTable, agents: tuple[Agent, ...]
                      ) -> tuple[tuple[Request, ...], tuple[str, ...]]:
    """Requests, one row each, and warnings: columns ``agent_id``, ``start``, ``end`` (a date
    means the whole day: ``start`` at 00:00, ``end`` through 24:00; empty: the start's day) and
    ``kind`` (leave, day_off or sick; default leave); empty rows are skipped. An unknown agent,
    a bad time or an end before the start is one error naming the row and column."""
    cols, warnings = resolve_columns(raw, REQUEST_ALIASES)
    missing = [c for c in ("agent_id", "start") if c not in cols]
    if missing:
        raise InputError(f"a requests file needs columns agent_id, start (and end, kind); "
                         f"found {list(raw.frame.columns)}", file=raw.label, row=1)
    known = {a.agent_id for a in agents}
    out = []
    f = raw.frame
    for i in range(len(f)):
        row = i + 2

        def cell(name: str, _i: int = i) -> str:
            text = str(f[cols[name]].iloc[_i]).strip() if name in cols else ""
            return "" if text.lower() == "nan" else text

        aid = cell("agent_id")
        if not aid and not cell("start"):
            continue
        if aid not in known:
            raise InputError(f"no agent {aid!r} in the roster's agents", file=raw.label,
                             row=row, column=cols["agent_id"], value=aid)

        def when(name: str, *, end: bool, _row: int = row) -> datetime:
            text = cell(name) or cell("start")
            t = parse_datetime(text, file=raw.label, row=_row, column=cols.get(name, name))
            whole_day = len(text) <= 10
            return t + timedelta(days=1) if end and whole_day else t

        start, stop = when("start", end=False), when("end", end=True)
        if stop <= start:
            raise InputError("the request ends before it starts", file=raw.label, row=row,
                             column=cols.get("end", "end"), value=cell("end"))
        kind = cell("kind") or "leave"
        if kind not in REQUEST_KINDS:
            raise InputError(f"expected one of {', '.join(REQUEST_KINDS)}", file=raw.label,
                             row=row, column=cols["kind"], value=kind)
        out.append(Request(aid, start, stop, kind))
    return tuple(out), warnings


def write_text(text: str, path: str | Path, *, protected: Iterable[str | Path] = ()) -> Path:
    return _atomic_write(path, text.encode("utf-8-sig"), protected)


# --------------------------------------------------------------------------------------------
# Parameters (TOML): rules, search tuning
# --------------------------------------------------------------------------------------------
def read_params(path: str | Path, base: ParamsT, *, what: str = "setting") -> ParamsT:
    """Read a frozen dataclass of parameters from a TOML file whose keys are its fields; the
    fields the file does not name keep ``base``'s values. ``what`` names a key in messages
    ("rule", "tuning setting"). Unknown keys, values of the wrong type and values the
    dataclass refuses give one ``InputError`` naming the file and the key."""
    return _with_table(base, _read_toml(path), file=str(path), what=what)


def read_plan_config(path: str | Path, base: PlanParams) -> tuple[PlanParams, set[str]]:
    """Every plan parameter from one TOML file: ``[rules]``, ``[search]``, ``[chat]`` and
    ``[service]`` tables of their dataclasses' fields, and ``time_limit_seconds``,
    ``num_workers``, ``seed``, ``replications`` at the top; the parameters it does not name keep
    ``base``'s values. Returns the parameters and the field names the file set. An unknown
    table or key, or a refused value, is one ``InputError`` naming the file and the key."""
    label = str(path)
    data = _read_toml(path)
    top = {f.name for f in fields(base)} - set(SECTIONS)
    sections: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS and isinstance(value, dict):
            sections[key] = _with_table(getattr(base, key), value, file=label, what="setting",
                                        prefix=f"{key}.")
        elif key not in top:
            raise InputError("unknown table or key; expected the tables "
                             f"{', '.join(f'[{k}]' for k in SECTIONS)} or the keys "
                             f"{', '.join(sorted(top))}", file=label, key=key)
    given = {k for key in sections for k in data[key]} | (data.keys() & top)
    return _with_table(replace(base, **sections), {k: data[k] for k in data.keys() & top},
                       file=label, what="setting"), given


def _read_toml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=str(path))
    try:
        return tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable TOML file ({exc})", file=str(path)) from None


def _with_table(base: ParamsT, data: dict[str, Any], *, file: str, what: str,
                prefix: str = "") -> ParamsT:
    """``base`` with the fields ``data`` names, each converted to its field's type; names
    in messages get ``prefix`` (a plan file's table)."""
    hints = typing.get_type_hints(type(base))
    known = [f.name for f in fields(base)]
    changes: dict[str, object] = {}
    for key, value in data.items():
        if key in RETIRED:
            raise InputError(RETIRED[key], file=file, key=prefix + key)
        if key not in known:
            raise InputError(f"unknown {what}; expected one of {', '.join(known)}", file=file,
                             key=prefix + key)
        changes[key] = _param_value(hints[key], value, file=file, key=prefix + key)
    try:
        return replace(base, **changes)
    except ParamError as exc:
        raise InputError(f"expected {exc.expected}", file=file, key=prefix + exc.key,
                         value=changes.get(exc.key)) from None
    except ValueError as exc:
        raise InputError(str(exc), file=file) from None


def _param_value(hint: object, value: object, *, file: str, key: str) -> object:
    """``value`` as the field's type (``bool``, ``int``, ``float``, ``str`` or
    ``tuple[int | float, ...]``), or an ``InputError`` saying what was expected."""

    def refuse(expected: str) -> InputError:
        return InputError(f"expected {expected}", file=file, key=key, value=value)

    def number(v: object) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    if typing.get_args(hint) and type(None) in typing.get_args(hint):  # optional: its type
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(value, list) or not value or not all(number(v) for v in value):
            raise refuse("a list of numbers, e.g. [4, 6, 8]")
        if item is int and any(v != int(v) for v in value):
            raise refuse("a list of whole numbers")
        return tuple(item(v) for v in value)
    if hint is bool:
        if not isinstance(value, bool):
            raise refuse("true or false")
        return value
    if hint is int or hint is float:
        if not number(value):
            raise refuse("a number")
        assert isinstance(value, int | float)
        if hint is int and value != int(value):
            raise refuse("a whole number")
        return hint(value)
    if isinstance(hint, type) and issubclass(hint, str):  # text, or a choice of texts (Mode)
        if not isinstance(value, str):
            raise refuse("text in quotes")
        return value
    raise refuse("a value this file cannot set (set it in code)")


def read_rules(path: str | Path, base: Rules | None = None) -> Rules:
    """Roster rules from a TOML file whose keys are ``Rules`` fields, e.g.
    ``min_rest_hours = 11``."""
    return read_params(path, base or Rules(), what="rule")


def read_tuning(path: str | Path, base: SearchParams | None = None) -> SearchParams:
    """The roster search's tuning from a TOML file whose keys are ``SearchParams`` fields,
    e.g. ``patience = 60``."""
    return read_params(path, base or SearchParams(), what="tuning setting")


# --------------------------------------------------------------------------------------------
# Promotion calendar
# --------------------------------------------------------------------------------------------
PROMOTION_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "promotion", "event", "活动", "活动名称", "名称"),
    "start": ("start", "开始", "开始时间"),
    "end": ("end", "结束", "结束时间"),
    "multiplier": ("multiplier", "factor", "倍数", "流量倍数"),
    "kind": ("kind", "type", "类型"),
}


def read_promotions(path: str | Path) -> tuple[tuple[Promotion, ...], tuple[str, ...]]:
    """A promotion calendar (name, start, end, multiplier[, kind]): demand multipliers on
    exactly the hours each names (shop-local; end exclusive), and warnings."""
    from scheduler.forecast import promotions_from_rows  # (SciPy: only when a file is read)

    raw = read_raw_table(path)
    cols, warnings = resolve_columns(raw, PROMOTION_ALIASES)
    rows = [{canon: str(raw.frame[col].iloc[i]) for canon, col in cols.items()}
            for i in range(len(raw.frame))]
    return promotions_from_rows(rows, source=raw.label), warnings
