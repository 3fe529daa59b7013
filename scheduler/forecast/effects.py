"""Calendar effects learned from the shop's own history.

Every event that touches the history or the target week is an *occurrence* (a public holiday, a
调休 make-up day, a platform promotion, the manager's own promotion or live stream). Its effect
is a multiplier on the hours it covers, estimated, not assumed:

1. **Observed.** The occurrence's sessions against a baseline: for each of its hours, the median
   of the same weekday-hour over the ``BASELINE_WEEKS`` weeks on either side that no event
   touches. ``log(sessions / baseline)`` with a variance from Poisson counts plus the day-to-day
   noise of ordinary days (measured on this history).
2. **Shared by kind.** Occurrences of one kind (``holiday``, ``spring_festival``, ``makeup``, and a
   promotion's ``kind``: ``platform``, ``live``, ``custom``, ...) share one parameter, fitted by a
   normal-normal model whose prior is the built-in or given multiplier:

   - a day kind's parameter is its log effect, prior ``log(DEFAULT_DAY_MULTIPLIERS[kind])``;
   - a promotion kind's parameter is its *response* ``b``: an occurrence with prior multiplier
     ``m`` has effect ``m ** b``. ``b = 1`` is "as the calendar says" (the prior), ``b = 0`` is
     "this shop does not react"; so a shop that ignored 年货节 (prior x1.2) expects little of 女王节
     (x1.3), and a shop that tripled on 双11 (x1.8) expects more than x1.4 of 双12.

   A kind is a mixture of "the shop does not react" (effect 1) and "it reacts" (the parameter
   around its prior, the prior weighing like ``1 / PRIOR_SD**2`` against the evidence's
   precision), weighted by how well each explains the past occurrences (prior chance of
   reacting ``REACT_PRIOR``): one long promotion with no lift is enough to say "does not
   react". A kind with no occurrence in the history keeps its prior (said in the output).
3. **Used.** A past occurrence's effect (what is divided out of the history before the methods
   learn the usual pattern) is its own observation shrunk toward its kind, per 6-hour segment
   where the data allow; an occurrence in the target week gets its kind's effect (and its own
   observed part if it started in the history).

Everything here sees only the rows before ``upto``: the backtest's forecast of a past week learns
from the weeks before it, as ``forecast_week`` would have.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from scheduler.domain import HOURS_PER_WEEK as HOURS
from scheduler.forecast.events import DAY_KINDS, DEFAULT_DAY_MULTIPLIERS, Promotion

BASELINE_WEEKS = 4
"""Weeks on either side whose same weekday-hour, untouched by events, make an hour's baseline."""

PRIOR_SD = {"day": 0.3, "promotion": 0.7}
"""Prior standard deviation of a kind's parameter: a day kind's log effect, a promotion kind's
response (1 = as the prior says)."""

OCCURRENCE_SD = {"day": 0.15, "promotion": 0.25}
"""How far one occurrence may stray from its kind, in the same units."""

SEGMENT_SD = 0.15
"""How far a 6-hour segment of an occurrence may stray from the whole occurrence (log)."""

REACT_PRIOR = 0.8
"""Prior chance that a shop reacts to a kind of event at all (the rest: it does not move)."""

MIN_NOISE = 0.03
DEFAULT_NOISE = 0.1
"""Day-to-day noise of ordinary days (log sd): floor, and the value when under 5 days measure it."""

MIN_RESPONSE_PRIOR = 0.05
"""A promotion whose multiplier is within this of 1 (log) is taken as x1.05 for its response."""


@dataclass(frozen=True)
class Occurrence:
    """One event on the grid: ``index`` the flat grid hours it touches (row * 168 + hour),
    ``share`` the part of each hour it covers."""

    name: str
    kind: str
    start: datetime
    end: datetime
    prior: float
    index: np.ndarray
    share: np.ndarray

    @property
    def family(self) -> str:
        return "day" if self.kind in DAY_KINDS else "promotion"

    @property
    def x(self) -> float:
        """The occurrence's design value: log effect = kind parameter x ``x``."""
        if self.family == "day":
            return 1.0
        lp = math.log(self.prior)
        return lp if abs(lp) >= MIN_RESPONSE_PRIOR else math.copysign(MIN_RESPONSE_PRIOR, lp or 1)


