"""payments: money in and out of orders. Owns Payment (one per attempt; a payable is an order with a
purpose: full, deposit, balance, milestone + reference), Refund (booked then sent), the ledger
(LedgerEntry: capture, refund, hold, release; payments.ledger), the payment lifecycle
(payments.services: order_pay, payment_complete, order_refund, payments_reconcile), the port to
gateways (providers.base) with the built-in sandbox and its test cards (payments.cards), and the books
of money (payments.books, `manage.py check_books`, `manage.py reconcile_payments`).

Gateway calls never happen inside a database transaction: a pending row is committed first, the
gateway called, its answer recorded in a new transaction; the reconciler finishes what was lost.
Sits above orders (it marks them paid and refunds their units) and below vouchers."""
