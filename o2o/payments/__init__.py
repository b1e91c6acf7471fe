"""payments: the payment port (providers.base), the built-in sandbox provider with its own ledger
and test cards, card checks (payments.cards), Payment/Refund rows and their state machine. Knows
nothing of orders: a payment's order is a foreign key the orders app writes."""
