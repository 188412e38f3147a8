"""Governance's subgraph."""
