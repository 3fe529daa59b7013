"""The roster book: published rosters kept week by week, never overwritten.

``Book(url)`` opens (and migrates, with Alembic) a store reached through SQLAlchemy: an embedded
SQLite file by default (``./roster-book.sqlite``), or any SQLAlchemy URL (``--db`` or the
``SCHEDULER_DB`` environment variable), e.g. PostgreSQL for a team that shares one book.
"""

from scheduler.book.store import DEFAULT_URL, Book, PublishedVersion, ShiftChange, book_url

__all__ = ["DEFAULT_URL", "Book", "PublishedVersion", "ShiftChange", "book_url"]
