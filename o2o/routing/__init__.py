"""Vehicle routing: pickup-and-delivery with time windows, capacity and a fleet limit.

A pure package (no models, no database): the Li & Lim instance parser (``instance``), the problem
model (``problem``), an independent feasibility checker (``check``), the solver (``solver``, PyVRP
underneath) and the courier dispatch round built on it (``dispatch``). It is a Django app only to
carry the ``solve_pdptw`` command; it sits just above ``o2o.core`` in the layers and imports nothing
of the project's.
"""
