from django.utils.translation import gettext_lazy

from o2o.core.errors import Conflict


class SlotFull(Conflict):
    code, default_message = "slot_full", gettext_lazy("This pickup time has just filled up; please pick another.")


class SlotUnavailable(Conflict):
    code, default_message = "slot_unavailable", gettext_lazy("This pickup time is no longer available.")


class StoreClosed(Conflict):
    code, default_message = "store_closed", gettext_lazy("This store is closed then.")


class WrongStore(Conflict):
    code, default_message = "wrong_store", gettext_lazy("This belongs to another store.")


class AlreadyCollected(Conflict):
    code, default_message = "already_collected", gettext_lazy("This order was already handed over.")


class NotReady(Conflict):
    code, default_message = "not_ready", gettext_lazy("This order is not ready yet.")


class PriceChanged(Conflict):
    code, default_message = "price_changed", gettext_lazy("The price has changed; please check your order.")


class TabClosed(Conflict):
    code, default_message = "tab_closed", gettext_lazy("This table's bill is already closed.")
