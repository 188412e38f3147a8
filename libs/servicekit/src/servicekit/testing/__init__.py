"""Test support: real PostgreSQL and NATS for pytest (see :mod:`servicekit.testing.fixtures`)."""
