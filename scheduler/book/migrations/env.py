"""Alembic environment of the roster book: runs on the connection ``Book`` hands it."""

from alembic import context

from scheduler.book.store import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
