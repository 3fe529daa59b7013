"""The roster book's first schema: weeks, versions, shifts, inputs, requests.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weeks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("week_start", sa.Date, nullable=False, unique=True),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("week_id", sa.Integer, sa.ForeignKey("weeks.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("agent_hours", sa.Float, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.UniqueConstraint("week_id", "number"),
    )
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        sa.Column("max_concurrent", sa.Integer, nullable=False),
        sa.Column("break_start", sa.DateTime, nullable=True),
        sa.Column("break_end", sa.DateTime, nullable=True),
    )
    op.create_table(
        "inputs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("week_id", sa.Integer, sa.ForeignKey("weeks.id"), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    for table in ("requests", "inputs", "shifts", "versions", "weeks"):
        op.drop_table(table)
