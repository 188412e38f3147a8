"""Alembic environment of the governance database (runs as the owner role)."""

from governance.models import Base
from servicekit.migrate import run_env

run_env(Base.metadata)
