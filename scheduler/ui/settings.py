"""The manager's rules and targets as one typed object, and its translation to ``PlanParams``.

Pure (no streamlit): the Data page edits a :class:`Settings`, the Plan button turns it into
parameters with :meth:`Settings.params`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scheduler.params import Mode, PlanParams, default_for, plan_fields, with_values
from scheduler.whatif import PlatformProfile, profile_by_key

SHIFT_LENGTH_CHOICES: tuple[float, ...] = (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0)
CAP_CHOICES: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8)
PLAN_SETTINGS = ("target", "mode", "hourly_floor", "chance", "shift_lengths_hours",
                 "min_rest_hours", "min_days_off", "min_days_off_full_time", "allowed_caps",
                 "time_limit_seconds", "replications", "seed")
"""The plan parameters the Data page sets (the rest keep their defaults)."""


def help_text(name: str) -> str:
    """The plan parameter's one help text (the CLI option's too)."""
    return str(plan_fields()[name][1].metadata["help"])


def _app(name: str) -> Any:
    """The plan parameter's default in the app (its budget there when it has one)."""
    return default_for(plan_fields()[name][1], "app")


@dataclass(frozen=True)
class Settings:
    """What the manager sets on the Data page. Defaults: Xiaohongshu and the plan parameters'
    own (``scheduler.params``), with the app's interactive budget declared there: a 16-second
    solver limit and 5 simulation runs for the plan (a what-if plays the same runs, so the
    current roster's rates there are the plan's); here, 7 s of solver time for a warm-started
    re-plan. The plan's and re-plan's budgets leave room for the
    work around the solve (staffing table, simulated check, drawing: about 4 s in the browser)
    within the 20 s and 10 s a manager waits at most; on the sample both still cover every
    half-hour (measured waits and statuses in ``benchmarks/results/app_timing.md``)."""

    profile: str = "xiaohongshu"
    target: float = _app("target")
    mode: Mode = _app("mode")
    hourly_floor: float = _app("hourly_floor")
    chance: float | None = _app("chance")
    shift_lengths_hours: tuple[float, ...] = _app("shift_lengths_hours")
    min_rest_hours: float = _app("min_rest_hours")
    min_days_off: int = _app("min_days_off")
    min_days_off_full_time: int = _app("min_days_off_full_time")
    allowed_caps: tuple[int, ...] = _app("allowed_caps")
    time_limit_seconds: float = _app("time_limit_seconds")
    replications: int = _app("replications")
    replan_time_limit_seconds: float = 7.0
    seed: int = 0

    @property
    def platform(self) -> PlatformProfile:
        return profile_by_key(self.profile)

    def params(self, base: PlanParams | None = None) -> PlanParams:
        """The plan parameters these settings give (other fields from ``base``); checked by
        the parameters' own checks (``ValueError``)."""
        values = {name: getattr(self, name) for name in PLAN_SETTINGS}
        values.update(shift_lengths_hours=tuple(sorted(self.shift_lengths_hours)),
                      allowed_caps=tuple(sorted(self.allowed_caps)),
                      min_days_off_full_time=max(self.min_days_off,
                                                 self.min_days_off_full_time))
        return with_values(base or PlanParams(), values)
