"""How much does the day so far tell of the rest of it? The re-forecast of issue 32, on real days.

Protocol: the bank's hours laid onto 2026 (``forecast_calendar.bank_2026``); every week the
history allows (each forecast from the weeks before it only, with its error in layers:
``pipeline.make_forecast``). On each day of each week, at each cut-off of ``CUTOFFS``, the
counts of every hour finished by then (the earlier days of the week included) are known, and
the rest of the day is forecast two ways:

- **week-ahead**: the forecast made before the week, unchanged;
- **re-forecast**: that forecast times what the counts so far say of the day's level
  (``scenarios.level_given``: the shop's own week, day and hour layers; spikes left out).

Judged on the rest of the day's real sessions, over its busy hours (forecast >= 5): the
relative error of the rest-of-day total (RMSE, and the mean absolute error), the hours' own
(count-weighted), and whether the real total fell inside the middle 80% of the scenario days
drawn given the counts so far (``scenario_weeks(..., known=...)``; 80% if the spread is honest).
Days under ``LOW_DAY_SHARE`` of their forecast (closures) are left out.

Run: ``.venv/bin/python benchmarks/today_reforecast.py`` (about a minute on 2 cores); writes
``benchmarks/results/today_reforecast.md``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_calendar import bank_2026  # noqa: E402

from scheduler.backtest import MIN_TRAIN_WEEKS, cut_history, full_weeks, judged_weeks  # noqa: E402
from scheduler.forecast.engine import LOW_DAY_SHARE  # noqa: E402
from scheduler.pipeline import make_forecast  # noqa: E402
from scheduler.risk import BUSY_SESSIONS  # noqa: E402
from scheduler.scenarios import level_given, scenario_weeks  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "today_reforecast.md"
CUTOFFS = (10, 14, 18)
SCENARIOS = 400


def week_counts(series: pd.Series, monday: pd.Timestamp) -> np.ndarray:
    idx = pd.date_range(monday, periods=168, freq="h")
    return series.reindex(idx, fill_value=0.0).to_numpy(dtype=float)


def main() -> int:
    t0 = time.perf_counter()
    hist = bank_2026()
    ts = pd.to_datetime(hist.frame["timestamp"])
    series = pd.Series(hist.frame["sessions"].to_numpy(dtype=float), index=ts)
    series = series.groupby(level=0).sum()
    weeks = judged_weeks(hist, full_weeks(hist) - MIN_TRAIN_WEEKS)
    rows = []
    for w in weeks:
        fc = make_forecast(cut_history(hist, w), w)
        assert fc.layers is not None
        f = fc.frame["sessions"].to_numpy(dtype=float)
        y = week_counts(series, pd.Timestamp(w))
        prior = scenario_weeks(fc, fc.layers, n=SCENARIOS, seed=[0, 7])
        for d in range(7):
            day = slice(24 * d, 24 * d + 24)
            if y[day].sum() < LOW_DAY_SHARE * f[day].sum():
                continue
            for cut in CUTOFFS:
                now = 24 * d + cut
                rest = np.arange(now, 24 * d + 24)
                busy = rest[f[rest] >= BUSY_SESSIONS]
                if busy.size == 0:
                    continue
                known = np.where(np.arange(168) < now, y, np.nan)
                factor = level_given(f, fc.layers, known).day_factor()[d]
                draws = scenario_weeks(fc, fc.layers, n=SCENARIOS, seed=[now, 7], known=known)
                lo, hi = np.quantile(draws[:, busy].sum(axis=1), [0.1, 0.9])
                lo0, hi0 = np.quantile(prior[:, busy].sum(axis=1), [0.1, 0.9])
                real, ahead = y[busy].sum(), f[busy].sum()
                rows.append({
                    "week": str(w), "day": d, "cutoff": cut, "real": real,
                    "err_ahead": ahead / real - 1 if real else np.nan,
                    "err_re": ahead * factor / real - 1 if real else np.nan,
                    "hour_ahead": np.abs(f[busy] - y[busy]).sum() / max(real, 1.0),
                    "hour_re": np.abs(f[busy] * factor - y[busy]).sum() / max(real, 1.0),
                    "inside": bool(lo <= real <= hi),
                    "inside_ahead": bool(lo0 <= real <= hi0),
                })
    t = pd.DataFrame(rows).dropna()
    lines = [
        "# The rest of the day, forecast before the week and re-forecast from the day so far",
        "",
        f"`.venv/bin/python benchmarks/today_reforecast.py` — {len(weeks)} bank weeks "
        f"({weeks[0]} .. {weeks[-1]}), {t.groupby(['week', 'day']).ngroups} days, at "
        f"{', '.join(f'{c}:00' for c in CUTOFFS)}; the rest of the day's busy hours (forecast "
        f">= {BUSY_SESSIONS:g} sessions). {time.perf_counter() - t0:.0f} s.",
        "",
        "| cut-off | days | rest-of-day total, RMSE: week-ahead | re-forecast | mean abs: "
        "week-ahead | re-forecast | hours' abs error / sessions: week-ahead | re-forecast | "
        "real total inside the 80% range: before the week | given the day so far |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for cut, g in t.groupby("cutoff"):
        lines.append(
            f"| {cut}:00 | {len(g)} | {np.sqrt((g['err_ahead'] ** 2).mean()):.1%} | "
            f"{np.sqrt((g['err_re'] ** 2).mean()):.1%} | {g['err_ahead'].abs().mean():.1%} | "
            f"{g['err_re'].abs().mean():.1%} | {g['hour_ahead'].mean():.1%} | "
            f"{g['hour_re'].mean():.1%} | {g['inside_ahead'].mean():.0%} | "
            f"{g['inside'].mean():.0%} |")
    lines += [
        "",
        "Errors are forecast / real - 1 of the rest of the day's busy hours. The re-forecast "
        "multiplies the week-ahead forecast by the day's level given every hour finished so far "
        "(the week's earlier days tell of the week's level, the day's own hours of the day's); "
        "how far they move it is set by the shop's own error layers, fitted on the weeks before "
        "(nothing here is tuned on these days).",
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
