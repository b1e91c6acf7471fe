"""The store page's "ask for a quote": the merchant's open request forms for that store."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from o2o.jobs.models import RequestForm

register = template.Library()


@register.inclusion_tag("web/customer/_job_forms.html")
def job_forms_for(store: Any) -> dict[str, Any]:
    forms = RequestForm.objects.filter(Q(store__isnull=True) | Q(store=store), merchant_id=store.merchant_id,
                                       active=True).order_by("created_at")[:10]
    return {"job_forms": list(forms)}
