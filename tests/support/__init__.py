"""Helpers shared by the end-to-end tests (real processes on loopback ports)."""
