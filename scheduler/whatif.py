"""What-if scenarios on a finished plan: typed scenarios, their effect on the current roster
(a few seeded simulation replications), a warm-started re-plan, side-by-side comparison, and the
platform rule profiles the results are judged against.

A :class:`Scenario` changes the week in five ways, each a field:

- ``spikes``: demand multipliers on windows of the week (``"Fri 20:00-23:00 x2.5"``, a promotion
  day ``"Sat x1.8"``, a live stream); see :func:`parse_spike`.
- ``extra_agents``: ``+n`` adds ``n`` temporary agents; on the current roster they shadow the
  shifts of the ``n`` agents with the most hours (a re-plan places them properly). ``-n`` removes
  the last ``n`` agents of the agents table (their shifts on the current roster).
- ``cap_delta``: every agent's reception cap (接待上限) moves by this many chats, within 1..8.
- ``auto_reply_share``: the share of sessions an auto-reply / FAQ bot closes before a human is
  needed (removed from demand).
- ``sick``: agents off sick on some days (their shifts starting on those days are removed; a
  re-plan makes them unavailable on those days).

Nothing here reads files or imports streamlit; the app and tests call these functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import pandas as pd

from scheduler.domain import (
    DAYS,
    DAYS_ZH,
    HOURS_PER_WEEK,
    Agent,
    Forecast,
    Roster,
    Shift,
)
from scheduler.errors import InputError
from scheduler.params import MAX_CAP, ChatModel, PlanParams
from scheduler.pipeline import plan_from_forecast, roster_chance
from scheduler.report import ALL_DAY, PlanResult
from scheduler.risk import BUSY_SESSIONS, PromiseChances
from scheduler.roster import ProgressFn
from scheduler.simulate import ReplicationSummary, simulate_replications

# --------------------------------------------------------------------------------------------
# Platform rule profiles
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformProfile:
    """How a platform judges a shop's chat service (see DOMAIN.md).

    Windows are clock hours ``[start_hour, end_hour)`` of every day, by session start time.
    ``reply_rate_min`` is the platform's threshold on the reply rate (None: the platform publishes
    none). The 3-minute rate has no official threshold: the manager sets the target.
    ``confirmed`` is False where the numbers come from third-party guides and need checking.
    """

    key: str
    name: str
    reply_rate_min: float | None
    reply_window: tuple[int, int]
    three_min_window: tuple[int, int]
    period: str
    unit: str
    confirmed: bool
    note: str = ""

    def window_text(self, window: tuple[int, int]) -> str:
        """``09:00–23:00`` for a window."""
        return f"{window[0]:02d}:00–{window[1]:02d}:00"


PROFILES: tuple[PlatformProfile, ...] = (
    PlatformProfile(
        key="xiaohongshu", name="小红书 Xiaohongshu (千帆)", reply_rate_min=0.80,
        reply_window=(0, 24), three_min_window=(9, 23), period="weekly (Mon–Sun, judged Tue)",
        unit="session", confirmed=True,
        note="Reply rate ≥ 80% counted 00:00–24:00 every day (official); below it public traffic "
             "is limited for 3 days. The 3-minute rate window 09:00–23:00 is from third-party "
             "guides; no official threshold (guides: ≥ 90% good, 70–80% at risk).",
    ),
    PlatformProfile(
        key="douyin", name="抖音 Douyin 飞鸽 (to confirm)", reply_rate_min=None,
        reply_window=(8, 23), three_min_window=(8, 23), period="service score, by category",
        unit="message", confirmed=False, note="Third-party sources; to confirm.",
    ),
    PlatformProfile(
        key="taobao", name="淘宝/天猫 Taobao/Tmall 千牛 (to confirm)", reply_rate_min=None,
        reply_window=(9, 23), three_min_window=(9, 23), period="monthly, ≥ 90%, ≥ 100 rounds",
        unit="round", confirmed=False, note="Third-party sources; to confirm.",
    ),
    PlatformProfile(
        key="jd", name="京东 JD 咚咚 (to confirm)", reply_rate_min=None,
        reply_window=(9, 23), three_min_window=(9, 23), period="monthly (30-second rate)",
        unit="session", confirmed=False, note="JD measures a 30-second rate; to confirm.",
    ),
    PlatformProfile(
        key="pinduoduo", name="拼多多 Pinduoduo (to confirm)", reply_rate_min=None,
        reply_window=(8, 23), three_min_window=(8, 23), period="per consumer per day (2019 rule)",
        unit="consumer", confirmed=False, note="Current rule unconfirmed.",
    ),
)


def profile_by_key(key: str) -> PlatformProfile:
    """The profile with this key (InputError for an unknown one)."""
    for p in PROFILES:
        if p.key == key:
            return p
    raise InputError(f"unknown platform profile; expected one of {[p.key for p in PROFILES]}",
                     value=key)


@dataclass(frozen=True)
class Check:
    """One pass/fail judgement of a week against a threshold (a badge in the app)."""

    name: str
    value: float
    threshold: float
    window: str
    passed: bool
    official: bool

    @property
    def text(self) -> str:
        """``回复率 reply rate 97.1% ≥ 80% (00:00–24:00)``."""
        sign = "≥" if self.passed else "<"
        return (f"{self.name} {self.value:.1%} {sign} {self.threshold:.0%} ({self.window})")


def window_rates(summary: ReplicationSummary, window: tuple[int, int]) -> tuple[float, float]:
    """(3-minute rate, reply rate) of the sessions started in clock hours ``[a, b)`` of every
    day, pooled over the week and averaged over the replications (NaN when no session)."""
    a, b = window
    three: list[float] = []
    reply: list[float] = []
    for run in summary.runs:
        n = r3 = rr = 0
        for h in run.hours:
            if a <= h.start.hour < b:
                n += h.sessions
                r3 += h.replied_3min
                rr += h.replied
        if n:
            three.append(r3 / n)
            reply.append(rr / n)
    if not three:
        return math.nan, math.nan
    return float(np.mean(three)), float(np.mean(reply))


def platform_checks(summary: ReplicationSummary, profile: PlatformProfile, target: float
                    ) -> tuple[Check, ...]:
    """The week judged like the platform: reply rate against the platform's threshold (when it
    has one) and the 3-minute rate in its window against the manager's ``target``."""
    checks: list[Check] = []
    if profile.reply_rate_min is not None:
        _, reply = window_rates(summary, profile.reply_window)
        checks.append(Check(
            name="回复率 reply rate", value=reply, threshold=profile.reply_rate_min,
            window=profile.window_text(profile.reply_window),
            passed=bool(reply >= profile.reply_rate_min), official=profile.confirmed))
    three, _ = window_rates(summary, profile.three_min_window)
    checks.append(Check(
        name="3分钟回复率 3-minute rate", value=three, threshold=target,
        window=profile.window_text(profile.three_min_window), passed=bool(three >= target),
        official=False))
    return tuple(checks)


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    """Demand times ``multiplier`` on day ``day`` (Monday = 0) from ``start_hour`` to
    ``end_hour`` (1..24; an end at or before the start wraps past midnight into the next day, and
    Sunday night wraps to Monday of the same standing week)."""

    day: int
    start_hour: int
    end_hour: int
    multiplier: float
    kind: str = "spike"
    """``spike``, ``promotion`` (whole day) or ``live`` (a live stream); for display."""

    def __post_init__(self) -> None:
        if not 0 <= self.day <= 6:
            raise ValueError("day must be 0 (Monday) .. 6 (Sunday)")
        if not (0 <= self.start_hour <= 23 and 1 <= self.end_hour <= 24):
            raise ValueError("hours must be start 0..23 and end 1..24")
        if not (math.isfinite(self.multiplier) and self.multiplier > 0):
            raise ValueError("multiplier must be a positive number")

    @property
    def hours_of_week(self) -> tuple[int, ...]:
        """Hour-of-week indices (0 = Monday 00:00) the spike covers."""
        length = (self.end_hour - self.start_hour) % 24 or 24
        first = self.day * 24 + self.start_hour
        return tuple((first + i) % HOURS_PER_WEEK for i in range(length))

    @property
    def label(self) -> str:
        """``Fri 20:00–23:00 ×2.5``."""
        return (f"{DAYS[self.day]} {self.start_hour:02d}:00–{self.end_hour:02d}:00 "
                f"×{self.multiplier:g}")


