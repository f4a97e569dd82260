"""loopdrill.formats."""
