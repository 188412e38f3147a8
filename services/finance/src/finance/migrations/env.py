"""Alembic environment of the finance database (runs as the owner role)."""

from servicekit.migrate import run_env

from finance.models import Base

run_env(Base.metadata)
