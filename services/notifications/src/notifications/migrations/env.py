"""Alembic environment of the notifications database (runs as the owner role)."""

from notifications.models import Base
from servicekit.migrate import run_env

run_env(Base.metadata)