@dataclass(frozen=True)
class KindEffect:
    """A kind's fitted parameter (``value``; prior ``prior``) and the evidence behind it."""

    kind: str
    value: float
    prior: float
    occurrences: int
    sessions: float
    hours: int
    reacts: float
    """Chance the shop reacts to this kind at all, given its past occurrences."""

    def multiplier(self, occ: Occurrence) -> float:
        return math.exp(self.value * occ.x)

    @property
    def learned(self) -> bool:
        return self.occurrences > 0


@dataclass(frozen=True)
class OccurrenceEffect:
    """What was seen of one occurrence before ``upto`` (``observed`` None: nothing) and the
    effect used (``used``: the whole occurrence; ``hourly``: per grid hour of ``index``)."""

    occurrence: Occurrence
    observed: float | None
    sessions: float
    usual: float
    hours_seen: int
    used: float
    hourly: np.ndarray


@dataclass(frozen=True)
class Effects:
    """Calendar effects learned from grid rows before ``upto``: ``hour_mult`` multiplies every
    grid hour (past hours: divided out of the history; later hours: applied to the forecast)."""

    upto: int
    kinds: dict[str, KindEffect]
    occurrences: tuple[OccurrenceEffect, ...]
    hour_mult: np.ndarray
    noise: float


def occurrences_of(origin: datetime, n_hours: int, promotions: tuple[Promotion, ...],
                   days: list[tuple[str, str] | None]) -> tuple[Occurrence, ...]:
    """The occurrences on a grid of ``n_hours`` from ``origin``: each promotion, each run of
    consecutive days off of one kind in ``days`` (one (kind, name) per grid day; 国庆 and 中秋
    back to back are one holiday) and each make-up day."""
    out: list[Occurrence] = []
    hour = timedelta(hours=1)
    for p in promotions:
        k0 = max(0, math.floor((p.start - origin) / hour))
        k1 = min(n_hours, math.ceil((p.end - origin) / hour))
        idx, share = [], []
        for k in range(k0, k1):
            h0 = origin + k * hour
            s = (min(p.end, h0 + hour) - max(p.start, h0)) / hour
            if s > 0:
                idx.append(k)
                share.append(s)
        if idx:
            out.append(Occurrence(p.name, p.kind, p.start, p.end, p.multiplier,
                                  np.array(idx), np.array(share)))
    d = 0
    while d < len(days):
        tag = days[d]
        if tag is None:
            d += 1
            continue
        e = d + 1
        names = [tag[1]]
        while e < len(days) and tag[0] != "makeup" and (days[e] or ("",))[0] == tag[0]:
            names.append(days[e][1])  # type: ignore[index]
            e += 1
        hours = np.arange(d * 24, e * 24)
        out.append(Occurrence("/".join(dict.fromkeys(names)), tag[0], origin + timedelta(days=d),
                              origin + timedelta(days=e),
                              DEFAULT_DAY_MULTIPLIERS[tag[0]], hours, np.ones(hours.size)))
        d = e
    return tuple(out)


