"""The replay check: play a week of a session log through the simulator with the duty the log
shows, and compare what the simulator reports with what the log records.

Who was on duty (the rule ``data/README.md`` states): an agent is on duty from the first reply of
their first handled session of a day (a session with their ``agent_id`` and a first reply; the day
is the calendar day of that first reply) to the end of their last one that day, split where they
held no session for over ``gap_minutes`` (60). Their cap in that duty is the most sessions they
held at once anywhere in the log (at least 1), or 1 for a one-at-a-time (phone-like) log.

The replay plays the week's recorded session starts against that duty with the given chat model
(patience drawn from it), in several seeded replications, and counts the same way as the
simulator (``scheduler.simulate.results``): a session started in the period is replied within 3
minutes iff it got a first human reply and ``first_reply - start <= chat.answer_seconds``
(abandoned ones never are), the reply rate is replied / started, the abandonment share abandoned
/ started.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from scheduler.domain import DAYS, Arrivals, Roster, SessionLog, Shift, week_start_of
from scheduler.errors import InputError
from scheduler.params import MAX_CAP, ChatModel
from scheduler.simulate.roster_run import Estimate, simulate_replications
from scheduler.simulate.sampling import PatienceSampler, empirical_patience

MIN_RECORDS = 30
"""Fewest abandonments behind a fitted patience curve (as ``scheduler.staffing.fit``)."""
MIN_WAITING_HOURS = 1.0
"""Least agent-time on duty while sessions waited (hours) behind a fitted away share."""
GAP_MINUTES = 60.0
"""A handled session more than this long after the agent's previous one ended starts a new duty
period."""

HandleSource = Literal["logged", "model"]


@dataclass(frozen=True)
class _Held:
    """The handled sessions of a log: who held which session when (seconds from ``origin``)."""

    origin: pd.Timestamp
    agent: np.ndarray
    begin: np.ndarray
    end: np.ndarray
    rows: np.ndarray
    """Row positions in the log's frame."""


