"""demo: the seeded demo city (`make demo`). The top layer: it may use every app."""
