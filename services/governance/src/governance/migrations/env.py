"""Alembic environment of the governance database (runs as the owner role)."""

from servicekit.migrate import run_env

from governance.models import Base

run_env(Base.metadata)
