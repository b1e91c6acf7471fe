from django.utils.translation import gettext_lazy

from o2o.core.errors import Conflict


class SoldOut(Conflict):
    code, default_message = "sold_out", gettext_lazy("Sorry, this deal is sold out.")


class LimitExceeded(Conflict):
    code, default_message = "limit_exceeded", gettext_lazy("You have reached the limit for this deal.")


class OrderExpired(Conflict):
    code, default_message = "order_expired", gettext_lazy("This order was not paid in time and has expired.")


class AlreadyPaid(Conflict):
    code, default_message = "already_paid", gettext_lazy("This order is already paid.")


class NothingToRefund(Conflict):
    code, default_message = "nothing_to_refund", gettext_lazy("Nothing in this order can be refunded.")


class PaymentInProgress(Conflict):
    code, default_message = "payment_in_progress", gettext_lazy("A payment of this order is under way; try again in a moment.")
    retryable = True  # not stored as the answer of an Idempotency-Key: a retry may succeed
