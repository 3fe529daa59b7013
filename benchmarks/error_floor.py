"""How much margin does a plan need on the bank's real weeks, and how much would a perfect
day-level forecast save? (issue 19: the price of the margin)

Protocol: the bank's hours laid onto 2026 (``forecast_calendar.bank_2026``), the 12 weeks
``chance_defaults.py`` judges (2026-10-05 .. 12-21). Busy hours: forecast or real count >= 5.

- **ours**: each week's forecast as the plan makes it (``forecast_week`` from the weeks before it
  only) and the count's negative binomial around it (``risk.count_quantile``): the load the plan
  is sized for at p (sum of the busy hours' p-quantiles over the sum of their forecasts) and the
  share of busy hours whose real count went above it.
- **oracle**: each day's real total known in advance, spread over the day with the mean hourly
  shares of the same weekday in the four weeks before and the four after (the future included):
  a forecast no planner can have. Its load margin at p is the empirical p-quantile of real /
  forecast over busy hours.

The margin is what the plan pays over the point forecast in busy hours (agent-hours follow the
load there, less the night's minimum staffing). Run: ``.venv/bin/python benchmarks/error_floor.py``
(about 5 s); writes ``benchmarks/results/error_floor.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_calendar import bank_2026  # noqa: E402

from scheduler.backtest import cut_history, judged_weeks  # noqa: E402
from scheduler.forecast import forecast_week  # noqa: E402
from scheduler.risk import BUSY_SESSIONS, count_quantile  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "error_floor.md"
LEVELS = (0.8, 0.9, 0.95)


def week_counts(series: pd.Series, monday: pd.Timestamp) -> np.ndarray:
    idx = pd.date_range(monday, periods=168, freq="h")
    return series.reindex(idx, fill_value=0.0).to_numpy(dtype=float)


def main() -> int:
    hist = bank_2026()
    ts = pd.to_datetime(hist.frame["timestamp"])
    series = pd.Series(hist.frame["sessions"].to_numpy(dtype=float), index=ts)
    series = series.groupby(level=0).sum()
    weeks = judged_weeks(hist, 12)
    # per p, per week: (load sized for, point load, busy hours above it, busy hours)
    ours: dict[float, list[tuple[float, float, int, int]]] = {p: [] for p in LEVELS}
    y_all, o_all = [], []
    for w in weeks:
        monday = pd.Timestamp(w)
        fc = forecast_week(cut_history(hist, w), monday.to_pydatetime())
        f = fc.frame["sessions"].to_numpy(dtype=float)
        rel = np.asarray(fc.rel_error, dtype=float)
        y = week_counts(series, monday)
        # the oracle: the day's real total, shares of the same weekday +-4 weeks (not this one)
        shares = []
        for k in (-4, -3, -2, -1, 1, 2, 3, 4):
            other = week_counts(series, monday + pd.Timedelta(weeks=k)).reshape(7, 24)
            tot = other.sum(axis=1, keepdims=True)
            if (tot > 0).all():
                shares.append(other / tot)
        oracle = (np.mean(shares, axis=0) * y.reshape(7, 24).sum(axis=1, keepdims=True)).ravel()
        busy = (f >= BUSY_SESSIONS) | (y >= BUSY_SESSIONS)
        for p in LEVELS:
            q = np.array([max(m, count_quantile(m, r, p)) for m, r in zip(f, rel, strict=True)])
            ours[p].append((q[busy].sum(), f[busy].sum(), int((y[busy] > q[busy]).sum()),
                            int(busy.sum())))
        keep = busy & (oracle >= BUSY_SESSIONS)
        y_all.append(y[keep])
        o_all.append(oracle[keep])
    ratio = np.concatenate(y_all) / np.concatenate(o_all)
    lines = [
        "# The margin a plan needs on the bank's real weeks",
        "",
        "Command: `.venv/bin/python benchmarks/error_floor.py`. The 12 weeks "
        f"{weeks[0]}..{weeks[-1]}; busy hours (forecast or real >= {BUSY_SESSIONS:g} sessions).",
        "",
        "| p | ours: load sized for, over the point forecast | ours: busy hours above it | "
        "oracle (each day's real total known): load margin |",
        "|---|---|---|---|",
    ]
    for p in LEVELS:
        rows = np.array(ours[p], dtype=float)
        lines.append(f"| {p:g} | {rows[:, 0].sum() / rows[:, 1].sum() - 1:+.1%} | "
                     f"{rows[:, 2].sum() / rows[:, 3].sum():.1%} (nominal {1 - p:.0%}) | "
                     f"{np.quantile(ratio, p) - 1:+.1%} |")
    lines += [
        "",
        "The oracle knows each day's real total and spreads it with the same weekday's mean "
        "hourly shares of the four weeks before and after: what is left is the hour-to-hour "
        "error inside the day, which no day-level forecast removes.",
    ]
    text = "\n".join(lines) + "\n"
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
