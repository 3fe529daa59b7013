"""Roster: CP-SAT shifts and per-shift reception caps (接待上限) for named agents.

Stage A counts shifts by (start, length, break, cap level) on the week's absolute (cyclic)
timeline; stage B names them; a plain-Python validator re-checks every plan. Entry point:
``plan_roster``. Only this package imports ortools.
"""

from scheduler.roster.objective import ObjectiveTerms
from scheduler.roster.plan import plan_roster
from scheduler.roster.result import RosterResult, SolveProgress, Violation
from scheduler.roster.rules import RULES
from scheduler.roster.validate import validate_roster

__all__ = [
    "RULES",
    "ObjectiveTerms",
    "RosterResult",
    "SolveProgress",
    "Violation",
    "plan_roster",
    "validate_roster",
]
