"""Typed parameters with documented defaults. Every default is visible and changeable.

The chat model (shared by ``staffing`` and ``simulate``, so that the two agree by construction)
----------------------------------------------------------------------------------------------
- An agent holding ``j`` chats works at ``throughput(j)`` solo-chat units (``throughput(1) == 1``).
  Each of the ``j`` chats therefore progresses at ``throughput(j) / j`` of its solo speed: a chat
  whose solo handle time is ``h`` completes at rate ``throughput(j) / (j * h)`` while the agent
  holds ``j`` chats (processor sharing with a concurrency penalty).
- When an agent picks a session up and then holds ``j`` chats, the first human reply comes
  ``reply_latency_seconds(j) = base_reply_seconds * j / throughput(j)`` later (deterministic).
- A session waits FCFS for a free slot; routing is balanced (the least-loaded agent on duty with
  fewer chats than its cap takes the oldest waiting session). A waiting buyer leaves after an
  exponential patience with mean ``patience_seconds`` (0 or inf disables abandonment).
- The 3-minute reply rate counts a session as a success iff it was picked up (not abandoned) and
  ``wait + reply_latency <= answer_seconds``. The reply rate counts sessions picked up at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

DEFAULT_THROUGHPUT: tuple[float, ...] = (1.0, 1.7, 2.5, 2.9, 3.5, 3.8, 4.0, 4.1)
"""Effective capacity of one agent holding k = 1..8 chats, in solo-chat units. k = 1..5 is the
industry table quoted in the design brief (1, 1.7, 2.5, 2.9, 3.5; see also Goes et al. 2018,
Management Science 64(7)); 6..8 extend it with diminishing returns (our assumption)."""

MAX_CAP = 8

TARGET = 0.8
"""The default 3-minute reply rate to keep (the platforms' usual bar)."""


class ParamError(ValueError):
    """A parameter's value is refused: ``key`` is its field name, ``expected`` what it takes
    (the CLI names the option, a TOML reader the file and key)."""

    def __init__(self, key: str, expected: str) -> None:
        self.key, self.expected = key, expected
        super().__init__(f"{key}: expected {expected}")


def setting(default: Any, *, help: str, ok: Callable[[Any], bool] | None = None,
            expected: str = "", cli: str | None = None,
            budgets: dict[str, Any] | None = None) -> Any:
    """A parameter field with its one default, help text and check: ``ok(value)`` must hold,
    else a :class:`ParamError` saying ``expected``; ``cli`` names its command-line option;
    ``budgets`` the defaults of surfaces that run on a shorter budget ("app", "backtest")."""
    return field(default=default, metadata={"help": help, "ok": ok, "expected": expected,
                                            "cli": cli, "budgets": budgets or {}})


def check_fields(obj: Any) -> None:
    """Each field's own check (from :func:`setting`); the first refused is a ParamError."""
    for f in fields(obj):
        ok = f.metadata.get("ok")
        if ok is not None and not ok(getattr(obj, f.name)):
            raise ParamError(f.name, f.metadata["expected"])


def default_for(f: Field[Any], surface: str | None = None) -> Any:
    """A field's default, or its budget on ``surface`` (e.g. the app's shorter time limit)."""
    return f.metadata.get("budgets", {}).get(surface, f.default)


def _positive(v: float) -> bool:
    return v > 0


@dataclass(frozen=True)
class ChatModel:
    """How chats behave; the parameters of the queueing model and of the simulator.

    Defaults, and where they come from:
    - ``handle_seconds = 600``: solo handle time of one chat (10 min). Chats last 10-25 minutes
      (design brief); the bundled sample's handle times are the real call-centre handle times
      scaled x3.5 (mean 177 s -> ~620 s).
    - ``base_reply_seconds = 20``: time for an agent with one chat to read and type the first
      reply after picking a session up (our assumption; fit it from first-reply times if known).
    - ``patience_seconds = 600``: mean time a buyer waits for a first human reply before leaving
      (the real call-centre data gives a mean patience of a few minutes on the phone; chat buyers
      wait longer because the window stays open).
    - ``answer_seconds = 180``: the platform's 3-minute deadline.
    """

    handle_seconds: float = setting(
        600.0, cli="--handle-seconds", ok=_positive, expected="seconds > 0",
        help="Solo handle time of one chat, seconds (a plan fits it from the history or session "
        "log unless given).")
    base_reply_seconds: float = setting(
        20.0, cli="--reply-seconds", ok=lambda v: v >= 0, expected="seconds >= 0",
        help="Agent's own time to the first reply with one chat, seconds.")
    patience_seconds: float = setting(
        600.0, cli="--patience-seconds", ok=lambda v: v >= 0,
        expected="seconds >= 0 (0 or inf: nobody leaves)",
        help="Mean time a buyer waits before leaving, seconds (0 = never leaves).")
    answer_seconds: float = setting(
        180.0, cli="--answer-seconds", ok=_positive, expected="seconds > 0",
        help="Reply deadline, seconds (the platform's 3 minutes).")
    throughput: tuple[float, ...] = DEFAULT_THROUGHPUT

    def __post_init__(self) -> None:
        check_fields(self)
        if not self.throughput or abs(self.throughput[0] - 1.0) > 1e-12:
            raise ValueError("throughput must start with 1.0 (one chat = one solo-chat unit)")
        if any(t <= 0 for t in self.throughput):
            raise ValueError("throughput values must be > 0")

    @property
    def abandonment_rate_per_second(self) -> float:
        """theta = 1 / mean patience; 0 when abandonment is disabled."""
        if self.patience_seconds == 0 or math.isinf(self.patience_seconds):
            return 0.0
        return 1.0 / self.patience_seconds

    def capacity(self, j: int) -> float:
        """Solo-chat units of work per unit time of an agent holding ``j`` chats."""
        if j <= 0:
            return 0.0
        if j > len(self.throughput):
            raise ValueError(f"no throughput value for {j} concurrent chats")
        return self.throughput[j - 1]

    def slowdown(self, j: int) -> float:
        """How much slower each chat runs when the agent holds ``j`` chats (>= 1)."""
        return j / self.capacity(j)

    def reply_latency_seconds(self, j: int) -> float:
        """First-reply latency after pickup when the agent then holds ``j`` chats."""
        return self.base_reply_seconds * self.slowdown(j)

    def with_(self, **changes: object) -> ChatModel:
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_HOURLY_FLOOR = 0.4
"""Default ``ServiceTarget.hourly_floor``: the rate every half-hour keeps at the forecast, where
the margin search starts (``margin.margin_path``). Chosen on the bank's weeks 2026-10-05 .. 11-09
when daily plans were sized at each hour's 99% count (the smallest of 0.3-0.6 whose daily plans
kept every day the per-hour plans kept); the margin for a chance now comes on top of it."""


DEFAULT_PER_HOUR_SHARE = 0.95
"""Default ``ServiceTarget.per_hour_share``: the per-hour promise forgives one busy hour in
twenty (a real week of 70 busy hours keeps it with 67)."""


RETIRED = {"confidence": "retired: plan for the chance the promise holds instead (--chance c, "
                         "or chance = c in a plan file; 0 for the point forecast; default: the "
                         "mode's own)"}
"""Parameters this version no longer takes, and what to use instead (a command's option or a
plan file's key names it in one line; a stored plan or book version with it still opens)."""


class Mode(StrEnum):
    """How the target is judged: ``per-hour``: every interval meets it; ``daily``: each
    calendar day's 00:00-24:00 rate meets it and every interval keeps ``hourly_floor``;
    ``weekly``: the week's rate meets it, every interval ``hourly_floor``."""

    PER_HOUR = "per-hour"
    DAILY = "daily"
    WEEKLY = "weekly"


DEFAULT_CHANCE = {Mode.PER_HOUR: 0.75, Mode.DAILY: 0.75, Mode.WEEKLY: 0.75}
"""Default ``ServiceTarget.chance`` of each mode: chosen on the bank's real weeks
(``benchmarks/chance_defaults.py``: the smallest level of its grid whose plans meet the mode's
criteria on the weeks 2026-10-05 .. 11-09; the grid starts where the criteria are at least even
odds by the plans' own chance), judged on 2026-11-16 .. 12-21 (README)."""


@dataclass(frozen=True)
class ServiceTarget:
    """What "good enough" means for an interval or the week."""

    target: float = setting(
        TARGET, cli="--target", ok=lambda v: 0 < v < 1,
        expected=f"a share between 0 and 1, e.g. {TARGET}",
        help="3-minute reply rate to keep, 0-1.")
    mode: Mode = setting(
        Mode.PER_HOUR, cli="--mode", ok=lambda v: v in list(Mode),
        expected=" or ".join(Mode),
        help="per-hour (every hour meets the target), daily (each day's 00:00-24:00 rate; "
        f"every half-hour keeps {DEFAULT_HOURLY_FLOOR:.0%} at the forecast) or weekly (the "
        "week's rate, with the same floor).")
    hourly_floor: float = setting(
        DEFAULT_HOURLY_FLOOR, ok=lambda v: 0 <= v < 1, expected="a share between 0 and 1",
        help="Every half-hour keeps at least this rate at the forecast, so no quiet hour is left "
        "to starve (at most the target); the margin for the promise comes on top of it.")
    per_hour_share: float = setting(
        DEFAULT_PER_HOUR_SHARE, ok=lambda v: 0 < v <= 1, expected="a share above 0 and at most 1",
        help="The per-hour promise holds in a week when at least this share of its busy hours "
        "(5 or more sessions) keep the target (the chance a roster keeps it is reported with "
        "the daily and weekly promises').")
    chance: float | None = setting(
        None, cli="--chance", ok=lambda v: v is None or 0 <= v < 1,
        expected="a probability between 0 (the point forecast) and 1, e.g. 0.9",
        help="Plan the fewest agent-hours whose roster keeps the promise (--mode) in at least "
        "this share of the weeks the forecast's own error allows; the margin goes to the hours "
        "where it buys the most. 0: staff for the point forecast alone. Default: the mode's, "
        "chosen on real weeks (" + ", ".join(f"{m} {c:g}" for m, c in DEFAULT_CHANCE.items())
        + ").")

    @property
    def level(self) -> float:
        """The chance the plan is sized for: ``chance``, or the mode's default."""
        return DEFAULT_CHANCE[Mode(self.mode)] if self.chance is None else float(self.chance)

    def __post_init__(self) -> None:
        if self.mode in list(Mode):
            object.__setattr__(self, "mode", Mode(self.mode))
        check_fields(self)
        object.__setattr__(self, "hourly_floor", min(self.hourly_floor, self.target))


@dataclass(frozen=True)
class Rules:
    """Labour rules and shift shapes for the roster (defaults: shifts of 4-10 h, 40 h a week for
    full-timers, rest days and 11 h between shifts)."""

    interval_minutes: int = setting(30, cli="--interval-minutes", ok=lambda v: v in (15, 30, 60),
                                    expected="15, 30 or 60",
                                    help="Planning interval: 15, 30 or 60.")
    shift_lengths_hours: tuple[float, ...] = setting(
        (4.0, 6.0, 8.0, 10.0), ok=lambda v: bool(v) and all(0 < h <= 24 for h in v),
        expected="one or more lengths above 0 and at most 24 hours",
        help="Shift lengths a shift may have, hours (whole multiples of the interval).")
    start_step_minutes: int = 60
    min_rest_hours: float = setting(11.0, ok=lambda v: 0 <= v <= 48, expected="hours between "
                                    "0 and 48", help="Least rest between two shifts, hours.")
    max_consecutive_days: int = setting(6, ok=lambda v: 1 <= v <= 7, expected="between 1 and 7",
                                        help="Most days worked in a row.")
    min_days_off: int = setting(1, ok=lambda v: 0 <= v <= 6, expected="between 0 and 6 (nobody "
                                "could work at all)", help="Least days off a week.")
    min_days_off_full_time: int = setting(2, ok=lambda v: 0 <= v <= 6, expected="between 0 and 6 "
                                          "(nobody could work at all)",
                                          help="Least days off a week of a full-timer.")
    full_time_hours: float = 40.0
    """Agents with max_hours_week >= this are full-timers (get ``min_days_off_full_time``)."""
    max_shift_hours_per_day: float = 10.0
    break_after_hours: float = 6.0
    """Shifts longer than this get a meal break (0 disables breaks)."""
    break_minutes: int = 30
    allowed_caps: tuple[int, ...] = setting(
        (1, 2, 3, 4, 5, 6), ok=lambda v: bool(v) and all(1 <= c <= MAX_CAP for c in v),
        expected=f"one or more caps within 1..{MAX_CAP}",
        help="Reception caps (接待上限) a shift may run at; each agent at most their own.")
    call_lead_minutes: int = setting(
        30, ok=lambda v: 0 <= v <= 24 * 60, expected="minutes between 0 and 1440",
        help="Today: how long an off-duty agent needs from a call to being on duty, minutes.")
    overtime_pay_factor: float = setting(
        1.5, ok=lambda v: 1.0 <= v <= 5.0, expected="a factor between 1 and 5",
        help="Today: what an hour of a shift extended past its planned end is paid, in hours.")
    cyclic: bool = True
    """Treat the week as a standing roster: Sunday-night shifts wrap into Monday 00:00."""
    cap_policy: str = setting(
        "max", ok=lambda v: v in ("max", "lowest"), expected="'max' or 'lowest'",
        help="max: every shift at the agent's own max_concurrent (the highest allowed cap up to "
        "it); lowest: then each shift's cap lowered as far as it goes at no extra agent-hours "
        "(quality: lower caps reply faster).")

    def __post_init__(self) -> None:
        check_fields(self)
        if self.start_step_minutes % self.interval_minutes:
            raise ValueError("start_step_minutes must be a multiple of interval_minutes")
        if any((h * 60) % self.interval_minutes for h in self.shift_lengths_hours):
            raise ValueError("shift_lengths_hours must be whole multiples of interval_minutes")
        if self.break_after_hours > 0 and self.break_minutes >= 60 * self.break_after_hours:
            raise ValueError("break_minutes must be shorter than break_after_hours")
        if min(self.shift_lengths_hours) > self.max_shift_hours_per_day:
            raise ValueError("every shift length exceeds max_shift_hours_per_day: no shift "
                             "could be scheduled")


@dataclass(frozen=True)
class SearchParams:
    """The roster search's tuning, in one place (a TOML file can set any field: ``--tuning``).

    Work is counted in CP-SAT's deterministic seconds, which do not depend on the machine's
    speed, so the same inputs and seed give the same roster; the wall-clock time limit is only
    a safety cap. Values tuned in ``benchmarks/`` (2 cores)."""

    work_per_second: float = setting(
        0.4, ok=_positive, expected="a number > 0",
        help="Deterministic work per second a solve is given beyond its start "
        "(``replan_seconds``). Measured on 2 cores, two re-solves side by side: the sample "
        "week's 12 deterministic seconds took 18 s, the livestream reference shop's 30 took "
        "61 s; 0.4 leaves the LP, the cheap moves and the diagnosis their share on a quiet "
        "machine.")
    lns_work: float = setting(0.5, ok=_positive, expected="a number > 0",
                              help="Deterministic seconds per neighbourhood re-solve.")
    lns_max_candidates: int = setting(2_000, ok=lambda v: v >= 10, expected="a number >= 10",
                                      help="Most (agent, shift) Booleans in one neighbourhood.")
    lns_window_days: int = setting(3, ok=lambda v: v >= 1, expected="a number >= 1",
                                   help="Days of a time-window neighbourhood.")
    patience: int = setting(40, ok=lambda v: v >= 1, expected="a number >= 1",
                            help="Stop after this many neighbourhoods in a row without a better "
                            "plan.")
    rule_cost_share: float = setting(0.3, ok=lambda v: 0 <= v < 1,
                                     expected="a share at least 0 and below 1",
                                     help="The share of the solves' seconds (``Budget``) kept "
                                     "for what each labour rule costs (one re-plan per rule "
                                     "and one control) and the plan's checks' re-plans "
                                     "(``check_share`` of it at most); its solve gets the "
                                     "rest.")
    check_share: float = setting(
        0.5, ok=lambda v: 0 <= v < 1, expected="a share at least 0 and below 1",
        help="The most of the rule costs' seconds the re-plans of the plan's checks (the exact "
        "mixed-team check and the chance check) take: each takes half of what is left of it, "
        "so the rule costs keep the rest however many re-plans there are.")
    reserve_seconds: float = setting(
        8.0, ok=lambda v: v >= 0, expected="seconds >= 0",
        help="Seconds of the time limit kept for the command's work besides the solves' "
        "search (start-up, forecast, staffing table, the plan's start: its LP and greedy "
        "fill, the report's simulation, chances and diagnosis; at most half the limit). "
        "Measured on the sample on 2 cores (benchmarks/plan_walltime.py at a load of 5): "
        "7-12 s, of which 2-4 s start-up, 2-2.5 s the plan's start, 3-5 s the report.")
    replan_seconds: float = setting(
        0.6, ok=lambda v: v >= 0, expected="seconds >= 0",
        help="Seconds a re-plan takes before its search (keep the plan, fill, trim, check); "
        "a rule cost's re-plan given no more makes only those. Measured on the sample: "
        "0.5-0.9 s.")
    exact_check_rounds: int = 2
    """After the plan, at most this many re-plans where the exact mixed-team check finds an
    interval short."""
    fill_tries: int = setting(3_000, ok=lambda v: v >= 1, expected="a number >= 1", help="")
    swap_tries: int = setting(100, ok=lambda v: v >= 0, expected="a number >= 0", help="")
    """The greedy fill tries the best ``fill_tries`` (agent, shift) options of a short interval,
    then swaps for the best ``swap_tries``, then leaves it to the re-solves."""

    def __post_init__(self) -> None:
        check_fields(self)


@dataclass(frozen=True)
class PlanParams:
    """Everything a plan run needs besides its data."""

    chat: ChatModel = field(default_factory=ChatModel)
    service: ServiceTarget = field(default_factory=ServiceTarget)
    rules: Rules = field(default_factory=Rules)
    search: SearchParams = field(default_factory=SearchParams)
    time_limit_seconds: float = setting(
        60.0, cli="--time-limit", ok=_positive, expected="seconds > 0",
        budgets={"app": 16.0, "backtest": 30.0, "demo": 30.0, "replan": 10.0},
        help="Time limit of the whole plan, seconds: the roster search, its re-plans, what "
        "each rule costs, the simulated check and the report fit in it (the search's work "
        "is counted, not timed, so the same limit and seed give the same roster).")
    num_workers: int = setting(
        2, cli="--workers", ok=lambda v: v >= 1, expected="a whole number >= 1",
        help="Neighbourhood re-solves run side by side, one CP-SAT worker each (the same seed "
        "and count give the same roster).")
    seed: int = setting(0, cli="--seed", help="Random seed (solver, simulation, arrivals).")
    replications: int = setting(
        20, cli="--replications", ok=lambda v: v >= 1, expected="a whole number >= 1",
        budgets={"app": 5, "backtest": 3}, help="Simulated weeks to check the plan.")

    def __post_init__(self) -> None:
        check_fields(self)


SECTIONS = ("rules", "search", "chat", "service")
"""The parts of ``PlanParams`` that are parameter objects of their own (a plan.toml's tables)."""


def plan_fields() -> dict[str, tuple[str, Field[Any]]]:
    """Every parameter of a plan by field name: (its section in ``PlanParams``, "" for the top
    level, and the field). Field names are unique across the sections."""
    out: dict[str, tuple[str, Field[Any]]] = {}
    plan = PlanParams()
    for f in fields(plan):
        section = getattr(plan, f.name)
        inner = fields(section) if f.name in SECTIONS else (f,)
        for g in inner:
            assert g.name not in out, g.name
            out[g.name] = (f.name if f.name in SECTIONS else "", g)
    return out


def with_values(params: PlanParams, values: dict[str, Any]) -> PlanParams:
    """``params`` with fields changed by name (``plan_fields``' names); a refused value is the
    section's ``ParamError`` or ``ValueError``."""
    where = plan_fields()
    sections: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        sections.setdefault(where[name][0], {})[name] = value
    top = sections.pop("", {})
    return replace(params, **top, **{sec: replace(getattr(params, sec), **changes)
                                     for sec, changes in sections.items()})
