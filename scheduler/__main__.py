"""``python -m scheduler`` runs the CLI."""

from scheduler.cli import entry

entry()
