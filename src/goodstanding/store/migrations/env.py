"""Alembic environment: runs migrations on the connection the store hands over."""

from alembic import context

import goodstanding.records.tables
import goodstanding.store.service_tables  # noqa: F401 - registers the service tables on metadata
from goodstanding.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes a connection
    raise RuntimeError("goodstanding migrations run through goodstanding.store.Store.open")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
