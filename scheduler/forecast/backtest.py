"""Rolling-origin backtest: forecast each past week from the weeks before it and score it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from scheduler.domain import HourlyHistory
from scheduler.errors import InputError
from scheduler.forecast.engine import Engine, build_grid
from scheduler.forecast.events import Promotion
from scheduler.forecast.methods import HOURS, METHODS
from scheduler.forecast.weekly import AUTO, check_band, check_history, check_method

ALL_METHODS: tuple[str, ...] = (*METHODS, AUTO)
"""Every method the backtest can score: the point methods and ``auto``."""


@dataclass(frozen=True)
class BacktestResult:
    """Scores of each method over the same target weeks.

    - ``table``: one row per method: ``method``, ``weeks`` (target weeks scored), ``wape``
      (sum |forecast - actual| / sum actual), ``bias`` (sum (forecast - actual) / sum actual;
      > 0 over-forecasts), ``wape_busiest`` (WAPE over the busiest ``busiest_share`` of target
      hours by actual, the same hours for every method), ``coverage`` (share of hours with
      ``low <= actual <= high``), ``wape_vs_naive`` (wape / seasonal naive's wape - 1, NaN when
      naive was not scored).
    - ``weeks``: one row per method and target week: ``method``, ``week_start``, ``chosen``
      (the method ``auto`` picked; the method itself otherwise), ``wape``, ``bias``, ``coverage``.
    - ``hours``: one row per method and target hour: ``method``, ``timestamp``, ``actual``,
      ``sessions``, ``low``, ``high``.
    """

    table: pd.DataFrame
    weeks: pd.DataFrame
    hours: pd.DataFrame
    band: float
    busiest_share: float
    notes: tuple[str, ...] = ()

    def score(self, method: str) -> pd.Series:
        """The ``table`` row of ``method``."""
        rows = self.table[self.table["method"] == method]
        if rows.empty:
            raise KeyError(method)
        return rows.iloc[0]

    def format_table(self) -> str:
        """The table as aligned text (percentages), for a terminal."""
        n_weeks = int(self.table["weeks"].max()) if len(self.table) else 0
        head = (
            f"{'method':<16}{'weeks':>6}{'WAPE':>8}{'bias':>8}"
            f"{'WAPE top ' + format(self.busiest_share, '.0%'):>14}"
            f"{'cover ' + format(self.band, '.0%'):>11}{'vs naive':>10}"
        )
        lines = [head, "-" * len(head)]
        for row in self.table.itertuples(index=False):
            ratio = float(row.wape_vs_naive)  # type: ignore[arg-type]
            vs = "" if math.isnan(ratio) else f"{ratio:+.1%}"
            lines.append(
                f"{row.method:<16}{row.weeks:>6d}{row.wape:>8.1%}{row.bias:>+8.1%}"
                f"{row.wape_busiest:>14.1%}{row.coverage:>11.1%}{vs:>10}"
            )
        lines.append(f"({n_weeks} target weeks: those with the backtest's minimum history "
                     "before them, rolling origin; bias > 0 over-forecasts)")
        return "\n".join(lines)


def _scores(actual: np.ndarray, fc: np.ndarray) -> tuple[float, float]:
    denom = float(actual.sum())
    if denom <= 0:
        return math.nan, math.nan
    err = fc - actual
    return float(np.abs(err).sum()) / denom, float(err.sum()) / denom


def backtest(
    history: HourlyHistory,
    *,
    methods: Sequence[str] = ALL_METHODS,
    min_train_weeks: int = 4,
    promotions: Iterable[Promotion] | None = None,
    holidays: bool = True,
    band: float = 0.8,
    busiest_share: float = 0.2,
) -> BacktestResult:
    """Rolling-origin backtest over ``history``.

    Every Monday-aligned week fully inside the history with at least ``min_train_weeks`` weeks
    (``min_train_weeks * 168`` known hours) before it is a target; each method forecasts it
    exactly as ``forecast_week`` would from the history cut at that Monday (same promotions,
    holidays and band calibration), and is scored on all target hours pooled.

    Raises:
        InputError: unknown method, ``min_train_weeks < 1``, band outside (0, 1), or no target
            week (the history needs ``min_train_weeks + 1`` weeks, the last one Monday-aligned).
    """
    check_history(history)
    check_band(band)
    for m in methods:
        check_method(m)
    if min_train_weeks < 1:
        raise InputError("min_train_weeks must be at least 1", value=min_train_weeks)
    if not 0 < busiest_share <= 1:
        raise InputError("busiest_share must be in (0, 1]", value=busiest_share)
    first = history.start
    origin_day = first.date() - timedelta(days=first.weekday())
    span_days = (history.end.date() - origin_day).days + (1 if history.end.hour else 0)
    rows = max(1, math.ceil(span_days / 7))
    target_start = pd.Timestamp(origin_day).to_pydatetime() + timedelta(weeks=rows)
    promos = None if promotions is None else tuple(promotions)
    grid = build_grid(history, target_start, promotions=promos, holidays=holidays)
    known = np.cumsum(np.isfinite(grid.raw).sum(axis=1))
    targets = [
        r
        for r in range(1, grid.rows)
        if np.isfinite(grid.raw[r]).all() and known[r - 1] >= min_train_weeks * HOURS
    ]
    if not targets:
        raise InputError(
            f"no week to backtest: the history needs at least {min_train_weeks + 1} weeks, "
            f"the last {1} of them a full Monday-to-Sunday week",
            file=history.source,
        )
    base_methods = list(METHODS) if AUTO in methods else [m for m in methods if m != AUTO]
    engine = Engine(grid, base_methods, range(1, grid.rows))
    week_rows: list[dict[str, object]] = []
    hour_parts: list[pd.DataFrame] = []
    for m in methods:
        for r in targets:
            chosen = engine.choose(r, list(METHODS)) if m == AUTO else m
            fc = engine.predict(chosen, r)
            low, high, _ = engine.band(chosen, r, fc, float(band))
            actual = grid.raw[r]
            wape, bias = _scores(actual, fc)
            cover = float(((low <= actual) & (actual <= high)).mean())
            start = grid.row_start(r)
            week_rows.append(
                {
                    "method": m,
                    "week_start": start.date(),
                    "chosen": chosen,
                    "wape": wape,
                    "bias": bias,
                    "coverage": cover,
                }
            )
            hour_parts.append(
                pd.DataFrame(
                    {
                        "method": m,
                        "timestamp": pd.date_range(start, periods=HOURS, freq="h"),
                        "actual": actual,
                        "sessions": fc,
                        "low": low,
                        "high": high,
                    }
                )
            )
    hours = pd.concat(hour_parts, ignore_index=True)
    weeks = pd.DataFrame(week_rows)
    table = _summarise(hours, list(methods), len(targets), busiest_share)
    return BacktestResult(
        table=table,
        weeks=weeks,
        hours=hours,
        band=float(band),
        busiest_share=float(busiest_share),
        notes=grid.notes,
    )


def _summarise(
    hours: pd.DataFrame, methods: list[str], n_weeks: int, busiest_share: float
) -> pd.DataFrame:
    first = hours[hours["method"] == methods[0]]
    threshold = float(np.quantile(first["actual"].to_numpy(), 1 - busiest_share))
    rows = []
    for m in methods:
        h = hours[hours["method"] == m]
        a = h["actual"].to_numpy()
        f = h["sessions"].to_numpy()
        wape, bias = _scores(a, f)
        busy = a >= threshold
        wape_b, _ = _scores(a[busy], f[busy])
        cover = float(((h["low"].to_numpy() <= a) & (a <= h["high"].to_numpy())).mean())
        rows.append(
            {
                "method": m,
                "weeks": n_weeks,
                "wape": wape,
                "bias": bias,
                "wape_busiest": wape_b,
                "coverage": cover,
            }
        )
    table = pd.DataFrame(rows)
    naive = table.loc[table["method"] == "seasonal_naive", "wape"]
    ref = float(naive.iloc[0]) if len(naive) else math.nan
    table["wape_vs_naive"] = table["wape"] / ref - 1 if ref == ref and ref > 0 else math.nan
    return table
