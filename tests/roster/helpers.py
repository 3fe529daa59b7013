"""Helpers shared by the roster tests: plan a tiny instance deterministically."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from scheduler.domain import Agent, Requirements, Roster
from scheduler.params import Rules, ServiceTarget
from scheduler.roster import RosterResult, plan_roster
from tests.roster.factory import CHAT


def plan(
    req: Requirements,
    agents: Sequence[Agent],
    rules: Rules,
    *,
    service: ServiceTarget | None = None,
    seconds: float = 8.0,
    hint: Roster | None = None,
) -> RosterResult:
    """Plan with one worker and a fixed seed (reproducible)."""
    return plan_roster(
        req,
        list(agents),
        chat=CHAT,
        service=service or ServiceTarget(),
        rules=rules,
        time_limit_seconds=seconds,
        num_workers=1,
        seed=7,
        hint=hint,
    )


def assert_valid(result: RosterResult) -> None:
    hard = result.hard_violations
    assert not hard, [v.message for v in hard]
    assert result.objective_terms is not None
    assert result.objective == pytest.approx(result.objective_terms.total)


def covered(result: RosterResult) -> bool:
    return bool(np.all(result.coverage["shortfall_capacity"].to_numpy() == 0))
