"""The shared machinery of ``forecast_week`` and ``backtest``: a Monday-aligned week grid over
the history, rolling-origin point forecasts, the calendar's effects learned from the history
(``effects``), method choice and the calibrated prediction band.

Rolling origin: the forecast of grid row ``r`` only sees rows ``< r``; so the backtest's forecast
of week ``r`` is the forecast ``forecast_week`` makes from the history cut at that week's Monday.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from scipy import stats

from scheduler.domain import WEEKEND_DAYS, HourlyHistory
from scheduler.forecast.effects import Occurrence, learn, occurrences_of
from scheduler.forecast.events import Promotion, day_events, promotions_for_years
from scheduler.forecast.methods import HOURS, METHODS

DEFAULT_METHOD = "recent_level"
"""The method ``auto`` falls back to when the history is too short to choose by backtest; picked
by ``benchmarks/forecast_backtest.py`` (lowest WAPE on the real call-centre history: 25.6%,
robust_mean 26.0%)."""

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

ERROR_SHRINK_HOURS = 40
"""Hours of evidence at which an hour group's forecast error weighs as much as the pooled one."""

LOW_DAY_SHARE = 0.5
"""A day whose total fell under this share of its forecast (a closure, an outage, a holiday the
calendar does not know) is left out of the forecast's relative error: it leaves agents idle,
never short, and the error only sizes the count's upper tail."""

BAND_BINS = 5
"""Volume bands (quantiles of the forecast) in which residual quantiles are taken."""


@dataclass(frozen=True)
class Grid:
    """The history laid on Monday-aligned weeks.

    - ``origin``: Monday 00:00 of row 0. Row ``rows`` (one past the last) is the target week.
    - ``raw``: ``(rows, 168)`` sessions, NaN outside the history.
    - ``occurrences``: the calendar's events on the grid (``effects.Occurrence``).
    """

    origin: datetime
    raw: np.ndarray
    occurrences: tuple[Occurrence, ...]
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
    days = [origin.date() + timedelta(days=d) for d in range((rows + 1) * 7)]
    notes: list[str] = []
    if holidays:
        tags, cal_notes = day_events(days)
        notes += cal_notes
    else:
        tags = [None] * len(days)
    occ = occurrences_of(origin, (rows + 1) * HOURS, tuple(promotions), tags)
    return Grid(origin, raw, occ, tuple(notes))


