"""Concord membership service."""
