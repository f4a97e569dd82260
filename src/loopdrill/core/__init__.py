"""Pure domain logic: models, deck validation, grading, scheduling policy, stats math."""
