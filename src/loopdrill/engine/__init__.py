"""The scheduling engine, pure like core: a card answered with FSRS (answer), today's queue
(queue), a history replayed into card states (replay), parameters fitted (fit, optimizer) and the
retention simulation (simulate)."""
