"""orders: checkout (orders.checkout, batched under load in orders.batching), payment holds
(orders.holds, orders.tasks), paying and refunding (orders.services), the order state machine and
the books (orders.books, `manage.py check_books`). What a paid order's units become is a fulfilment
(orders.fulfilment): orders never import the app that fulfils (vouchers registers itself)."""
