"""Build the bundled sample data from the real call-centre records in ``../shared/data``.

Usage::

    python data/make_sample.py [--src ../shared/data] [--out data/]

Writes ``sample_history.csv``, ``sample_agents.csv`` and ``sample_sessions.csv`` into ``--out``.
Deterministic: ``numpy.random.default_rng(20261123)`` and fixed formatting, so two runs give
byte-identical files. See ``data/README.md`` for what the files are and how they were derived.

Source data: "Anonymous Bank" call centre (Israel, 1999), Technion Service Enterprise Engineering
Lab (Guedj & Mandelbaum); Brown, Gans, Mandelbaum, Sakov, Shen, Zeltyn & Zhao (2005), JASA
100(469):36-50.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261123
HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE.parent.parent / "shared" / "data"
COUNTS_FILE = "anonymous_bank_1999-01-to-08_6min_counts.csv.gz"
CALLS_FILE = "anonymous_bank_1999-02_calls.csv.gz"

# --- target: a Xiaohongshu shop, 12 full weeks, the planned week starts Monday 2026-11-23 -----
HISTORY_START = datetime(2026, 8, 31)
HISTORY_WEEKS = 12
HANDLE_SCALE = 3.5
"""Chat sessions last longer than phone calls: real mean 177 s -> about 620 s."""

# Mean sessions per clock hour on an ordinary working day (Mon-Fri), before noise.
# Low 02-07, rising from 09, peaks 10-12, 14-17 and 20-23 (after work, live streams).
BASE_SHAPE: tuple[float, ...] = (
    13.0, 7.5, 4.0, 3.0, 2.5, 2.5, 3.5, 8.0,  # 00-07
    16.0, 29.0, 44.0, 48.0, 39.0, 35.0, 42.0, 46.0,  # 08-15
    44.0, 38.0, 35.0, 44.0, 62.0, 71.0, 68.0, 41.0,  # 16-23
)  # fmt: skip
DAY_LEVEL: dict[int, float] = {0: 1.00, 1: 0.97, 2: 0.98, 3: 1.00, 4: 1.04, 5: 1.27, 6: 1.25}
"""Day-of-week level (Mon=0). Shop rest days (weekends, public holidays) are ~20% busier."""
REST_LEVEL = 1.26
"""Level of a public-holiday rest day that falls on a weekday (the weekend level)."""

# China 2026 calendar (State Council notice; matches chinese_calendar 1.11). Hard-coded so the
# sample does not change if that package changes.
CN_HOLIDAYS_2026 = frozenset(
    [date(2026, 9, 25)]  # Mid-Autumn Festival (Fri; Sat-Sun 26-27 are weekend anyway)
    + [date(2026, 10, d) for d in range(1, 8)]  # National Day golden week
)
CN_MAKEUP_WORKDAYS_2026 = frozenset([date(2026, 9, 20), date(2026, 10, 10)])  # 调休 (Sun, Sat)
GOLDEN_WEEK = (date(2026, 10, 1), date(2026, 10, 7))
GOLDEN_WEEK_DAYTIME = (range(9, 19), 0.75)
"""National Day golden week: people travel, 09:00-18:59 is lower."""

# Promotions (双11 season): (day, clock hours, multiplier).
EVENTS: tuple[tuple[date, range, float, str], ...] = (
    (date(2026, 10, 20), range(20, 24), 2.2, "双11 pre-sale opens (付定金) 20:00"),
    (date(2026, 10, 31), range(20, 24), 2.0, "双11 final payment (付尾款) opens 20:00"),
    (date(2026, 11, 10), range(20, 24), 1.4, "双11 eve"),
    (date(2026, 11, 11), range(0, 2), 2.5, "双11 midnight start"),
    (date(2026, 11, 11), range(2, 7), 1.5, "双11 night"),
    (date(2026, 11, 11), range(7, 20), 1.8, "双11 day"),
    (date(2026, 11, 11), range(20, 24), 2.2, "双11 evening"),
    (date(2026, 11, 12), range(0, 24), 1.15, "双11 after-sales (logistics, returns)"),
    (date(2026, 11, 13), range(0, 24), 1.1, "双11 after-sales"),
)

# --- real data ----------------------------------------------------------------------------
REAL_FULL_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday")
"""Israeli full business days. Friday (closes 14:00) and Saturday (evening only) are not used:
most of a 24h target day would have no real counterpart."""
REAL_OPEN_HOURS = range(7, 24)
"""Clock hours the real centre is fully open on full days; their residuals are used."""
REAL_FIRST_DAY = date(1999, 1, 31)
"""First real day with 4 earlier same-weekday days for the trailing level."""
TRAILING_DAYS = 4
HOLIDAY_THRESHOLD = 0.6
"""A real day below this share of its weekday's median total is a holiday/eve: skipped."""
IMPUTED_DAYS = frozenset([date(1999, 5, 23)])
"""Half-integer counts at the source (imputed): skipped."""
RESIDUAL_CLIP = (0.3, 3.0)


