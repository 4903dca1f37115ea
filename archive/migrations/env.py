"""Alembic environment: runs migrations on the engine kremlin-watch hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import archive.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from archive.backends import backend_for

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=backend_for(engine).batch_migrations,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
