"""Concord finance service."""
