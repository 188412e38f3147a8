"""Alembic environment of the finance database (runs as the owner role)."""

from finance.models import Base
from servicekit.migrate import run_env

run_env(Base.metadata)
