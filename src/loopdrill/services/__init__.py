"""loopdrill.services."""
