"""Alembic environment of the notifications database (runs as the owner role)."""

from servicekit.migrate import run_env

from notifications.models import Base

run_env(Base.metadata)
