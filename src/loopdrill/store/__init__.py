"""loopdrill.store."""