def _nanmedian(x: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(x, axis=axis)


def baseline(raw: np.ndarray, touched: np.ndarray, upto: int) -> np.ndarray:
    """``(upto, 168)``: each hour's usual level, the median of the same weekday-hour over the
    ``BASELINE_WEEKS`` weeks on either side (before ``upto``) that no event touches."""
    x = np.where(touched[:upto], np.nan, raw[:upto])
    out = np.full((upto, HOURS), np.nan)
    for i in range(upto):
        lo, hi = max(0, i - BASELINE_WEEKS), min(upto, i + BASELINE_WEEKS + 1)
        window = np.delete(x[lo:hi], i - lo, axis=0)
        if window.shape[0]:
            out[i] = _nanmedian(window, axis=0)
    return out


def _ratio(a: float, b: float) -> tuple[float, float]:
    """log(a / b) and its Poisson variance."""
    return math.log((a + 0.5) / (b + 0.5)), 1.0 / (a + 1.0) + 1.0 / (b + 1.0)


def day_noise(raw: np.ndarray, base: np.ndarray, touched: np.ndarray) -> float:
    """Robust sd of log(day / baseline day) over ordinary, fully known days with >= 12 sessions
    usual (``DEFAULT_NOISE`` when fewer than 5 such days)."""
    n = base.shape[0]
    a = raw[:n].reshape(n * 7, 24)
    b = base.reshape(n * 7, 24)
    ok = (np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
          & ~touched[:n].reshape(n * 7, 24).any(axis=1))
    sa, sb = a[ok].sum(axis=1), b[ok].sum(axis=1)
    keep = sb >= 12
    if keep.sum() < 5:
        return DEFAULT_NOISE
    logs = np.log((sa[keep] + 0.5) / (sb[keep] + 0.5))
    mad = float(np.median(np.abs(logs - np.median(logs))))
    return max(MIN_NOISE, 1.4826 * mad)


def learn(raw: np.ndarray, occurrences: tuple[Occurrence, ...], upto: int) -> Effects:
    """Effects learned from ``raw`` rows ``< upto`` (``raw``: ``(rows, 168)``, NaN unknown), for
    a grid of ``raw.shape[0] + 1`` rows (the last the target week)."""
    n_flat = (raw.shape[0] + 1) * HOURS
    cut = upto * HOURS
    touched = np.zeros(n_flat, dtype=bool)
    for occ in occurrences:
        touched[occ.index] = True
    touched2 = touched.reshape(-1, HOURS)
    base = baseline(raw, touched2, upto)
    noise = day_noise(raw, base, touched2)
    flat_raw = raw[:upto].ravel()
    flat_base = base.ravel()

    seen: list[_Seen] = []
    for occ in occurrences:
        past = (occ.index < cut) & (occ.share >= 0.5)
        idx = occ.index[past]
        ok = idx[np.isfinite(flat_raw[idx]) & np.isfinite(flat_base[idx])] if idx.size else idx
        a = float(flat_raw[ok].sum()) if ok.size else 0.0
        b = float(flat_base[ok].sum()) if ok.size else 0.0
        if ok.size == 0 or b < 5:
            seen.append(_Seen(occ, math.nan, math.inf, a, b, ok[:0]))
            continue
        lg, var = _ratio(a, b)
        seen.append(_Seen(occ, lg, var + noise**2 * min(1.0, 24.0 / ok.size), a, b, ok))

    kinds: dict[str, KindEffect] = {}
    kind_var: dict[str, float] = {}
    for kind in sorted({o.kind for o in occurrences}):
        mine = [s for s in seen if s.occ.kind == kind]
        used = [s for s in mine if s.observed]
        kinds[kind], kind_var[kind] = _fit_kind(kind, mine[0].occ, used)
    hour_mult = np.ones(n_flat)
    effects: list[OccurrenceEffect] = []
    for occ, lg, var, a, b, ok in ((s.occ, s.log_ratio, s.variance, s.sessions, s.usual, s.hours)
                                   for s in seen):
        n_seen = int(ok.size)
        ke = kinds[occ.kind]
        m = ke.value * occ.x
        v = (kind_var[occ.kind] + OCCURRENCE_SD[occ.family] ** 2) * occ.x**2
        u = m if not math.isfinite(lg) else (lg / var + m / v) / (1 / var + 1 / v)
        hourly = np.full(occ.index.size, u)
        if n_seen > 12:
            hourly = _segments(occ, u, ok, flat_raw, flat_base, noise, hourly)
        hour_mult[occ.index] *= 1.0 + (np.exp(hourly) - 1.0) * occ.share
        effects.append(OccurrenceEffect(occ, math.exp(lg) if math.isfinite(lg) else None,
                                        a, b, n_seen, math.exp(u), np.exp(hourly)))
    return Effects(upto, kinds, tuple(effects), hour_mult, noise)


@dataclass(frozen=True)
class _Seen:
    """What the history shows of one occurrence: log(sessions / usual) and its variance (NaN
    and inf when too little was seen), and the grid hours behind it."""

    occ: Occurrence
    log_ratio: float
    variance: float
    sessions: float
    usual: float
    hours: np.ndarray

    @property
    def observed(self) -> bool:
        return math.isfinite(self.log_ratio)


def _fit_kind(kind: str, first: Occurrence, used: list[_Seen]) -> tuple[KindEffect, float]:
    """A kind's parameter from its observed occurrences: a mixture of "no effect" (every log
    effect 0) and "reacts" (parameter ~ N(prior, PRIOR_SD**2), each occurrence straying by
    OCCURRENCE_SD), weighted by their marginal likelihoods, prior odds ``REACT_PRIOR``.
    Returns the effect and the parameter's variance; with no observation, the prior."""
    fam = first.family
    prior = math.log(first.prior) if fam == "day" else 1.0
    tau, omega = PRIOR_SD[fam], OCCURRENCE_SD[fam]
    if not used:
        return KindEffect(kind, prior, prior, 0, 0.0, 0, 1.0), tau**2
    x = np.array([u.occ.x for u in used])
    lg = np.array([u.log_ratio for u in used])
    var = np.array([u.variance for u in used])
    v = var + (omega * x) ** 2
    prec = 1.0 / tau**2 + float((x**2 / v).sum())
    theta = (prior / tau**2 + float((x * lg / v).sum())) / prec
    cov = np.diag(v) + tau**2 * np.outer(x, x)
    react = _log_normal(lg - prior * x, cov)
    still = _log_normal(lg, np.diag(var))
    odds = math.log(REACT_PRIOR / (1 - REACT_PRIOR)) + react - still
    p = 1.0 / (1.0 + math.exp(-odds)) if odds > -700 else 0.0
    value = p * theta
    second = p * (1.0 / prec + theta**2) - value**2
    effect = KindEffect(kind, value, prior, len(used), sum(u.sessions for u in used),
                        sum(int(u.hours.size) for u in used), p)
    return effect, max(second, 1e-9)


def _log_normal(r: np.ndarray, cov: np.ndarray) -> float:
    """Log density of N(0, cov) at ``r``."""
    _sign, logdet = np.linalg.slogdet(cov)
    return float(-0.5 * (r @ np.linalg.solve(cov, r) + logdet + r.size * math.log(2 * math.pi)))


def _segments(occ: Occurrence, u: float, ok: np.ndarray, flat_raw: np.ndarray,
              flat_base: np.ndarray, noise: float, hourly: np.ndarray) -> np.ndarray:
    """Per 6-hour segment (of a day) of the seen hours: its own log ratio shrunk toward ``u``."""
    out = hourly.copy()
    pos = {int(k): j for j, k in enumerate(occ.index)}
    for seg in np.unique(ok // 6):
        idx = ok[ok // 6 == seg]
        b = float(flat_base[idx].sum())
        if b < 5:
            continue
        lg, var = _ratio(float(flat_raw[idx].sum()), b)
        var += noise**2
        s = (lg / var + u / SEGMENT_SD**2) / (1 / var + 1 / SEGMENT_SD**2)
        for k in idx:
            out[pos[int(k)]] = s
    return out


EVENT_COLUMNS = ("where", "name", "kind", "start", "end", "prior", "estimated", "used",
                 "evidence")
"""Columns of ``event_table``."""


def _evidence(e: OccurrenceEffect, kinds: dict[str, KindEffect], in_target: bool) -> str:
    parts = []
    if e.observed is not None:
        parts.append(f"{e.sessions:,.0f} sessions vs {e.usual:,.0f} usual over {e.hours_seen} h")
    k = kinds[e.occurrence.kind]
    if in_target or e.observed is None:
        if k.learned:
            parts.append(f"kind '{k.kind}' learned from {k.occurrences} past event(s), "
                         f"{k.sessions:,.0f} sessions over {k.hours} h: "
                         f"reacts with chance {k.reacts:.0%}")
        else:
            parts.append(f"no past '{k.kind}' event in the history: prior used")
    return "; ".join(parts)


def event_table(origin: datetime, effects: Effects, target_row: int,
                outliers: list[tuple[datetime, float]]) -> list[dict[str, object]]:
    """One row per occurrence touching the known history or the target week (``EVENT_COLUMNS``),
    then one per outlier day (start, ratio to its weekday's median)."""
    rows: list[dict[str, object]] = []
    lo, hi = target_row * HOURS, (target_row + 1) * HOURS
    for e in effects.occurrences:
        occ = e.occurrence
        in_target = bool(((occ.index >= lo) & (occ.index < hi)).any())
        if not in_target and e.observed is None:
            continue
        rows.append({
            "where": "target week" if in_target else "history",
            "name": occ.name, "kind": occ.kind,
            "start": occ.start, "end": occ.end, "prior": occ.prior,
            "estimated": e.observed if e.observed is not None else math.nan,
            "used": e.used, "evidence": _evidence(e, effects.kinds, in_target),
        })
    for day, ratio in outliers:
        rows.append({
            "where": "history", "name": "outlier day", "kind": "outlier",
            "start": day, "end": day + timedelta(days=1), "prior": math.nan,
            "estimated": ratio, "used": math.nan,
            "evidence": f"x{ratio:.2f} the same weekday's median: robust methods leave it out",
        })
    return rows
