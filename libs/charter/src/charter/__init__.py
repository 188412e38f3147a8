"""Alliance charters as data (pure: no database, no network)."""
