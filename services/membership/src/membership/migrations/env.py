"""Alembic environment of the membership database (runs as the owner role)."""

from membership.models import Base
from servicekit.migrate import run_env

run_env(Base.metadata)
