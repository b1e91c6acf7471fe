"""Page forms. They only shape input; the rules live in the domain services they feed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from o2o.merchants.enums import Category, Role
from o2o.merchants.hours import DAYS

DAY_NAMES = {
    "mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
    "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday"),
}


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(label=_("Your name"), max_length=80,
                                   widget=forms.TextInput(attrs={"autocomplete": "nickname"}))
    password = forms.CharField(label=_("Password"), min_length=1, max_length=128,
                               help_text=_("At least 8 characters, not only digits."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class LoginForm(forms.Form):
    # Not an EmailField: signing in only compares with stored addresses, and some stored ones
    # (the demo's customer@demo.o2o) do not pass Django's stricter e-mail syntax check.
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
    expiry = forms.CharField(label=_("Expiry"), max_length=7, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "12/30", "autocomplete": "cc-exp"}))
    cvc = forms.CharField(label=_("CVC"), max_length=4, required=False,
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


class StoreForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    timezone = forms.CharField(label=_("Timezone"), max_length=64, initial="Asia/Shanghai")
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
            self.fields[f"{day}_open1"] = forms.CharField(required=False, initial="10:00" if weekend else "09:00",
                                                          widget=forms.TimeInput(attrs={"type": "time"}))
            self.fields[f"{day}_close1"] = forms.CharField(required=False, initial="22:00" if weekend else "21:00",
                                                           widget=forms.TimeInput(attrs={"type": "time"}))
            self.fields[f"{day}_open2"] = forms.CharField(required=False, initial="17:00",
                                                          widget=forms.TimeInput(attrs={"type": "time"}))
            self.fields[f"{day}_close2"] = forms.CharField(required=False, initial="02:00",
                                                           widget=forms.TimeInput(attrs={"type": "time"}))

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
                    initial[f"{day}_close{i}"] = "00:00" if b == "24:00" else b
        return initial

    def hours_rows(self) -> list[dict[str, object]]:
        return [{"day": day, "name": DAY_NAMES[day], "mode": self[f"{day}_mode"], "open1": self[f"{day}_open1"],
                 "close1": self[f"{day}_close1"], "open2": self[f"{day}_open2"], "close2": self[f"{day}_close2"]}
                for day in DAYS]

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
                hours[day] = [[a[:5], ("24:00" if b[:5] == "00:00" else b[:5])] for a, b in windows]
            else:
                hours[day] = []
        return hours


class StaffForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
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
    price = forms.DecimalField(label=_("Deal price"), min_value=0, max_digits=14, decimal_places=2)
    list_price = forms.DecimalField(label=_("List price"), min_value=0, max_digits=14, decimal_places=2,
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


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
