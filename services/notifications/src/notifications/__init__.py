"""Concord notifications service."""
