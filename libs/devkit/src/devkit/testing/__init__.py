"""Test support: real PostgreSQL and NATS for pytest (see :mod:`devkit.testing.fixtures`)."""
