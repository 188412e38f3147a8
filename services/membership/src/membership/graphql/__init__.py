"""Membership's subgraph."""
