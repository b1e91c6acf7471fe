"""orders: what was bought, from whom, served how. Owns Order (store, fulfilment kind and its status,
source: channel, placement, referrer; total, paid and refunded amounts), OrderLine (a snapshot: title,
unit price, options, line total, what was refunded of it), OrderAdjustment (coupon, points,
member_price, delivery_fee, rounding: signed, optionally against a line), checkout (orders.checkout,
batched under load in orders.batching), payment holds (orders.holds, orders.tasks), totals and refund
allocation (orders.totals: the one place a total is made), the order and fulfilment state machines
(orders.enums) and the books of stock and units (orders.books).

Money is not here: the payments app (above orders) charges, records and refunds, and calls
orders.services.order_mark_paid / order_units_refund in its transactions. What a paid order becomes is
a fulfilment (orders.fulfilment): a registry of ports per kind; orders never import the app that
fulfils (vouchers registers the `voucher` kind; pickup, delivery, booking, job register theirs)."""
