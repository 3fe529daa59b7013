"""Staffing: from expected sessions to required agents and service-level curves.

The public verbs (all rates are sessions per hour, times in seconds; ``ChatModel`` in
``scheduler.params`` defines the chat model this package and the simulator share):

- ``service_metrics(rate, agents, cap, chat) -> ServiceMetrics``: a team of equal agents.
- ``team_service_level(rate, caps, chat) -> ServiceMetrics``: a mixed team (one cap per agent).
- ``homogeneous_service_curve(rate, cap, chat, max_agents=N) -> ndarray``: 3-minute rate, n=0..N.
- ``required_agents(rate, cap, chat, target=...) -> int | None``.
- ``build_requirements(...) -> scheduler.domain.Requirements``: the roster's input table.
- ``fit_chat_model(log, base) -> (ChatModel, FitReport)``: parameters from per-session records.
"""

from scheduler.staffing.fit import FitReport, fit_chat_model
from scheduler.staffing.model import (
    ServiceMetrics,
    homogeneous_service_curve,
    service_metrics,
    team_service_level,
)
from scheduler.staffing.requirements import (
    HARD_MAX_AGENTS,
    build_requirements,
    latency_feasible,
    required_agents,
)

__all__ = [
    "HARD_MAX_AGENTS",
    "FitReport",
    "ServiceMetrics",
    "build_requirements",
    "fit_chat_model",
    "homogeneous_service_curve",
    "latency_feasible",
    "required_agents",
    "service_metrics",
    "team_service_level",
]
