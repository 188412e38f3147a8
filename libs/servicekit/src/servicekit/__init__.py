"""Shared machinery every Concord service is built from."""
