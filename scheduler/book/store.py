"""The roster book's tables and operations (SQLAlchemy 2.0; schema migrations with Alembic).

Tables: ``weeks`` (one per Monday), ``versions`` (each publication of a week, numbered from 1;
the latest is the week's roster), ``shifts`` (a version's shifts), ``inputs`` (what a version
was planned from: history window, agents, rules, parameters, as JSON) and ``requests`` (agents'
leave and day-off requests; read by re-plans). Nothing is ever updated or deleted: a change is
a new version.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from scheduler.domain import Roster, Shift
from scheduler.errors import InputError

DEFAULT_URL = "sqlite:///roster-book.sqlite"
"""The book when neither ``--db`` nor ``SCHEDULER_DB`` names one: a file in the working folder."""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PUBLISH_TRIES = 8
"""Two publishers of the same week at once: the one that loses the race for a version number
tries again with the next."""


def book_url(given: str | None = None) -> str:
    """The book's SQLAlchemy URL: ``given``, else ``SCHEDULER_DB``, else ``DEFAULT_URL``."""
    return given or os.environ.get("SCHEDULER_DB") or DEFAULT_URL


def _shown(url: str) -> str:
    """``url`` with its password hidden (``postgresql+psycopg://user:***@host/db``)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url


class Base(DeclarativeBase):
    pass


class WeekRow(Base):
    __tablename__ = "weeks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, unique=True, nullable=False)


class VersionRow(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("week_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("weeks.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    published_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    agent_hours: Mapped[float] = mapped_column(Float, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class ShiftRow(Base):
    __tablename__ = "shifts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), nullable=False)
    agent_id: Mapped[str] = mapped_column(String(64), nullable=False)
    start: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    end: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    max_concurrent: Mapped[int] = mapped_column(Integer, nullable=False)
    break_start: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    break_end: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class InputRow(Base):
    __tablename__ = "inputs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)


class RequestRow(Base):
    __tablename__ = "requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("weeks.id"), nullable=False)
    agent_id: Mapped[str] = mapped_column(String(64), nullable=False)
    start: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    end: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)


class RequestLike(Protocol):
    """An agent's request as the book stores it (``scheduler.domain.Request``)."""

    @property
    def agent_id(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class PublishedVersion:
    """One publication of a week: its number, when, the agent-hours and the note."""

    week_start: date
    number: int
    published_at: datetime
    agent_hours: float
    shifts: int
    note: str
    stored: bool = True
    """False when ``Book.publish`` stored nothing: the roster's shifts were this version's,
    the week's latest."""

    @property
    def text(self) -> str:
        """What publishing did, in the words the CLI and the app both show."""
        if not self.stored:
            return (f"The week of {self.week_start} is identical to version {self.number}: "
                    "nothing stored")
        return (f"Published the week of {self.week_start} as version {self.number}: "
                f"{self.shifts} shifts, {self.agent_hours:.1f} agent-hours")


def _hours(s: Shift) -> str:
    return f"{s.start:%H:%M}–{s.end:%H:%M}"


def _break(s: Shift) -> str:
    if s.break_start is None or s.break_end is None:
        return "none"
    return f"{s.break_start:%H:%M}–{s.break_end:%H:%M}"


@dataclass(frozen=True)
class ShiftChange:
    """One agent's shift that differs between two versions (None: no such shift)."""

    agent_id: str
    before: Shift | None
    after: Shift | None

    @property
    def text(self) -> str:
        """``A01: Wed 11-25 17:00–01:00 → 17:00–20:00`` or ``A01: Wed 11-25 17:00–01:00, break
        19:30–20:00 → 21:00–21:30, cap 6 → 4``: only what changed of the hours, the break and
        the cap; a shift that came or went is shown whole against "—"."""
        b, a = self.before, self.after
        if b is None or a is None:
            def whole(s: Shift | None) -> str:
                if s is None:
                    return "—"
                rest = "no break" if _break(s) == "none" else f"break {_break(s)}"
                return f"{s.start:%a %m-%d} {_hours(s)} ({rest}, cap {s.max_concurrent})"
            return f"{self.agent_id}: {whole(b)} → {whole(a)}"
        parts = [f"{b.start:%a %m-%d} {_hours(b)}"
                 + (f" → {_hours(a)}" if (a.start, a.end) != (b.start, b.end) else "")]
        if _break(a) != _break(b):
            parts.append(f"break {_break(b)} → {_break(a)}")
        if a.max_concurrent != b.max_concurrent:
            parts.append(f"cap {b.max_concurrent} → {a.max_concurrent}")
        return f"{self.agent_id}: " + ", ".join(parts)


def migrate(engine: Engine) -> None:
    """Bring the book's schema to the newest Alembic revision (creates it when empty)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Book:
    """A roster book at ``url`` (see ``book_url``), migrated on opening."""

    def __init__(self, url: str | None = None) -> None:
        given = book_url(url)
        self.url = _shown(given)
        """The book's URL as messages show it (any password hidden)."""
        try:
            self.engine = create_engine(
                given, **({"connect_args": {"timeout": 30}} if given.startswith("sqlite")
                          else {}))
            tables = set(inspect(self.engine).get_table_names())
            if tables and "alembic_version" not in tables:
                raise InputError(
                    f"not a roster book: the database holds other tables "
                    f"({', '.join(sorted(tables)[:3])}); give another --db", file=self.url)
            migrate(self.engine)
        except ImportError as exc:  # the URL names a database driver that is not installed
            raise InputError(
                f"cannot open the roster book: its database driver {exc.name or ''} is not "
                "installed (for PostgreSQL: pip install -e '.[postgres]' and a "
                "postgresql+psycopg:// URL)", file=self.url) from None
        except (SQLAlchemyError, OSError) as exc:
            raise InputError(f"cannot open the roster book ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0]})", file=self.url) from None

    def publish(self, roster: Roster, *, agent_hours: float, summary: dict[str, Any],
                inputs: dict[str, Any], note: str = "",
                published_at: datetime | None = None,
                requests: Sequence[RequestLike] = ()) -> PublishedVersion:
        """Store ``roster`` as the next version of its week, with the requests it granted or
        refused; nothing earlier is changed. One transaction: a failure part-way leaves the
        book as it was. A roster whose shifts are the week's latest version's (``same_as``)
        stores nothing: the result is that version with ``stored`` False."""
        when = published_at or datetime.now().replace(microsecond=0)
        for attempt in range(1, PUBLISH_TRIES):
            try:
                return self._publish(roster, agent_hours, summary, inputs, note, when, requests)
            except (IntegrityError, OperationalError):
                # another publisher took this version number (or held the file): try again
                time.sleep(0.05 * attempt)
        return self._publish(roster, agent_hours, summary, inputs, note, when, requests)

    def _publish(self, roster: Roster, agent_hours: float, summary: dict[str, Any],
                 inputs: dict[str, Any], note: str, when: datetime,
                 requests: Sequence[RequestLike]) -> PublishedVersion:
        with Session(self.engine) as s, s.begin():
            week = s.scalar(select(WeekRow).where(WeekRow.week_start == roster.week_start))
            if week is None:
                week = WeekRow(week_start=roster.week_start)
                s.add(week)
                s.flush()
            latest = _latest(s, week.id)
            if latest is not None and _same(s, latest, roster):
                return PublishedVersion(roster.week_start, latest.number, latest.published_at,
                                        latest.agent_hours, len(roster.shifts), latest.note,
                                        stored=False)
            last = latest.number if latest is not None else 0
            version = VersionRow(week_id=week.id, number=last + 1, published_at=when, note=note,
                                 agent_hours=float(agent_hours),
                                 summary=json.dumps(summary, ensure_ascii=False, default=str))
            s.add(version)
            s.flush()
            s.add_all(ShiftRow(version_id=version.id, agent_id=x.agent_id, start=x.start,
                               end=x.end, max_concurrent=x.max_concurrent,
                               break_start=x.break_start, break_end=x.break_end)
                      for x in roster.shifts)
            s.add_all(InputRow(version_id=version.id, name=k,
                               content=json.dumps(v, ensure_ascii=False, default=str))
                      for k, v in sorted(inputs.items()))
            s.add_all(RequestRow(week_id=week.id, agent_id=r.agent_id, start=r.start, end=r.end,
                                 kind=r.kind) for r in requests)
            return PublishedVersion(roster.week_start, version.number, when,
                                    float(agent_hours), len(roster.shifts), note)

    def same_as(self, roster: Roster) -> int | None:
        """The number of the week's latest version when its shifts are ``roster``'s (agent,
        start, end, cap and break of each), else None: publishing ``roster`` would store
        nothing."""
        with Session(self.engine) as s:
            week = s.scalar(select(WeekRow.id).where(WeekRow.week_start == roster.week_start))
            latest = _latest(s, week) if week is not None else None
            return latest.number if latest is not None and _same(s, latest, roster) else None

    def versions(self, week_start: date | None = None) -> list[PublishedVersion]:
        """Every published version (of one week, or of all), oldest week and version first."""
        shifts = (select(func.count(ShiftRow.id)).where(ShiftRow.version_id == VersionRow.id)
                  .scalar_subquery())
        q = (select(WeekRow.week_start, VersionRow, shifts)
             .join(VersionRow, VersionRow.week_id == WeekRow.id)
             .order_by(WeekRow.week_start, VersionRow.number))
        if week_start is not None:
            q = q.where(WeekRow.week_start == week_start)
        with Session(self.engine) as s:
            return [PublishedVersion(wk, v.number, v.published_at, v.agent_hours, n, v.note)
                    for wk, v, n in s.execute(q)]

    def roster(self, week_start: date, number: int | None = None) -> Roster:
        """The week's roster: version ``number``, or the latest published."""
        with Session(self.engine) as s:
            q = (select(VersionRow).join(WeekRow, VersionRow.week_id == WeekRow.id)
                 .where(WeekRow.week_start == week_start))
            q = (q.where(VersionRow.number == number) if number is not None
                 else q.order_by(VersionRow.number.desc()).limit(1))
            v = s.scalar(q)
            if v is None:
                what = f"version {number} of " if number is not None else ""
                raise InputError(f"the book has no {what}week {week_start}", file=self.url)
            rows = s.scalars(select(ShiftRow).where(ShiftRow.version_id == v.id)
                             .order_by(ShiftRow.start, ShiftRow.agent_id)).all()
            return Roster(week_start=week_start, shifts=tuple(
                Shift(r.agent_id, r.start, r.end, r.max_concurrent, r.break_start, r.break_end)
                for r in rows))

    def inputs(self, week_start: date, number: int) -> dict[str, Any]:
        """What version ``number`` of the week was planned from."""
        with Session(self.engine) as s:
            q = (select(InputRow).join(VersionRow, InputRow.version_id == VersionRow.id)
                 .join(WeekRow, VersionRow.week_id == WeekRow.id)
                 .where(WeekRow.week_start == week_start, VersionRow.number == number))
            return {r.name: json.loads(r.content) for r in s.scalars(q)}

    def export(self) -> dict[str, list[dict[str, Any]]]:
        """Everything in the book, one list of rows per table (weeks, versions, shifts,
        requests, inputs), rows joined to their week and version number."""
        with Session(self.engine) as s:
            weeks = {w.id: w.week_start for w in s.scalars(select(WeekRow))}
            versions = {v.id: v for v in s.scalars(select(VersionRow))}

            def of(version_id: int) -> dict[str, Any]:
                v = versions[version_id]
                return {"week_start": weeks[v.week_id], "version": v.number}

            return {
                "weeks": [{"week_start": w} for w in sorted(weeks.values())],
                "versions": [{**of(v.id), "published_at": v.published_at,
                              "agent_hours": v.agent_hours, "note": v.note}
                             for v in versions.values()],
                "shifts": [{**of(r.version_id), "agent_id": r.agent_id, "start": r.start,
                            "end": r.end, "max_concurrent": r.max_concurrent,
                            "break_start": r.break_start, "break_end": r.break_end}
                           for r in s.scalars(select(ShiftRow))],
                "requests": [{"week_start": weeks[r.week_id], "agent_id": r.agent_id,
                              "start": r.start, "end": r.end, "kind": r.kind}
                             for r in s.scalars(select(RequestRow))],
                "inputs": [{**of(r.version_id), "name": r.name, "content": r.content}
                           for r in s.scalars(select(InputRow))],
            }

    def diff(self, week_start: date, a: int, b: int) -> list[ShiftChange]:
        """The shifts that differ between versions ``a`` and ``b`` of the week, per agent."""
        return shift_changes(self.roster(week_start, a).shifts,
                             self.roster(week_start, b).shifts)


def _latest(s: Session, week_id: int) -> VersionRow | None:
    return s.scalar(select(VersionRow).where(VersionRow.week_id == week_id)
                    .order_by(VersionRow.number.desc()).limit(1))


def _same(s: Session, version: VersionRow, roster: Roster) -> bool:
    """Whether ``version`` holds exactly ``roster``'s shifts (agent, start, end, cap, break)."""
    rows = s.scalars(select(ShiftRow).where(ShiftRow.version_id == version.id)).all()
    return Counter(Shift(r.agent_id, r.start, r.end, r.max_concurrent, r.break_start,
                         r.break_end) for r in rows) == Counter(roster.shifts)


def shift_changes(before: Iterable[Shift], after: Iterable[Shift]) -> list[ShiftChange]:
    """Shifts of ``before`` not in ``after`` and the other way round, paired per agent and
    start day where they can be."""
    old, new = set(before), set(after)
    gone = sorted(old - new, key=lambda s: (s.agent_id, s.start))
    came = sorted(new - old, key=lambda s: (s.agent_id, s.start))
    out: list[ShiftChange] = []
    for s in gone:
        match = next((t for t in came if t.agent_id == s.agent_id
                      and t.start.date() == s.start.date()), None)
        if match is not None:
            came.remove(match)
        out.append(ShiftChange(s.agent_id, s, match))
    out += [ShiftChange(t.agent_id, None, t) for t in came]
    return sorted(out, key=lambda c: (c.agent_id, (c.before or c.after).start))  # type: ignore[union-attr]


def moved_agents(changes: Sequence[ShiftChange]) -> list[str]:
    """The agents whose shifts changed."""
    return sorted({c.agent_id for c in changes})
