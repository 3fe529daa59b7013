"""Discrete-event simulation of a chat team: play a roster against sessions and report what the
platform would report.

The model is the one in the ``scheduler.params.ChatModel`` docstring, shared with the analytic
staffing model: one FCFS queue for the first pickup; balanced routing (the least-loaded agent on
duty with a free slot takes the oldest waiting session; ties go to the agent whose id sorts first);
processor sharing with a concurrency penalty (an agent holding ``j`` chats works each at
``throughput(j) / j`` of solo speed); a deterministic first-reply latency
``chat.reply_latency_seconds(j)`` after pickup (``j`` = chats held after it); exponential
patience while waiting (``chat.patience_seconds``; 0 or inf disables). Agents take no new chats
outside their shifts or during breaks but finish the chats they hold. Sessions arriving while
nobody is on duty wait. The run continues past the horizon until every session has been picked up
or has left.

Public API
----------
``simulate_roster(roster, demand, chat, *, seed=0, handle=None, cyclic=True) -> SimulationResult``
    One week. ``demand`` is an ``Arrivals`` trace, an hourly ``Forecast`` of the roster's week, or
    expected sessions per equal interval of the week (168 hourly values, 336 half-hours, ...)
    played as a non-homogeneous Poisson process. The result has ``.week``, ``.days`` (7) and
    ``.hours`` (168) as :class:`PeriodMetrics`, ``.sessions`` (per-session DataFrame),
    ``.hourly_frame()`` (export DataFrame: hour_start, sessions, replied, replied_3min,
    three_min_rate, reply_rate, p90_wait_seconds, mean_agents_on_duty, then extras) and
    ``.to_summary(target=None) -> SimulationSummary`` whose ``.as_dict()`` is JSON-serialisable.

``simulate_replications(roster, demand, chat, *, replications=20, seed=0, confidence=0.95,
handle=None, cyclic=True) -> ReplicationSummary``
    Independent replications (``SeedSequence(seed).spawn``); weekly/daily :class:`Estimate`
    (mean, t-interval) of the 3-minute rate, reply rate, abandonment, p90 wait, occupancy, and
    per-hour means with ``.hourly_frame()``; ``.as_dict()`` for JSON.

``simulate_stationary(arrivals_per_hour, n_agents, cap, chat, *, hours=500.0, warmup_hours=20.0,
seed=0, handle=None) -> StationaryMetrics``
    ``n_agents`` agents at cap ``cap`` on duty all the time under Poisson arrivals, measured over
    ``hours`` after a warm-up: ``three_min_rate``, ``reply_rate``, ``abandonment_share``, wait
    percentiles, ``occupancy``, ``share_picked_up_within(t)``. For model-vs-simulator grids.

``duty_from_log(log, *, week_start=None, gap_minutes=60, one_at_a_time=False) -> Roster``
    Who was on duty, inferred from a session log (first reply of an agent's first handled session
    of a day to the end of their last, split at gaps over an hour; the rule in ``data/README.md``).

``fit_duty_behaviour(log, chat, *, one_at_a_time) -> DutyBehaviour``
    How the log's agents worked their duty (fit on weeks other than the replayed one): the share
    of on-duty time they took no session while sessions waited, its rhythm, the patience curve.

``replay_week(log, chat, week_start, *, duty=None, replications=20, seed=0, handle="logged",
behaviour=None) -> ReplayReport``
    The replay check: the week's recorded arrivals played against that duty with ``chat`` (and
    ``behaviour``: away spells via ``away_duty``, patience from the log's curve), compared with
    what the log records (weekly and daily 3-minute rate, reply rate, abandonment; ``.frame()``
    and ``.lines()``).

Handle-time samplers (``handle=``): :func:`exponential_handle` (default, mean
``chat.handle_seconds``), :func:`constant_handle`, :func:`lognormal_handle`.

Counting: sessions by START time, clock hours 00:00-24:00 every day, natural week Monday-Sunday.
3-minute success iff picked up and ``wait + reply latency <= chat.answer_seconds``.
"""

from scheduler.simulate.inputs import Demand
from scheduler.simulate.replay import (
    DutyBehaviour,
    Rates,
    ReplayReport,
    ReplayRow,
    away_duty,
    duty_from_log,
    fit_duty_behaviour,
    recorded_rates,
    replay_week,
)
from scheduler.simulate.results import (
    HOURLY_COLUMNS,
    PeriodMetrics,
    SimulationResult,
    SimulationSummary,
)
from scheduler.simulate.roster_run import (
    Estimate,
    ReplicationSummary,
    simulate_replications,
    simulate_roster,
)
from scheduler.simulate.sampling import (
    HandleSampler,
    PatienceSampler,
    constant_handle,
    empirical_patience,
    exponential_handle,
    lognormal_handle,
)
from scheduler.simulate.stationary import StationaryMetrics, simulate_stationary

__all__ = [
    "HOURLY_COLUMNS",
    "Demand",
    "DutyBehaviour",
    "Estimate",
    "HandleSampler",
    "PatienceSampler",
    "PeriodMetrics",
    "Rates",
    "ReplayReport",
    "ReplayRow",
    "ReplicationSummary",
    "SimulationResult",
    "SimulationSummary",
    "StationaryMetrics",
    "away_duty",
    "constant_handle",
    "duty_from_log",
    "empirical_patience",
    "exponential_handle",
    "fit_duty_behaviour",
    "lognormal_handle",
    "recorded_rates",
    "replay_week",
    "simulate_replications",
    "simulate_roster",
    "simulate_stationary",
]
