"""Domain texts the pages show, listed so that this app's catalogue carries their translations.

The domain apps define these labels and error messages (some as plain class attributes); the pages
translate them at display time with gettext(). An app's own catalogue, where it has one, wins
over this one (apps earlier in INSTALLED_APPS take precedence).
"""

from django.utils.translation import gettext_noop

DOMAIN_TEXTS = [
    # merchants.enums
    gettext_noop("Restaurant"), gettext_noop("Renovation"), gettext_noop("Print & packaging"), gettext_noop("Training school"), gettext_noop("Estate agent"),
    gettext_noop("Smart hardware"), gettext_noop("Salon & beauty"), gettext_noop("Other"),
    gettext_noop("Pending approval"), gettext_noop("Active"), gettext_noop("Suspended"),
    gettext_noop("Owner"), gettext_noop("Manager"), gettext_noop("Clerk"), gettext_noop("Courier"),
    # catalogue.enums
    gettext_noop("Draft"), gettext_noop("Live"), gettext_noop("Paused"), gettext_noop("Ended"),
    # orders.enums
    gettext_noop("Awaiting payment"), gettext_noop("Paid"), gettext_noop("Expired (not paid in time)"), gettext_noop("Cancelled"), gettext_noop("Partly refunded"),
    gettext_noop("Refunded"),
    # vouchers.enums
    gettext_noop("Ready to use"), gettext_noop("Used"),
    # messages of domain errors shown on pages
    gettext_noop("Sorry, this deal is sold out."), gettext_noop("You have reached the limit for this deal."),
    gettext_noop("This order was not paid in time and has expired."), gettext_noop("This order is already paid."),
    gettext_noop("Nothing in this order can be refunded."), gettext_noop("This voucher has expired."),
    gettext_noop("This voucher was refunded and cannot be used."), gettext_noop("This voucher cannot be redeemed at this store."),
    gettext_noop("This QR code is not a genuine o2o voucher."), gettext_noop("The card was declined; nothing was charged."),
    gettext_noop("This card number is not valid."), gettext_noop("An account with this email already exists."),
    gettext_noop("Some fields are not valid."), gettext_noop("Enter a valid email address."), gettext_noop("Tell us what to call you."),
    gettext_noop("Unknown timezone."), gettext_noop("Coordinates are not valid."), gettext_noop("The list price cannot be below the price."),
    gettext_noop("Say where the deal can be redeemed."), gettext_noop("This invitation link is not valid."),
    gettext_noop("Choose another password."), gettext_noop("You can review once you have used a voucher of this order."),
    gettext_noop("You have already reviewed this order."), gettext_noop("Only paid orders can be refunded."),
    gettext_noop("This offering is not for sale."), gettext_noop("The owner is already staff."), gettext_noop("Unknown role."),
    gettext_noop("Unknown store."), gettext_noop("Unknown category."),
    gettext_noop("This voucher was redeemed at %(store)s on %(when)s."), gettext_noop("No voucher with this code."),
    gettext_noop("A voucher code has %(n)d digits."), gettext_noop("This voucher belongs to another merchant."),
    gettext_noop("You are not assigned to this store."), gettext_noop("This voucher expired on %(d)s."),
    gettext_noop("You can buy at most %(n)d of this deal; you already have %(h)d."),
    gettext_noop("One order buys from one merchant; please check out separately."),
    gettext_noop("The request could not be completed."), gettext_noop("Not found."), gettext_noop("You are not allowed to do this."),
]
