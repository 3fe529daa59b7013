"""Does the calendar help or hurt? The real bank history laid onto 2026's Chinese calendar.

Protocol (issue 17): the anonymous bank's hourly calls (January-August 1999) are moved forward by
1426 whole weeks (weekdays kept), so they run from Friday 2026-05-01 to Tuesday 2026-12-29 and the
history windows cover 2026's 劳动节, 端午, 中秋, 国庆, 618, 双11 and 双12: events this bank does
not react to. Thirteen target weeks (Mondays 2026-09-28 to 2026-12-21: the weeks of 国庆, 双11's
windows and 双12, and those after them), each forecast by the rolling-
origin backtest from the weeks before it only.

Compared: the default forecast (``auto``, calendar on: built-in platform promotions, public
holidays and 调休 days, effects learned from the history), the same with every calendar effect
off (``promotions=()``, ``holidays=False``), and seasonal naive (the same hour last week, no
calendar). Target: default <= 1.02x calendar-off and <= 0.8x seasonal naive.

Run:  .venv/bin/python benchmarks/forecast_calendar.py
writes ``benchmarks/results/forecast_calendar.md`` and prints it.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_backtest import DATA, load_hourly  # noqa: E402

from scheduler.domain import HourlyHistory  # noqa: E402
from scheduler.forecast import backtest  # noqa: E402

SHIFT_WEEKS = 1426
TARGETS = [date(2026, 9, 28) + timedelta(weeks=k) for k in range(13)]
OUT = ROOT / "benchmarks" / "results" / "forecast_calendar.md"


def bank_2026(path: Path = DATA) -> HourlyHistory:
    """The bank's hours moved forward by ``SHIFT_WEEKS`` weeks."""
    hist = load_hourly(path)
    frame = hist.frame.copy()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]) + pd.Timedelta(weeks=SHIFT_WEEKS)
    return HourlyHistory(frame=frame, source="bank laid on 2026")


def wape_on(result, method: str, weeks: list[date]) -> float:  # type: ignore[no-untyped-def]
    h = result.hours[result.hours["method"] == method]
    keep = h["timestamp"].dt.normalize().dt.date.map(
        lambda d: (d - timedelta(days=d.weekday())) in weeks)
    a, f = h.loc[keep, "actual"].to_numpy(), h.loc[keep, "sessions"].to_numpy()
    return float(np.abs(f - a).sum() / a.sum())


def main() -> int:
    hist = bank_2026()
    on = backtest(hist, methods=("seasonal_naive", "auto"))
    off = backtest(hist, methods=("seasonal_naive", "auto"), promotions=(), holidays=False)
    naive = wape_on(off, "seasonal_naive", TARGETS)
    naive_on = wape_on(on, "seasonal_naive", TARGETS)
    w_on = wape_on(on, "auto", TARGETS)
    w_off = wape_on(off, "auto", TARGETS)
    lines = [
        "# The calendar on a shop that does not react to it (bank hours laid onto 2026)",
        "",
        f"Target weeks {TARGETS[0]} to {TARGETS[-1]} ({len(TARGETS)}), rolling origin. "
        "Command: `.venv/bin/python benchmarks/forecast_calendar.py`",
        "",
        "| forecast | WAPE | vs calendar off | vs seasonal naive |",
        "|---|---|---|---|",
        f"| default (calendar on, effects learned) | {w_on:.1%} | {w_on / w_off:.3f}x | "
        f"{w_on / naive:.3f}x |",
        f"| calendar off | {w_off:.1%} | 1.000x | {w_off / naive:.3f}x |",
        f"| seasonal naive (same hour last week) | {naive:.1%} | | 1.000x |",
        f"| seasonal naive, calendar on | {naive_on:.1%} | | {naive_on / naive:.3f}x |",
        "",
        "Targets: default <= 1.02x calendar off and <= 0.8x seasonal naive.",
    ]
    weeks = on.weeks[on.weeks["method"] == "auto"]
    lines += ["", "Method chosen per target week: " + ", ".join(
        f"{r.week_start} {r.chosen}" for r in weeks.itertuples() if r.week_start in TARGETS)]
    text = "\n".join(lines) + "\n"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
