from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    RESTAURANT = "restaurant", _("Restaurant")
    RENOVATION = "renovation", _("Renovation")
    PRINTING = "printing", _("Print & packaging")
    TRAINING = "training", _("Training school")
    ESTATE = "estate", _("Estate agent")
    HARDWARE = "hardware", _("Smart hardware")
    SALON = "salon", _("Salon & beauty")
    OTHER = "other", _("Other")


class MerchantStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


MERCHANT_TRANSITIONS = {
    "pending": frozenset({"active", "suspended"}),
    "active": frozenset({"suspended"}),
    "suspended": frozenset({"active"}),
}


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    CLERK = "clerk", _("Clerk")
    COURIER = "courier", _("Courier")


# Roles that may edit the catalogue, stores and staff.
MANAGING_ROLES = frozenset({Role.OWNER, Role.MANAGER})
# Roles that count as staff at every store of their merchant.
ALL_STORE_ROLES = MANAGING_ROLES
