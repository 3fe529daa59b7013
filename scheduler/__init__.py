"""Chat-team roster planner: history -> forecast -> staffing -> roster -> simulated check."""

__version__ = "0.1.0"
