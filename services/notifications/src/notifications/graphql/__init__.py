"""Notifications' subgraph."""
