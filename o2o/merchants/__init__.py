"""merchants: merchants, their stores (position, timezone, opening hours) and staff. Owns tenancy:
every "is this user staff of this store / owner of this merchant" rule is in merchants.access.
Never imports catalogue, orders, vouchers or anything above them."""
