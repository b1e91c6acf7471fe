"""The console's form for a new campaign (one placement at a time; the API takes many)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from o2o.campaigns.enums import PlacementKind
from o2o.catalogue.enums import OfferingStatus
from o2o.catalogue.models import Offering
from o2o.merchants.models import Merchant, Store


def campaign_targets(merchant: Merchant) -> list[tuple[str, str]]:
    """Where a placement may send people: the merchant's live offerings, then its active stores."""
    offerings = Offering.objects.filter(merchant=merchant, status=OfferingStatus.LIVE).order_by("title")
    stores = Store.objects.filter(merchant=merchant, is_active=True).order_by("name")
    return ([(f"offering:{o.pk}", str(o.title)) for o in offerings]
            + [(f"store:{s.pk}", str(_("Store: %(name)s") % {"name": s.name})) for s in stores])


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Campaign"), max_length=120)
    placement_name = forms.CharField(label=_("Placement"), max_length=120,
                                     help_text=_("Where it goes up, such as “Flyers at the metro exit”."))
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices)
    cost = forms.CharField(label=_("Cost"), max_length=20, initial="0.00",
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    target = forms.ChoiceField(label=_("Scans land on"))

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets  # type: ignore[attr-defined]