def _seconds(values: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    delta = (pd.to_datetime(values) - origin).to_numpy(dtype="timedelta64[ns]")
    return delta.astype("int64") / 1e9  # exact for whole seconds


def _held(log: SessionLog) -> _Held:
    """Handled sessions (an agent id and a first reply), held from the first reply to the end
    (end unknown: first reply + handle time, or the first reply alone)."""
    f = log.frame
    agent = f["agent_id"].fillna("").astype(str).str.strip().to_numpy()
    handled = (agent != "") & f["first_reply"].notna().to_numpy()
    rows = np.flatnonzero(handled)
    origin = pd.Timestamp(f["start"].min()) if len(f) else pd.Timestamp(0)
    sub = f.iloc[rows]
    begin = _seconds(sub["first_reply"], origin)
    end = _seconds(sub["end"], origin)
    handle = sub["handle_seconds"].to_numpy(dtype=float)
    fallback = begin + np.where(np.isfinite(handle) & (handle > 0.0), handle, 0.0)
    end = np.where(np.isnan(end), fallback, np.maximum(end, begin))
    return _Held(origin, agent[rows], begin, end, rows)


def _open_counts(begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event times and how many of the intervals ``[begin, end)`` are open just after each (ends
    before starts at the same instant)."""
    times = np.concatenate((begin, end))
    steps = np.concatenate((np.ones(begin.size), -np.ones(end.size)))
    order = np.lexsort((steps, times))
    return times[order], np.cumsum(steps[order])


def _most_held(held: _Held) -> dict[str, int]:
    """Per agent, the most sessions held at once (at least 1)."""
    out: dict[str, int] = {}
    for name in np.unique(held.agent):
        sel = held.agent == name
        _, level = _open_counts(held.begin[sel], held.end[sel])
        out[str(name)] = max(1, int(level.max()))
    return out


def duty_from_log(
    log: SessionLog,
    *,
    week_start: date | None = None,
    gap_minutes: float = GAP_MINUTES,
    one_at_a_time: bool = False,
) -> Roster:
    """Infer who was on duty from a session log (the rule in this module's docstring).

    Args:
        log: per-session records (``scheduler.io.read_sessions``).
        week_start: a Monday: keep only the duty periods of that week's days (by the day of their
            first reply). Default: every duty period of the log, in a roster dated the Monday of
            the log's first session.
        gap_minutes: a gap in the agent's sessions longer than this (minutes) splits the duty.
        one_at_a_time: the log is phone-like (``FitReport.one_at_a_time``): every cap is 1,
            whatever a few overlapping records (transfers, clock errors) suggest.

    A duty period of zero length (one session with no known duration) takes no chats and is left
    out.
    """
    if gap_minutes <= 0:
        raise InputError("gap_minutes must be > 0", value=gap_minutes)
    held = _held(log)
    caps = {name: 1 if one_at_a_time else min(cap, MAX_CAP)
            for name, cap in _most_held(held).items()}
    origin = held.origin
    first_day = week_start if week_start is not None else week_start_of(origin.date())
    gap = gap_minutes * 60.0
    day_of = (origin + pd.to_timedelta(held.begin, unit="s")).normalize()
    begin_day = (day_of - origin.normalize()).days.to_numpy()
    if week_start is not None:
        lo = (pd.Timestamp(week_start) - origin.normalize()).days
        keep = (begin_day >= lo) & (begin_day < lo + 7)
    else:
        keep = np.ones(len(begin_day), dtype=bool)
    shifts: list[Shift] = []
    order = np.lexsort((held.begin, begin_day, held.agent))
    order = order[keep[order]]

    def close(agent: str, a: float, b: float) -> None:
        if b > a:
            shifts.append(Shift(agent_id=agent,
                                start=_to_datetime(origin, a),
                                end=_to_datetime(origin, b),
                                max_concurrent=caps[agent]))

    current: tuple[str, int] | None = None
    a = b = 0.0
    for i in order:
        key = (str(held.agent[i]), int(begin_day[i]))
        s, e = float(held.begin[i]), float(held.end[i])
        if key != current or s - b > gap:
            if current is not None:
                close(current[0], a, b)
            current, a, b = key, s, e
        else:
            b = max(b, e)
    if current is not None:
        close(current[0], a, b)
    shifts.sort(key=lambda x: (x.start, x.agent_id))
    return Roster(week_start=first_day, shifts=tuple(shifts))


def _to_datetime(origin: pd.Timestamp, seconds: float) -> datetime:
    stamp = origin + pd.Timedelta(microseconds=round(seconds * 1e6))
    return stamp.to_pydatetime()


@dataclass(frozen=True)
class Rates:
    """What happened to the sessions started in a period (shares of ``sessions``; NaN when no
    session started)."""

    sessions: int
    three_min_rate: float
    reply_rate: float
    abandonment_share: float


METRICS = (
    ("three_min_rate", "3-min rate"),
    ("reply_rate", "reply rate"),
    ("abandonment_share", "abandonment"),
)
"""The compared figures: attribute of :class:`Rates` and its English name."""


@dataclass(frozen=True)
class ReplayRow:
    """One period (a day or the week): recorded rates and the means over the replications."""

    label: str
    start: date
    days: int
    recorded: Rates
    simulated: Rates

    def difference_pp(self, metric: str) -> float:
        """Simulated minus recorded, in percentage points."""
        return 100.0 * (getattr(self.simulated, metric) - getattr(self.recorded, metric))


@dataclass(frozen=True)
class ReplayReport:
    """A week of a log replayed: weekly and daily rows, the duty it was played with, and how much
    of that duty the log shows agents idle while sessions waited (the replay counts that time as
    free to take chats, so a large share makes the replay optimistic)."""

    source: str
    week_start: date
    chat: ChatModel
    handle: HandleSource
    replications: int
    seed: int
    duty: Roster
    week: ReplayRow
    days: tuple[ReplayRow, ...]
    on_duty_hours: float
    idle_while_waiting_hours: float
    """Agent-hours on duty, holding no session, while at least one session of the log waited."""
    behaviour: DutyBehaviour | None = None
    """How the duty was played (away spells, patience curve); None: as inferred, every agent
    on duty free to take sessions, exponential patience."""

    @property
    def rows(self) -> tuple[ReplayRow, ...]:
        return (self.week, *self.days)

    def frame(self) -> pd.DataFrame:
        """One row per period (week first): ``period``, ``start``, ``sessions``, then per figure
        ``recorded <figure>``, ``simulated <figure>`` (shares 0-1) and ``difference <figure>
        (pp)``."""
        out: list[dict[str, object]] = []
        for r in self.rows:
            row: dict[str, object] = {"period": r.label, "start": r.start.isoformat(),
                                      "sessions": r.recorded.sessions}
            for metric, name in METRICS:
                row[f"recorded {name}"] = round(getattr(r.recorded, metric), 4)
                row[f"simulated {name}"] = round(getattr(r.simulated, metric), 4)
                row[f"difference {name} (pp)"] = round(r.difference_pp(metric), 2)
            out.append(row)
        return pd.DataFrame(out)

    def lines(self) -> list[str]:
        """The comparison as text: a header, one line per period, the idle-time note."""
        handle = ("handle times as logged" if self.handle == "logged"
                  else f"handle times drawn (mean {self.chat.handle_seconds:.0f} s)")
        patience = ("patience from the log's curve"
                    if self.behaviour is not None and self.behaviour.patience_times
                    else f"patience drawn (mean {self.chat.patience_seconds:.0f} s)")
        head = (f"Replay of the week of {self.week_start} from {self.source}: "
                f"{self.week.recorded.sessions:,} sessions, {len(self.duty.shifts)} duty "
                f"periods ({self.on_duty_hours:,.1f} agent-hours) inferred from the log; "
                f"{self.replications} simulated weeks (seed {self.seed}), {handle}, {patience}.")
        body = [head,
                (f"  {'':<23}" + "".join(f"{name:^24}" for _, name in METRICS)).rstrip(),
                f"  {'':<14}{'sessions':>9}" + f"{'log':>8}{'sim':>7}{'diff':>9}" * len(METRICS)]
        for r in self.rows:
            cells = "".join(
                f"  {_pct(getattr(r.recorded, m)):>6} {_pct(getattr(r.simulated, m)):>6} "
                f"{_pp(r.difference_pp(m)):>8}" for m, _ in METRICS)
            body.append(f"  {r.label:<14}{r.recorded.sessions:>9,}{cells}")
        if self.behaviour is not None:
            body.append(self.behaviour.line())
        elif self.on_duty_hours > 0:
            share = self.idle_while_waiting_hours / self.on_duty_hours
            body.append(
                f"  While sessions waited, agents on duty held none for "
                f"{self.idle_while_waiting_hours:,.1f} of the {self.on_duty_hours:,.1f} on-duty "
                f"hours ({share:.0%}: breaks under the gap, other work, or routing the log does "
                "not show); the replay counts that time as free.")
        return body


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.1%}"


def _pp(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:+.1f} pp"


def recorded_rates(log: SessionLog, start: datetime, end: datetime, chat: ChatModel) -> Rates:
    """What the log records for the sessions started in ``[start, end)``."""
    f = log.frame
    sel = ((f["start"] >= start) & (f["start"] < end)).to_numpy()
    sub = f.loc[sel]
    n = len(sub)
    replied = sub["first_reply"].notna().to_numpy()
    first = (sub["first_reply"] - sub["start"]).dt.total_seconds().to_numpy()
    on_time = replied & (np.nan_to_num(first, nan=math.inf) <= chat.answer_seconds + 1e-9)
    abandoned = sub["abandoned"].to_numpy(dtype=bool)

    def share(k: np.ndarray) -> float:
        return float(np.count_nonzero(k)) / n if n else math.nan

    return Rates(n, share(on_time), share(replied), share(abandoned))


def _solo_handle(log: SessionLog, held: _Held, caps: dict[str, int], chat: ChatModel
                 ) -> np.ndarray:
    """Per row of the log, the solo handle time to replay (NaN: draw it from the model).

    A logged handle time is wall-clock; an agent holding ``j`` sessions meanwhile (time-average,
    rounded) worked on it at ``throughput(j) / j`` of solo speed, so its solo work is the logged
    time x ``throughput(j) / j``. When every cap in ``caps`` (the duty's) is 1 the log is taken as
    one-at-a-time and the logged times are played as they are. A logged 0 s is played as 1 s (the
    simulator needs work > 0)."""
    handle = log.frame["handle_seconds"].to_numpy(dtype=float).copy()
    handle[~(np.isfinite(handle) & (handle >= 0.0))] = math.nan
    handle = np.where(handle == 0.0, 1.0, handle)
    if max(caps.values(), default=1) <= 1:
        return handle
    for name in np.unique(held.agent):
        sel = np.flatnonzero(held.agent == name)
        b, e = held.begin[sel], held.end[sel]
        times, level = _open_counts(b, e)
        area = np.concatenate(([0.0], np.cumsum(level[:-1] * np.diff(times))))

        def integral(t: np.ndarray, _t: np.ndarray = times, _a: np.ndarray = area,
                     _lv: np.ndarray = level) -> np.ndarray:
            k = np.clip(np.searchsorted(_t, t, side="right") - 1, 0, _t.size - 1)
            return np.asarray(_a[k] + _lv[k] * (t - _t[k]), dtype=float)

        span = e - b
        load = np.where(span > 0, (integral(e) - integral(b)) / np.where(span > 0, span, 1), 1)
        j = np.clip(np.rint(load), 1, min(MAX_CAP, len(chat.throughput))).astype(int)
        factor = np.array([chat.capacity(int(x)) / int(x) for x in j])
        rows = held.rows[sel]
        handle[rows] = handle[rows] * factor
    return handle


def _waiting_curve(log: SessionLog, origin: pd.Timestamp) -> Callable[[float], float]:
    """``queued(t)``: seconds in ``[log start, t)`` during which at least one session of the log
    waited (from its start to its first reply, or to leaving)."""
    f = log.frame
    wait = f["wait_seconds"].to_numpy(dtype=float)
    ok = np.isfinite(wait) & (wait > 0.0)
    w0 = _seconds(f["start"], origin)[ok]
    times, level = _open_counts(w0, w0 + wait[ok])
    if times.size == 0:
        return lambda t: 0.0
    waiting = (level[:-1] > 0).astype(float) * np.diff(times)
    cum = np.concatenate(([0.0], np.cumsum(waiting)))

    def queued(t: float) -> float:
        k = int(np.clip(np.searchsorted(times, t, side="right") - 1, 0, times.size - 1))
        return float(cum[k] + (level[k] > 0) * (t - times[k]) if t >= times[0] else 0.0)

    return queued


def _idle_while_waiting(log: SessionLog, held: _Held, duty: Roster) -> tuple[float, float]:
    """Agent-seconds of ``duty`` in which the agent held no session while a session of the log
    waited, and agent-seconds of ``duty`` while a session waited (idle or not)."""
    origin = held.origin
    queued = _waiting_curve(log, origin)
    idle = on = 0.0
    for s in duty.shifts:
        a = (pd.Timestamp(s.start) - origin).total_seconds()
        b = (pd.Timestamp(s.end) - origin).total_seconds()
        on += queued(b) - queued(a)
        sel = (held.agent == s.agent_id) & (held.end > a) & (held.begin < b)
        busy = sorted(zip(held.begin[sel], held.end[sel], strict=True))
        cursor = a
        for x, y in busy:
            if x > cursor:
                idle += queued(min(x, b)) - queued(cursor)
            cursor = max(cursor, y)
        if cursor < b:
            idle += queued(b) - queued(cursor)
    return idle, on


def away_duty(duty: Roster, share: float, cycle_seconds: float) -> Roster:
    """``duty`` with away spells: each agent is away (takes no new session) for the last
    ``share`` of every ``cycle_seconds`` window, the windows counted from Monday 00:00 and
    staggered by the agent's rank among the duty's agents (rank / agents of a cycle), so the team
    is never away at once. ``share`` 0 gives ``duty`` back."""
    if not 0.0 <= share < 1.0 or cycle_seconds <= 0:
        raise InputError("away share must be in [0, 1) and the cycle > 0",
                         value=(share, cycle_seconds))
    if share == 0.0:
        return duty
    agents = sorted({s.agent_id for s in duty.shifts})
    origin = datetime.combine(duty.week_start, datetime.min.time())
    on = cycle_seconds * (1.0 - share)
    pieces: list[Shift] = []
    for s in duty.shifts:
        phase = agents.index(s.agent_id) * cycle_seconds / len(agents)
        a = (s.start - origin).total_seconds()
        b = (s.end - origin).total_seconds()
        n = math.floor((a - phase) / cycle_seconds)
        while phase + n * cycle_seconds < b:
            lo = max(a, phase + n * cycle_seconds)
            hi = min(b, phase + n * cycle_seconds + on)
            if hi > lo:
                pieces.append(replace(s, start=origin + timedelta(seconds=lo),
                                      end=origin + timedelta(seconds=hi)))
            n += 1
    pieces.sort(key=lambda x: (x.start, x.agent_id))
    return Roster(week_start=duty.week_start, shifts=tuple(pieces))


def patience_curve(log: SessionLog) -> tuple[np.ndarray, np.ndarray] | None:
    """The Kaplan-Meier survival curve of patience: abandoned sessions with a known wait are
    exact observations, answered ones censored at their wait. ``(times, share still waiting just
    after each time)`` at the observed abandonment times, or None with fewer than
    ``MIN_RECORDS`` abandonments."""
    f = log.frame
    wait = f["wait_seconds"].to_numpy(dtype=float)
    left = f["abandoned"].to_numpy(dtype=bool)
    ok = np.isfinite(wait) & (wait >= 0.0)
    wait, left = wait[ok], left[ok]
    if np.count_nonzero(left) < MIN_RECORDS:
        return None
    times, events = np.unique(wait[left], return_counts=True)
    ordered = np.sort(wait)
    at_risk = ordered.size - np.searchsorted(ordered, times, side="left")
    return times, np.cumprod(1.0 - events / at_risk)


AWAY_CYCLES_MINUTES = (10, 15, 20, 25, 30, 40, 50, 60, 90)
"""The away rhythms tried when fitting: one away spell per this many minutes."""
CALIBRATION_WEEKS = 3
"""Fit the rhythm on at most this many of the last weeks before the replayed one."""


@dataclass(frozen=True)
class DutyBehaviour:
    """How the log's agents worked their duty, fitted on weeks other than the one replayed.

    - ``away_share``: of the agent-time on duty while a session waited, the share in which the
      agent held no session (after-session work, breaks under the gap, other work, routing the
      log does not show);
    - ``away_cycle_seconds``: the rhythm of that time: one away spell of ``away_share`` x cycle
      per cycle (``away_duty``); the cycle whose replay of the fit weeks comes closest to what
      they record (squared differences of the 3-minute rate and abandonment, in pp);
    - the patience curve (Kaplan-Meier, ``patience_curve``), drawn from in the replay instead of
      the exponential; its tail beyond the last abandonment is exponential with the fitted mean.
    """

    away_share: float
    away_cycle_seconds: float
    weeks: tuple[date, ...]
    """The weeks the rhythm was fitted on."""
    patience_times: tuple[float, ...] = ()
    patience_survival: tuple[float, ...] = ()

    def patience(self, chat: ChatModel) -> PatienceSampler | None:
        if not self.patience_times:
            return None
        tail = chat.patience_seconds if chat.abandonment_rate_per_second > 0 else math.inf
        return empirical_patience(np.array(self.patience_times),
                                  np.array(self.patience_survival), tail)

    def line(self) -> str:
        cycle = self.away_cycle_seconds / 60.0
        away = (f"agents on duty held no session for {self.away_share:.0%} of their time while "
                f"sessions waited; played as {self.away_share * cycle:.1f} min away every "
                f"{cycle:.0f} min (fitted on the weeks of "
                f"{', '.join(str(w) for w in self.weeks)})" if self.away_share > 0
                else "agents on duty took sessions whenever one waited")
        patience = ("patience drawn from how long the log's customers waited before leaving"
                    if self.patience_times else "patience drawn at random around its mean")
        return f"  Duty as worked: {away}; {patience}."


def fit_duty_behaviour(
    log: SessionLog,
    chat: ChatModel,
    *,
    one_at_a_time: bool,
    replications: int = 2,
    seed: int = 0,
) -> DutyBehaviour:
    """Fit :class:`DutyBehaviour` on ``log`` (the fit weeks only: never the replayed week).

    The away share is measured over every duty period of the log. The rhythm is chosen among
    :data:`AWAY_CYCLES_MINUTES` by replaying the log's last :data:`CALIBRATION_WEEKS` weeks (by
    Monday) with ``chat`` and comparing with what they record.
    """
    held = _held(log)
    duty = duty_from_log(log, one_at_a_time=one_at_a_time)
    idle, on = _idle_while_waiting(log, held, duty)
    share = min(idle / on, 0.9) if on >= MIN_WAITING_HOURS * 3600.0 else 0.0
    curve = patience_curve(log)
    times = tuple(float(x) for x in curve[0]) if curve else ()
    surv = tuple(float(x) for x in curve[1]) if curve else ()
    mondays = sorted({week_start_of(d) for d in log.frame["start"].dt.date})
    weeks = tuple(mondays[-CALIBRATION_WEEKS:])
    base = DutyBehaviour(share, 60.0 * AWAY_CYCLES_MINUTES[0], weeks, times, surv)
    if share == 0.0 or not weeks:
        return base
    duties = {w: duty_from_log(log, week_start=w, one_at_a_time=one_at_a_time) for w in weeks}

    def error(cycle: float) -> float:
        trial = replace(base, away_cycle_seconds=cycle)
        total = 0.0
        for w in weeks:
            r = replay_week(log, chat, w, duty=duties[w], behaviour=trial,
                            replications=replications, seed=seed)
            for metric in ("three_min_rate", "abandonment_share"):
                d = r.week.difference_pp(metric)
                total += d * d if math.isfinite(d) else 0.0
        return total

    best = min((60.0 * m for m in AWAY_CYCLES_MINUTES), key=error)
    return replace(base, away_cycle_seconds=best)


def replay_week(
    log: SessionLog,
    chat: ChatModel,
    week_start: date,
    *,
    duty: Roster | None = None,
    replications: int = 20,
    seed: int = 0,
    handle: HandleSource = "logged",
    behaviour: DutyBehaviour | None = None,
) -> ReplayReport:
    """Replay the week of ``log`` starting Monday ``week_start`` and compare with the log.

    Args:
        log: per-session records covering the week (the whole log is fine).
        chat: the chat model to play with (fitted on other weeks for an out-of-sample check).
        week_start: the Monday of the week to replay.
        duty: who was on duty; default ``duty_from_log(log, week_start=week_start)``.
        replications: seeded simulated weeks (``numpy.random.SeedSequence(seed).spawn``).
        seed: the same seed gives the same report.
        handle: ``logged``: each session's logged handle time (converted to solo work, see
            ``_solo_handle``; sessions without one draw from the model); ``model``: every handle
            time drawn from ``chat`` (exponential, mean ``chat.handle_seconds``).
        behaviour: how the agents worked their duty (``fit_duty_behaviour`` on other weeks):
            the duty is played with its away spells and patience drawn from its curve.

    The recorded arrivals are played as they came; patience is drawn from ``chat``. The duty is
    this week's only (not a standing roster): nobody covers the hours the log shows nobody in.

    Raises:
        InputError: ``week_start`` is not a Monday or no session of the log starts in that week.
    """
    if week_start.weekday() != 0:
        raise InputError("the week to replay must start on a Monday", value=week_start)
    origin = datetime.combine(week_start, datetime.min.time())
    f = log.frame
    in_week = ((f["start"] >= origin) & (f["start"] < origin + timedelta(days=7))).to_numpy()
    if not in_week.any():
        raise InputError(f"no session of {log.source} starts in the week of {week_start}",
                         file=log.source)
    held = _held(log)
    duty = duty if duty is not None else duty_from_log(log, week_start=week_start)
    end = origin + timedelta(days=7)
    duty = Roster(week_start=week_start,
                  shifts=tuple(s for s in duty.shifts if s.end > origin and s.start < end))
    caps = {s.agent_id: s.max_concurrent for s in duty.shifts}
    starts = tuple(pd.to_datetime(f.loc[in_week, "start"]).dt.to_pydatetime())
    given: tuple[float, ...] = ()
    if handle == "logged":
        given = tuple(float(x) for x in _solo_handle(log, held, caps, chat)[in_week])
    elif handle != "model":
        raise InputError("handle must be 'logged' or 'model'", value=handle)
    played = duty if behaviour is None else away_duty(duty, behaviour.away_share,
                                                       behaviour.away_cycle_seconds)
    summary = simulate_replications(played, Arrivals(start=starts, handle_seconds=given), chat,
                                    replications=replications, seed=seed, cyclic=False,
                                    patience=None if behaviour is None
                                    else behaviour.patience(chat))

    def row(label: str, first: datetime, days: int, period: int | None) -> ReplayRow:
        periods = [run.week if period is None else run.days[period] for run in summary.runs]
        simulated = Rates(periods[0].sessions, *(
            Estimate.of(np.array([getattr(p, m) for p in periods])).mean for m, _ in METRICS))
        recorded = recorded_rates(log, first, first + timedelta(days=days), chat)
        return ReplayRow(label, first.date(), days, recorded, simulated)

    days = tuple(
        row(f"{DAYS[d]} {origin + timedelta(days=d):%m-%d}", origin + timedelta(days=d), 1, d)
        for d in range(7))
    on_duty = sum((s.end - s.start).total_seconds() for s in duty.shifts)
    return ReplayReport(
        source=log.source,
        week_start=week_start,
        chat=chat,
        handle=handle,
        replications=replications,
        seed=seed,
        duty=duty,
        week=row("week", origin, 7, None),
        days=days,
        on_duty_hours=on_duty / 3600.0,
        idle_while_waiting_hours=_idle_while_waiting(log, held, duty)[0] / 3600.0,
        behaviour=behaviour,
    )
