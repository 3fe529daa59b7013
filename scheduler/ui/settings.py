"""The manager's rules and targets as one typed object, and its translation to ``PlanParams``.

Pure (no streamlit): the Data page edits a :class:`Settings`, the Plan button turns it into
parameters with :meth:`Settings.params`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scheduler.params import (
    DEFAULT_CONFIDENCE,
    DEFAULT_HOURLY_FLOOR,
    ChatModel,
    PlanParams,
    Rules,
    ServiceTarget,
)
from scheduler.whatif import PlatformProfile, profile_by_key

SHIFT_LENGTH_CHOICES: tuple[float, ...] = (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0)
CAP_CHOICES: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8)


@dataclass(frozen=True)
class Settings:
    """What the manager sets on the Data page. Defaults: Xiaohongshu, 80% 3-minute target per
    hour, the labour defaults of ``scheduler.params.Rules``, and the app's interactive budget:
    a 16-second solver limit and 5 simulation runs for the plan, 3 runs for a what-if, 7 s of
    solver time for a warm-started re-plan. The plan's and re-plan's budgets leave room for the
    work around the solve (staffing table, simulated check, drawing: about 4 s in the browser)
    within the 20 s and 10 s a manager waits at most; on the sample both still cover every
    half-hour (measured waits and statuses in ``benchmarks/results/app_timing.md``)."""

    profile: str = "xiaohongshu"
    target: float = 0.8
    mode: str = "per-hour"
    hourly_floor: float = DEFAULT_HOURLY_FLOOR
    confidence: float = DEFAULT_CONFIDENCE
    shift_lengths_hours: tuple[float, ...] = Rules().shift_lengths_hours
    min_rest_hours: float = Rules().min_rest_hours
    min_days_off: int = Rules().min_days_off
    min_days_off_full_time: int = Rules().min_days_off_full_time
    allowed_caps: tuple[int, ...] = Rules().allowed_caps
    time_limit_seconds: float = 16.0
    replications: int = 5
    whatif_replications: int = 3
    replan_time_limit_seconds: float = 7.0
    seed: int = 0

    @property
    def platform(self) -> PlatformProfile:
        return profile_by_key(self.profile)

    def params(self, base: PlanParams | None = None) -> PlanParams:
        """The plan parameters these settings give (other fields from ``base``)."""
        base = base or PlanParams()
        floor = min(self.hourly_floor, self.target)
        service = ServiceTarget(target=self.target, mode=self.mode, hourly_floor=floor,
                                confidence=self.confidence)
        rules = replace(
            base.rules, shift_lengths_hours=tuple(sorted(self.shift_lengths_hours)),
            min_rest_hours=self.min_rest_hours, min_days_off=self.min_days_off,
            min_days_off_full_time=max(self.min_days_off, self.min_days_off_full_time),
            allowed_caps=tuple(sorted(self.allowed_caps)),
        )
        return replace(base, service=service, rules=rules, chat=base.chat or ChatModel(),
                       time_limit_seconds=self.time_limit_seconds,
                       replications=self.replications, seed=self.seed)
