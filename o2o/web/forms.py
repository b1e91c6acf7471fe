"""Page forms. They only shape input; the rules live in the domain services they feed."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from o2o.accounts.validators import EmailAddressFormField
from o2o.core import conf
from o2o.core.conf import default_store_timezone
from o2o.core.errors import Invalid
from o2o.core.money import parse_amount
from o2o.merchants.enums import Category, Role
from o2o.merchants.hours import DAYS

DAY_NAMES = {
    "mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
    "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday"),
}


class MoneyField(forms.CharField):
    """An amount in the site's currency, parsed by core.money.parse_amount (as the API's are):
    cleans to the amount's plain text, e.g. "39.00"."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):  # type: ignore[no-untyped-def]
        text = super().clean(value)
        if text in self.empty_values:
            return text
        try:
            money = parse_amount(text, conf.get().currency, field="amount")
        except Invalid as exc:
            raise forms.ValidationError(str(exc.fields.get("amount") or exc.message)) from None
        return money.as_api()["amount"]


class SignupForm(forms.Form):
    email = EmailAddressFormField(label=_("Email"), max_length=254,
                                  widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(label=_("Your name"), max_length=80,
                                   widget=forms.TextInput(attrs={"autocomplete": "nickname"}))
    password = forms.CharField(label=_("Password"), min_length=1, max_length=128,
                               help_text=_("At least 8 characters, not only digits."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class LoginForm(forms.Form):
    # Not an e-mail field: signing in only compares with stored addresses, whatever check they passed
    # when they were stored (sign-up checks with o2o.accounts.validators, which accepts demo.o2o).
    email = forms.CharField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class InviteForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=80)
    password = forms.CharField(label=_("Choose a password"), max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class BuyForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, initial=1)


class PayForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"), max_length=23,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number",
                                      "placeholder": "4242 4242 4242 4242"}))
    expiry = forms.CharField(label=_("Expiry"), max_length=7,
                             widget=forms.TextInput(attrs={"placeholder": "12/30", "autocomplete": "cc-exp"}))
    cvc = forms.CharField(label=_("CVC"), max_length=4,
                          widget=forms.TextInput(attrs={"placeholder": "123", "inputmode": "numeric",
                                                        "autocomplete": "cc-csc"}))