class Engine:
    """Rolling-origin forecasts of a grid for several methods, computed once and reused: the
    forecast of row ``r`` learns the calendar's effects and the usual pattern from rows ``< r``
    only."""

    def __init__(self, grid: Grid, methods: Sequence[str], rows: Iterable[int]) -> None:
        self.grid = grid
        rows = [r for r in rows if 1 <= r <= grid.rows
                and np.isfinite(grid.raw[:r]).sum() >= HOURS]
        self.effects = {r: learn(grid.raw, grid.occurrences, r) for r in rows}
        self.base = {m: np.full((grid.rows + 1, HOURS), np.nan) for m in methods}
        for r in rows:
            usual = grid.raw[:r] / self.effects[r].hour_mult[: r * HOURS].reshape(r, HOURS)
            for m in methods:
                self.base[m][r] = METHODS[m](usual)

    def predict(self, method: str, r: int) -> np.ndarray:
        """Row ``r``'s forecast: the usual pattern times the calendar's effects, both learned
        from the rows before it (NaN when it has under a week of history before it)."""
        if r not in self.effects:
            return np.full(HOURS, np.nan)
        mult = self.effects[r].hour_mult[r * HOURS : (r + 1) * HOURS]
        return self.base[method][r] * mult

    def predictions(self, method: str, rows: Sequence[int]) -> np.ndarray:
        return np.array([self.predict(method, r) for r in rows]).reshape(len(rows), HOURS)

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

    def recent_wape(self, upto: int, methods: Sequence[str]) -> tuple[dict[str, float], int]:
        """WAPE of each method (that could forecast them all) over the latest (at most
        ``AUTO_WINDOW_WEEKS``) fully known weeks before ``upto`` that the first method could
        forecast, and how many weeks."""
        rows = self.residual_rows(methods[0], upto, AUTO_WINDOW_WEEKS)
        actual = self.grid.raw[rows]
        denom = float(actual.sum())
        errors: dict[str, float] = {}
        if not rows or denom <= 0:
            return errors, 0
        for m in dict.fromkeys(methods):
            fc = self.predictions(m, rows)
            if np.isfinite(fc).all():
                errors[m] = float(np.abs(fc - actual).sum()) / denom
        return errors, len(rows)

    def choose(self, upto: int, candidates: Sequence[str]) -> str:
        """The method ``auto`` uses for the week ``upto`` (``choice``)."""
        return self.choice(upto, candidates)[0]

    def choice(self, upto: int, candidates: Sequence[str]) -> tuple[str, str]:
        """The candidate with the lowest WAPE over the latest forecastable weeks before ``upto``
        if it beats ``DEFAULT_METHOD`` by ``AUTO_MARGIN``; ``DEFAULT_METHOD`` otherwise and when
        fewer than ``AUTO_MIN_WEEKS`` such weeks exist. With it, why, in the words of the
        forecast's note (the errors it was chosen by)."""
        errors, weeks = self.recent_wape(upto, [DEFAULT_METHOD, *candidates])
        if weeks < AUTO_MIN_WEEKS or DEFAULT_METHOD not in errors:
            return DEFAULT_METHOD, (
                f"the default: {weeks} backtest week{'' if weeks == 1 else 's'}, fewer than "
                f"the {AUTO_MIN_WEEKS} it takes to choose a method by its error")
        best = min(errors, key=lambda m: errors[m])
        own = errors[DEFAULT_METHOD]
        if errors[best] < own * (1 - AUTO_MARGIN):
            return best, (f"the lowest error on the last {weeks} weeks (WAPE "
                          f"{errors[best]:.1%}; the default {DEFAULT_METHOD} {own:.1%})")
        if best == DEFAULT_METHOD:
            return DEFAULT_METHOD, (f"the default, and the lowest error on the last {weeks} "
                                    f"weeks (WAPE {own:.1%})")
        return DEFAULT_METHOD, (
            f"the default: {best} had a lower error on the last {weeks} weeks (WAPE "
            f"{errors[best]:.1%} against {own:.1%}), but not the {AUTO_MARGIN:.0%} lower it "
            "takes to leave the default (smaller differences chased noise on the benchmark)")

    def relative_error(self, method: str, upto: int) -> tuple[np.ndarray, int]:
        """Each hour of the week's relative forecast error beyond Poisson noise, and how many
        backtest weeks measured it: ``sqrt(phi)`` with the count's variance ``f + phi * f**2``,
        ``phi`` by moments, ``sum((y - f)**2 - f) / sum(f**2)``, over the rolling-origin
        forecasts of the latest ``CALIBRATION_WEEKS`` fully known weeks, days that fell under
        ``LOW_DAY_SHARE`` of their forecast left out; per hour of the day on weekdays and on
        weekends, shrunk toward the pooled value by ``n / (n + ERROR_SHRINK_HOURS)`` (n the
        hours behind the group).
        ``DEFAULT_DISPERSION`` when no week can be scored."""
        rows = self.residual_rows(method, upto, CALIBRATION_WEEKS)
        if not rows:
            return np.full(HOURS, np.sqrt(DEFAULT_DISPERSION)), 0
        f = self.predictions(method, rows)
        y = self.grid.raw[rows]
        day_f = f.reshape(len(rows), 7, 24).sum(axis=2)
        day_y = y.reshape(len(rows), 7, 24).sum(axis=2)
        keep = np.repeat(day_y >= LOW_DAY_SHARE * day_f, 24, axis=1)
        excess = np.where(keep, (y - f) ** 2 - f, 0.0)
        sq = np.where(keep, f**2, 0.0)
        pooled = max(0.0, float(excess.sum()) / max(float(sq.sum()), 1e-9))
        group = (np.arange(HOURS) % 24) + 24 * np.isin(np.arange(HOURS) // 24, list(WEEKEND_DAYS))
        phi = np.empty(HOURS)
        for g in np.unique(group):
            cols = group == g
            n = int(keep[:, cols].sum())
            own = max(0.0, float(excess[:, cols].sum()) / max(float(sq[:, cols].sum()), 1e-9))
            w = n / (n + ERROR_SHRINK_HOURS)
            phi[cols] = w * own + (1 - w) * pooled
        return np.sqrt(phi), len(rows)

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
            f = self.predictions(method, rows).ravel()
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
            note = (f"{band:.0%} band: the forecast's own errors on {len(rows)} past weeks (every "
                    "week with a week of history before it)")
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
