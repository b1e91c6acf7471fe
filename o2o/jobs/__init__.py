"""jobs: quote-based custom work (renovation, printing and packaging). Request forms a merchant builds
from field types, requests with checked uploads and a message thread, quotes with options and
milestones, the job with its escrow (deposits and milestone payments held through the payments core
and released milestone by milestone), change orders, technicians' check-ins on site and print proofs.

Sits at the fulfilment layer (beside bookings): it makes `job` orders and pays them through
o2o.payments (the sandbox provider), and keeps its own escrow ledger (EscrowEntry) that mirrors the
payments ledger's holds and releases: held = deposits + payments - releases - refunds (jobs.books,
`manage.py check_books`)."""
