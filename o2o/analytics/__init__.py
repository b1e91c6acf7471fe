"""Analytics: every dashboard's figures, read from the other apps' records.

It owns the merchant dashboard's numbers (deals sold/redeemed/refunded/left, redemptions per store
and per day, recent orders, revenue per currency over today / 7 / 30 days in the merchant's own
timezone) and, as they come, the event stream and its rollups. It sits at the top of the layers:
it may read merchants, catalogue, orders, payments and vouchers; none of them imports it.
"""