_DAY_WORDS: dict[str, int] = {d.lower(): i for i, d in enumerate(DAYS)}
_DAY_WORDS.update({d: i for i, d in enumerate(DAYS_ZH)})
_DAY_WORDS.update({f"星期{c}": i for i, c in enumerate("一二三四五六日")})
_DAY_WORDS.update({"周天": 6, "星期天": 6})
_DAY_WORDS.update({d.lower(): i for i, d in enumerate(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))})

_SPIKE_RE = re.compile(
    r"^\s*(?P<day>\S+?)\s*"
    r"(?:(?P<a>\d{1,2})(?::00)?\s*(?:-|–|—|~|至|到)\s*(?P<b>\d{1,2})(?::00)?)?\s*"
    r"[x×*]\s*(?P<m>\d+(?:\.\d+)?)\s*$",
    re.IGNORECASE,
)


def parse_spike(text: str, *, kind: str | None = None) -> Spike:
    """Read ``Fri 20:00–23:00 x2.5`` (also ``周五 20-23 ×2.5``; ``Sat x1.8`` is the whole day).

    Raises:
        InputError: naming the text and the expected form.
    """
    m = _SPIKE_RE.match(text)
    day = _DAY_WORDS.get(m.group("day").lower()) if m else None
    if m is None or day is None:
        raise InputError("expected a spike like 'Fri 20:00-23:00 x2.5' or '周六 x1.8'",
                         column="spike", value=text)
    a = int(m.group("a")) if m.group("a") else 0
    b = int(m.group("b")) if m.group("b") else 24
    mult = float(m.group("m"))
    if a > 23 or b > 24 or b == 0 or a == b:
        raise InputError("hours must be within 00:00-24:00 and not start and end together",
                         column="spike", value=text)
    if mult <= 0:
        raise InputError("the multiplier must be positive", column="spike", value=text)
    whole_day = not m.group("a")
    return Spike(day=day, start_hour=a, end_hour=b, multiplier=mult,
                 kind=kind or ("promotion" if whole_day else "spike"))


