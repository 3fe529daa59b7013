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
from dataclasses import dataclass, field, replace

DEFAULT_THROUGHPUT: tuple[float, ...] = (1.0, 1.7, 2.5, 2.9, 3.5, 3.8, 4.0, 4.1)
"""Effective capacity of one agent holding k = 1..8 chats, in solo-chat units. k = 1..5 is the
industry table quoted in the design brief (1, 1.7, 2.5, 2.9, 3.5; see also Goes et al. 2018,
Management Science 64(7)); 6..8 extend it with diminishing returns (our assumption)."""

MAX_CAP = 8


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

    handle_seconds: float = 600.0
    base_reply_seconds: float = 20.0
    patience_seconds: float = 600.0
    answer_seconds: float = 180.0
    throughput: tuple[float, ...] = DEFAULT_THROUGHPUT

    def __post_init__(self) -> None:
        if self.handle_seconds <= 0:
            raise ValueError("handle_seconds must be > 0")
        if self.base_reply_seconds < 0:
            raise ValueError("base_reply_seconds must be >= 0")
        if self.patience_seconds < 0:
            raise ValueError("patience_seconds must be >= 0 (0 or inf: nobody leaves)")
        if self.answer_seconds <= 0:
            raise ValueError("answer_seconds must be > 0")
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


DEFAULT_CONFIDENCE = 0.95
"""Default ``ServiceTarget.confidence``: chosen on the backtest (benchmarks/plan_backtest.py: the
smallest of 0.8, 0.85, 0.9, 0.95 meeting its criteria on the weeks 2026-10-05 .. 11-09)."""


DEFAULT_HOURLY_FLOOR = 0.4
"""Default ``ServiceTarget.hourly_floor``: chosen on the backtest (benchmarks/plan_backtest.py:
the smallest of 0.3, 0.4, 0.5, 0.6 whose daily plans keep every day at the target in each of
the weeks 2026-10-05 .. 11-09 in which per-hour plans do)."""


