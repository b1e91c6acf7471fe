"""Page forms of custom jobs. They only shape input; jobs.forms / jobs.services check the rules.

- request_form_class: a customer's request form built from the merchant's field definitions (the
  photos and file fields are read from request.FILES by the view: their bytes are checked by jobs.files);
- FieldDefFormSet: the merchant's editor of those field definitions, one row per field;
- QuoteForm / ChangeOrderForm: the merchant's quote and change order, milestones as "title | share" lines.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from o2o.core.errors import Invalid
from o2o.jobs.enums import FieldType, MilestoneKind, Tier, Trade
from o2o.web.forms import MoneyField

FILE_TYPES = (FieldType.PHOTOS, FieldType.FILE)
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
FILE_ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


def _bound(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def request_form_class(fields: list[dict[str, Any]], *, trade: str) -> type[forms.Form]:
    """A Django form of the definition's text, number, area, choice and date fields (photos and files are
    rendered by the template and read from request.FILES); renovation asks for the site's address too."""
    attrs: dict[str, Any] = {}
    for f in fields:
        key, ftype, required = f["key"], f["type"], bool(f.get("required"))
        label = f["label"]
        lo, hi = _bound(f.get("min")), _bound(f.get("max"))
        field: forms.Field
        if ftype == FieldType.TEXT:
            field = forms.CharField(label=label, required=required, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
        elif ftype in (FieldType.NUMBER, FieldType.AREA):
            number_attrs = {"inputmode": "decimal", "step": "any"}
            if ftype == FieldType.AREA:
                label = _("%(label)s (m²)") % {"label": label}
            field = forms.DecimalField(label=label, required=required, max_digits=12, decimal_places=2,
                                       min_value=lo, max_value=hi, widget=forms.NumberInput(attrs=number_attrs))
        elif ftype == FieldType.CHOICE:
            choices = [(c, c) for c in f.get("choices", [])]
            field = forms.ChoiceField(label=label, required=required,
                                      choices=choices if required else [("", "—"), *choices])
        elif ftype == FieldType.DATE:
            field = forms.DateField(label=label, required=required,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        else:
            continue
        attrs[key] = field
    if trade == Trade.RENOVATION:
        attrs["site_address"] = forms.CharField(label=gettext_lazy("Site address"), max_length=200, required=True)
    attrs["site_lat"] = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    attrs["site_lng"] = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    return type("JobRequestForm", (forms.Form,), attrs)


def answers_of(form: forms.Form, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The cleaned values as the service takes them (numbers and dates as text)."""
    out: dict[str, Any] = {}
    for f in fields:
        if f["type"] in FILE_TYPES or f["key"] not in form.cleaned_data:
            continue
        value = form.cleaned_data[f["key"]]
        if value in (None, ""):
            continue
        out[f["key"]] = value.isoformat() if f["type"] == FieldType.DATE else str(value)
    return out


# --- the merchant's form editor (its help texts are said once, above the rows: web/merchant/job_form.html) ------------------------------------------------------------------------------

class FieldDefForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Question"), max_length=140, required=False)
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=40, required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldType.choices, initial=FieldType.TEXT)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    choices = forms.CharField(label=gettext_lazy("Choices"), required=False, max_length=3000)
    min = forms.DecimalField(label=gettext_lazy("Min"), required=False, max_digits=12, decimal_places=2)
    max = forms.DecimalField(label=gettext_lazy("Max"), required=False, max_digits=12, decimal_places=2)
    max_files = forms.IntegerField(label=gettext_lazy("Max photos"), required=False, min_value=1, max_value=12)


FieldDefFormSet = forms.formset_factory(FieldDefForm, extra=3, max_num=40)


class FormMetaForm(forms.Form):
    trade = forms.ChoiceField(label=gettext_lazy("Trade"), choices=Trade.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140)
    checkin_radius_m = forms.IntegerField(label=gettext_lazy("Check-in radius (m)"), min_value=20, max_value=20000,
                                          initial=500)


def _key_from(label: str, taken: set[str]) -> str:
    base = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in label.lower()).strip("_")[:30]
    base = base if base[:1].isalpha() else f"q_{base}".rstrip("_")
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def definition_of(formset: Any) -> list[dict[str, Any]]:
    """The rows with a question, as jobs.forms.check_definition takes them (rows left empty are dropped)."""
    out: list[dict[str, Any]] = []
    taken = {(r.cleaned_data.get("key") or "") for r in formset.forms if r.cleaned_data}
    for row in formset.forms:
        d = row.cleaned_data
        if not d or not (d.get("label") or "").strip():
            continue
        key = d.get("key") or _key_from(d["label"], taken)
        taken.add(key)
        item: dict[str, Any] = {"key": key, "label": d["label"].strip(), "type": d["type"],
                                "required": bool(d.get("required"))}
        if d["type"] == FieldType.CHOICE:
            item["choices"] = [c.strip() for c in (d.get("choices") or "").split(",") if c.strip()]
        if d["type"] in (FieldType.NUMBER, FieldType.AREA):
            for bound in ("min", "max"):
                if d.get(bound) is not None:
                    item[bound] = str(d[bound])
        if d["type"] == FieldType.PHOTOS and d.get("max_files"):
            item["max_files"] = d["max_files"]
        out.append(item)
    return out


def initial_rows(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**f, "choices": ", ".join(f.get("choices", []))} for f in fields]


# --- quotes and change orders ----------------------------------------------------------------------------------

def rows_of(text: str, n: int, field: str) -> list[list[str]]:
    """Lines of `n` parts separated by |, blank lines skipped (422 on `field` otherwise)."""
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != n:
            raise Invalid(_("Some fields are not valid."), fields={field: _("One per line, parts separated by |.")})
        rows.append(parts)
    return rows


def milestones_of(text: str, field: str = "milestones") -> list[dict[str, str]]:
    """ "title | share" or "title | share | kind" lines (kind: work, proof, printing)."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in MilestoneKind.values):
            raise Invalid(_("Some fields are not valid."),
                          fields={field: _("One per line: title | share in %, then work, proof or printing if not work.")})
        out.append({"title": parts[0], "share": parts[1], "kind": parts[2] if len(parts) == 3 else MilestoneKind.WORK})
    return out


MILESTONES_HELP = gettext_lazy("One per line: title | share in % (| proof or | printing for a print job's stages). "
                               "The shares sum to 100.")


class QuoteForm(forms.Form):
    valid_days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, max_value=365, initial=14)
    deposit_share = forms.DecimalField(label=gettext_lazy("Deposit (% of the price)"), min_value=1, max_value=100,
                                       decimal_places=2, initial=30)
    milestones = forms.CharField(label=gettext_lazy("Milestones"), widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text=MILESTONES_HELP)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


for _tier in Tier.values:
    QuoteForm.base_fields[f"{_tier}_title"] = forms.CharField(label=gettext_lazy("Title"), max_length=140,
                                                              required=False)
    QuoteForm.base_fields[f"{_tier}_lines"] = forms.CharField(
        label=gettext_lazy("Lines"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line: description | quantity | unit price"))

RENOVATION_MILESTONES = "Survey | 10\nDemolition | 20\nPlumbing and electrics | 30\nPainting | 30\nAcceptance | 10"
PRINT_MILESTONES = "Proof | 10 | proof\nPrinting | 70 | printing\nReady for pickup | 20"


class ChangeOrderForm(forms.Form):
    price = MoneyField(label=gettext_lazy("New price"))
    milestones = forms.CharField(label=gettext_lazy("New milestones for the work not started"),
                                 widget=forms.Textarea(attrs={"rows": 4}), help_text=MILESTONES_HELP)
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Your answer"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("What is wrong?"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
