"""Alembic environment of the membership database (runs as the owner role)."""

from servicekit.migrate import run_env

from membership.models import Base

run_env(Base.metadata)
