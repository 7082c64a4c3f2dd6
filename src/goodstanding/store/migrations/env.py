"""Alembic environment: runs migrations on the connection the store hands over."""

from alembic import context

import goodstanding.records.tables
import goodstanding.store.console_tables
import goodstanding.store.detection_cache
import goodstanding.store.service_tables  # noqa: F401 - registers the service, console and cache tables
from goodstanding.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes a connection
    raise RuntimeError("goodstanding migrations run through goodstanding.store.Store.open")
# One transaction per migration (SQLite's DDL is transactional once pysqlite leaves the
# transactions to us, see Database._migration_engine): a killed step leaves the last one.
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    transaction_per_migration=True,
    transactional_ddl=True,
    on_version_apply=context.config.attributes["on_version_apply"],
)
with context.begin_transaction():
    context.run_migrations()
