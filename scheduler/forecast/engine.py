"""The shared machinery of ``forecast_week`` and ``backtest``: a Monday-aligned week grid over
the history, rolling-origin point forecasts, calendar multipliers learned from history, method
choice and the calibrated prediction band.

Rolling origin: the forecast of grid row ``r`` only sees rows ``< r``; so the backtest's forecast
of week ``r`` is the forecast ``forecast_week`` makes from the history cut at that week's Monday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from scipy import stats

from scheduler.domain import HourlyHistory
from scheduler.forecast.events import (
    DAY_KINDS,
    DEFAULT_DAY_MULTIPLIERS,
    MIN_DAYS_TO_LEARN,
    Promotion,
    day_kinds,
    hour_multipliers,
    promotions_for_years,
)
from scheduler.forecast.methods import HOURS, METHODS

DEFAULT_METHOD = "robust_mean"
"""The method ``auto`` falls back to when the history is too short to choose by backtest; picked
by ``benchmarks/forecast_backtest.py`` (lowest WAPE on the real call-centre history)."""

AUTO_MIN_WEEKS = 4
"""``auto`` chooses by backtest once this many past weeks could be forecast; else DEFAULT_METHOD."""

AUTO_WINDOW_WEEKS = 8
"""``auto`` compares methods on (at most) this many most recent forecastable weeks."""

AUTO_MARGIN = 0.05
"""``auto`` leaves DEFAULT_METHOD only for a method whose WAPE is this much lower (relative):
on the benchmark, switching on small differences lost accuracy (the choice chases noise)."""

CALIBRATION_WEEKS = 16
"""The band is calibrated on the residuals of (at most) this many most recent weeks."""

MIN_EMPIRICAL_WEEKS = 2
"""Fewer forecastable past weeks than this: a negative-binomial band instead of empirical."""

DEFAULT_DISPERSION = 0.1
"""Negative-binomial overdispersion ``phi`` (variance = mean + phi * mean^2) used when the
history is too short to measure it."""

BAND_BINS = 5
"""Volume bands (quantiles of the forecast) in which residual quantiles are taken."""


@dataclass(frozen=True)
class Grid:
    """The history laid on Monday-aligned weeks.

    - ``origin``: Monday 00:00 of row 0. Row ``rows`` (one past the last) is the target week.
    - ``raw``: ``(rows, 168)`` sessions, NaN outside the history.
    - ``weeks``: ``raw`` divided by the promotion multipliers, NaN on public holidays and make-up
      days (what the point methods learn the usual pattern from).
    - ``mult``: ``(rows + 1, 168)`` promotion multipliers.
    - ``kinds``: ``(rows + 1) * 7`` day kinds (``events.day_kinds``).
    """

    origin: datetime
    raw: np.ndarray
    weeks: np.ndarray
    mult: np.ndarray
    kinds: tuple[str | None, ...]
    notes: tuple[str, ...]

    @property
    def rows(self) -> int:
        return int(self.raw.shape[0])

    def row_start(self, r: int) -> datetime:
        return self.origin + timedelta(weeks=r)


def build_grid(
    history: HourlyHistory,
    target_start: datetime,
    *,
    promotions: Iterable[Promotion] | None,
    holidays: bool,
) -> Grid:
    """Lay ``history`` on weeks ending at ``target_start`` (a Monday 00:00 at or after the end
    of the history). ``promotions=None`` uses the default platform promotions of every year
    touched."""
    first = history.start
    origin = datetime.combine(first.date() - timedelta(days=first.weekday()), datetime.min.time())
    rows = (target_start - origin).days // 7
    frame = history.frame
    ts = pd.to_datetime(frame["timestamp"])
    k = ((ts - pd.Timestamp(origin)) // pd.Timedelta(hours=1)).to_numpy(dtype=np.int64)
    vals = frame["sessions"].to_numpy(dtype=float)
    flat = np.full(rows * HOURS, np.nan)
    keep = (k >= 0) & (k < rows * HOURS)
    flat[k[keep]] = vals[keep]
    raw = flat.reshape(rows, HOURS)
    end = target_start + timedelta(weeks=1)
    if promotions is None:
        promotions = promotions_for_years(range(origin.year, end.year + 1))
    mult = hour_multipliers(origin, (rows + 1) * HOURS, promotions).reshape(rows + 1, HOURS)
    days = [origin.date() + timedelta(days=d) for d in range((rows + 1) * 7)]
    notes: list[str] = []
    if holidays:
        kinds, cal_notes = day_kinds(days)
        notes += cal_notes
    else:
        kinds = [None] * len(days)
    special = np.array([kd is not None for kd in kinds[: rows * 7]], dtype=bool)
    weeks = raw / mult[:rows]
    weeks[np.repeat(special, 24).reshape(rows, HOURS)] = np.nan
    return Grid(origin, raw, weeks, mult, tuple(kinds), tuple(notes))


def base_forecasts(grid: Grid, method: str, rows: Iterable[int]) -> np.ndarray:
    """``(grid.rows + 1, 168)``: the ``method`` forecast of each of ``rows`` from the rows
    before it (NaN for rows not asked for or with under one week of known hours before them)."""
    fn = METHODS[method]
    out = np.full((grid.rows + 1, HOURS), np.nan)
    for r in rows:
        if r < 1 or r > grid.rows:
            continue
        if np.isfinite(grid.raw[:r]).sum() < HOURS:
            continue
        out[r] = fn(grid.weeks[:r])
    return out


@dataclass(frozen=True)
class DayMultiplier:
    """The multiplier of one day kind and where it came from."""

    kind: str
    multiplier: float
    learned_from_days: int
    """0 when the default was used."""


class Engine:
    """Rolling-origin forecasts of a grid for several methods, computed once and reused."""

    def __init__(self, grid: Grid, methods: Sequence[str], rows: Iterable[int]) -> None:
        self.grid = grid
        rows = list(rows)
        self.base = {m: base_forecasts(grid, m, rows) for m in methods}
        kinds = np.array([DAY_KINDS.index(k) if k is not None else -1 for k in grid.kinds])
        self._kind_idx = kinds.reshape(grid.rows + 1, 7)

    def day_multipliers(self, method: str, upto: int) -> dict[str, DayMultiplier]:
        """Per day kind: the median ratio actual / forecast over the fully known days of that
        kind in rows ``< upto`` when there are at least ``MIN_DAYS_TO_LEARN`` of them, else the
        documented default."""
        base = self.base[method]
        out: dict[str, DayMultiplier] = {}
        for ki, kind in enumerate(DAY_KINDS):
            ratios = []
            for r, d in zip(*np.nonzero(self._kind_idx[:upto] == ki), strict=True):
                sl = slice(d * 24, d * 24 + 24)
                act = self.grid.raw[r, sl]
                fc = base[r, sl] * self.grid.mult[r, sl]
                if np.isfinite(act).all() and np.isfinite(fc).all() and fc.sum() > 0:
                    ratios.append(float(act.sum() / fc.sum()))
            if len(ratios) >= MIN_DAYS_TO_LEARN:
                value = float(np.clip(np.median(ratios), 0.1, 5.0))
                out[kind] = DayMultiplier(kind, value, len(ratios))
            else:
                out[kind] = DayMultiplier(kind, DEFAULT_DAY_MULTIPLIERS[kind], 0)
        return out

    def predict(self, method: str, rows: slice, upto: int) -> np.ndarray:
        """Full forecasts (base x promotions x day multipliers learned before row ``upto``)."""
        mults = self.day_multipliers(method, upto)
        dm = np.ones(self._kind_idx.shape)
        for ki, kind in enumerate(DAY_KINDS):
            dm[self._kind_idx == ki] = mults[kind].multiplier
        full = self.base[method] * self.grid.mult * np.repeat(dm, 24, axis=1)
        return full[rows]

    def residual_rows(self, method: str, upto: int, window: int) -> list[int]:
        """The (at most ``window``) latest rows before ``upto`` with a forecast and a fully
        known week."""
        base = self.base[method]
        good = [
            r
            for r in range(1, min(upto, self.grid.rows))
            if np.isfinite(base[r]).all() and np.isfinite(self.grid.raw[r]).all()
        ]
        return good[-window:]

    def choose(self, upto: int, candidates: Sequence[str]) -> str:
        """The candidate with the lowest WAPE over the latest forecastable weeks before ``upto``
        if it beats ``DEFAULT_METHOD`` by ``AUTO_MARGIN``; ``DEFAULT_METHOD`` otherwise and when
        fewer than ``AUTO_MIN_WEEKS`` such weeks exist."""
        rows = self.residual_rows(DEFAULT_METHOD, upto, AUTO_WINDOW_WEEKS)
        if len(rows) < AUTO_MIN_WEEKS:
            return DEFAULT_METHOD
        actual = self.grid.raw[rows]
        denom = float(actual.sum())
        if denom <= 0:
            return DEFAULT_METHOD
        errors: dict[str, float] = {}
        for m in dict.fromkeys([DEFAULT_METHOD, *candidates]):
            fc = self.predict(m, slice(None), upto)[rows]
            if np.isfinite(fc).all():
                errors[m] = float(np.abs(fc - actual).sum()) / denom
        best = min(errors, key=lambda m: errors[m])
        if errors[best] < errors[DEFAULT_METHOD] * (1 - AUTO_MARGIN):
            return best
        return DEFAULT_METHOD

    def band(
        self, method: str, upto: int, fc: np.ndarray, band: float
    ) -> tuple[np.ndarray, np.ndarray, str]:
        """Low and high bounds of the central ``band`` interval around ``fc`` and a note.

        Calibration: scaled residuals ``z = (actual - forecast) / sqrt(forecast + 1)`` of the
        rolling-origin forecasts of the latest ``CALIBRATION_WEEKS`` fully known weeks before
        ``upto``, grouped into ``BAND_BINS`` volume bands by forecast; each hour gets the
        empirical ``(1 - band) / 2`` and ``(1 + band) / 2`` quantiles of its volume band. With
        fewer than ``MIN_EMPIRICAL_WEEKS`` such weeks: negative-binomial quantiles with the
        dispersion measured on what residuals exist (``DEFAULT_DISPERSION`` if none).
        """
        rows = self.residual_rows(method, upto, CALIBRATION_WEEKS)
        lo_q, hi_q = (1 - band) / 2, (1 + band) / 2
        if rows:
            f = self.predict(method, slice(None), upto)[rows].ravel()
            y = self.grid.raw[rows].ravel()
        else:
            f = y = np.zeros(0)
        if len(rows) >= MIN_EMPIRICAL_WEEKS:
            n_bins = max(1, min(BAND_BINS, f.size // 150))
            edges = np.quantile(f, np.linspace(0, 1, n_bins + 1)[1:-1])
            z = (y - f) / np.sqrt(f + 1.0)
            fb = np.searchsorted(edges, f, side="right")
            tb = np.searchsorted(edges, fc, side="right")
            low = np.empty_like(fc)
            high = np.empty_like(fc)
            for b in range(n_bins):
                zb = z[fb == b] if (fb == b).any() else z
                ql, qh = np.quantile(zb, [lo_q, hi_q])
                sel = tb == b
                scale = np.sqrt(fc[sel] + 1.0)
                low[sel] = fc[sel] + ql * scale
                high[sel] = fc[sel] + qh * scale
            note = f"{band:.0%} band: empirical residual quantiles of {len(rows)} backtest weeks"
        else:
            if f.size and (f**2).sum() > 0:
                phi = float(max(((y - f) ** 2 - f).sum() / (f**2).sum(), 0.01))
                src = f"dispersion {phi:.3f} measured on {len(rows)} week(s)"
            else:
                phi = DEFAULT_DISPERSION
                src = f"default dispersion {phi}"
            mean = np.maximum(fc, 1e-6)
            size = 1.0 / phi
            p = size / (size + mean)
            low = stats.nbinom.ppf(lo_q, size, p).astype(float)
            high = stats.nbinom.ppf(hi_q, size, p).astype(float)
            note = f"{band:.0%} band: negative binomial, {src} (history too short to calibrate)"
        low = np.minimum(np.maximum(low, 0.0), fc)
        high = np.maximum(high, fc)
        return low, high, note


def week_rows(week_start: date, origin: datetime) -> int:
    """Grid row of the week starting on Monday ``week_start``."""
    return (datetime.combine(week_start, datetime.min.time()) - origin).days // 7


def describe_days(grid: Grid, row: int, mults: Mapping[str, DayMultiplier]) -> list[str]:
    """Notes naming the special days of grid row ``row`` and the multiplier applied."""
    notes = []
    for d in range(7):
        kind = grid.kinds[row * 7 + d]
        if kind is None:
            continue
        day = grid.origin.date() + timedelta(days=row * 7 + d)
        m = mults[kind]
        src = f"learned from {m.learned_from_days} day(s)" if m.learned_from_days else "default"
        notes.append(f"{day.isoformat()} {kind}: x{m.multiplier:.2f} ({src})")
    return notes
