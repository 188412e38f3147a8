"""Concord governance service."""
