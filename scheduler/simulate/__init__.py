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

Public API (each function's docstring gives the details):

- ``simulate_roster(roster, demand, chat, *, seed=0) -> SimulationResult``: one week against an
  ``Arrivals`` trace, an hourly ``Forecast`` or expected sessions per equal interval (Poisson);
  ``.week``, ``.days``, ``.hours`` (:class:`PeriodMetrics`), ``.sessions``, ``.hourly_frame()``
  (:data:`HOURLY_COLUMNS`), ``.to_summary(target=None)``.
- ``simulate_replications(roster, demand, chat, *, replications=20, seed=0) ->
  ReplicationSummary``: independent seeded weeks, weekly/daily :class:`Estimate` and hourly means.
- ``simulate_stationary(arrivals_per_hour, n_agents, cap, chat) -> StationaryMetrics``: a
  constant team under constant demand, for model-vs-simulator grids.
- ``duty_from_log``, ``fit_duty_behaviour``, ``replay_week``: the replay check of a session log
  (``scheduler.simulate.replay``).
- Handle-time samplers (``handle=``): :func:`exponential_handle` (default, mean
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
