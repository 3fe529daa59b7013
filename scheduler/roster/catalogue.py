"""Readable names of the roster's rules, shared by the model and the validator (no ortools)."""

from __future__ import annotations

from scheduler.params import Rules, ServiceTarget


def _hours(x: float) -> str:
    return f"{x:g}"


def rule_names(rules: Rules, service: ServiceTarget) -> dict[str, str]:
    """Rule id -> the sentence a plan is explained with (parameters filled in)."""
    lengths = "/".join(_hours(h) for h in rules.shift_lengths_hours)
    if service.mode == "weekly":
        cover = (
            f"weekly 3-minute rate >= {service.target:.0%} with every interval >= "
            f"{service.hourly_floor:.0%} (at the highest cap on duty)"
        )
    else:
        cover = f"every interval meets the {service.target:.0%} target at the highest cap on duty"
    off = f"days off per week >= {rules.min_days_off}"
    if rules.min_days_off_full_time > rules.min_days_off:
        off += (
            f" (>= {rules.min_days_off_full_time} for full-timers, "
            f">= {_hours(rules.full_time_hours)} h/week)"
        )
    brk = (
        f"a {rules.break_minutes}-minute meal break in shifts longer than "
        f"{_hours(rules.break_after_hours)} h, near the middle"
        if rules.break_after_hours > 0
        else "no meal breaks (disabled)"
    )
    return {
        "shape": (
            f"shifts of {lengths} h (<= {_hours(rules.max_shift_hours_per_day)} h a day) "
            f"starting every {rules.start_step_minutes} min"
            + (", Sunday night wrapping into Monday" if rules.cyclic else "")
        ),
        "one_per_day": "at most one shift per agent per day",
        "rest": f"no overlapping shifts; rest between shifts >= {_hours(rules.min_rest_hours)} h",
        "max_hours": "paid hours per week (breaks excluded) <= the agent's max_hours_week",
        "min_hours": "paid hours per week >= the agent's min_hours_week (soft)",
        "consecutive": f"at most {rules.max_consecutive_days} consecutive working days",
        "days_off": off,
        "availability": "every hour of a shift inside the agent's availability",
        "night": "night hours (23:00–07:00) only for night-eligible agents",
        "weekend": "Saturday/Sunday hours only for weekend-eligible agents",
        "cap": "each shift's cap <= the agent's max_concurrent and among the allowed caps",
        "cap_feasible": "no cap level in an interval where the staffing table rules it out",
        "break": brk,
        "fair_nights": "fair spread of night shifts (max - min, soft)",
        "fair_weekends": "fair spread of weekend shifts (max - min, soft)",
        "coverage": cover,
    }