@dataclass(frozen=True)
class RealDay:
    """One real business day: its level noise and per-hour residuals (clock hour -> ratio)."""

    day: date
    weekday: str
    level_factor: float
    residual: dict[int, float]
    clipped: int


def load_real_days(src: Path) -> tuple[list[RealDay], list[date]]:
    """Real full business days from ``REAL_FIRST_DAY``, in date order, with their noise."""
    counts = pd.read_csv(src / COUNTS_FILE)
    counts["hour"] = counts["interval_start"].str.slice(0, 2).astype(int)
    hourly = counts.pivot_table(index="date", columns="hour", values="calls", aggfunc="sum")
    weekday = counts.groupby("date")["weekday"].first()
    days = pd.to_datetime(pd.Series(hourly.index, index=hourly.index)).dt.date
    full = weekday.isin(REAL_FULL_DAYS) & ~days.isin(IMPUTED_DAYS)
    hourly, weekday, days = hourly[full], weekday[full], days[full]
    total = hourly.sum(axis=1)
    median_by_wd = total.groupby(weekday).transform("median")

    # Walk each weekday's days in order: a day is a holiday/eve/outage (skipped) when its total is
    # below HOLIDAY_THRESHOLD x the median of the previous TRAILING_DAYS valid days of that weekday
    # (x the weekday's overall median while fewer than TRAILING_DAYS are known).
    level = pd.Series(np.nan, index=hourly.index)
    holiday = pd.Series(False, index=hourly.index)
    for wd in REAL_FULL_DAYS:
        seen: list[float] = []
        for key in hourly.index[weekday == wd]:
            if len(seen) >= TRAILING_DAYS:
                level[key] = float(np.median(seen[-TRAILING_DAYS:]))
            reference = level[key] if not np.isnan(level[key]) else median_by_wd[key]
            if total[key] < HOLIDAY_THRESHOLD * reference:
                holiday[key] = True
            else:
                seen.append(float(total[key]))

    open_cols = list(REAL_OPEN_HOURS)
    valid = ~holiday
    open_total = hourly[open_cols].sum(axis=1)
    share = hourly.loc[valid, open_cols].div(open_total[valid], axis=0)
    share_by_wd = share.groupby(weekday[valid]).mean()

    out: list[RealDay] = []
    skipped: list[date] = []
    for key in hourly.index:
        if days[key] < REAL_FIRST_DAY:
            continue
        if holiday[key]:
            skipped.append(days[key])
            continue
        if np.isnan(level[key]):
            raise SystemExit(f"no trailing level for {days[key]}: move REAL_FIRST_DAY later")
        expected = open_total[key] * share_by_wd.loc[weekday[key]]
        raw = hourly.loc[key, open_cols] / expected
        clipped = raw.clip(*RESIDUAL_CLIP)
        out.append(
            RealDay(
                day=days[key],
                weekday=str(weekday[key]),
                level_factor=float(total[key]) / float(level[key]),
                residual={int(h): float(clipped[h]) for h in open_cols},
                clipped=int((clipped != raw).sum()),
            )
        )
    return out, skipped


def load_handle_pool(src: Path) -> np.ndarray:
    """Real February handle times (s) of answered calls with ser_time > 0."""
    calls = pd.read_csv(src / CALLS_FILE, usecols=["outcome", "ser_time"])
    pool = calls.loc[(calls["outcome"] == "AGENT") & (calls["ser_time"] > 0), "ser_time"]
    return pool.to_numpy(dtype=np.float64)


def day_level(day: date) -> float:
    """Day-of-week level with the China 2026 calendar: holidays rest, 调休 days work."""
    if day in CN_MAKEUP_WORKDAYS_2026:
        return DAY_LEVEL[0]
    if day in CN_HOLIDAYS_2026 and day.weekday() < 5:
        return REST_LEVEL
    return DAY_LEVEL[day.weekday()]


def calendar_factor(day: date, hour: int) -> float:
    """Golden-week daytime dip times promotion uplifts for one clock hour."""
    factor = 1.0
    hours, dip = GOLDEN_WEEK_DAYTIME
    if GOLDEN_WEEK[0] <= day <= GOLDEN_WEEK[1] and hour in hours:
        factor *= dip
    for when, event_hours, mult, _ in EVENTS:
        if day == when and hour in event_hours:
            factor *= mult
    return factor