class ReviewForm(forms.Form):
    # No star is chosen beforehand: an untouched form must not post a rating nobody gave.
    rating = forms.TypedChoiceField(label=_("Your rating"), coerce=int,
                                    choices=[(i, str(i)) for i in range(5, 0, -1)], widget=forms.RadioSelect,
                                    error_messages={"required": _("Choose a rating from 1 to 5 stars."),
                                                    "invalid_choice": _("Choose a rating from 1 to 5 stars.")})
    text = forms.CharField(label=_("Your review"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What was it like?")}))


class MerchantForm(forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = forms.CharField(label=_("Short description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


HOURS_MODES = [("closed", _("Closed")), ("one", _("One window")), ("two", _("Two windows")),
               ("allday", _("Open 24 hours"))]


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$|^24:00$")
HHMM_PATTERN = "([01]?[0-9]|2[0-3]):[0-5][0-9]|24:00"


class HoursField(forms.CharField):
    """A 24-hour time typed as HH:MM (00:00 to 24:00). Not <input type=time>: that follows the
    browser's locale and shows AM/PM in en-US, while a store's hours are written 24-hour."""

    default_error_messages = {"invalid": _("Enter a 24-hour time as HH:MM, such as 09:00, 21:30 or 24:00.")}

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "inputmode": "numeric", "maxlength": 5, "pattern": HHMM_PATTERN, "placeholder": "HH:MM", "size": 5,
            "autocomplete": "off", "class": "hhmm", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value):  # type: ignore[no-untyped-def]
        value = (super().clean(value) or "").strip()[:16].replace("：", ":").replace(".", ":")
        if not value:
            return ""
        m = _HHMM.match(value)
        if not m:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return "24:00" if value == "24:00" else f"{int(m.group(1)):02d}:{m.group(2)}"


class StoreForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    timezone = forms.CharField(label=_("Timezone"), max_length=64, initial=default_store_timezone)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any", "data-pick": "lat"}))
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any", "data-pick": "lng"}))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for day in DAYS:
            weekend = day in ("sat", "sun")
            self.fields[f"{day}_mode"] = forms.ChoiceField(
                choices=HOURS_MODES, initial="one", widget=forms.Select(attrs={"data-hours-mode": day}))
            name = DAY_NAMES[day]
            self.fields[f"{day}_open1"] = HoursField(initial="10:00" if weekend else "09:00",
                                                     label=_("%(day)s opens") % {"day": name})
            self.fields[f"{day}_close1"] = HoursField(initial="22:00" if weekend else "21:00",
                                                      label=_("%(day)s closes") % {"day": name})
            self.fields[f"{day}_open2"] = HoursField(initial="17:00",
                                                     label=_("%(day)s opens again") % {"day": name})
            self.fields[f"{day}_close2"] = HoursField(initial="02:00",
                                                      label=_("%(day)s closes again") % {"day": name})
            for f in ("open1", "close1", "open2", "close2"):
                self.fields[f"{day}_{f}"].widget.attrs["aria-label"] = str(self.fields[f"{day}_{f}"].label)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        for day in DAYS:
            mode = data.get(f"{day}_mode")
            needed = {"one": ("open1", "close1"), "two": ("open1", "close1", "open2", "close2")}.get(mode or "", ())
            missing = [f for f in needed if not data.get(f"{day}_{f}") and not self.has_error(f"{day}_{f}")]
            if missing:
                self.add_error(f"{day}_mode", _("Enter both times of each window, as HH:MM."))
        return data

    @staticmethod
    def initial_from_store(store) -> dict[str, object]:  # type: ignore[no-untyped-def]
        """The form's initial values for an existing store (hours back into the per-day editor)."""
        initial: dict[str, object] = {"name": store.name, "address": store.address, "phone": store.phone,
                                      "timezone": store.timezone, "lat": store.lat, "lng": store.lng}
        for day in DAYS:
            windows = store.opening_hours.get(day, [])
            if not windows:
                initial[f"{day}_mode"] = "closed"
            elif windows == [["00:00", "24:00"]]:
                initial[f"{day}_mode"] = "allday"
            else:
                initial[f"{day}_mode"] = "one" if len(windows) == 1 else "two"
                for i, (a, b) in enumerate(windows[:2], start=1):
                    initial[f"{day}_open{i}"] = a
                    initial[f"{day}_close{i}"] = b
        return initial

    def hours_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for day in DAYS:
            names = ("mode", "open1", "close1", "open2", "close2")
            row: dict[str, object] = {"day": day, "name": DAY_NAMES[day], **{n: self[f"{day}_{n}"] for n in names}}
            row["errors"] = [e for n in names for e in self[f"{day}_{n}"].errors]
            rows.append(row)
        return rows

    def opening_hours(self) -> dict[str, list[list[str]]]:
        """API.md's format; the service validates the times (a window may run past midnight)."""
        data = self.cleaned_data
        hours: dict[str, list[list[str]]] = {}
        for day in DAYS:
            mode = data.get(f"{day}_mode")
            if mode == "allday":
                hours[day] = [["00:00", "24:00"]]
            elif mode in ("one", "two"):
                windows = [[data.get(f"{day}_open1") or "", data.get(f"{day}_close1") or ""]]
                if mode == "two":
                    windows.append([data.get(f"{day}_open2") or "", data.get(f"{day}_close2") or ""])
                # a window closing at 00:00 closes at midnight: API.md writes that end as 24:00
                hours[day] = [[a, ("24:00" if b == "00:00" else b)] for a, b in windows]
            else:
                hours[day] = []
        return hours


class StaffForm(forms.Form):
    email = EmailAddressFormField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.MANAGER, Role.MANAGER.label), (Role.CLERK, Role.CLERK.label),
                                                      (Role.COURIER, Role.COURIER.label)], initial=Role.CLERK)
    stores = forms.MultipleChoiceField(label=_("Stores"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, stores=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["stores"].choices = [(str(s.pk), s.name) for s in stores]


class DealForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=140)
    description = forms.CharField(label=_("Description"), max_length=8000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    price = MoneyField(label=_("Deal price"))
    list_price = MoneyField(label=_("List price"),
                            help_text=_("What it normally costs; the discount is worked out from it."))
    quantity_total = forms.IntegerField(label=_("How many to sell"), min_value=1, max_value=10_000_000, initial=100)
    per_customer_limit = forms.IntegerField(label=_("Limit per customer"), min_value=0, max_value=1000, initial=2,
                                            help_text=_("0 means no limit."))
    valid_days = forms.IntegerField(label=_("Valid for (days after purchase)"), min_value=1, max_value=3660,
                                    initial=90)
    stores = forms.MultipleChoiceField(label=_("Redeemable at"), widget=forms.CheckboxSelectMultiple)
    publish = forms.ChoiceField(label=_("Publish"), choices=[("live", _("Publish now")), ("draft", _("Save as draft"))],
                                initial="live", widget=forms.RadioSelect)

    def __init__(self, *args, stores=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["stores"].choices = [(str(s.pk), s.name) for s in stores]


class DealEditForm(DealForm):
    """The deal's fields as DealForm has them, without publishing (Pause/End/Resume do that), plus
    photos to take away. The quantity cannot go below what is already sold or reserved."""

    remove_photos = forms.MultipleChoiceField(label=_("Remove photos"), required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, photos=(), taken: int = 0, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        del self.fields["publish"]
        self.fields["remove_photos"].choices = [(str(p.pk), str(p.pk)) for p in photos]  # type: ignore[attr-defined]
        qty: forms.IntegerField = self.fields["quantity_total"]  # type: ignore[assignment]
        qty.min_value = max(1, taken)
        qty.widget.attrs["min"] = qty.min_value
        qty.help_text = _("%(n)d already sold or held by unpaid orders; the total cannot go below that.") % {
            "n": taken}
        if taken > 1:
            qty.validators = [v for v in qty.validators if not isinstance(v, MinValueValidator)]
            qty.validators.append(MinValueValidator(taken, message=_(
                "At least %(n)d: that many are already sold or held by unpaid orders.") % {"n": taken}))

    @staticmethod
    def initial_from_offering(offering) -> dict[str, object]:  # type: ignore[no-untyped-def]
        return {"title": offering.title, "description": offering.description, "price": offering.price_amount,
                "list_price": offering.list_price_amount, "quantity_total": offering.quantity_total,
                "per_customer_limit": offering.per_customer_limit, "valid_days": offering.valid_days,
                "stores": [str(s.pk) for s in offering.redeemable_stores.all()]}


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
