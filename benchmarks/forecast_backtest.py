"""Rolling-origin backtest of every forecast method on the real call-centre history.

Protocol: the anonymous bank's 6-minute call counts (January-August 1999, Israel: Fri/Sat
weekend, Israeli holidays as near-empty days) are summed to clock hours and read as chat
sessions. Each full Monday-to-Sunday week with at least ``--min-train-weeks`` weeks before it is
forecast from the weeks before it only; scores pool all target hours. No promotions (a bank has
none); ``chinese_calendar`` does not cover 1999, so no Chinese-holiday effect applies (noted).

Run (one command, from the repository root):

    .venv/bin/python benchmarks/forecast_backtest.py

writes ``benchmarks/results/forecast_backtest.md`` and ``.csv`` and prints the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.domain import HourlyHistory  # noqa: E402
from scheduler.forecast import backtest  # noqa: E402

DATA = Path("/work/shared/data/anonymous_bank_1999-01-to-08_6min_counts.csv.gz")
OUT = ROOT / "benchmarks" / "results"


def load_hourly(path: Path) -> HourlyHistory:
    """The 6-minute counts summed to clock hours (sessions rounded to whole numbers)."""
    raw = pd.read_csv(path)
    ts = pd.to_datetime(raw["date"] + " " + raw["interval_start"])
    hourly = raw.set_index(ts)["calls"].resample("h").sum()
    frame = pd.DataFrame(
        {
            "timestamp": hourly.index.to_numpy(),
            "sessions": np.rint(hourly.to_numpy()).astype(np.int64),
            "avg_handle_seconds": np.nan,
            "first_reply_seconds": np.nan,
            "replied_share": np.nan,
        }
    )
    return HourlyHistory(frame=frame, source=path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--min-train-weeks", type=int, default=4)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    history = load_hourly(args.data)
    t0 = time.perf_counter()
    result = backtest(history, min_train_weeks=args.min_train_weeks, promotions=())
    elapsed = time.perf_counter() - t0

    args.out.mkdir(parents=True, exist_ok=True)
    table = result.table.copy()
    table.to_csv(args.out / "forecast_backtest.csv", index=False, float_format="%.4f")
    auto_weeks = result.weeks[result.weeks["method"] == "auto"]
    picks = auto_weeks["chosen"].value_counts().to_dict() if len(auto_weeks) else {}
    first, last = result.weeks["week_start"].min(), result.weeks["week_start"].max()
    md = [
        "# Forecast backtest",
        "",
        f"Data: `{args.data.name}` summed to {history.hours} clock hours "
        f"({history.start:%Y-%m-%d %H:%M} to {history.end:%Y-%m-%d %H:%M}, end exclusive).",
        f"Rolling origin, at least {args.min_train_weeks} training weeks; "
        f"{int(table['weeks'].iloc[0])} target weeks ({first} to {last}); "
        f"busiest hours = top {result.busiest_share:.0%} of target hours by actual; "
        f"band = {result.band:.0%}.",
        "",
        "Command: `.venv/bin/python benchmarks/forecast_backtest.py` "
        f"({elapsed:.1f} s for the backtest).",
        "",
        "| method | weeks | WAPE | bias | WAPE busiest | band coverage | WAPE vs naive |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in table.itertuples(index=False):
        ratio = float(row.wape_vs_naive)  # type: ignore[arg-type]
        vs = "" if np.isnan(ratio) else f"{ratio:+.1%}"
        md.append(
            f"| {row.method} | {row.weeks} | {row.wape:.1%} | {row.bias:+.1%} | "
            f"{row.wape_busiest:.1%} | {row.coverage:.1%} | {vs} |"
        )
    md += [
        "",
        f"`auto` picked (weeks): {picks}.",
        "",
        "Notes: " + "; ".join(result.notes) if result.notes else "",
        "",
    ]
    (args.out / "forecast_backtest.md").write_text("\n".join(md), encoding="utf-8")
    print(result.format_table())
    print(f"auto picked: {picks}")
    print(f"backtest took {elapsed:.1f} s; wrote {args.out / 'forecast_backtest.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