def build_history(real_days: list[RealDay], handle_pool: np.ndarray) -> pd.DataFrame:
    """Hourly history: the target shape times real day/hour noise, calendar and promotions."""
    rng = np.random.default_rng(SEED)
    n_days = HISTORY_WEEKS * 7
    if len(real_days) < n_days:
        raise SystemExit(f"need {n_days} real business days, found {len(real_days)}")
    rows: list[tuple[str, int, float]] = []
    for i in range(n_days):
        day = (HISTORY_START + timedelta(days=i)).date()
        real = real_days[i]
        for hour in range(24):
            mean = BASE_SHAPE[hour] * day_level(day) * calendar_factor(day, hour)
            mean *= real.level_factor
            if hour in real.residual:
                x = mean * real.residual[hour]
                sessions = int(np.floor(x) + (rng.random() < x - np.floor(x)))
            else:
                sessions = max(1, int(rng.poisson(mean)))
            handle = float(rng.choice(handle_pool, size=sessions).mean()) * HANDLE_SCALE
            stamp = f"{day.isoformat()} {hour:02d}:00"
            rows.append((stamp, sessions, round(handle, 1)))
    return pd.DataFrame(rows, columns=["timestamp", "sessions", "avg_handle_seconds"])


# --- agents -------------------------------------------------------------------------------
AGENT_COLUMNS = (
    "agent_id", "name", "max_concurrent", "max_hours_week", "min_hours_week",
    "available_days", "available_hours", "night_ok", "weekend_ok",
)  # fmt: skip
AGENTS: tuple[tuple[str, ...], ...] = (
    # full-timers (40 h)
    ("A01", "小雨", "6", "40", "0", "", "", "yes", "yes"),  # team lead, senior
    ("A02", "阿杰", "6", "40", "0", "", "", "yes", "yes"),  # senior, often nights
    ("A03", "小鹿", "5", "40", "0", "", "", "no", "yes"),
    ("A04", "大白", "5", "40", "0", "", "00:00-24:00", "yes", "yes"),
    ("A05", "橙子", "5", "40", "0", "Mon-Sat", "", "no", "yes"),
    ("A06", "小七", "4", "40", "0", "", "08:00-23:00", "no", "yes"),
    ("A07", "木木", "4", "40", "0", "Mon-Fri", "", "yes", "no"),  # weekday nights
    ("A08", "糖糖", "4", "40", "0", "Mon-Fri", "09:00-22:00", "no", "no"),  # school-run parent
    ("A09", "豆豆", "3", "40", "0", "", "", "no", "yes"),  # new hire
    ("A10", "小满", "3", "40", "0", "", "07:00-23:00", "no", "yes"),  # new hire
    ("A15", "夜猫", "4", "40", "0", "", "", "yes", "yes"),  # night-shift regular
    ("A16", "可乐", "5", "40", "0", "", "", "no", "yes"),
    # part-timers
    ("A11", "阿乐", "4", "30", "16", "", "18:00-02:00", "yes", "yes"),  # late shift, wraps midnight
    ("A12", "小鱼", "3", "20", "0", "Sat,Sun", "09:00-23:00", "no", "yes"),  # student, weekends
    ("A13", "西西", "3", "24", "0", "", "18:00-23:00", "no", "yes"),  # student, evenings
    ("A14", "阿哲", "4", "28", "16", "Mon,Wed,Fri,Sat,Sun", "10:00-14:00;19:00-23:00", "no", "yes"),
    ("A17", "团团", "4", "30", "0", "Fri,Sat,Sun", "", "no", "yes"),  # weekend part-timer
)


# --- sessions (real per-call file) --------------------------------------------------------
SESSION_COLUMNS = (
    "session_id", "start", "first_reply", "end", "abandoned", "handle_seconds", "agent_id",
)  # fmt: skip
CLOCK_SKEW_SECONDS = 5
"""ser_start is usually 1-2 s before q_exit/vru_exit (two clocks). Up to this skew, the session's
start is moved back to the first reply; larger gaps are inconsistent and dropped."""


def _clock_seconds(col: pd.Series) -> np.ndarray:
    parts = col.str.split(":", expand=True).astype(np.int64)
    return (parts[0] * 3600 + parts[1] * 60 + parts[2]).to_numpy()


