"""Fixtures shared by every test: real PostgreSQL and NATS JetStream on free loopback ports."""

pytest_plugins = ["servicekit.testing.fixtures"]
