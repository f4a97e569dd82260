"""loopdrill.tui."""