@dataclass(frozen=True)
class SickLeave:
    """Agent ``agent_id`` is off on ``days`` (Monday = 0; all week by default)."""

    agent_id: str
    days: frozenset[int] = frozenset(range(7))


@dataclass(frozen=True)
class Scenario:
    """A change to the week (see the module docstring). The empty scenario is the plan itself."""

    name: str = "current plan 当前计划"
    spikes: tuple[Spike, ...] = ()
    extra_agents: int = 0
    cap_delta: int = 0
    auto_reply_share: float = 0.0
    sick: tuple[SickLeave, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.auto_reply_share < 1.0:
            raise ValueError("auto_reply_share must be in [0, 1)")
        if abs(self.cap_delta) >= MAX_CAP:
            raise ValueError(f"cap_delta must be within ±{MAX_CAP - 1}")

    def describe(self) -> tuple[str, ...]:
        """One line per change, for the page and the comparison."""
        lines = [f"demand {s.label} ({s.kind})" for s in self.spikes]
        if self.extra_agents:
            lines.append(f"{self.extra_agents:+d} agents 客服")
        if self.cap_delta:
            lines.append(f"reception cap 接待上限 {self.cap_delta:+d}")
        if self.auto_reply_share:
            lines.append(f"auto-reply absorbs {self.auto_reply_share:.0%} of sessions 自动回复")
        for s in self.sick:
            days = ("all week" if len(s.days) == 7
                    else ",".join(DAYS[d] for d in sorted(s.days)))
            lines.append(f"{s.agent_id} off sick 请假 ({days})")
        return tuple(lines) or ("no change",)


def scenario_forecast(forecast: Forecast, scenario: Scenario) -> Forecast:
    """The forecast with the scenario's spikes multiplied in and the auto-reply share removed
    (``low``/``high`` scale with ``sessions``)."""
    if not scenario.spikes and not scenario.auto_reply_share:
        return forecast
    factor = np.ones(HOURS_PER_WEEK)
    for s in scenario.spikes:
        for h in s.hours_of_week:
            factor[h] *= s.multiplier
    factor *= 1.0 - scenario.auto_reply_share
    frame = forecast.frame.copy()
    for col in ("sessions", "low", "high"):
        frame[col] = frame[col].to_numpy(dtype=float) * factor
    return replace(forecast, frame=frame,
                   notes=(*forecast.notes, *(f"what-if: {d}" for d in scenario.describe())))


def _clip_cap(cap: int, delta: int) -> int:
    return max(1, min(MAX_CAP, cap + delta))


def extra_agent_ids(n: int, taken: Sequence[str]) -> tuple[str, ...]:
    """Ids ``TMP1``, ``TMP2``... for ``n`` temporary agents, avoiding ``taken``."""
    out: list[str] = []
    i = 1
    while len(out) < n:
        cand = f"TMP{i}"
        if cand not in taken:
            out.append(cand)
        i += 1
    return tuple(out)


def removed_agents(agents: Sequence[Agent], scenario: Scenario) -> tuple[str, ...]:
    """Ids the scenario's negative ``extra_agents`` removes: the last ones of the table."""
    n = max(0, -scenario.extra_agents)
    return tuple(a.agent_id for a in agents[len(agents) - n:]) if n else ()


def scenario_roster(roster: Roster, agents: Sequence[Agent], scenario: Scenario
                    ) -> tuple[Roster, tuple[str, ...]]:
    """The current roster under the scenario, and notes saying what changed.

    Sick agents lose their shifts starting on their sick days; ``-n`` agents lose all shifts;
    ``+n`` temporary agents shadow the shifts of the ``n`` agents with the most hours; every
    shift's cap moves by ``cap_delta`` (within 1..8)."""
    if not (scenario.extra_agents or scenario.cap_delta or scenario.sick):
        return roster, ()
    notes: list[str] = []
    gone = set(removed_agents(agents, scenario))
    if gone:
        notes.append(f"without {', '.join(sorted(gone))} (last {len(gone)} of the table)")
    sick = {s.agent_id: s.days for s in scenario.sick}
    week0 = datetime.combine(roster.week_start, datetime.min.time())

    def day_of(s: Shift) -> int:
        return ((s.start - week0).days) % 7

    kept: list[Shift] = []
    dropped = 0
    for s in roster.shifts:
        if s.agent_id in gone or (s.agent_id in sick and day_of(s) in sick[s.agent_id]):
            dropped += 1
            continue
        kept.append(s)
    if sick:
        notes.append(f"removed {dropped} shift(s) of absent agents")
    if scenario.extra_agents > 0:
        hours: dict[str, float] = {}
        for s in kept:
            hours[s.agent_id] = hours.get(s.agent_id, 0.0) + s.paid_hours
        models = sorted(hours, key=lambda a: (-hours[a], a))[:scenario.extra_agents]
        ids = extra_agent_ids(len(models), [a.agent_id for a in agents])
        for new, model in zip(ids, models, strict=True):
            kept.extend(replace(s, agent_id=new) for s in kept if s.agent_id == model)
            notes.append(f"{new} shadows {model}'s shifts (re-plan to place them well)")
    if scenario.cap_delta:
        kept = [replace(s, max_concurrent=_clip_cap(s.max_concurrent, scenario.cap_delta))
                for s in kept]
    kept.sort(key=lambda s: (s.start, s.agent_id))
    return replace(roster, shifts=tuple(kept)), tuple(notes)


def scenario_agents(agents: Sequence[Agent], scenario: Scenario) -> tuple[Agent, ...]:
    """The agents table under the scenario (for a re-plan): removed agents dropped, sick days
    made unavailable, caps moved, temporary agents added (cap = the team's median, 40 h)."""
    gone = set(removed_agents(agents, scenario))
    sick = {s.agent_id: s.days for s in scenario.sick}
    out: list[Agent] = []
    for a in agents:
        if a.agent_id in gone:
            continue
        if a.agent_id in sick:
            days = sick[a.agent_id]
            a = replace(a, available=tuple(
                tuple(False if d in days else ok for ok in row)
                for d, row in enumerate(a.available)))
        if scenario.cap_delta:
            a = replace(a, max_concurrent=_clip_cap(a.max_concurrent, scenario.cap_delta))
        out.append(a)
    if scenario.extra_agents > 0:
        caps = sorted(a.max_concurrent for a in agents) or [3]
        cap = caps[len(caps) // 2]
        for new in extra_agent_ids(scenario.extra_agents, [a.agent_id for a in agents]):
            out.append(Agent(agent_id=new, max_concurrent=cap, max_hours_week=40.0,
                             name=f"临时 temp {new[3:]}"))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioOutcome:
    """The simulated effect of a scenario on a roster.

    ``hourly`` columns: ``hour_start`` (datetime64), ``sessions`` (expected, from the scenario's
    forecast), ``simulated_sessions`` (mean over replications), ``agents_on_duty`` (time-averaged),
    ``three_min_rate`` (mean over replications, NaN where no session), ``reply_rate``,
    ``below_target`` (bool: an hour with at least ``min_sessions`` expected sessions whose
    3-minute rate misses the target).
    """

    scenario: Scenario
    roster: Roster
    forecast: Forecast
    hourly: pd.DataFrame
    three_min_rate: float
    reply_rate: float
    hours_below_target: int
    hours_judged: int
    checks: tuple[Check, ...]
    target: float
    replications: int
    seed: int
    seconds: float
    notes: tuple[str, ...] = field(default=())
    chance: PromiseChances | None = None
    """The chance the roster keeps each promise over scenario weeks around the scenario's
    forecast (``pipeline.roster_chance``), when the plan's parameters were given."""

    @property
    def paid_hours(self) -> float:
        """Paid hours of the roster's shifts (breaks excluded)."""
        return sum(s.paid_hours for s in self.roster.shifts)


def evaluate(
    roster: Roster,
    forecast: Forecast,
    agents: Sequence[Agent],
    chat: ChatModel,
    scenario: Scenario,
    *,
    target: float,
    profile: PlatformProfile,
    replications: int = 3,
    seed: int = 0,
    min_sessions: float = BUSY_SESSIONS,
    params: PlanParams | None = None,
) -> ScenarioOutcome:
    """Play the roster, changed by the scenario, against the changed forecast: ``replications``
    seeded simulation runs (the same seed for every scenario, so differences are the scenario's,
    not the dice's); with the plan's ``params``, also the chance of each promise."""
    ros, notes = scenario_roster(roster, agents, scenario)
    return judge(ros, scenario_forecast(forecast, scenario), chat, scenario, target=target,
                 profile=profile, replications=replications, seed=seed,
                 min_sessions=min_sessions, notes=notes, params=params)


def judge(
    roster: Roster,
    forecast: Forecast,
    chat: ChatModel,
    scenario: Scenario,
    *,
    target: float,
    profile: PlatformProfile,
    replications: int = 3,
    seed: int = 0,
    min_sessions: float = BUSY_SESSIONS,
    notes: tuple[str, ...] = (),
    params: PlanParams | None = None,
) -> ScenarioOutcome:
    """The what-if evaluator: the roster as it stands against the forecast as it stands (both
    already the scenario's), ``replications`` simulation runs from ``seed``; with the plan's
    ``params`` (its chat model replaced by ``chat``), the chance of each promise too.
    Deterministic: the same roster, counts, replications and seed give the same outcome, so two
    rosters judged with the same arguments differ only by their shifts."""
    import time

    t0 = time.perf_counter()
    sim = simulate_replications(roster, forecast, chat, replications=replications, seed=seed)
    expected = forecast.frame["sessions"].to_numpy(dtype=float)
    rate = np.asarray(sim.hourly_three_min_rate, dtype=float)
    judged = expected >= min_sessions
    below = judged & (np.nan_to_num(rate, nan=1.0) < target - 1e-12)
    hourly = pd.DataFrame({
        "hour_start": pd.to_datetime(list(sim.hour_starts)),
        "sessions": expected,
        "simulated_sessions": np.asarray(sim.hourly_sessions, dtype=float),
        "agents_on_duty": np.asarray(sim.hourly_mean_agents_on_duty, dtype=float),
        "three_min_rate": rate,
        "reply_rate": np.asarray(sim.hourly_reply_rate, dtype=float),
        "below_target": below,
    })
    return ScenarioOutcome(
        scenario=scenario, roster=roster, forecast=forecast, hourly=hourly,
        three_min_rate=sim.three_min_rate.mean, reply_rate=sim.reply_rate.mean,
        hours_below_target=int(below.sum()), hours_judged=int(judged.sum()),
        checks=platform_checks(sim, profile, target), target=target,
        replications=replications, seed=seed, seconds=time.perf_counter() - t0,
        notes=notes, chance=None if params is None else roster_chance(
            roster, forecast, replace(params, chat=chat)),
    )


def rank(outcome: ScenarioOutcome) -> tuple[int, float, float]:
    """The order of rosters judged on the same week (smaller is better): busy hours below
    target in simulation, then the week's 3-minute rate (higher is better; to the 0.1 point
    shown), then paid hours (to the 0.1 h shown)."""
    return (outcome.hours_below_target, -round(outcome.three_min_rate, 3),
            round(outcome.paid_hours, 1))


def replan_params(params: PlanParams, scenario: Scenario, *, time_limit_seconds: float
                  ) -> PlanParams:
    """Parameters for a re-plan: the time limit given, and cap levels widened to the scenario's
    moved caps (a +1 cap change must be usable)."""
    caps = set(params.rules.allowed_caps)
    if scenario.cap_delta:
        caps |= {_clip_cap(c, scenario.cap_delta) for c in caps}
    rules = replace(params.rules, allowed_caps=tuple(sorted(caps)))
    return replace(params, rules=rules, time_limit_seconds=time_limit_seconds)


def warm_start_hint(roster: Roster, agents: Sequence[Agent], scenario: Scenario) -> Roster:
    """The current roster as a re-plan's starting point: the scenario's roster with the caps
    each (changed) agent allows."""
    hint, _ = scenario_roster(roster, agents, scenario)
    limit = {a.agent_id: a.max_concurrent for a in scenario_agents(agents, scenario)}
    shifts = tuple(replace(s, max_concurrent=min(s.max_concurrent, limit[s.agent_id]))
                   for s in hint.shifts if s.agent_id in limit)
    return replace(hint, shifts=shifts)


@dataclass(frozen=True)
class ReplanChoice:
    """A what-if re-plan judged against keeping the current roster, both by :func:`judge` on the
    scenario's week with the same runs and seed; the better one by :func:`rank` is kept (the
    current roster on a tie: a re-plan must earn its changes)."""

    plan: PlanResult
    """The re-planned week, as the solver returned it."""
    current: ScenarioOutcome
    """The current roster under the scenario."""
    replanned: ScenarioOutcome
    """The re-planned roster on the same week."""

    @property
    def keeps_replan(self) -> bool:
        return rank(self.replanned) < rank(self.current)

    @property
    def kept(self) -> ScenarioOutcome:
        return self.replanned if self.keeps_replan else self.current

    @property
    def reason(self) -> str:
        """Which roster was kept and why, in one sentence of the manager's units."""
        cur, new = self.current, self.replanned
        target = f"{cur.target:.0%}"
        hours = new.paid_hours - cur.paid_hours
        cost = (f"{abs(hours):.1f} {'more' if hours > 0 else 'fewer'} paid hours"
                if round(hours, 1) else "the same paid hours")
        head = ("Kept the re-plan 采用重新排班" if self.keeps_replan
                else "Kept the current roster 保留当前排班")
        d_below = new.hours_below_target - cur.hours_below_target
        if d_below:
            return (f"{head}: the re-plan has {abs(d_below)} {'fewer' if d_below < 0 else 'more'}"
                    f" busy hour{'' if abs(d_below) == 1 else 's'} below {target} in simulation "
                    f"({new.hours_below_target} against {cur.hours_below_target} of "
                    f"{cur.hours_judged} when keeping), for {cost}.")
        same = (f"the same busy hours below {target} in simulation ({cur.hours_below_target} of"
                f" {cur.hours_judged})")
        if round(new.three_min_rate, 3) != round(cur.three_min_rate, 3):
            return (f"{head}: {same}, and the re-plan's all-day 3-minute rate is "
                    f"{new.three_min_rate:.1%} against {cur.three_min_rate:.1%} when keeping, "
                    f"for {cost}.")
        return f"{head}: {same} and the same all-day 3-minute rate, for {cost} in the re-plan."


def replan(
    plan: PlanResult,
    scenario: Scenario,
    *,
    time_limit_seconds: float = 10.0,
    profile: PlatformProfile = PROFILES[0],
    replications: int = 3,
    progress: ProgressFn | None = None,
) -> ReplanChoice:
    """Plan the scenario's week again, warm-started from the current roster (``hint``): the
    scenario's forecast and agents, the plan's parameters with ``time_limit_seconds``, the
    published weeks it followed and counted for fairness (``plan.before``, ``past_shifts``). The
    re-planned roster and the current one (under the scenario) are then judged alike
    (:func:`judge`, ``replications`` runs from the plan's seed) and the better one is kept."""
    fc = scenario_forecast(plan.forecast, scenario)
    team = scenario_agents(plan.agents, scenario)
    params = replan_params(plan.params, scenario, time_limit_seconds=time_limit_seconds)
    hint = warm_start_hint(plan.roster.roster, plan.agents, scenario)
    new = plan_from_forecast(fc, team, params=params, progress=progress, hint=hint,
                             notes=(*plan.notes, *(f"what-if: {d}" for d in scenario.describe())),
                             before=plan.before, past_shifts=plan.past_shifts)
    current, notes = scenario_roster(plan.roster.roster, plan.agents, scenario)

    def judged(roster: Roster, name: str, notes: tuple[str, ...] = ()) -> ScenarioOutcome:
        return judge(roster, fc, plan.chat, replace(scenario, name=name),
                     target=plan.params.service.target, profile=profile,
                     replications=replications, seed=plan.params.seed, notes=notes,
                     params=plan.params)

    return ReplanChoice(plan=new, current=judged(current, "current roster 当前排班", notes),
                        replanned=judged(new.roster.roster, "re-plan 重新排班"))


def compare(a: ScenarioOutcome, b: ScenarioOutcome) -> pd.DataFrame:
    """Two outcomes side by side: one row per headline metric, one column per scenario, the
    difference (b - a), and each row's unit (``UNITS``: a share, sessions, hours)."""
    def row(o: ScenarioOutcome) -> dict[str, tuple[float, str]]:
        d = {
            "expected sessions 预计会话": (float(o.forecast.frame["sessions"].sum()), "sessions"),
            f"3-minute rate, {ALL_DAY}3分钟回复率": (o.three_min_rate, "share"),
            "reply rate 回复率": (o.reply_rate, "share"),
            "simulated hours below target 模拟未达标小时": (float(o.hours_below_target), "hours"),
            "agent-hours 工时": (o.paid_hours, "hours"),
        }
        for c in o.checks:
            d[f"{c.name} ({c.window})"] = (c.value, "share")
        return d

    ra, rb = row(a), row(b)
    names = list(dict.fromkeys([*ra, *rb]))
    nan = (math.nan, "")
    return pd.DataFrame({
        "metric 指标": names,
        a.scenario.name: [ra.get(n, nan)[0] for n in names],
        b.scenario.name if b.scenario.name != a.scenario.name else f"{b.scenario.name} (B)":
            [rb.get(n, nan)[0] for n in names],
        "difference 差异": [rb.get(n, nan)[0] - ra.get(n, nan)[0] for n in names],
        "unit": [ra.get(n, rb.get(n, nan))[1] for n in names],
    })


def compare_text(table: pd.DataFrame) -> pd.DataFrame:
    """``compare``'s table in the manager's units, as text: shares as percentages (their
    difference in points), sessions whole, hours to one decimal; no unit column."""
    def text(v: float, unit: str, diff: bool) -> str:
        if math.isnan(v):
            return "—"
        sign = "+" if diff else ""
        if unit == "share":
            return f"{v * 100:{sign}.1f} pts" if diff else f"{v:.1%}"
        if unit == "sessions":
            return f"{v:{sign},.0f}"
        return f"{v:{sign},.1f} h"

    values = [c for c in table.columns if c not in ("metric 指标", "unit")]
    out = table[["metric 指标"]].copy()
    for c in values:
        out[c] = [text(float(v), u, c == "difference 差异")
                  for v, u in zip(table[c], table["unit"], strict=True)]
    return out
