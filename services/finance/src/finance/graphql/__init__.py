"""Finance's subgraph."""
