from o2o.core.errors import Conflict


class SoldOut(Conflict):
    code, default_message = "sold_out", "Sorry, this deal is sold out."


class LimitExceeded(Conflict):
    code, default_message = "limit_exceeded", "You have reached the limit for this deal."


class OrderExpired(Conflict):
    code, default_message = "order_expired", "This order was not paid in time and has expired."


class AlreadyPaid(Conflict):
    code, default_message = "already_paid", "This order is already paid."


class NothingToRefund(Conflict):
    code, default_message = "nothing_to_refund", "Nothing in this order can be refunded."


class PaymentInProgress(Conflict):
    code, default_message = "payment_in_progress", "A payment of this order is under way; try again in a moment."
    retryable = True  # not stored as the answer of an Idempotency-Key: a retry may succeed