@dataclass(frozen=True)
class ServiceTarget:
    """What "good enough" means for an interval or the week."""

    target: float = 0.8
    """Share of sessions answered by a human within ``answer_seconds`` (the 3-minute rate)."""
    mode: str = "per-hour"
    """``per-hour``: every interval meets ``target``; ``daily``: each calendar day's
    00:00-24:00 rate meets ``target`` and every interval meets ``hourly_floor``; ``weekly``: the
    week's rate meets ``target``, every interval ``hourly_floor``."""
    hourly_floor: float = DEFAULT_HOURLY_FLOOR
    """Daily and weekly modes: the rate every interval keeps even when its hour's count is a
    spike (``risk.SPIKE_QUANTILE`` of its count)."""
    confidence: float = DEFAULT_CONFIDENCE
    """Each interval is staffed for the count it stays under with this probability (its
    forecast distribution: Poisson widened by the forecast's backtest error); 0 staffs for the
    point forecast."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence < 1.0:
            raise ValueError("confidence must be between 0 (point forecast) and 1 (exclusive)")
        if not 0.0 < self.target < 1.0:
            raise ValueError("target must be between 0 and 1 (exclusive)")
        if self.mode not in ("per-hour", "daily", "weekly"):
            raise ValueError("mode must be 'per-hour', 'daily' or 'weekly'")
        if not 0.0 <= self.hourly_floor <= self.target:
            raise ValueError("hourly_floor must be between 0 and target")


@dataclass(frozen=True)
class Rules:
    """Labour rules and shift shapes for the roster (defaults: shifts of 4-10 h, 40 h a week for
    full-timers, rest days and 11 h between shifts)."""

    interval_minutes: int = 30
    shift_lengths_hours: tuple[float, ...] = (4.0, 6.0, 8.0, 10.0)
    start_step_minutes: int = 60
    min_rest_hours: float = 11.0
    max_consecutive_days: int = 6
    min_days_off: int = 1
    min_days_off_full_time: int = 2
    full_time_hours: float = 40.0
    """Agents with max_hours_week >= this are full-timers (get ``min_days_off_full_time``)."""
    max_shift_hours_per_day: float = 10.0
    break_after_hours: float = 6.0
    """Shifts longer than this get a meal break (0 disables breaks)."""
    break_minutes: int = 30
    allowed_caps: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    cyclic: bool = True
    """Treat the week as a standing roster: Sunday-night shifts wrap into Monday 00:00."""
    cap_policy: str = "max"
    """``max``: every shift at the agent's own ``max_concurrent`` (the highest allowed cap up to
    it); ``lowest``: then each shift's cap lowered as far as it goes at no extra agent-hours
    (quality: lower caps reply faster)."""

    def __post_init__(self) -> None:
        if self.interval_minutes not in (15, 30, 60):
            raise ValueError("interval_minutes must be 15, 30 or 60")
        if self.start_step_minutes % self.interval_minutes:
            raise ValueError("start_step_minutes must be a multiple of interval_minutes")
        if not self.shift_lengths_hours or min(self.shift_lengths_hours) <= 0:
            raise ValueError("shift_lengths_hours must be positive")
        if any(c < 1 or c > MAX_CAP for c in self.allowed_caps):
            raise ValueError(f"allowed_caps must be within 1..{MAX_CAP}")
        if max(self.shift_lengths_hours) > 24:
            raise ValueError("shift_lengths_hours must be at most 24")
        if any((h * 60) % self.interval_minutes for h in self.shift_lengths_hours):
            raise ValueError("shift_lengths_hours must be whole multiples of interval_minutes")
        if not 0 <= self.min_rest_hours <= 48:
            raise ValueError("min_rest_hours must be between 0 and 48")
        if not 1 <= self.max_consecutive_days <= 7:
            raise ValueError("max_consecutive_days must be between 1 and 7")
        for name in ("min_days_off", "min_days_off_full_time"):
            if not 0 <= getattr(self, name) <= 6:
                raise ValueError(f"{name} must be between 0 and 6 (nobody could work at all)")
        if self.break_after_hours > 0 and self.break_minutes >= 60 * self.break_after_hours:
            raise ValueError("break_minutes must be shorter than break_after_hours")
        if self.cap_policy not in ("max", "lowest"):
            raise ValueError("cap_policy must be 'max' or 'lowest'")
        if min(self.shift_lengths_hours) > self.max_shift_hours_per_day:
            raise ValueError("every shift length exceeds max_shift_hours_per_day: no shift "
                             "could be scheduled")


@dataclass(frozen=True)
class SearchParams:
    """The roster search's tuning, in one place (a TOML file can set any field: ``--tuning``).

    Work is counted in CP-SAT's deterministic seconds, which do not depend on the machine's
    speed, so the same inputs and seed give the same roster; the wall-clock time limit is only
    a safety cap. Values tuned in ``benchmarks/`` (2 cores)."""

    work_per_second: float = 0.4
    """Deterministic work per second of the time limit. Measured on 2 cores, two re-solves side
    by side: the sample week's 12 deterministic seconds took 18 s, the livestream reference
    shop's 30 took 61 s; 0.4 leaves the LP, the cheap moves and the diagnosis their share
    inside the limit on a quiet machine."""
    lns_work: float = 0.5
    """Deterministic seconds per neighbourhood re-solve."""
    lns_max_candidates: int = 2_000
    """Most (agent, shift) Booleans in one neighbourhood."""
    lns_window_days: int = 3
    """Days of a time-window neighbourhood."""
    patience: int = 40
    """Stop after this many neighbourhoods in a row without a better plan."""
    rule_cost_share: float = 0.1
    """Each rule's cost re-plan gets this share of the plan's work."""
    exact_check_rounds: int = 2
    exact_check_share: float = 0.3
    """After the plan, at most this many re-plans (each this share of the work) where the exact
    mixed-team check finds an interval short."""
    fill_tries: int = 3_000
    swap_tries: int = 100
    """The greedy fill tries the best ``fill_tries`` (agent, shift) options of a short interval,
    then swaps for the best ``swap_tries``, then leaves it to the re-solves."""

    def __post_init__(self) -> None:
        for name in ("work_per_second", "lns_work", "rule_cost_share"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0")
        if self.lns_max_candidates < 10 or self.lns_window_days < 1 or self.patience < 1:
            raise ValueError("lns_max_candidates >= 10, lns_window_days >= 1, patience >= 1")
        if self.fill_tries < 1 or self.swap_tries < 0:
            raise ValueError("fill_tries >= 1 and swap_tries >= 0")


@dataclass(frozen=True)
class PlanParams:
    """Everything a plan run needs besides its data."""

    chat: ChatModel = field(default_factory=ChatModel)
    service: ServiceTarget = field(default_factory=ServiceTarget)
    rules: Rules = field(default_factory=Rules)
    search: SearchParams = field(default_factory=SearchParams)
    time_limit_seconds: float = 60.0
    num_workers: int = 2
    """Neighbourhood re-solves run side by side (one CP-SAT worker each); part of what decides
    the roster, like the seed."""
    seed: int = 0
    replications: int = 20
