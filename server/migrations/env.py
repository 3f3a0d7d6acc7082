"""Alembic environment: always handed a live connection to one tenant database."""

from alembic import context

import server.tables  # noqa: F401  (registers the server's tenant tables on the shared metadata)
from app.core.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    compare_type=True,
    render_as_batch=False,
    user_module_prefix="schema.",
)
with context.begin_transaction():
    context.run_migrations()
