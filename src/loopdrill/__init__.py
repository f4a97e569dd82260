"""loopdrill: a terminal spaced-repetition drill for system-design interview loops."""

__version__ = "0.1.0"