def build_sessions(src: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """The real February calls as sessions, plus counts of what was dropped and why."""
    calls = pd.read_csv(src / CALLS_FILE, dtype=str)
    stats: dict[str, int] = {"calls_in_file": len(calls)}
    phantom = calls["outcome"] == "PHANTOM"
    stats["dropped_phantom"] = int(phantom.sum())
    calls = calls[~phantom].reset_index(drop=True)

    zero = "0:00:00"
    day0 = pd.to_datetime("19" + calls["date"], format="%Y%m%d").to_numpy()
    entry = _clock_seconds(calls["vru_entry"])

    def absolute(col: str) -> np.ndarray:
        """Seconds since the call's date midnight; times before vru_entry crossed midnight."""
        t = _clock_seconds(calls[col])
        return np.where(t < entry - 12 * 3600, t + 86400, t)

    vru_exit, q_start, q_exit = absolute("vru_exit"), absolute("q_start"), absolute("q_exit")
    ser_start, ser_exit = absolute("ser_start"), absolute("ser_exit")
    queued = ((calls["q_start"] != zero) | (calls["q_exit"] != zero)).to_numpy()
    agent = (calls["outcome"] == "AGENT").to_numpy()
    hang = (calls["outcome"] == "HANG").to_numpy()

    start = np.where(queued, q_start, vru_exit)
    first = np.where(agent, ser_start, -1)
    end = np.where(agent, ser_exit, np.where(hang, q_exit, -1))
    handle = calls["ser_time"].astype(np.int64).to_numpy()

    hang_unqueued = hang & ~queued
    agent_no_service = agent & (calls["ser_start"] == zero).to_numpy()
    skew = agent & ~agent_no_service & (first < start)
    small_skew = skew & (start - first <= CLOCK_SKEW_SECONDS)
    big_skew = skew & ~small_skew
    bad_order = ~hang_unqueued & ~agent_no_service & (end < np.where(agent, first, start))
    bad_handle = agent & ~agent_no_service & (ser_exit - ser_start != handle)
    stats["dropped_hang_never_queued"] = int(hang_unqueued.sum())
    stats["dropped_answered_without_service_time"] = int(agent_no_service.sum())
    stats["dropped_reply_before_start"] = int(big_skew.sum())
    stats["dropped_end_before_start"] = int((bad_order & ~big_skew).sum())
    stats["dropped_handle_mismatch"] = int((bad_handle & ~big_skew & ~bad_order).sum())
    keep = ~(hang_unqueued | agent_no_service | big_skew | bad_order | bad_handle)
    stats["start_moved_for_clock_skew"] = int((small_skew & keep).sum())
    start = np.where(small_skew, first, start)

    def stamp(sec: np.ndarray) -> pd.Series:
        values = pd.Series(base + sec.astype("timedelta64[s]")).dt.strftime("%Y-%m-%d %H:%M:%S")
        return values.where(sec >= 0, "")

    base = day0.astype("datetime64[s]")
    server = calls["server"].where(calls["server"] != "NO_SERVER", "")
    out = pd.DataFrame(
        {
            "session_id": (calls["vru+line"] + "-" + calls["call_id"]).to_numpy(),
            "start": stamp(start).to_numpy(),
            "first_reply": stamp(first).to_numpy(),
            "end": stamp(end).to_numpy(),
            "abandoned": np.where(hang, "true", "false"),
            "handle_seconds": np.where(agent, handle.astype(str), ""),
            "agent_id": server.to_numpy(),
            "_start": base + start.astype("timedelta64[s]"),
        }
    )[keep]
    out = out.sort_values(["_start", "session_id"], kind="mergesort")
    out = out.drop(columns=["_start"]).reset_index(drop=True)
    if out["session_id"].duplicated().any():
        raise SystemExit("duplicate session ids in the calls file")
    stats["sessions_written"] = len(out)
    stats["abandoned_written"] = int((out["abandoned"] == "true").sum())
    return out, stats


# --- output -------------------------------------------------------------------------------
def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """UTF-8 without BOM, LF line ends, minimal quoting: identical bytes on every platform."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="the real data folder")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: data/)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    src: Path = args.src
    out: Path = args.out
    if not (src / COUNTS_FILE).exists() or not (src / CALLS_FILE).exists():
        print(f"real data not found in {src} (needs {COUNTS_FILE}, {CALLS_FILE})", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)

    real_days, skipped = load_real_days(src)
    history = build_history(real_days, load_handle_pool(src))
    write_csv(
        out / "sample_history.csv",
        ("timestamp", "sessions", "avg_handle_seconds"),
        [(t, str(s), f"{h:.1f}") for t, s, h in history.itertuples(index=False)],
    )
    write_csv(out / "sample_agents.csv", AGENT_COLUMNS, list(AGENTS))
    sessions, session_stats = build_sessions(src)
    write_csv(
        out / "sample_sessions.csv",
        SESSION_COLUMNS,
        [tuple(r) for r in sessions.itertuples(index=False)],
    )
    if not args.quiet:
        used = real_days[: HISTORY_WEEKS * 7]
        print(f"real days used: {used[0].day} .. {used[-1].day} ({len(used)})")
        skipped_used = [d for d in skipped if d <= used[-1].day]
        print("real days skipped (holiday/eve/outage):", ", ".join(map(str, skipped_used)))
        print("real residuals clipped:", sum(d.clipped for d in used), "of", 17 * len(used))
        for key, value in session_stats.items():
            print(f"{key}: {value}")
        weekly = history["sessions"].groupby(np.arange(len(history)) // 168).sum()
        print("weekly sessions:", weekly.tolist())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
